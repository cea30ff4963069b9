import { createReadStream, promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ScanError } from '../../model/types.js';
import { DEFAULT_MAX_TEXT_BYTES, FileTooLargeError, type Vfs, type VfsEntry, type WalkOptions } from '../vfs.js';
import type { ResolvedImage } from './image.js';
import { entrySegments, LayerIndex, readEntryStream, type EarlyExtraction, type FileSource, type FsNode, type RemovedFile } from './layers.js';
import type { ExpandLimits } from './decompress.js';
import { compareStrings } from '../../util/compare.js';
import { globToRegExp } from '../../util/paths.js';

export interface ImageVfsOptions {
  /** files an extractor will read: copied to the temp dir during the one pass over the layers */
  wanted?: (path: string) => boolean;
  /** files read after the walk (OS FIPS configuration): kept in the temp dir until close() */
  keep?: (path: string) => boolean;
  maxFileBytes?: number;
  limits?: ExpandLimits;
  /** wanted files whose extractors read only the file: extracted during the pass (walk entries carry the result) */
  early?: EarlyExtraction;
}

/** What a report says about an image (JSON `image`, SARIF run properties). No credentials, no temp paths. */
export interface ImageFacts {
  reference: string;
  name: string;
  digest?: string;
  platform?: string;
  layers: Array<{ diffId: string; digest?: string; createdBy?: string; compression?: string }>;
  /** regular files added by one layer and deleted by a later one: gone at run time, still in the shipped bytes */
  removedFiles: Array<{ path: string; layer: string; removedIn: string; size: number }>;
}

/** A removed file's place in the image: the layer that added it and the one that deleted it (diff ids). */
export interface Removal {
  path: string;
  layer: string;
  removedIn: string;
}

/** See ImageVfs.removedView(). */
export interface RemovedFilesVfs extends Vfs {
  /** the removal whose bytes reads of `path` get: from the walk yielding it until its entry is released */
  removalAt(path: string): Removal | undefined;
  layerOf(path: string): string | undefined;
  listFiles(filter: (path: string) => boolean): string[];
}

/** The extractors' result from the layer pass, when it is for this path (see FileSource.early). */
function earlyResult(src: FileSource | undefined, p: string): Pick<VfsEntry, 'extracted'> {
  return src?.early && src.early.path === p ? { extracted: src.early.result } : {};
}

/** The temp copy holding all of a file's bytes, if the pass made one (and it is not released yet). */
function completeCopy(src: FileSource): string | undefined {
  return src.temp?.complete ? src.temp.path : undefined;
}

/**
 * A container image as a read-only Vfs: the squashed view of its layers. Paths are posix without a leading
 * slash; every entry names the diff id of the layer that supplied it. Links resolve inside the image only.
 */
export class ImageVfs implements Vfs {
  readonly description: string;
  private keptPaths: string[] = [];
  private closed = false;
  private readonly onExit = () => this.removeTemp();

  private constructor(
    readonly image: ResolvedImage,
    private readonly index: LayerIndex,
    /** where wanted files are copied during the pass; removed by close() */
    readonly tempDir: string,
    private readonly options: ImageVfsOptions,
  ) {
    this.description = image.reference;
  }

  static async open(image: ResolvedImage, options: ImageVfsOptions = {}): Promise<ImageVfs> {
    const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cryptaudit-image-'));
    const { wanted, keep, early } = options;
    const index = new LayerIndex(image, {
      wanted: wanted || keep ? (p) => (wanted?.(p) ?? false) || (keep?.(p) ?? false) : undefined,
      tempDir,
      maxFileBytes: options.maxFileBytes,
      limits: options.limits,
      // files kept for reading after the walk need their copy
      ...(early ? { early: { ...early, wants: (p: string) => !(keep?.(p) ?? false) && early.wants(p) } } : {}),
    });
    const vfs = new ImageVfs(image, index, tempDir, options);
    process.once('exit', vfs.onExit);
    try {
      await index.build();
    } catch (e) {
      await vfs.close();
      throw e;
    }
    return vfs;
  }

