import { inflateSync } from 'node:zlib';

/**
 * cargo-auditable's `.dep-v0` (knowledge/binary-signatures.md §3.5): zlib (RFC 1950) compressed JSON
 * `{"format": n, "packages": [{name, version, source, kind?, root?, dependencies?: [index]}]}`. Decompression is
 * capped at 8 MiB as PARSING.md advises; dependency indices are checked, so a hostile section cannot point
 * outside the list.
 */

export interface AuditablePackage {
  name: string;
  version: string;
  source: string;
  kind: 'runtime' | 'build';
  root: boolean;
  /** names of direct dependencies */
  dependencies: string[];
}

export const MAX_DEP_V0_BYTES = 8 * 1024 * 1024;

export class DepV0Error extends Error {}

export function parseDepV0(compressed: Buffer): { format: number; packages: AuditablePackage[] } {
  let json: string;
  try {
    json = inflateSync(compressed, { maxOutputLength: MAX_DEP_V0_BYTES }).toString('utf8');
  } catch (e) {
    throw new DepV0Error(`.dep-v0 does not inflate: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new DepV0Error(`.dep-v0 is not JSON: ${(e as Error).message}`);
  }
  const d = doc as { format?: unknown; packages?: unknown };
  if (!d || typeof d !== 'object' || !Array.isArray(d.packages)) throw new DepV0Error('.dep-v0 JSON has no "packages" list');
  const raw = d.packages as Array<Record<string, unknown>>;
  const packages: AuditablePackage[] = raw.map((p, i) => {
    if (!p || typeof p.name !== 'string' || typeof p.version !== 'string') throw new DepV0Error(`.dep-v0 package ${i} lacks name or version`);
    const source = typeof p.source === 'string' ? p.source : p.source && typeof p.source === 'object' ? 'other' : 'crates.io';
    return { name: p.name, version: p.version, source, kind: p.kind === 'build' ? 'build' : 'runtime', root: p.root === true, dependencies: [] };
  });
  raw.forEach((p, i) => {
    if (!Array.isArray(p.dependencies)) return;
    for (const dep of p.dependencies) {
      if (typeof dep !== 'number' || !Number.isInteger(dep) || dep < 0 || dep >= packages.length) throw new DepV0Error(`.dep-v0 package ${i} has a dependency index ${String(dep)} outside the list`);
      packages[i]!.dependencies.push(packages[dep]!.name);
    }
  });
  return { format: typeof d.format === 'number' ? d.format : 0, packages };
}
