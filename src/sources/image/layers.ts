import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import type { ScanError } from '../../model/types.js';
import type { FileResult } from '../../extractors/types.js';
import type { Vfs, VfsEntry } from '../vfs.js';
import { MemoryFileVfs } from '../memory-file.js';
import type { ImageLayer, ResolvedImage } from './image.js';
import {
  BombError,
  decodeZstdFile,
  DEFAULT_EXPAND_LIMITS,
  haveZstdTool,
  LayerDecoder,
  sniffCompression,
  TruncatedError,
  type ExpandLimits,
  type LayerDigests,
} from './decompress.js';
import { ImageError, readHead } from './store.js';
import { compareStrings } from '../../util/compare.js';

/** wanted files up to this size are copied to temp from memory (extractSmall) … */
const SMALL_COPY_BYTES = 4 * 1024 * 1024;
/** … as long as no more than this is waiting to be written */
const MAX_BYTES_BEING_WRITTEN = 64 * 1024 * 1024;
/** largest file extracted from memory during the pass (IndexOptions.early); bigger ones get a temp copy */
const EARLY_MAX_FILE_BYTES = 32 * 1024 * 1024;
/** bytes of such files held at once (EarlyExtraction.maxBytes); past it the layer waits for extractions to end */
const EARLY_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Layers applied in order into one path index (stereoscope's squash; OCI image-spec layer.md whiteouts), with no
 * file content kept: a node knows the layer and tar entry its bytes are in. Files a caller wants are copied to
 * the temp dir during the same pass (and dropped again when a later layer deletes or replaces them), so a scan
 * reads every layer exactly once.
 */

export type NodeType = 'dir' | 'file' | 'symlink' | 'other';

export interface FileSource {
  layer: number;
  /** the entry name exactly as the layer's tar has it */
  entry: string;
  size: number;
  /** extracted copy, while the file is wanted and visible */
  temp?: TempFile;
  /** the extractors' result when they ran during the pass (IndexOptions.early); it names `path`, so a hardlink to
   *  the same bytes under another name does not share it */
  early?: { path: string; result: Promise<FileResult> };
}

interface TempFile {
  path: string;
  refs: number;
  /** false while still being written */
  complete: boolean;
  done: Promise<void>;
  error?: string;
  /** stop writing (the layer broke off mid-entry) */
  abort(): void;
}

/** Something the pass started for one entry: done when it is, abort() when the layer breaks off inside the entry. */
interface PendingWork {
  done: Promise<void>;
  abort(): void;
}

/**
 * Extraction during the layer pass, for files whose extractors read nothing but the file itself (binaries, jars,
 * wheels: Extractor.readsOnlyItsFile). Their bytes are gathered in memory and extracted when the entry ends, so
 * they are never written to the temp dir and read back after the pass (most of an image scan's time; bench/).
 */
export interface EarlyExtraction {
  wants(path: string): boolean;
  /** the extractors' result for `entry`; `vfs` holds that one file */
  extract(vfs: Vfs, entry: VfsEntry): Promise<FileResult>;
  /** bytes held in memory at once (default EARLY_MAX_BYTES) */
  maxBytes?: number;
}

export interface FsNode {
  type: NodeType;
  /** layer that put the node there */
  layer: number;
  children?: Map<string, FsNode>;
  /** symlink target as written */
  link?: string;
  /** regular files and hardlinks: where the bytes are */
  src?: FileSource;
}

export interface RemovedFile {
  path: string;
  /** layer index that added it */
  layer: number;
  /** layer index whose whiteout (or replacement by a directory) removed it */
  removedIn: number;
  size: number;
  /** where its bytes are (the copy, when wanted, is kept until the removed files have been scanned) */
  src?: FileSource;
}

export interface IndexOptions {
  /** final-path test: files it accepts are copied to tempDir during the pass */
  wanted?: (path: string) => boolean;
  tempDir?: string;
  /** largest single file copied to the temp dir; bigger wanted files are read from the layer on demand */
  maxFileBytes?: number;
  limits?: ExpandLimits;
  early?: EarlyExtraction;
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';
const MAX_REMOVED = 10_000;
const MAX_SYMLINK_HOPS = 40;

/** Path segments of a tar entry name, or undefined when it tries to leave the root with '..'. Absolute names
 *  are taken relative to the image root, as container runtimes do. */
export function entrySegments(name: string): string[] | undefined {
  const out: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return undefined;
    out.push(seg);
  }
  return out;
}

function newDir(layer: number): FsNode {
  return { type: 'dir', layer, children: new Map() };
}

export class LayerIndex {
  readonly root: FsNode = newDir(-1);
  readonly errors: ScanError[] = [];
  readonly removed: RemovedFile[] = [];
  readonly digests: Array<LayerDigests | undefined> = [];
  /** layers that could not be read to the end */
  readonly incomplete = new Set<number>();
  private tempSeq = 0;
  /** bytes of small files gathered in memory whose temp copy is not written yet (see extractSmall) */
  private bytesBeingWritten = 0;
  /** bytes of files held for early extraction, and entries waiting for room (see extractEarly) */
  private earlyBytes = 0;
  private readonly earlyWaiting: Array<{ size: number; start: () => void }> = [];
  /** hardlinks to files extracted early: their bytes are read again after the pass (refetchLinks) */
  private readonly linksToRefetch: Array<{ path: string; node: FsNode }> = [];

  constructor(
    readonly image: ResolvedImage,
    private readonly options: IndexOptions = {},
  ) {}

  /** Apply every layer, bottom first. A wrong digest throws (the image is not what it claims); a truncated or
   *  bomb layer is an error entry and the files read up to that point stay in the index. */
  async build(): Promise<void> {
    for (const layer of this.image.layers) await this.applyLayer(layer);
    await this.refetchLinks();
  }

  private where(layer: ImageLayer): string {
    return `layer ${layer.index + 1} (${layer.diffId})`;
  }

  private async applyLayer(layer: ImageLayer): Promise<void> {
    const pending: PendingWork[] = [];
    let digests: LayerDigests | undefined;
    try {
      digests = await streamLayer(this.image, layer, this.options.limits, (entry) => this.onEntry(layer, entry, pending));
    } catch (e) {
      // an entry the stream broke off inside never ends: stop its copy (the file stays unreadable from temp)
      for (const t of pending) t.abort();
      await Promise.allSettled(pending.map((t) => t.done));
      if (e instanceof ImageError) throw e;
      this.incomplete.add(layer.index);
      const kind = e instanceof BombError ? 'refused' : e instanceof TruncatedError ? 'truncated' : 'unreadable';
      this.errors.push({
        path: layer.blob,
        message: `${this.where(layer)} ${kind}: ${(e as Error).message}; files read before that point are scanned`,
      });
      return;
    }
    await Promise.all(pending.map((t) => t.done));
    this.digests[layer.index] = digests;
  }

  /** The node at `segs` and its parent dir, creating directories on the way (implicit parents are legal). */
  private parentDir(segs: string[], layer: number): FsNode {
    let dir = this.root;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!;
      let child = dir.children!.get(seg);
      if (!child || child.type !== 'dir') {
        if (child) this.drop(child, segs.slice(0, i + 1).join('/'), layer);
        child = newDir(layer);
        dir.children!.set(seg, child);
      }
      dir = child;
    }
    return dir;
  }

  /** Forget a node (and its subtree): release temp copies, remember deleted regular files. */
  private drop(node: FsNode, p: string, byLayer: number, recordRemoval = true): void {
    if (node.type === 'dir') {
      for (const [name, child] of node.children!) this.drop(child, p ? `${p}/${name}` : name, byLayer, recordRemoval);
      return;
    }
    if (node.src) {
      if (recordRemoval && node.type === 'file' && node.layer < byLayer && this.removed.length < MAX_REMOVED) {
        // the bytes still ship in the layer that added them: the record takes over the copy for the scan of
        // removed files (releaseCopy), instead of deleting it now
        this.removed.push({ path: p, layer: node.layer, removedIn: byLayer, size: node.src.size, src: node.src });
      } else this.release(node.src);
    }
  }

  private release(src: FileSource): void {
    const t = src.temp;
    if (!t) return;
    src.temp = undefined;
    if (--t.refs === 0) void t.done.finally(() => fs.rm(t.path, { force: true }));
  }

  private onEntry(layer: ImageLayer, entry: ReadEntry, pending: PendingWork[]): void {
    const li = layer.index;
    const raw = entry.path;
    const segs = entrySegments(raw);
    if (!segs) {
      this.errors.push({ path: raw, message: `${this.where(layer)}: tar entry '${raw}' climbs out of the image with '..'; ignored` });
      entry.resume();
      return;
    }
    if (segs.length === 0) {
      entry.resume();
      return;
    }
    const base = segs[segs.length - 1]!;
    const parentSegs = segs.slice(0, -1);
    const parentPath = parentSegs.join('/');

    if (base === OPAQUE_WHITEOUT) {
      const dir = this.parentDir(parentSegs, li);
      for (const [name, child] of [...dir.children!]) {
        if (child.layer < li) {
          this.drop(child, parentPath ? `${parentPath}/${name}` : name, li);
          dir.children!.delete(name);
        } else if (child.type === 'dir') this.dropLower(child, parentPath ? `${parentPath}/${name}` : name, li);
      }
      entry.resume();
      return;
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const target = base.slice(WHITEOUT_PREFIX.length);
      const dir = this.parentDir(parentSegs, li);
      const victim = target ? dir.children!.get(target) : undefined;
      if (victim && victim.layer < li) {
        this.drop(victim, parentPath ? `${parentPath}/${target}` : target, li);
        dir.children!.delete(target);
      } else if (victim?.type === 'dir') {
        // a directory this layer created again: only what lower layers had under it goes
        this.dropLower(victim, parentPath ? `${parentPath}/${target}` : target, li);
      }
      entry.resume();
      return;
    }

    const finalPath = segs.join('/');
    const dir = this.parentDir(parentSegs, li);
    const existing = dir.children!.get(base);
    const type = entry.type;
    if (type === 'Directory') {
      if (existing?.type === 'dir') existing.layer = Math.max(existing.layer, li);
      else {
        if (existing) this.drop(existing, finalPath, li);
        dir.children!.set(base, newDir(li));
      }
      entry.resume();
      return;
    }

    let node: FsNode;
    if (type === 'File' || type === 'OldFile' || type === 'ContiguousFile') {
      const src: FileSource = { layer: li, entry: raw, size: entry.size ?? 0 };
      node = { type: 'file', layer: li, src };
      if (this.options.wanted?.(finalPath) && this.options.tempDir && src.size <= (this.options.maxFileBytes ?? 2 * 1024 ** 3)) {
        if (src.size <= EARLY_MAX_FILE_BYTES && this.options.early?.wants(finalPath)) {
          src.early = { path: finalPath, result: this.extractEarly(entry, finalPath, layer, pending) };
        } else src.temp = this.extract(entry, pending);
      } else entry.resume();
    } else if (type === 'Link') {
      entry.resume();
      const targetSegs = entrySegments(entry.linkpath ?? '');
      const target = targetSegs && targetSegs.length ? this.lookup(targetSegs, false) : undefined;
      if (!targetSegs) {
        this.errors.push({ path: finalPath, message: `${this.where(layer)}: hardlink '${finalPath}' points out of the image ('${entry.linkpath}'); ignored` });
        return;
      }
      if (!target?.src) {
        this.errors.push({ path: finalPath, message: `${this.where(layer)}: hardlink '${finalPath}' names '${entry.linkpath}', which is not a file in the image; ignored` });
        return;
      }
      const { early, ...src } = target.src;
      if (src.temp) src.temp.refs++;
      node = { type: 'file', layer: li, src };
      if (early && this.options.wanted?.(finalPath)) this.linksToRefetch.push({ path: finalPath, node });
    } else if (type === 'SymbolicLink') {
      entry.resume();
      node = { type: 'symlink', layer: li, link: entry.linkpath ?? '' };
    } else {
      entry.resume();
      node = { type: 'other', layer: li };
    }
    // a file over an older one replaces it (no removal: the path is still there, with other bytes)
    if (existing) this.drop(existing, finalPath, li, existing.type === 'dir');
    dir.children!.set(base, node);
  }

  /** Remove from a directory only what came from layers below `li`. */
  private dropLower(dir: FsNode, p: string, li: number): void {
    for (const [name, child] of [...dir.children!]) {
      const cp = `${p}/${name}`;
      if (child.layer < li) {
        this.drop(child, cp, li);
        dir.children!.delete(name);
      } else if (child.type === 'dir') this.dropLower(child, cp, li);
    }
  }

  /**
   * Gather a file's bytes and run the early extractors on them when the entry ends. While more than EARLY_MAX_BYTES
   * are held, the entry is left paused, which holds the tar parser and so the whole layer stream (backpressure),
   * until extractions finish and free their bytes.
   */
  private extractEarly(entry: ReadEntry, path: string, layer: ImageLayer, pending: PendingWork[]): Promise<FileResult> {
    const size = entry.size ?? 0;
    const early = this.options.early!;
    let settle!: (r: FileResult) => void;
    const result = new Promise<FileResult>((resolve) => (settle = resolve));
    let state: 'waiting' | 'reading' | 'extracting' | 'done' = 'waiting';
    const cutShort = `${this.where(layer)} ends inside this file; it could not be read`;
    const waiter = { size, start: () => start() };
    const fail = (message: string) => {
      if (state === 'done') return;
      if (state === 'waiting') this.earlyWaiting.splice(this.earlyWaiting.indexOf(waiter), 1);
      else this.freeEarly(size);
      state = 'done';
      settle({ components: [], errors: [{ path, message }], ok: false });
    };
    entry.on('error', (e: unknown) => fail((e as Error).message));
    // only the abort is kept: the pending list lives as long as the layer, and must not hold the file's bytes
    let abortGathering: (() => void) | undefined;
    const start = () => {
      if (state !== 'waiting') return;
      state = 'reading';
      this.earlyBytes += size;
      const gathering = gatherEntry(entry, size, cutShort);
      abortGathering = gathering.abort;
      gathering.bytes.then(
        (bytes) => {
          if (state !== 'reading') return;
          state = 'extracting';
          const file: VfsEntry = { path, size, layer: layer.diffId };
          early.extract(new MemoryFileVfs(this.image.reference, file, bytes), file).then(
            (r) => {
              state = 'done';
              this.freeEarly(size);
              settle(r);
            },
            (e: Error) => fail(e.message),
          );
        },
        (e: Error) => fail(e.message),
      );
    };
    pending.push({
      done: result.then(() => undefined),
      // the stream broke off inside this file: nothing more comes, and there is nothing complete to extract
      abort: () => {
        if (state === 'waiting') fail(cutShort);
        else if (state === 'reading') abortGathering!();
      },
    });
    if (!this.earlyRoomFor(size)) {
      entry.pause();
      this.earlyWaiting.push(waiter);
    } else start();
    return result;
  }

  /** a file bigger than the whole budget still goes, alone */
  private earlyRoomFor(size: number): boolean {
    return this.earlyBytes === 0 || this.earlyBytes + size <= (this.options.early?.maxBytes ?? EARLY_MAX_BYTES);
  }

  private freeEarly(size: number): void {
    this.earlyBytes -= size;
    while (this.earlyWaiting.length > 0) {
      const next = this.earlyWaiting[0]!;
      if (!this.earlyRoomFor(next.size)) break;
      this.earlyWaiting.shift();
      next.start();
    }
  }

  /**
   * A hardlink to a file extracted early has no bytes of its own to read (the early result names the other path):
   * re-read the layers that hold them once, copying those files to temp as the pass does for any wanted file.
   */
  private async refetchLinks(): Promise<void> {
    const byLayer = new Map<number, Map<string, FileSource[]>>();
    // deleted by a later layer, a link is still scanned from the layer that added it (its record shares the source)
    const removed = new Set(this.removed.map((r) => r.src));
    for (const { path: p, node } of this.linksToRefetch) {
      const src = node.src!;
      // still in the final filesystem as this same node, or recorded as removed; not replaced by other bytes
      const segs = entrySegments(p);
      const visible = segs !== undefined && this.lookup(segs, false) === node;
      if ((!visible && !removed.has(src)) || src.temp) continue;
      const entries = byLayer.get(src.layer) ?? new Map<string, FileSource[]>();
      entries.set(src.entry, [...(entries.get(src.entry) ?? []), src]);
      byLayer.set(src.layer, entries);
    }
    for (const [li, entries] of [...byLayer].sort((a, b) => a[0] - b[0])) {
      const pending: PendingWork[] = [];
      const signal = { stop: false };
      try {
        await streamLayer(
          this.image,
          this.image.layers[li]!,
          this.options.limits,
          (entry) => {
            const srcs = entries.get(entry.path);
            if (!srcs || entry.type === 'Link' || entry.type === 'SymbolicLink') return void entry.resume();
            entries.delete(entry.path);
            const temp = this.extract(entry, pending);
            temp.refs = srcs.length;
            for (const src of srcs) src.temp = temp;
            // the rest of the layer is not needed once the last of them has all its bytes
            entry.once('end', () => (signal.stop ||= entries.size === 0));
          },
          signal,
        );
      } catch {
        // the first pass already reported this layer's problem; the links stay readable by re-streaming
        for (const t of pending) t.abort();
      }
      await Promise.allSettled(pending.map((t) => t.done));
    }
  }

  private extract(entry: ReadEntry, pending: PendingWork[]): TempFile {
    const file = path.join(this.options.tempDir!, `f${++this.tempSeq}`);
    const size = entry.size ?? 0;
    if (size <= SMALL_COPY_BYTES && this.bytesBeingWritten + size <= MAX_BYTES_BEING_WRITTEN) {
      const temp = this.extractSmall(entry, file, size);
      pending.push(temp);
      return temp;
    }
    const out = createWriteStream(file);
    const temp = newTempFile(file);
    temp.done = new Promise<void>((resolve) => {
      const fail = (e: Error) => {
        temp.error = e.message;
        resolve();
      };
      temp.abort = () => {
        if (temp.complete || temp.error) return;
        entry.unpipe(out as unknown as Writable);
        out.destroy();
        fail(new Error('layer ended inside this file'));
      };
      out.on('error', fail);
      entry.on('error', (e: unknown) => fail(e as Error));
      // node-tar ends an entry the layer breaks off inside with fewer bytes than its header says: not a copy (the
      // abort that follows the layer's error usually lands first, but only by timing)
      let received = 0;
      entry.on('data', (c: Buffer) => (received += c.length));
      out.on('close', () => {
        if (temp.error === undefined && received !== size) temp.error = 'layer ended inside this file';
        temp.complete = temp.error === undefined;
        resolve();
      });
    });
    entry.pipe(out as unknown as Writable);
    pending.push(temp);
    return temp;
  }

  /**
   * A small file is gathered in memory and written with one call while the layer stream goes on. Piping each
   * entry into its own write stream made the whole layer wait on every file's open/write/close round trips through
   * the threadpool (most of an image pass with a few thousand wanted files; bench/image-scan.mjs). The bytes in
   * memory at once are bounded by MAX_BYTES_BEING_WRITTEN; past it, files take the piped path with backpressure.
   */
  private extractSmall(entry: ReadEntry, file: string, size: number): TempFile {
    this.bytesBeingWritten += size;
    const temp = newTempFile(file);
    const gathering = gatherEntry(entry, size, 'layer ended inside this file');
    temp.abort = gathering.abort;
    temp.done = gathering.bytes
      .then((bytes) => fs.writeFile(file, bytes))
      .then(
        () => void (temp.complete = true),
        (e: Error) => void (temp.error = e.message),
      )
      .finally(() => (this.bytesBeingWritten -= size));
    return temp;
  }

  /**
   * Find a node by path segments, resolving symlinks INSIDE the image: absolute targets start at the image
   * root, '..' stops at the root, and more than 40 hops (a loop) is not found.
   */
  lookup(segs: readonly string[], followLast = true): FsNode | undefined {
    let hops = 0;
    const resolve = (start: string[], rest: string[]): FsNode | undefined => {
      const stack = [...start];
      const queue = [...rest];
      let node: FsNode = this.nodeAt(stack)!;
      while (queue.length) {
        const seg = queue.shift()!;
        if (seg === '' || seg === '.') continue;
        if (seg === '..') {
          stack.pop();
          node = this.nodeAt(stack)!;
          continue;
        }
        if (node.type !== 'dir') return undefined;
        const child = node.children!.get(seg);
        if (!child) return undefined;
        if (child.type === 'symlink' && (queue.length > 0 || followLast)) {
          if (++hops > MAX_SYMLINK_HOPS) return undefined;
          const link = child.link!;
          const linkSegs = link.split('/');
          if (link.startsWith('/')) stack.length = 0;
          queue.unshift(...linkSegs);
          node = this.nodeAt(stack)!;
          continue;
        }
        stack.push(seg);
        node = child;
      }
      return node;
    };
    return resolve([], [...segs]);
  }

  /** node at a symlink-free path of existing directories */
  private nodeAt(segs: readonly string[]): FsNode | undefined {
    let node: FsNode | undefined = this.root;
    for (const s of segs) node = node?.children?.get(s);
    return node;
  }

  /** Every visible regular file (hardlinks included), sorted by path. */
  files(): Array<{ path: string; node: FsNode }> {
    const out: Array<{ path: string; node: FsNode }> = [];
    const visit = (dir: FsNode, prefix: string) => {
      for (const name of [...dir.children!.keys()].sort()) {
        const child = dir.children!.get(name)!;
        const p = prefix ? `${prefix}/${name}` : name;
        if (child.type === 'dir') visit(child, p);
        else if (child.type === 'file') out.push({ path: p, node: child });
      }
    };
    visit(this.root, '');
    // sort by full path (a directory walk orders "a/b" vs "a-b" differently from a string sort)
    return out.sort((a, b) => compareStrings(a.path, b.path));
  }

  /** Drop the temp copy of a file (a node, or a removed file's record) once nothing more will read it. */
  releaseCopy(src: FileSource | undefined): void {
    if (src) this.release(src);
  }
}

