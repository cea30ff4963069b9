/**
 * Composer ordering (VersionParser normalisation): an optional 'v', up to four numbers, then a stability suffix
 * dev < alpha (a) < beta (b) < RC < stable < patch (pl, p) with an optional number. Branch versions
 * ("dev-main") cannot be ordered.
 */
const COMPOSER = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:[-.]?(dev|alpha|a|beta|b|rc|pl|p|patch)[.-]?(\d+)?)?$/i;
const STABILITY: Record<string, number> = { dev: 0, alpha: 1, a: 1, beta: 2, b: 2, rc: 3, '': 4, pl: 5, p: 5, patch: 5 };

export function compareComposer(a: string, b: string): number | undefined {
  const pa = COMPOSER.exec(a.trim());
  const pb = COMPOSER.exec(b.trim());
  if (!pa || !pb) return undefined;
  for (let i = 1; i <= 4; i++) {
    const d = Number(pa[i] ?? 0) - Number(pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  const sa = STABILITY[(pa[5] ?? '').toLowerCase()]!;
  const sb = STABILITY[(pb[5] ?? '').toLowerCase()]!;
  return Math.sign(sa - sb) || Math.sign(Number(pa[6] ?? 0) - Number(pb[6] ?? 0));
}
