import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DirVfs } from './dir.js';
import type { Vfs, VfsEntry, WalkOptions } from './vfs.js';
import { toPosix } from '../util/paths.js';

/** A target the user named that cannot be opened: a usage/input error (exit 2). */
export class TargetError extends Error {}

export interface OpenedTarget {
  vfs: Vfs;
  kind: 'directory' | 'file';
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

export async function openTarget(target: string, cwd: string = process.cwd()): Promise<OpenedTarget> {
  const prefix = IMAGE_PREFIXES.find((p) => target.startsWith(p));
  if (prefix) throw new TargetError(`${target}: container image targets (${prefix}) are not supported yet`);
  const abs = path.resolve(cwd, target);
  let st;
  try {
    st = await fs.stat(abs);
  } catch {
    throw new TargetError(`${target}: no such file or directory`);
  }
  const rel = path.relative(cwd, st.isDirectory() ? abs : path.dirname(abs));
  const displayRoot = rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? toPosix(abs) : toPosix(rel);
  if (st.isDirectory()) return { vfs: new DirVfs(abs, target), kind: 'directory', displayRoot };
  if (st.isFile()) return { vfs: new FileVfs(abs, target), kind: 'file', displayRoot };
  throw new TargetError(`${target}: not a regular file or directory`);
}
