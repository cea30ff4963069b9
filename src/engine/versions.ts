import semverParse from 'semver/functions/parse.js';
import semverCoerce from 'semver/functions/coerce.js';
import semverCompareFn from 'semver/functions/compare.js';
import type { SemVer } from 'semver';
import { compareNuget } from './versions/nuget.js';
import { compareRubygems } from './versions/rubygems.js';
import { compareComposer } from './versions/composer.js';
import { pep440Compare } from './versions/pep440.js';
import { golangCompare } from './versions/golang.js';
import { mavenCompare } from './versions/maven.js';

/**
 * Version ranges in each ecosystem's own ordering. One range syntax for all schemes (comparator sets joined by
 * '||', each a space-separated list of `<op>version`), one comparator per scheme: OpenSSL's `1.1.1w` is not
 * semver, and PEP 440 / Maven / Go / Debian orderings join here as their ecosystems arrive.
 */
export type Compare = (a: string, b: string) => number | undefined;

const OPS = ['<=', '>=', '<', '>', '='] as const;
type Op = (typeof OPS)[number];
interface Comparator {
  op: Op;
  version: string;
}

function toSemver(v: string): SemVer | undefined {
  // single-function imports: the whole semver package costs ~25 ms at start-up
  const parsed = semverParse(v, { loose: true });
  if (parsed) return parsed;
  // partial versions ("0.17") are fine in a range; a git commit in a lockfile is not orderable
  return /^\d+(\.\d+){0,2}$/.test(v) ? (semverCoerce(v) ?? undefined) : undefined;
}

function semverCompare(a: string, b: string): number | undefined {
  const pa = toSemver(a);
  const pb = toSemver(b);
  return pa && pb ? semverCompareFn(pa, pb) : undefined;
}

/** OpenSSL: numeric parts, then a letter suffix (1.1.1 < 1.1.1a < 1.1.1w < 1.1.1za), pre-releases before release. */
function parseOpenssl(v: string): { nums: number[]; letters: string; pre: string | undefined } | undefined {
  const m = /^(\d+(?:\.\d+)*)([a-z]*)(?:-((?:alpha|beta|pre|rc)\d*))?$/i.exec(v.trim());
  if (!m) return undefined;
  return { nums: m[1]!.split('.').map(Number), letters: m[2]!.toLowerCase(), pre: m[3]?.toLowerCase() };
}

function opensslCompare(a: string, b: string): number | undefined {
  const pa = parseOpenssl(a);
  const pb = parseOpenssl(b);
  if (!pa || !pb) return undefined;
  for (let i = 0; i < Math.max(pa.nums.length, pb.nums.length); i++) {
    const d = (pa.nums[i] ?? 0) - (pb.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (pa.letters !== pb.letters) {
    if (pa.letters.length !== pb.letters.length) return pa.letters.length < pb.letters.length ? -1 : 1;
    return pa.letters < pb.letters ? -1 : 1;
  }
  return comparePre(pa.pre, pb.pre);
}

const PRE_ORDER = ['alpha', 'beta', 'pre', 'rc'];
function comparePre(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const [, ka = '', na = '0'] = /^([a-z]+)(\d*)$/.exec(a) ?? [];
  const [, kb = '', nb = '0'] = /^([a-z]+)(\d*)$/.exec(b) ?? [];
  return Math.sign(PRE_ORDER.indexOf(ka) - PRE_ORDER.indexOf(kb)) || Math.sign(Number(na || 0) - Number(nb || 0));
}

const COMPARE: Record<string, Compare> = {
  semver: semverCompare,
  npm: semverCompare,
  cargo: semverCompare,
  openssl: opensslCompare,
  nuget: compareNuget,
  gem: compareRubygems,
  composer: compareComposer,
  pypi: pep440Compare,
  pep440: pep440Compare,
  golang: golangCompare,
  go: golangCompare,
  maven: mavenCompare,
};

export function comparatorFor(scheme: string): Compare | undefined {
  return COMPARE[scheme];
}

export class RangeSyntaxError extends Error {}

/** Parse a range; throws RangeSyntaxError naming the bad part. */
export function parseRange(range: string, scheme: string): Comparator[][] {
  const compare = comparatorFor(scheme);
  if (!compare) throw new RangeSyntaxError(`no version ordering for '${scheme}'`);
  return range.split('||').map((set) => {
    const parts = set.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) throw new RangeSyntaxError(`empty comparator set in '${range}'`);
    return parts.map((part) => {
      const op = OPS.find((o) => part.startsWith(o));
      if (!op) throw new RangeSyntaxError(`'${part}' needs an operator (<, <=, >, >=, =) in '${range}'`);
      const version = part.slice(op.length);
      if (compare(version, version) === undefined) throw new RangeSyntaxError(`'${version}' is not a ${scheme} version in '${range}'`);
      return { op, version };
    });
  });
}

/** True when `version` is in `range`. A version the scheme cannot order never matches. */
export function satisfies(version: string, range: string, scheme: string): boolean {
  const compare = comparatorFor(scheme);
  if (!compare || compare(version, version) === undefined) return false;
  return parseRange(range, scheme).some((set) =>
    set.every(({ op, version: bound }) => {
      const c = compare(version, bound);
      if (c === undefined) return false;
      switch (op) {
        case '<':
          return c < 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        case '>=':
          return c >= 0;
        case '=':
          return c === 0;
      }
    }),
  );
}
