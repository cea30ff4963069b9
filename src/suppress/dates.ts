/**
 * Suppression dates are calendar days in UTC (YYYY-MM-DD), so a CI runner and a laptop in another time zone
 * agree on whether an entry is still in force.
 */

const DAY_MS = 86_400_000;

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** true for a real calendar day written YYYY-MM-DD (rejects 2026-02-30) */
export function isRealDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && isoDay(d) === s;
}

export function addDays(day: string, n: number): string {
  return isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** whole days from `a` to `b` (negative when b is earlier) */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** An entry holds before its `expires` day and is expired from that day on. */
export function isExpired(expires: string, today: string): boolean {
  return expires <= today;
}