  /** problems reading the image itself (truncated layer, hostile entries): reported, the scan goes on */
  get errors(): readonly ScanError[] {
    return this.index.errors;
  }

  get removed(): readonly RemovedFile[] {
    return this.index.removed;
  }

  /** files kept for reading after the walk (see ImageVfsOptions.keep) */
  get kept(): readonly string[] {
    return this.keptPaths;
  }

  facts(): ImageFacts {
    const ids = this.image.layers.map((l) => l.diffId);
    return {
      reference: this.image.reference,
      name: this.image.shortName,
      ...(this.image.digest ? { digest: this.image.digest } : {}),
      ...(this.image.platform ? { platform: this.image.platform } : {}),
      layers: this.image.layers.map((l) => ({
        diffId: l.diffId,
        ...(l.digest ? { digest: l.digest } : {}),
        ...(l.createdBy ? { createdBy: l.createdBy } : {}),
        ...(this.index.digests[l.index] ? { compression: this.index.digests[l.index]!.compression } : {}),
      })),
      removedFiles: this.index.removed.map((r) => ({ path: r.path, layer: ids[r.layer]!, removedIn: ids[r.removedIn]!, size: r.size })),
    };
  }

  /** visible regular files whose path passes `filter`, sorted (cheap: the layer index is in memory) */
  listFiles(filter: (path: string) => boolean): string[] {
    return this.index
      .files()
      .map((f) => f.path)
      .filter(filter);
  }

  /** diff id of the layer that supplied a path (links followed inside the image), undefined when absent */
  layerOf(p: string): string | undefined {
    const node = this.node(p);
    return node && node.type !== 'dir' ? this.image.layers[node.layer]?.diffId : undefined;
  }

  /** the history entry (Dockerfile instruction) of a layer diff id */
  createdBy(diffId: string): string | undefined {
    return this.image.layers.find((l) => l.diffId === diffId)?.createdBy;
  }

  async *walk(options: WalkOptions = {}): AsyncIterable<VfsEntry> {
    const exclude = (options.exclude ?? []).map(globToRegExp);
    const keep = this.options.keep;
    for (const { path: p, node } of this.index.files()) {
      const kept = keep?.(p) ?? false;
      if (kept) this.keptPaths.push(p);
      if (exclude.some((re) => re.test(p))) {
        if (!kept) this.index.releaseCopy(node.src);
        continue;
      }
      if (node.src?.temp) await node.src.temp.done;
      // released by the walker once every extractor has read the file (extractions overlap, so not at the next
      // step of this loop); a copy never released goes with the temp dir at close()
      const release = kept ? undefined : () => this.index.releaseCopy(node.src);
      yield { path: p, size: node.src!.size, layer: this.image.layers[node.layer]!.diffId, ...(release ? { release } : {}), ...earlyResult(node.src, p) };
    }
  }

  private node(p: string): FsNode | undefined {
    const segs = entrySegments(p);
    return segs ? this.index.lookup(segs) : undefined;
  }

  private fileNode(p: string): FsNode {
    const node = this.node(p);
    if (!node) throw new Error(`${p}: no such file in the image`);
    if (node.type !== 'file' || !node.src) throw new Error(`${p} is not a regular file`);
    return node;
  }

  async readText(p: string, maxBytes = DEFAULT_MAX_TEXT_BYTES): Promise<string> {
    return this.srcText(p, this.fileNode(p).src!, maxBytes);
  }

  createReadStream(p: string): Readable {
    return this.srcStream(this.fileNode(p).src!);
  }

