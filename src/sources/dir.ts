import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import fg from 'fast-glob';
import { DEFAULT_MAX_TEXT_BYTES, FileTooLargeError, type Vfs, type VfsEntry, type WalkOptions } from './vfs.js';
import { compareStrings } from '../util/compare.js';

/** Git's own store holds no shipped code; node_modules is walked (prebuilt addons), see Extractor.insideNodeModules. */
const ALWAYS_EXCLUDED = ['**/.git/**'];

/** A directory on disk as a Vfs. Symlinks are not followed, so nothing outside the root is ever read. */
export class DirVfs implements Vfs {
  readonly root: string;

  constructor(
    root: string,
    readonly description: string = root,
  ) {
    this.root = path.resolve(root);
  }

  async *walk(options: WalkOptions = {}): AsyncIterable<VfsEntry> {
    const entries = await fg('**/*', {
      cwd: this.root,
      dot: true,
      onlyFiles: true,
      followSymbolicLinks: false,
      // fast-glob reports a symlink to a file as a file; stats lets us drop links (they may point outside)
      stats: true,
      suppressErrors: true,
      ignore: [...ALWAYS_EXCLUDED, ...(options.exclude ?? [])],
    });
    const files = entries
      .filter((e) => e.stats && e.stats.isFile() && !e.stats.isSymbolicLink())
      .map((e) => ({ path: e.path, size: e.stats!.size }))
      .sort((a, b) => compareStrings(a.path, b.path));
    yield* files;
  }

  private resolve(rel: string): string {
    const abs = path.resolve(this.root, rel);
    if (abs !== this.root && !abs.startsWith(this.root + path.sep)) {
      throw new Error(`path ${rel} is outside the scan root`);
    }
    return abs;
  }

  async readText(rel: string, maxBytes = DEFAULT_MAX_TEXT_BYTES): Promise<string> {
    const abs = this.resolve(rel);
    const st = await fs.lstat(abs);
    if (!st.isFile()) throw new Error(`${rel} is not a regular file`);
    if (st.size > maxBytes) throw new FileTooLargeError(rel, st.size, maxBytes);
    return fs.readFile(abs, 'utf8');
  }

  createReadStream(rel: string): Readable {
    return createReadStream(this.resolve(rel));
  }

  async exists(rel: string): Promise<boolean> {
    try {
      return (await fs.lstat(this.resolve(rel))).isFile();
    } catch {
      return false;
    }
  }

  diskPath(rel: string): string {
    return this.resolve(rel);
  }
}
