/** Code-unit order of two strings (not locale order): the one sort key for deterministic output. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
