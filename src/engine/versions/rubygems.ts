/**
 * RubyGems ordering (Gem::Version#<=>): segments split at dots and at digit/letter boundaries; a letter segment
 * makes a pre-release ("8.2.0.alpha" < "8.2.0"); trailing zero segments do not count; numbers compare as
 * numbers, a string segment sorts below a number.
 */
const GEM = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

function segments(v: string): Array<number | string> {
  // Gem::Version treats "1.0-rc1" as "1.0.pre.rc1"
  const canonical = v.trim().replace(/-/g, '.pre.');
  const segs = (canonical.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  // drop trailing zeros, and zeros right before the first string segment ("1.0.a" == "1.a")
  const firstString = segs.findIndex((s) => typeof s === 'string');
  const release = firstString === -1 ? segs : segs.slice(0, firstString);
  const pre = firstString === -1 ? [] : segs.slice(firstString);
  while (release.length > 0 && release[release.length - 1] === 0) release.pop();
  return [...release, ...pre];
}

export function compareRubygems(a: string, b: string): number | undefined {
  if (!GEM.test(a.trim()) || !GEM.test(b.trim())) return undefined;
  const sa = segments(a);
  const sb = segments(b);
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    const x = sa[i] ?? 0;
    const y = sb[i] ?? 0;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return Math.sign(x - y);
    if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : 1;
    return typeof x === 'string' ? -1 : 1;
  }
  return 0;
}
