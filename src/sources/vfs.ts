import type { Readable } from 'node:stream';
import type { FileResult } from '../extractors/types.js';

/** One regular file in a source. Paths are posix, relative to the source root, without a leading slash. */
export interface VfsEntry {
  path: string;
  size: number;
  /** image layer diff id that supplied this file (image sources only) */
  layer?: string;
  /** the walker is done reading this file: an image source drops its temporary copy (until close() otherwise); the
   * view of removed files needs it, since which copy a path reads depends on what the walk has yielded */
  release?(): void;
  /** the extractors already ran on this file: an image's layer pass ran those that read only their own file on its
   * bytes in memory (sources/image/layers.ts); the walk takes this instead of extracting again */
  extracted?: Promise<FileResult>;
}

/**
 * A read-only view of a scan target: a directory on disk now, image layers later. Extractors only ever see
 * a source through this interface, so the same extractor serves both.
 */
export interface Vfs {
  /** what the user named, for messages */
  readonly description: string;
  /** every regular file, in a deterministic (sorted) order; never leaves the root, never follows links out */
  walk(options?: WalkOptions): AsyncIterable<VfsEntry>;
  /** whole file as UTF-8; fails with FileTooLargeError above `maxBytes` so memory stays bounded */
  readText(path: string, maxBytes?: number): Promise<string>;
  /** streaming read, for large files */
  createReadStream(path: string): Readable;
  exists(path: string): Promise<boolean>;
  /** the absolute path on disk, where the source is a directory (libraries such as Arborist need one) */
  diskPath?(path: string): string | undefined;
  /**
   * A local file holding exactly this file's bytes, for positioned reads (binary headers, zip central
   * directories) where there is no diskPath: an image's temp copy. Not a name to show, nor a folder to look in.
   */
  localCopy?(path: string): string | undefined;
  /** the file's bytes, where the source holds them in memory (an image file extracted during the layer pass) */
  inMemory?(path: string): Buffer | undefined;
}

export interface WalkOptions {
  /** globs (fast-glob syntax, relative to the root) to leave out */
  exclude?: readonly string[];
}

/** Largest file read whole (a lockfile); bigger ones are an error, not an out-of-memory. */
export const DEFAULT_MAX_TEXT_BYTES = 256 * 1024 * 1024;

export class FileTooLargeError extends Error {
  constructor(
    readonly path: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`file is ${size} bytes, more than the ${limit}-byte limit for reading it whole`);
  }
}
