import { compareStrings } from '../../util/compare.js';

/**
 * Maven's version ordering: a port of org.apache.maven.artifact.versioning.ComparableVersion (Maven 3.6–3.8
 * line, with the "release" alias and the MNG-6964 fix), which is what Maven and Gradle's Maven-style ranges use.
 * - the version is split at '.', '-' and digit/letter transitions; '-' and a transition open a sub-list, so
 *   `1-1` < `1.1` ("a hyphen is always less important than something preceded with a dot");
 * - numbers compare as numbers of any length (1.10 > 1.9, leading zeros ignored), missing numbers are 0:
 *   1 = 1.0 = 1.0.0 (trailing zeros and release qualifiers are trimmed);
 * - qualifiers: alpha (a1) < beta (b1) < milestone (m1) < rc = cr < snapshot < "" = ga = final = release < sp,
 *   unknown qualifiers after sp in lexical order (case-insensitive), so `2.0.81.Final` = `2.0.81` and
 *   `1.0-SNAPSHOT` < `1.0`.
 * Every string is a Maven version; the comparator never returns undefined for non-empty input.
 */
export function mavenCompare(a: string, b: string): number | undefined {
  if (a.trim() === '' || b.trim() === '') return undefined;
  return Math.sign(compareItems(parse(a), parse(b)));
}

type Item = { t: 'int'; v: bigint } | { t: 'str'; v: string } | { t: 'list'; v: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function stringItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) v = ({ a: 'alpha', b: 'beta', m: 'milestone' } as Record<string, string>)[v] ?? v;
  return { t: 'str', v: ALIASES[v] ?? v };
}

function parseItem(isDigit: boolean, buf: string): Item {
  return isDigit ? { t: 'int', v: BigInt(buf) } : stringItem(buf, false);
}

/** comparable form of a qualifier: known ones by rank, unknown ones after them, lexically */
function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function isNull(item: Item): boolean {
  switch (item.t) {
    case 'int':
      return item.v === 0n;
    case 'str':
      return comparableQualifier(item.v) === RELEASE_INDEX;
    case 'list':
      return item.v.length === 0;
  }
}

/** trailing null items go (0, "", empty list); a non-list item stops the trimming */
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i]!;
    if (isNull(last)) list.splice(i, 1);
    else if (last.t !== 'list') break;
  }
}

function parse(version: string): Item[] {
  const s = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  const open = () => {
    const next: Item[] = [];
    list.push({ t: 'list', v: next });
    list = next;
    stack.push(next);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '.') {
      list.push(i === start ? { t: 'int', v: 0n } : parseItem(isDigit, s.slice(start, i)));
      start = i + 1;
    } else if (c === '-') {
      list.push(i === start ? { t: 'int', v: 0n } : parseItem(isDigit, s.slice(start, i)));
      start = i + 1;
      open();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.push(stringItem(s.slice(start, i), true));
        start = i;
        open();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, s.slice(start, i)));
        start = i;
        open();
      }
      isDigit = false;
    }
  }
  if (s.length > start) list.push(parseItem(isDigit, s.slice(start)));
  while (stack.length > 0) normalize(stack.pop()!);
  return root;
}

function compareItem(a: Item, b: Item | undefined): number {
  if (a.t === 'int') {
    if (b === undefined) return a.v === 0n ? 0 : 1;
    if (b.t === 'int') return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    return 1; // 1.1 > 1-sp, 1.1 > 1-1
  }
  if (a.t === 'str') {
    if (b === undefined) return compareStrings(comparableQualifier(a.v), RELEASE_INDEX); // 1-rc < 1, 1-sp > 1
    if (b.t === 'str') return compareStrings(comparableQualifier(a.v), comparableQualifier(b.v));
    return -1; // 1.any < 1.1, 1.any < 1-1
  }
  if (b === undefined) {
    // the whole list against nothing, not just its first item (MNG-6964: 1-0.alpha < 1)
    for (const item of a.v) {
      const r = compareItem(item, undefined);
      if (r !== 0) return r;
    }
    return 0;
  }
  if (b.t === 'int') return -1; // 1-1 < 1.0.x
  if (b.t === 'str') return 1; // 1-1 > 1-sp
  return compareItems(a.v, b.v);
}

function compareItems(a: Item[], b: Item[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const l = a[i];
    const r = b[i];
    const result = l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
    if (result !== 0) return result;
  }
  return 0;
}

