/**
 * PEP 440 version ordering (Python packaging), as pypa/packaging's `Version` orders them:
 * epoch, release (trailing zeros ignored: 1.0 == 1.0.0), then dev < pre (a < b < rc) < final < post,
 * a dev release of a pre/post release before that pre/post release, and a local label (`+ubuntu1`) after the
 * same public version. Alternative spellings normalise as PEP 440 says (`1.0-alpha.1` = `1.0a1`, `1.0-1` =
 * `1.0.post1`, `c`/`pre`/`preview` = `rc`, `r`/`rev` = `post`, a leading `v`). Not PEP 440 (legacy versions,
 * git commits): undefined, so a range never matches them.
 */

// pypa/packaging's VERSION_PATTERN (packaging/version.py), case-insensitive
const VERSION_RE =
  /^\s*v?(?:(?:(\d+)!)?(\d+(?:\.\d+)*)([-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\d+)?)?((?:-(\d+))|(?:[-_.]?(post|rev|r)[-_.]?(\d+)?))?([-_.]?(dev)[-_.]?(\d+)?)?)(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

export interface Pep440 {
  epoch: number;
  release: number[];
  /** ['a' | 'b' | 'rc', n] */
  pre?: [string, number];
  post?: number;
  dev?: number;
  local?: Array<number | string>;
}

/** Numbers stay exact up to 2^53; longer digit runs (date-based builds) still compare as numbers. */
const num = (s: string | undefined): number => (s === undefined ? 0 : Number(s));

export function parsePep440(v: string): Pep440 | undefined {
  const m = VERSION_RE.exec(v);
  if (!m) return undefined;
  const parsed: Pep440 = { epoch: num(m[1]), release: m[2]!.split('.').map(Number) };
  if (m[4] !== undefined) {
    const l = m[4].toLowerCase();
    const letter = l === 'alpha' ? 'a' : l === 'beta' ? 'b' : l === 'c' || l === 'pre' || l === 'preview' ? 'rc' : l;
    parsed.pre = [letter, num(m[5])];
  }
  if (m[6] !== undefined) parsed.post = num(m[7] ?? m[9]);
  if (m[10] !== undefined) parsed.dev = num(m[12]);
  if (m[13] !== undefined) parsed.local = m[13].toLowerCase().split(/[-_.]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return parsed;
}

const PRE_RANK: Record<string, number> = { a: 0, b: 1, rc: 2 };

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The pre-release slot as packaging's _cmpkey builds it: a bare dev release sorts before any pre-release. */
function preKey(v: Pep440): [number, number] {
  if (v.pre) return [PRE_RANK[v.pre[0]]!, v.pre[1]];
  if (v.post === undefined && v.dev !== undefined) return [-Infinity, 0];
  return [Infinity, 0];
}

/** Local segments: numbers above strings, numbers numerically, strings lexically, a longer label after its prefix. */
function compareLocal(a: ReadonlyArray<number | string> | undefined, b: ReadonlyArray<number | string> | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return cmpNum(x, y);
    } else if (typeof x === 'number') return 1;
    else if (typeof y === 'number') return -1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return cmpNum(a.length, b.length);
}

export function comparePep440Parsed(a: Pep440, b: Pep440): number {
  if (a.epoch !== b.epoch) return cmpNum(a.epoch, b.epoch);
  for (let i = 0; i < Math.max(a.release.length, b.release.length); i++) {
    const d = cmpNum(a.release[i] ?? 0, b.release[i] ?? 0);
    if (d !== 0) return d;
  }
  const [pa, pb] = [preKey(a), preKey(b)];
  if (pa[0] !== pb[0]) return cmpNum(pa[0], pb[0]);
  if (pa[1] !== pb[1]) return cmpNum(pa[1], pb[1]);
  const d = cmpNum(a.post ?? -Infinity, b.post ?? -Infinity) || cmpNum(a.dev ?? Infinity, b.dev ?? Infinity);
  return d || compareLocal(a.local, b.local);
}

/** Compare two PEP 440 versions; undefined when either is not one. */
export function pep440Compare(a: string, b: string): number | undefined {
  const pa = parsePep440(a);
  const pb = parsePep440(b);
  return pa && pb ? comparePep440Parsed(pa, pb) : undefined;
}
