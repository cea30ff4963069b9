/**
 * NuGet version ordering: SemVer 2.0 with an optional fourth release number (legacy 1.2.3.4), case-insensitive
 * pre-release labels, build metadata ignored (learn.microsoft.com/nuget/concepts/package-versioning).
 */
const NUGET = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export function compareNuget(a: string, b: string): number | undefined {
  const pa = NUGET.exec(a.trim());
  const pb = NUGET.exec(b.trim());
  if (!pa || !pb) return undefined;
  for (let i = 1; i <= 4; i++) {
    const d = Number(pa[i] ?? 0) - Number(pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return comparePrerelease(pa[5], pb[5]);
}

/** SemVer §11 pre-release precedence (no label > any label; numeric identifiers below alphanumeric ones). */
export function comparePrerelease(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const xa = a.toLowerCase().split('.');
  const xb = b.toLowerCase().split('.');
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    const ia = xa[i];
    const ib = xb[i];
    if (ia === undefined) return -1;
    if (ib === undefined) return 1;
    const na = /^\d+$/.test(ia);
    const nb = /^\d+$/.test(ib);
    if (na && nb) {
      const d = Number(ia) - Number(ib);
      if (d !== 0) return Math.sign(d);
    } else if (na !== nb) return na ? -1 : 1;
    else if (ia !== ib) return ia < ib ? -1 : 1;
  }
  return 0;
}
