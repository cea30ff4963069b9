import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { BlobStore } from './store.js';
import { ImageError } from './store.js';

/** One layer as the image describes it. */
export interface ImageLayer {
  /** 0-based, bottom first */
  index: number;
  /** sha256 of the uncompressed tar (config rootfs.diff_ids) */
  diffId: string;
  /** digest of the blob as stored (compressed), where the image records one */
  digest?: string;
  mediaType?: string;
  /** member name in the store */
  blob: string;
  /** the history entry (Dockerfile instruction) that produced this layer */
  createdBy?: string;
}

/** An image resolved to one platform: its config and its layers. */
export interface ResolvedImage {
  /** what the user named (never with credentials) */
  reference: string;
  /** last path segment of the image name, for SARIF URIs: no tag, digest or colon (grype's convention) */
  shortName: string;
  /** manifest digest where known */
  digest?: string;
  platform?: string;
  layers: ImageLayer[];
  store: BlobStore;
  /** raw config history, for reports */
  config: ImageConfig;
  /** removes what resolving left behind (a registry pull's blob dir) */
  cleanup?: () => Promise<void>;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: Array<{ created_by?: string; empty_layer?: boolean; comment?: string }>;
}

export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export function sha256Hex(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/**
 * `sha256:<hex>` of a file, read in 1 MiB chunks that `inspect` also sees (and may throw on). A hash on a worker
 * thread gained ~4% of an image's layer pass for 40 MB more RSS, so it stays on the main thread.
 */
export async function sha256OfFile(file: string, inspect?: (chunk: Buffer) => void): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    inspect?.(chunk);
    hash.update(chunk);
  }
  return `sha256:${hash.digest('hex')}`;
}

/** `blobs/sha256/<hex>` for a digest, rejecting anything that is not a plain sha256 digest. */
export function blobPath(digest: string, where: string): string {
  if (!DIGEST_RE.test(digest)) throw new ImageError(`${where}: unsupported or malformed digest '${digest}'`);
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

/** Read a small blob and check it against its digest (manifests, configs). */
export async function readVerified(store: BlobStore, digest: string, where: string): Promise<Buffer> {
  const buf = await store.read(blobPath(digest, where));
  const got = `sha256:${sha256Hex(buf)}`;
  if (got !== digest) throw new ImageError(`${where}: blob ${digest} has digest ${got}: the image is corrupt or was tampered with`);
  return buf;
}

/** Map non-empty history entries to layers, in order (empty_layer entries such as ENV make no layer). */
export function layerHistory(config: ImageConfig, layerCount: number): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  for (const h of config.history ?? []) {
    if (h.empty_layer) continue;
    out.push(h.created_by ?? h.comment);
  }
  // history is optional and may be shorter (squashed images); never shift instructions onto wrong layers
  return out.length === layerCount ? out : new Array<string | undefined>(layerCount).fill(undefined);
}

/** grype's short name: the last path segment of the repository, without tag or digest, only [A-Za-z0-9-_.]. */
export function shortImageName(ref: string): string {
  let r = ref.replace(/@sha256:[0-9a-f]*$/i, '');
  const slash = r.lastIndexOf('/');
  const colon = r.lastIndexOf(':');
  if (colon > slash) r = r.slice(0, colon);
  const last = r.slice(r.lastIndexOf('/') + 1).replace(/[^a-zA-Z0-9\-_.]/g, '');
  return last === '' || /^\.+$/.test(last) ? 'image' : last;
}

export function configLayers(config: ImageConfig, where: string): string[] {
  const ids = config.rootfs?.diff_ids;
  if (!Array.isArray(ids)) throw new ImageError(`${where}: image config has no rootfs.diff_ids`);
  for (const id of ids) if (typeof id !== 'string' || !DIGEST_RE.test(id)) throw new ImageError(`${where}: bad diff id '${String(id)}'`);
  return ids;
}