interface GatheredEntry {
  bytes: Promise<Buffer>;
  /** the layer broke off inside the entry: stop gathering, reject with the cut-short message */
  abort(): void;
}

/**
 * A tar entry's bytes gathered in memory. Only exactly the `size` bytes its header declares are a file: node-tar ends
 * an entry the layer breaks off inside with fewer (or the stream stops and abort() is called), and either rejects
 * with `cutShort`.
 */
function gatherEntry(entry: ReadEntry, size: number, cutShort: string): GatheredEntry {
  let chunks: Buffer[] | undefined = [];
  // the promise's resolving functions are dropped once it settles: abort() outlives the entry (a temp copy keeps
  // it until released) and shares this scope with the entry's listeners, so holding them would hold the settled
  // promise, and the whole file with it
  let settleWith: ((outcome: Buffer | Error) => void) | undefined;
  const bytes = new Promise<Buffer>((resolve, reject) => {
    settleWith = (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome));
  });
  const settle = (outcome: Buffer | Error) => {
    const done = settleWith;
    chunks = undefined;
    settleWith = undefined;
    done?.(outcome);
  };
  entry.on('error', (e: unknown) => settle(e as Error));
  entry.on('data', (c: Buffer) => chunks?.push(c));
  entry.on('end', () => {
    if (!chunks) return;
    const all = Buffer.concat(chunks);
    settle(all.length === size ? all : new Error(cutShort));
  });
  return { bytes, abort: () => settle(new Error(cutShort)) };
}

