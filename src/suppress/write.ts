import { promises as fs } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument, stringify, type Node, type Pair } from 'yaml';
import { writeFileAtomic } from '../util/atomic-write.js';
import { SuppressionError } from './load.js';

/** An entry as triage writes it (key order is the order written). */
export interface NewSuppression {
  rule: string;
  purl: string;
  fingerprint?: string;
  reason: string;
  expires: string;
  created: string;
  by?: string;
}

/**
 * Add entries to the `suppressions:` list of a YAML file and keep every other byte as it was: the yaml
 * Document API finds where the list ends and how it is indented, and the new entries are spliced into the
 * text there. Re-serialising the whole document would re-indent lists and re-space comments (yaml's
 * toString normalises both), which a reviewer would see as noise in the diff.
 */
export function insertSuppressions(text: string, entries: readonly NewSuppression[], file = 'suppressions file'): string {
  if (entries.length === 0) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) throw new SuppressionError(file, lineAt(text, doc.errors[0]!.pos[0]), `not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const contents = doc.contents as Node | null;
  const withNewline = text === '' || text.endsWith('\n') ? text : text + eol;

  if (contents === null || (isScalar(contents) && contents.value === null)) {
    // empty file or comments only
    return withNewline + `suppressions:${eol}` + block(entries, 2, eol);
  }
  if (!isMap(contents) || contents.flow) throw new SuppressionError(file, 1, 'the top level must be a block mapping to add suppressions to');
  const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === 'suppressions') as Pair<Node, Node | null> | undefined;
  if (!pair) return withNewline + `suppressions:${eol}` + block(entries, 2, eol);

  const key = pair.key as Node;
  const keyCol = column(text, key.range![0]);
  const value = pair.value;
  if (value === null || (isScalar(value) && value.value === null && (value.source ?? '') === '')) {
    // `suppressions:` with nothing (maybe a comment) after it
    const at = lineEnd(text, key.range![1]);
    return insertAt(text, at, eol) + block(entries, keyCol + 2, eol) + text.slice(at);
  }
  if (!isSeq(value)) throw new SuppressionError(file, lineAt(text, value.range![0]), "'suppressions' must be a list");
  if (value.flow) {
    // `suppressions: []` or a flow list: rewrite just that value as a block list
    const existing = (value.toJSON() ?? []) as NewSuppression[];
    const [start, end] = value.range!;
    const at = lineEnd(text, end);
    const head = text.slice(0, start).replace(/[ \t]+$/, '') + text.slice(end, at);
    return insertAt(head, head.length, eol) + block([...existing, ...entries], keyCol + 2, eol) + text.slice(at);
  }
  const last = value.items[value.items.length - 1] as Node;
  const dashCol = dashColumn(text, (value.items[0] as Node).range![0]);
  const at = lineEnd(text, last.range![1]);
  return insertAt(text, at, eol) + block(entries, dashCol, eol) + text.slice(at);
}

/** Read (a missing file is empty), insert, check the result parses with the new entries, write atomically. */
export async function addSuppressions(file: string, entries: readonly NewSuppression[]): Promise<void> {
  let text = '';
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new SuppressionError(file, undefined, `cannot read: ${(e as NodeJS.ErrnoException).code}`);
  }
  const before = countEntries(text);
  const out = insertSuppressions(text, entries, file);
  if (countEntries(out) !== before + entries.length) throw new SuppressionError(file, undefined, 'could not add the suppressions without changing the rest of the file');
  await writeFileAtomic(file, out);
}

function countEntries(text: string): number {
  const v = parseDocument(text).toJS() as { suppressions?: unknown[] } | null;
  return Array.isArray(v?.suppressions) ? v.suppressions.length : 0;
}

function block(entries: readonly unknown[], indent: number, eol: string): string {
  // undefined keys are dropped; lineWidth 0: never fold a long reason over several lines
  const clean = entries.map((e) => Object.fromEntries(Object.entries(e as object).filter(([, v]) => v !== undefined)));
  const pad = ' '.repeat(indent);
  return stringify(clean, { lineWidth: 0 })
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => pad + l + eol)
    .join('');
}

/** Position just after the newline that ends the line holding `pos` (or the end of the text). */
function lineEnd(text: string, pos: number): number {
  if (pos > 0 && text[pos - 1] === '\n') return pos;
  const nl = text.indexOf('\n', pos);
  return nl === -1 ? text.length : nl + 1;
}

function insertAt(text: string, at: number, eol: string): string {
  const head = text.slice(0, at);
  return head === '' || head.endsWith('\n') ? head : head + eol;
}

function column(text: string, pos: number): number {
  return pos - (text.lastIndexOf('\n', pos - 1) + 1);
}

/** Column of the '-' before a block list's first item (searched backwards on the item's line). */
function dashColumn(text: string, itemStart: number): number {
  let p = itemStart - 1;
  while (p >= 0 && text[p] !== '-' && text[p] !== '\n') p--;
  return p >= 0 && text[p] === '-' ? column(text, p) : column(text, itemStart);
}

function lineAt(text: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text[i] === '\n') n++;
  return n;
}
