import { createRequire } from 'node:module';
import { ParseError } from './types.js';

// jsonc-parser (positions for keys and errors) loads on first use, so scans without such files do not pay for it
const requireCjs = createRequire(import.meta.url);
let jsoncParser: typeof import('jsonc-parser') | undefined;
export const jsonc = () => (jsoncParser ??= requireCjs('jsonc-parser') as typeof import('jsonc-parser'));

export type JsonPath = Array<string | number>;

/** JSON.parse, and on failure a ParseError with the 1-based line where the text stops being JSON. */
export function parseJsonWithLine(rawText: string, label: string): unknown {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  try {
    return JSON.parse(text);
  } catch (err) {
    let line: number | undefined;
    let what: string | undefined;
    jsonc().visit(
      text,
      {
        onError(code, offset, _length, startLine) {
          if (line !== undefined) return;
          line = startLine + 1;
          what = offset >= text.length ? 'unexpected end of file' : jsonc().printParseErrorCode(code).replace(/(?<!^)([A-Z])/g, ' $1').toLowerCase();
        },
      },
      { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
    );
    if (what === undefined) {
      // JSON.parse is stricter than jsonc-parser in a few corners; its message has an offset
      what = err instanceof Error ? err.message : String(err);
      const pos = /position (\d+)/.exec(what);
      if (pos) line = text.slice(0, Number(pos[1])).split('\n').length;
    }
    throw new ParseError(`${label} is not valid JSON: ${what}${line ? ` at line ${line}` : ''}`, line);
  }
}

/**
 * The 1-based line of every property whose parent object sits at a path `wanted` accepts, keyed by the parent
 * path and the property name joined with '\0'. One pass with jsonc-parser's visitor.
 */
export function propertyLines(text: string, wanted: (parent: JsonPath, key: string) => boolean): Map<string, number> {
  const lines = new Map<string, number>();
  jsonc().visit(text, {
    onObjectProperty(key, _offset, _length, startLine, _startCharacter, pathSupplier) {
      const parent = pathSupplier();
      if (wanted(parent, key)) lines.set([...parent, key].join('\0'), startLine + 1);
    },
  });
  return lines;
}

/** What scanJsonKeys reports while it walks valid JSON. */
export interface JsonKeyVisitor {
  beginObject(): void;
  beginArray(): void;
  end(): void;
  /** a comma directly inside the innermost container (array element counting) */
  comma?(): void;
  /** whether keys of the innermost object matter: only then is the key sliced and reported */
  wantsKeys(): boolean;
  property(name: string, line: number): void;
}

/**
 * One pass over valid JSON (run JSON.parse first) without a tokenizer: strings are skipped with indexOf, and a
 * key is sliced only where the visitor wants keys. Many times cheaper than jsonc-parser's visitor on a cold
 * start (what a CI run is); its users check it against the visitor on every fixture.
 */
export function scanJsonKeys(text: string, v: JsonKeyVisitor): void {
  const n = text.length;
  let line = 1;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = text.indexOf('"', i + 1);
      for (;;) {
        if (j === -1) return; // unterminated: not valid JSON, which JSON.parse has ruled out
        let b = j - 1;
        while (text.charCodeAt(b) === 0x5c /* \ */) b--;
        if ((j - 1 - b) % 2 === 0) break; // an even number of backslashes: the quote is not escaped
        j = text.indexOf('"', j + 1);
      }
      if (v.wantsKeys()) {
        let k = j + 1;
        let ch = text.charCodeAt(k);
        while (ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09) ch = text.charCodeAt(++k);
        if (ch === 0x3a /* : */) {
          const raw = text.slice(i + 1, j);
          v.property(raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw, line);
        }
      }
      i = j + 1;
    } else {
      if (c === 0x0a) line++;
      else if (c === 0x7b /* { */) v.beginObject();
      else if (c === 0x5b /* [ */) v.beginArray();
      else if (c === 0x7d /* } */ || c === 0x5d /* ] */) v.end();
      else if (c === 0x2c /* , */) v.comma?.();
      i++;
    }
  }
}

/**
 * What propertyLines returns, through scanJsonKeys: keys are reported only where their parent path is at most
 * `maxParentDepth` deep (nothing deeper can be wanted). Checked against propertyLines on every fixture.
 */
export function propertyLinesFast(text: string, wanted: (parent: JsonPath, key: string) => boolean, maxParentDepth: number): Map<string, number> {
  const lines = new Map<string, number>();
  // one entry per open container: whether it is an array, and the current key (object) or index (array)
  const isArray: boolean[] = [];
  const sel: Array<string | number> = [];
  scanJsonKeys(text, {
    beginObject() {
      isArray.push(false);
      sel.push('');
    },
    beginArray() {
      isArray.push(true);
      sel.push(0);
    },
    end() {
      isArray.pop();
      sel.pop();
    },
    comma() {
      if (isArray[isArray.length - 1]) (sel[sel.length - 1] as number)++;
    },
    wantsKeys() {
      const top = isArray.length - 1;
      return top >= 0 && top <= maxParentDepth && !isArray[top];
    },
    property(key, line) {
      const top = isArray.length - 1;
      sel[top] = key;
      const parent = sel.slice(0, top);
      if (wanted(parent, key)) lines.set([...parent, key].join('\0'), line);
    },
  });
  return lines;
}