/** A copy being written: `done` and `abort` are set by whoever writes it. */
function newTempFile(file: string): TempFile {
  return { path: file, refs: 1, complete: false, done: Promise.resolve(), abort: () => undefined };
}

/**
 * Stream one layer: raw blob → decoder (digests, bomb limits) → tar parser, calling onEntry for each entry.
 * The stored digest and the diff id are checked at the end; a mismatch is an ImageError.
 */
export async function streamLayer(
  image: ResolvedImage,
  layer: ImageLayer,
  limits: ExpandLimits = DEFAULT_EXPAND_LIMITS,
  onEntry: (entry: ReadEntry) => void,
  signal?: { stop: boolean },
): Promise<LayerDigests | undefined> {
  const where = `${image.store.description}: layer ${layer.index + 1} (${layer.diffId})`;
  const warnings: string[] = [];
  const parser = new Parser({
    strict: false,
    onwarn: (code: string, message: string | Error) => {
      warnings.push(`${code}: ${message instanceof Error ? message.message : message}`);
    },
  });
  parser.on('entry', onEntry);
  // no Promise.race against a promise that only settles on failure: every race would leave a reaction on it holding
  // that chunk's result until the end of the layer (hundreds of MB); events.once rejects on 'error' by itself
  let parserError: Error | undefined;
  parser.on('error', (e: Error) => (parserError ??= e));
  const source = await layerBytes(image, layer, where, limits);
  let d: LayerDigests | undefined;
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) {
        d = next.value;
        break;
      }
      if (signal?.stop) return undefined;
      if (!parser.write(next.value)) await once(parser, 'drain');
      if (parserError) throw parserError;
    }
    if (signal?.stop) return undefined;
    const ended = once(parser, 'end');
    parser.end();
    await ended;
  } finally {
    // stops the decoder (and a zstd process) when the loop left early
    await source.return(undefined);
  }
  if (!d) return undefined;
  const truncated = warnings.find((w) => /TAR_BAD_ARCHIVE|Truncated|unexpected EOF/i.test(w));
  if (truncated) throw new TruncatedError(`the tar stream ends early (${truncated})`);
  if (layer.digest && layer.digest !== d.raw && !(d.compression === 'none' && layer.digest === d.diff)) {
    throw new ImageError(`${where}: blob has digest ${d.raw}, not the ${layer.digest} the manifest claims: the image is corrupt or was tampered with`);
  }
  if (layer.diffId !== d.diff) {
    throw new ImageError(`${where}: uncompressed layer has digest ${d.diff}, not the diff id ${layer.diffId} the config claims: the image is corrupt or was tampered with`);
  }
  return d;
}

