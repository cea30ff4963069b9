import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DirVfs } from './dir.js';
import type { Vfs, VfsEntry, WalkOptions } from './vfs.js';
import { toPosix } from '../util/paths.js';
import type { ImageVfs } from './image/image-vfs.js';
import type { ImageOpenOptions, ImageForm } from './image/open.js';

/** A target the user named that cannot be opened: a usage/input error (exit 2). */
export class TargetError extends Error {}

export interface OpenedTarget {
  vfs: Vfs;
  kind: 'directory' | 'file' | 'image';
  /** image targets: the image source (facts, source errors, close() to delete its temp files) */
  image?: ImageVfs;
  /** posix, relative to cwd where the target is inside it ('.' for cwd), else absolute */
  displayRoot: string;
}

/** A single file as a source: its folder, walked as just that file. */
class FileVfs implements Vfs {
  private readonly dir: DirVfs;
  constructor(
    private readonly file: string,
    readonly description: string,
  ) {
    this.dir = new DirVfs(path.dirname(file), description);
  }
  async *walk(_options?: WalkOptions): AsyncIterable<VfsEntry> {
    const st = await fs.lstat(this.file);
    yield { path: path.basename(this.file), size: st.size };
  }
  readText(p: string, maxBytes?: number): Promise<string> {
    return this.dir.readText(p, maxBytes);
  }
  createReadStream(p: string): Readable {
    return this.dir.createReadStream(p);
  }
  exists(p: string): Promise<boolean> {
    return this.dir.exists(p);
  }
  diskPath(p: string): string {
    return this.dir.diskPath(p);
  }
}

const IMAGE_PREFIXES = ['oci:', 'docker-archive:', 'registry:'];

/** Image targets (`oci:`, `docker-archive:`, `registry:`, or a path that holds an image) as a read-only Vfs. */
async function openImageTarget(form: ImageForm, spec: string, target: string, cwd: string, options: ImageOpenOptions): Promise<OpenedTarget> {
  const { openImage, ImageError } = await import('./image/open.js');
  try {
    const vfs = await openImage(form, spec, cwd, options);
    // SARIF URIs become <short-image-name>/<path in image> (grype's convention): stable across tags and digests
    return { vfs, kind: 'image', image: vfs, displayRoot: vfs.image.shortName };
  } catch (e) {
    if (e instanceof ImageError) throw new TargetError(e.message);
    throw e;
  }
}

export async function openTarget(target: string, cwd: string = process.cwd(), options: ImageOpenOptions = {}): Promise<OpenedTarget> {
  const prefix = IMAGE_PREFIXES.find((p) => target.startsWith(p));
  if (prefix) return openImageTarget(prefix.slice(0, -1) as ImageForm, target.slice(prefix.length), target, cwd, options);
  const abs = path.resolve(cwd, target);
  let st;
  try {
    st = await fs.stat(abs);
  } catch {
    throw new TargetError(`${target}: no such file or directory`);
  }
  // a `docker save` tarball or an OCI layout (dir or tar) is recognised by its content
  const { sniffImage } = await import('./image/open.js');
  const form = await sniffImage(abs);
  if (form) return openImageTarget(form, target, target, cwd, options);
  const rel = path.relative(cwd, st.isDirectory() ? abs : path.dirname(abs));
  const displayRoot = rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? toPosix(abs) : toPosix(rel);
  if (st.isDirectory()) return { vfs: new DirVfs(abs, target), kind: 'directory', displayRoot };
  if (st.isFile()) return { vfs: new FileVfs(abs, target), kind: 'file', displayRoot };
  throw new TargetError(`${target}: not a regular file or directory`);
}
