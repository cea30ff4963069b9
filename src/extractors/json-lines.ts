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