/**
 * A layer's uncompressed tar bytes, then its digests: a zstd blob the store keeps as a file goes to the zstd tool by
 * name (decodeZstdFile); everything else streams through a LayerDecoder.
 */
async function layerBytes(image: ResolvedImage, layer: ImageLayer, where: string, limits: ExpandLimits): Promise<AsyncGenerator<Buffer, LayerDigests | undefined>> {
  let raw: Readable;
  try {
    const file = haveZstdTool() ? await image.store.localFile?.(layer.blob) : undefined;
    if (file && sniffCompression(await readHead(file.path, 4)) === 'zstd') return decodeZstdFile(file.path, file.size, limits);
    raw = image.store.open(layer.blob);
  } catch (e) {
    throw new ImageError(`${where}: ${(e as Error).message}`);
  }
  return decodeStream(raw, limits);
}

async function* decodeStream(raw: Readable, limits: ExpandLimits): AsyncGenerator<Buffer, LayerDigests | undefined> {
  const decoder = new LayerDecoder(limits);
  // a read error ends the iteration below with that error
  raw.once('error', (e) => decoder.destroy(e));
  raw.pipe(decoder);
  try {
    for await (const chunk of decoder as AsyncIterable<Buffer>) yield chunk;
    return decoder.digests;
  } finally {
    raw.unpipe(decoder);
    raw.destroy();
    if (!decoder.digests) decoder.destroy();
  }
}

/** Bytes of one entry of one layer, by re-streaming the layer (reads of files not copied during the index). */
export function readEntryStream(image: ResolvedImage, src: FileSource, limits?: ExpandLimits): Readable {
  const out = new PassThrough();
  const signal = { stop: false };
  let found = false;
  void streamLayer(
    image,
    image.layers[src.layer]!,
    limits,
    (entry) => {
      if (found || entry.path !== src.entry) return void entry.resume();
      found = true;
      entry.on('data', (d: Buffer) => {
        if (!out.write(d)) {
          entry.pause();
          out.once('drain', () => entry.resume());
        }
      });
      entry.on('end', () => {
        out.end();
        signal.stop = true;
      });
    },
    signal,
  ).then(
    () => {
      if (!found) out.destroy(new Error(`${src.entry} not found in layer ${src.layer + 1}`));
    },
    (e: Error) => out.destroy(e),
  );
  out.on('close', () => (signal.stop = true));
  return out;
}
