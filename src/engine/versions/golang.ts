import semverParse from 'semver/functions/parse.js';
import semverCompareFn from 'semver/functions/compare.js';
import type { SemVer } from 'semver';
import { compareStrings } from '../../util/compare.js';

/**
 * Go's two version orderings, behind one comparator for the 'golang' ecosystem:
 * - module versions (`v0.31.0`, pseudo-versions `v0.0.0-20220315160706-3147a52a75dd`, `v2.0.0+incompatible`):
 *   golang.org/x/mod/semver — semver with a required `v`, `vMAJOR` / `vMAJOR.MINOR` shorthands, build metadata
 *   (`+incompatible`) ignored. A pseudo-version is a pre-release of the version it builds on, and its
 *   fixed-width UTC timestamp makes pseudo-versions of one base order by time.
 * - Go toolchain releases (the `stdlib` component: `1.24.3`, `1.22`, `1.21rc1`, `go1.24.3`): go/version —
 *   the language version `1.21` < `1.21rc1` < `1.21.0` < `1.21.1`; alpha < beta < rc.
 * A string without `v` is a toolchain release, unless the other side is a module version (a rule may write the
 * bound `0.17.0` for `v0.17.0`). Anything else is not orderable (undefined).
 */
export function golangCompare(a: string, b: string): number | undefined {
  const ma = a.startsWith('v');
  const mb = b.startsWith('v');
  if (ma || mb) {
    const pa = moduleVersion(ma ? a : 'v' + a);
    const pb = moduleVersion(mb ? b : 'v' + b);
    return pa && pb ? semverCompareFn(pa, pb) : undefined;
  }
  const ta = toolchainVersion(a);
  const tb = toolchainVersion(b);
  if (!ta || !tb) return undefined;
  return (
    cmpNum(ta.major, tb.major) ||
    cmpNum(ta.minor, tb.minor) ||
    cmpNum(ta.patch, tb.patch) ||
    compareStrings(ta.kind, tb.kind) || // '' < 'alpha' < 'beta' < 'rc'
    cmpNum(ta.pre, tb.pre)
  );
}

// x/mod/semver: vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]; no leading zeros in numbers
const MODULE = /^v(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?)?)?$/;

function moduleVersion(v: string): SemVer | undefined {
  const m = MODULE.exec(v);
  if (!m) return undefined;
  // shorthands: v1 = v1.0.0, v1.2 = v1.2.0 (x/mod/semver); pre-release and build only on full versions
  const full = `${m[1]}.${m[2] ?? '0'}.${m[3] ?? '0'}${m[4] ?? ''}`;
  return semverParse(full) ?? undefined;
}

interface Toolchain {
  major: string;
  minor: string;
  patch: string;
  kind: string;
  pre: string;
}

// go/version (internal/gover.parse): 1, 1.21, 1.21.3, 1.21rc1, 1.18beta2; an optional "go" prefix as written in
// `toolchain go1.24.3`; a suffix after '-' (toolchain go1.23.6-xyz, custom builds) names the same release
const TOOLCHAIN = /^(?:go)?(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)|(alpha|beta|rc)(0|[1-9]\d*))?)?(?:-[0-9A-Za-z.-]+)?$/;

function toolchainVersion(v: string): Toolchain | undefined {
  const m = TOOLCHAIN.exec(v);
  if (!m) return undefined;
  return { major: m[1]!, minor: m[2] ?? '', patch: m[3] ?? '', kind: m[4] ?? '', pre: m[5] ?? '' };
}

/** decimal strings without leading zeros, '' (absent) lowest: gover.cmpInt */
function cmpNum(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return compareStrings(a, b);
}

