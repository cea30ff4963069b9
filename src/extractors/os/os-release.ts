import type { Vfs } from '../../sources/vfs.js';

/** os-release(5): where the distribution names itself (etc/os-release is usually a link to usr/lib/os-release). */
export const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'];

export interface OsRelease {
  id?: string;
  versionId?: string;
}

/** A Vfs that can say which layer a path came from (image sources). */
export interface LayeredVfs extends Vfs {
  layerOf(path: string): string | undefined;
}

export function layerOf(vfs: Vfs, path: string): string | undefined {
  const v = vfs as Partial<LayeredVfs>;
  return typeof v.layerOf === 'function' ? v.layerOf(path) : undefined;
}

export function parseOsRelease(text: string): OsRelease {
  const out: OsRelease = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    const value = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
    if (m[1] === 'ID') out.id = value.toLowerCase();
    if (m[1] === 'VERSION_ID') out.versionId = value;
  }
  return out;
}

const cache = new WeakMap<Vfs, Promise<OsRelease>>();

/** The target's os-release, read once per source; empty when there is none (a project directory). */
export function osRelease(vfs: Vfs): Promise<OsRelease> {
  let p = cache.get(vfs);
  if (!p) {
    p = (async () => {
      for (const path of OS_RELEASE_PATHS) {
        try {
          if (await vfs.exists(path)) return parseOsRelease(await vfs.readText(path, 64 * 1024));
        } catch {
          // an unreadable os-release only costs the distro qualifier
        }
      }
      return {};
    })();
    cache.set(vfs, p);
  }
  return p;
}

/** syft's `distro` qualifier: `<id>-<version_id>`, e.g. debian-12, alpine-3.19.1. */
export function distroQualifier(os: OsRelease): string | undefined {
  return os.id && os.versionId ? `${os.id}-${os.versionId}` : undefined;
}

/** purl qualifiers, keys sorted as the package-url spec asks, values percent-encoded. */
export function qualifiers(q: Record<string, string | undefined>): string {
  const parts = Object.keys(q)
    .filter((k) => q[k])
    .sort()
    .map((k) => `${k}=${encodeURIComponent(q[k]!)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
