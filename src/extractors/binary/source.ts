import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import type { Vfs } from '../../sources/vfs.js';
import { chunksOf, readStreamRange, sliceStream } from '../../util/streams.js';

/**
 * One file of a source, read two ways: small positioned reads for headers, section tables and metadata blobs
 * (ELF section headers sit at the end of the file, so a pure stream cannot reach them before it has passed what
 * they describe), and one sequential stream for the signature scan. Positioned reads go through a file handle
 * where the source is on disk (or an image keeps a local copy); otherwise they fall back to a stream that skips to
 * the offset (correct, but it costs a re-read up to that offset).
 */
export interface ByteSource {
  readonly path: string;
  readonly size: number;
  /** up to `length` bytes at `offset` (fewer at the end of the file; never beyond it) */
  readAt(offset: number, length: number): Promise<Buffer>;
  /** the whole file, sequentially, once */
  stream(): Readable;
  /** bytes [start, end) as one sequential stream (archive members); absent: callers fall back to readAt chunks */
  streamRange?(start: number, end: number): Readable;
  close(): Promise<void>;
}

/** Positioned reads are bounded: no header field may make us allocate more than this. */
export const MAX_READ = 16 * 1024 * 1024;

export async function openByteSource(vfs: Vfs, path: string, size: number): Promise<ByteSource> {
  const bytes = vfs.inMemory?.(path);
  if (bytes) return bufferByteSource(bytes, path);
  const disk = vfs.diskPath?.(path) ?? vfs.localCopy?.(path);
  if (disk) return fileByteSource(disk, path, size);
  const head = new Map<string, Buffer>();
  return {
    path,
    size,
    readAt: clampedReads(size, async (offset, n) => {
      const key = `${offset}:${n}`;
      const cached = head.get(key);
      if (cached) return cached;
      const buf = await readStreamRange(vfs.createReadStream(path), offset, offset + n);
      if (head.size < 64) head.set(key, buf);
      return buf;
    }),
    stream: () => vfs.createReadStream(path),
    // one pass that skips to `start`: linear per member, where readAt chunks would each re-read from the start
    streamRange: (start, end) => Readable.from(sliceStream(vfs.createReadStream(path), start, end)),
    close: async () => {},
  };
}

/** A file on disk (a source file, or an archive member inflated to the temp dir) as a ByteSource named `path`. */
export async function fileByteSource(disk: string, path: string, size: number): Promise<ByteSource> {
  const handle = await fs.open(disk, 'r');
  return {
    path,
    size,
    readAt: clampedReads(size, async (offset, n) => {
      const buf = Buffer.allocUnsafe(n);
      const { bytesRead } = await handle.read(buf, 0, n, offset);
      return bytesRead === n ? buf : buf.subarray(0, bytesRead);
    }),
    // the default 64 KiB reads: larger read buffers are external memory that outlives its use until a full GC
    stream: () => createReadStream(disk),
    streamRange: (start, end) => createReadStream(disk, { start, end: end - 1 }),
    close: () => handle.close(),
  };
}

/** Bytes in memory (a small inflated archive member, an image file read during the layer pass) as a ByteSource named `path`. */
export function bufferByteSource(buf: Buffer, path: string): ByteSource {
  return {
    path,
    size: buf.length,
    readAt: clampedReads(buf.length, async (offset, n) => buf.subarray(offset, offset + n)),
    stream: () => Readable.from(chunksOf(buf)),
    streamRange: (start, end) => Readable.from(chunksOf(buf.subarray(start, end))),
    close: async () => {},
  };
}

/** readAt's contract around a raw positioned read: never past the end of the file, never over MAX_READ, empty
 * for offsets a lying header made up; `read` only sees lengths that are > 0 and fit */
function clampedReads(size: number, read: (offset: number, length: number) => Promise<Buffer>): ByteSource['readAt'] {
  return async (offset, length) => {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= size || length <= 0) return Buffer.alloc(0);
    return read(offset, Math.min(length, size - offset, MAX_READ));
  };
}

/** Bounds-checked little/big-endian reads over a buffer: a lying header gives undefined, never a throw. */
export class View {
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
  ) {}
  u8(o: number): number | undefined {
    return o >= 0 && o + 1 <= this.buf.length ? this.buf[o] : undefined;
  }
  u16(o: number): number | undefined {
    if (o < 0 || o + 2 > this.buf.length) return undefined;
    return this.le ? this.buf.readUInt16LE(o) : this.buf.readUInt16BE(o);
  }
  u32(o: number): number | undefined {
    if (o < 0 || o + 4 > this.buf.length) return undefined;
    return this.le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o);
  }
  /** 64-bit value as a number; above 2^53 it is not a usable offset anyway, so it becomes undefined */
  u64(o: number): number | undefined {
    if (o < 0 || o + 8 > this.buf.length) return undefined;
    const v = this.le ? this.buf.readBigUInt64LE(o) : this.buf.readBigUInt64BE(o);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
  }
  ptr(o: number, size: 4 | 8): number | undefined {
    return size === 8 ? this.u64(o) : this.u32(o);
  }
  /** NUL-terminated latin1 string starting at o (at most max bytes) */
  cstr(o: number, max = 4096): string | undefined {
    if (o < 0 || o >= this.buf.length) return undefined;
    const end = this.buf.indexOf(0, o);
    const stop = end === -1 ? Math.min(this.buf.length, o + max) : Math.min(end, o + max);
    return this.buf.toString('latin1', o, stop);
  }
}
