import { createRequire } from 'node:module';
import { ParseError } from './types.js';

/**
 * What TOML lockfiles (Cargo.lock, poetry.lock, uv.lock, pdm.lock) share: a lazily loaded parser whose syntax errors
 * become ParseError with the line, and one pass over the text that finds where each `[[package]]` block and its
 * `name = …` line are. smol-toml gives no positions, so callers match blocks to parsed packages by order (both are in
 * file order) and check the names agree before trusting the lines.
 */

// smol-toml is loaded on the first TOML lockfile, so scans without one do not pay for it at start-up
const requireCjs = createRequire(import.meta.url);
let smolToml: typeof import('smol-toml') | undefined;
const toml = () => (smolToml ??= requireCjs('smol-toml') as typeof import('smol-toml'));

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parse TOML; a syntax error throws ParseError "`label` is not valid TOML: … (line n)". */
export function parseToml(text: string, label: string): Record<string, unknown> {
  try {
    return toml().parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof toml().TomlError) {
      const reason = err.message.split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
      throw new ParseError(`${label} is not valid TOML: ${reason} (line ${err.line})`, err.line);
    }
    throw err;
  }
}

export interface TomlBlock {
  /** line of `[[package]]` */
  header: number;
  /** line of the block's `name = …` */
  nameLine?: number;
  /** the string on that line, to check the scan against the parser */
  nameValue?: string;
}

export interface TomlLayout {
  /** the `[[<array>]]` blocks in file order */
  blocks: TomlBlock[];
  /** first line of each top-level key written before any table (`version = 4`) */
  topKeys: Map<string, number>;
  /** first line of each plain `[table]` header, by its name as written (`root`, `metadata`) */
  tables: Map<string, number>;
}

/** One pass over the lines (LF or CRLF): where each `[[array]]` block starts and where its `name` is. */
export function scanTomlLayout(text: string, array = 'package'): TomlLayout {
  const blocks: TomlBlock[] = [];
  const topKeys = new Map<string, number>();
  const tables = new Map<string, number>();
  const arrayHeader = new RegExp(`^\\[\\[\\s*${array}\\s*\\]\\]\\s*(#.*)?$`);
  let current: TomlBlock | undefined;
  let inTable = false;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line.startsWith('[')) {
      current = undefined;
      inTable = true;
      if (arrayHeader.test(line)) {
        current = { header: lineNo };
        blocks.push(current);
      } else {
        const m = /^\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(#.*)?$/.exec(line);
        if (m && !tables.has(m[1]!)) tables.set(m[1]!, lineNo);
      }
      continue;
    }
    if (current && current.nameLine === undefined && /^("?)name\1\s*=/.test(line)) {
      current.nameLine = lineNo;
      const m = /=\s*"((?:[^"\\]|\\.)*)"/.exec(line);
      current.nameValue = m ? m[1] : undefined;
    } else if (!inTable) {
      const m = /^("?)([A-Za-z0-9_-]+)\1\s*=/.exec(line);
      if (m && !topKeys.has(m[2]!)) topKeys.set(m[2]!, lineNo);
    }
  }
  return { blocks, topKeys, tables };
}

/**
 * The block lines for `count` parsed packages, or undefined when the scan and the parser disagree on how many
 * blocks there are or on a name (e.g. a `[[package]]` line inside a multi-line string): then no lines at all
 * rather than wrong ones.
 */
export function blockLines(layout: TomlLayout, names: ReadonlyArray<string | undefined>): TomlBlock[] | undefined {
  if (layout.blocks.length !== names.length) return undefined;
  return layout.blocks.every((b, i) => b.nameValue === undefined || b.nameValue === names[i]) ? layout.blocks : undefined;
}