  /** a file's bytes as text: from its copy when there is one, else by re-streaming its layer (bounded) */
  private async srcText(p: string, src: FileSource, maxBytes: number): Promise<string> {
    if (src.size > maxBytes) throw new FileTooLargeError(p, src.size, maxBytes);
    const temp = src.temp;
    if (temp) {
      await temp.done;
      if (temp.complete) return fs.readFile(temp.path, 'utf8');
    }
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of readEntryStream(this.image, src, this.options.limits) as AsyncIterable<Buffer>) {
      n += c.length;
      if (n > maxBytes) throw new FileTooLargeError(p, n, maxBytes);
      chunks.push(c);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private srcStream(src: FileSource): Readable {
    const copy = completeCopy(src);
    return copy ? createReadStream(copy) : readEntryStream(this.image, src, this.options.limits);
  }

  /**
   * The files later layers deleted, as a Vfs the extractors can run over: they are not in the final filesystem,
   * but their bytes ship in the layer that added them (issue 5). Its walk yields each removed file once (sorted
   * by path, then layer); reads of the file being walked get those bytes, every other path reads the final
   * filesystem (os-release, sibling files). Its entries must be released (walk.ts does): `removalAt` says which
   * removal a path's reads get until then.
   */
  removedView(): RemovedFilesVfs {
    const ids = this.image.layers.map((l) => l.diffId);
    const records = this.index.removed
      .filter((r) => r.src)
      .sort((a, b) => compareStrings(a.path, b.path) || a.layer - b.layer);
    // removals being read, by path; the walker reads several files at once (walk.ts), so reads find their copy by
    // path, and a path deleted twice waits for its first removal to be released before the second is yielded
    const active = new Map<string, { r: RemovedFile; released: Promise<void> }>();
    const at = (p: string) => active.get(p)?.r;
    const view: RemovedFilesVfs = {
      description: `${this.description} (files removed by later layers)`,
      removalAt: (p) => {
        const r = at(p);
        return r ? { path: r.path, layer: ids[r.layer]!, removedIn: ids[r.removedIn]! } : undefined;
      },
      walk: async function* (this: ImageVfs, options: WalkOptions = {}) {
        const exclude = (options.exclude ?? []).map(globToRegExp);
        for (const r of records) {
          if (exclude.some((re) => re.test(r.path))) {
            this.index.releaseCopy(r.src);
            continue;
          }
          if (r.src!.temp) await r.src!.temp.done;
          while (active.has(r.path)) await active.get(r.path)!.released;
          let settle!: () => void;
          active.set(r.path, { r, released: new Promise<void>((resolve) => (settle = resolve)) });
          const release = () => {
            if (active.get(r.path)?.r !== r) return;
            active.delete(r.path);
            this.index.releaseCopy(r.src);
            settle();
          };
          yield { path: r.path, size: r.size, layer: ids[r.layer]!, release, ...earlyResult(r.src, r.path) };
        }
      }.bind(this),
      readText: (p, maxBytes = DEFAULT_MAX_TEXT_BYTES) => {
        const r = at(p);
        return r ? this.srcText(p, r.src!, maxBytes) : this.readText(p, maxBytes);
      },
      createReadStream: (p) => {
        const r = at(p);
        return r ? this.srcStream(r.src!) : this.createReadStream(p);
      },
      exists: async (p) => (at(p) ? true : this.exists(p)),
      localCopy: (p) => {
        const r = at(p);
        return r ? completeCopy(r.src!) : this.localCopy(p);
      },
      layerOf: (p) => {
        const r = at(p);
        return r ? ids[r.layer] : this.layerOf(p);
      },
      listFiles: (filter) => this.listFiles(filter),
    };
    return view;
  }

  /** the temp copy of a wanted file (see Vfs.localCopy), while the walk is on it */
  localCopy(p: string): string | undefined {
    const node = this.node(p);
    return node?.type === 'file' && node.src ? completeCopy(node.src) : undefined;
  }

  async exists(p: string): Promise<boolean> {
    return this.node(p)?.type === 'file';
  }

  /** Delete the temp dir. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    process.removeListener('exit', this.onExit);
    await fs.rm(this.tempDir, { recursive: true, force: true });
    await this.image.cleanup?.();
  }

  private removeTemp(): void {
    try {
      rmSync(this.tempDir, { recursive: true, force: true });
    } catch {
      // exit handler: nothing more to do
    }
  }
}
