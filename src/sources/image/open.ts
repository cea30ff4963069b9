import { promises as fs } from 'node:fs';
import path from 'node:path';
import { resolveDockerArchive } from './docker-archive.js';
import { ImageVfs, type ImageVfsOptions } from './image-vfs.js';
import type { ResolvedImage } from './image.js';
import { resolveOciLayout } from './oci-layout.js';
import { DirStore, ImageError, looksLikeTar, readHead, TarStore, type BlobStore } from './store.js';

export { ImageError } from './store.js';

export interface ImageOpenOptions extends ImageVfsOptions {
  /** os/arch[/variant] for multi-platform indexes; default linux/amd64 */
  platform?: string;
  /** Docker config file with `auths` (default ~/.docker/config.json, or $DOCKER_CONFIG/config.json) */
  dockerConfig?: string;
}

export type ImageForm = 'oci' | 'docker-archive' | 'registry';
export const IMAGE_PREFIXES: readonly string[] = ['oci:', 'docker-archive:', 'registry:'];

/** `PATH[:REF]`: the longest prefix that exists on disk is the path, the rest after ':' the ref/tag. */
async function splitPathRef(spec: string, cwd: string): Promise<{ file: string; ref?: string }> {
  const whole = path.resolve(cwd, spec);
  if (await exists(whole)) return { file: whole };
  const i = spec.lastIndexOf(':');
  if (i > 0) {
    const file = path.resolve(cwd, spec.slice(0, i));
    if (await exists(file)) return { file, ref: spec.slice(i + 1) };
  }
  throw new ImageError(`${spec}: no such file or directory`);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}

/** File name without archive extensions: the image name when nothing inside names it. */
function nameHint(file: string): string {
  return path.basename(file).replace(/(\.docker|\.oci)?\.(tar|tgz|tar\.gz)$/i, '');
}

async function storeFor(file: string, description: string): Promise<BlobStore> {
  const st = await fs.stat(file);
  if (st.isDirectory()) return new DirStore(file, description);
  if (!st.isFile()) throw new ImageError(`${description}: not a file or directory`);
  const head = await readHead(file, 512);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    throw new ImageError(`${description}: a compressed archive; decompress it first (docker save writes an uncompressed tar)`);
  }
  if (!looksLikeTar(head)) throw new ImageError(`${description}: not a tar archive`);
  return TarStore.open(file, description);
}

/** What kind of image a plain path is, if any: a tar or directory holding manifest.json or an OCI layout. */
export async function sniffImage(file: string): Promise<'docker-archive' | 'oci' | undefined> {
  let st;
  try {
    st = await fs.stat(file);
  } catch {
    return undefined;
  }
  if (st.isDirectory()) {
    return (await exists(path.join(file, 'oci-layout'))) && (await exists(path.join(file, 'index.json'))) ? 'oci' : undefined;
  }
  if (!st.isFile() || st.size < 1024) return undefined;
  const head = await readHead(file, 512);
  if (!looksLikeTar(head)) return undefined;
  let store: TarStore;
  try {
    store = await TarStore.open(file, file);
  } catch {
    return undefined;
  }
  const names = new Set(store.names());
  if (names.has('manifest.json')) return 'docker-archive';
  if (names.has('oci-layout') && names.has('index.json')) return 'oci';
  return undefined;
}

export async function resolveImage(form: ImageForm, spec: string, cwd: string, options: ImageOpenOptions = {}): Promise<ResolvedImage> {
  if (form === 'registry') {
    const { pullImage } = await import('./registry.js');
    return pullImage(spec, { platform: options.platform, dockerConfig: options.dockerConfig });
  }
  const { file, ref } = await splitPathRef(spec, cwd);
  const reference = `${form}:${spec}`;
  const store = await storeFor(file, spec);
  const names = store instanceof TarStore ? new Set(store.names()) : undefined;
  const hasManifest = names ? names.has('manifest.json') : (await store.size('manifest.json')) !== undefined;
  // Docker 25+ archives are both; manifest.json names the image the way `docker save` was asked to
  if (form === 'docker-archive' || (hasManifest && (await store.size('index.json')) === undefined)) {
    if (!hasManifest) throw new ImageError(`${spec}: no manifest.json: not a docker-archive`);
    return resolveDockerArchive(store, reference, ref);
  }
  if ((await store.size('index.json')) === undefined) throw new ImageError(`${spec}: no index.json: not an OCI image layout`);
  return resolveOciLayout(store, reference, { ref, platform: options.platform, nameHint: nameHint(file) });
}

export async function openImage(form: ImageForm, spec: string, cwd: string, options: ImageOpenOptions = {}): Promise<ImageVfs> {
  const image = await resolveImage(form, spec, cwd, options);
  try {
    return await ImageVfs.open(image, options);
  } catch (e) {
    await image.cleanup?.();
    throw e;
  }
}
