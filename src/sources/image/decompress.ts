import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Decompress as ZstdDecompress } from 'fzstd';
import { sha256OfFile } from './image.js';

/**
 * fzstd (pure JS) decodes at ~80 MB/s, a tenth of the zstd tool; when the system has `zstd`, layers go through it
 * (it only ever decodes compressed bytes, from its stdin or from the blob file; nothing from the image is executed).
 */
let zstdTool: boolean | undefined;
export function haveZstdTool(): boolean {
  // the variable is read on every layer (tests and users switch to the fallback); the probe runs once
  if (process.env['CRYPTAUDIT_NO_ZSTD_TOOL']) return false;
  zstdTool ??= spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status === 0;
  return zstdTool;
}

/** Limits against decompression bombs (a small gzip/zstd blob that expands to many gigabytes). */
export interface ExpandLimits {
  /** expanded bytes of one layer */
  maxLayerBytes: number;
  /** above this many expanded bytes, the expansion ratio is checked */
  ratioFloor: number;
  /** expanded / compressed bytes beyond which a layer is a bomb (real layers stay well under 50) */
  maxRatio: number;
  /** largest zstd window a frame may declare (the decoder allocates it up front); zstd's own default limit */
  maxZstdWindow?: number;
}

export const DEFAULT_EXPAND_LIMITS: ExpandLimits = {
  maxLayerBytes: 64 * 1024 ** 3,
  ratioFloor: 512 * 1024 ** 2,
  maxRatio: 200,
  maxZstdWindow: 128 * 1024 ** 2,
};

/** The largest zstd window a frame may declare under these limits. */
function zstdWindowLimit(limits: ExpandLimits): number {
  return limits.maxZstdWindow ?? DEFAULT_EXPAND_LIMITS.maxZstdWindow!;
}

export class BombError extends Error {}
export class TruncatedError extends Error {}

export type Compression = 'gzip' | 'zstd' | 'none';

/** gzip 1f 8b, zstd 28 b5 2f fd (knowledge §9): the bytes decide, not the media type, which tools get wrong. */
export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** zstd's magic numbers and skippable-frame sizes: 4 bytes, little-endian */
const le32 = (h: readonly number[]) => (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;

/**
 * Walks zstd frame and block headers (RFC 8878 §3.1) without decoding, so a frame that declares a huge window is
 * refused before a decoder allocates it (fzstd allocates the declared window at once, up to 2 GiB), and a
 * stream that stops between frames is told apart from one that stops inside one.
 */
export class ZstdFrameWalker {
  /** bytes still to skip (block payload, checksum, skippable frame) */
  private skip = 0;
  /** header bytes collected so far, and how many the current header needs */
  private head: number[] = [];
  private need = 4;
  private state: 'magic' | 'frame-header' | 'skippable-size' | 'block-header' = 'magic';
  private checksum = false;
  private lastBlock = false;

  constructor(private readonly maxWindow: number) {}

  /** true when the bytes so far end exactly at a frame boundary */
  get atBoundary(): boolean {
    return this.state === 'magic' && this.head.length === 0 && this.skip === 0;
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      this.head.push(chunk[i++]!);
      if (this.head.length === 1 && this.state === 'frame-header') this.need = this.frameHeaderSize();
      if (this.head.length < this.need) continue;
      this.headerDone();
    }
  }

  private frameHeaderSize(): number {
    // head[0] is the frame header descriptor; it says how many bytes the rest of the header takes
    const fhd = this.head[0]!;
    const fcsFlag = fhd >> 6;
    const single = (fhd >> 5) & 1;
    const did = [0, 1, 2, 4][fhd & 3]!;
    const fcs = fcsFlag === 0 ? single : 1 << fcsFlag;
    return 1 + (single ? 0 : 1) + did + fcs;
  }

  private headerDone(): void {
    const h = this.head;
    this.head = [];
    if (this.state === 'magic') {
      const magic = le32(h);
      if (magic === 0xfd2fb528) {
        this.state = 'frame-header';
        this.need = 1;
      } else if ((magic & 0xfffffff0) === 0x184d2a50) {
        this.state = 'skippable-size';
        this.need = 4;
      } else throw new Error(`not a zstd frame (magic ${magic.toString(16)})`);
      return;
    }
    if (this.state === 'skippable-size') {
      this.skip = le32(h);
      this.toMagic();
      return;
    }
    if (this.state === 'frame-header') {
      const fhd = h[0]!;
      if (fhd & 8) throw new Error('zstd frame header has its reserved bit set');
      const single = (fhd >> 5) & 1;
      this.checksum = ((fhd >> 2) & 1) === 1;
      let window: number;
      if (single) {
        // the window is the content size, stored last in the header
        const fcsFlag = fhd >> 6;
        const bytes = h.slice(h.length - (fcsFlag === 0 ? 1 : 1 << fcsFlag));
        window = bytes.reduceRight((v, b) => v * 256 + b, 0) + (fcsFlag === 1 ? 256 : 0);
      } else {
        const wd = h[1]!;
        const base = 2 ** (10 + (wd >> 3));
        window = base + (base / 8) * (wd & 7);
      }
      if (window > this.maxWindow) throw new BombError(`a zstd frame declares a ${window}-byte window, more than the ${this.maxWindow}-byte limit`);
      this.state = 'block-header';
      this.need = 3;
      return;
    }
    // block header: bit 0 last block, bits 1-2 type (raw, RLE, compressed, reserved), bits 3-23 size
    const v = h[0]! | (h[1]! << 8) | (h[2]! << 16);
    const type = (v >> 1) & 3;
    if (type === 3) throw new Error('zstd block of the reserved type');
    this.lastBlock = (v & 1) === 1;
    this.skip = type === 1 ? 1 : v >>> 3;
    if (this.lastBlock) {
      this.skip += this.checksum ? 4 : 0;
      this.toMagic();
    }
  }

  private toMagic(): void {
    this.state = 'magic';
    this.need = 4;
  }
}

export interface LayerDigests {
  /** sha256 of the bytes as stored */
  raw: string;
  /** sha256 of the uncompressed tar (the diff id) */
  diff: string;
  rawBytes: number;
  expandedBytes: number;
  compression: Compression;
}

/** Expanded bytes of one layer, checked against the bomb limits and hashed (the diff id) on their way out. */
class Expansion {
  private readonly diffHash: Hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly limits: ExpandLimits) {}

  /** why the layer is refused once `data` is added to what `rawBytes` compressed bytes gave, or undefined */
  add(data: Buffer, rawBytes: number): BombError | undefined {
    this.bytes += data.length;
    if (this.bytes > this.limits.maxLayerBytes) return new BombError(`expands beyond ${this.limits.maxLayerBytes} bytes`);
    if (this.bytes > this.limits.ratioFloor && this.bytes > rawBytes * this.limits.maxRatio) {
      return new BombError(`expands ${Math.round(this.bytes / Math.max(1, rawBytes))}× (${this.bytes} bytes from ${rawBytes}): a decompression bomb`);
    }
    this.diffHash.update(data);
    return undefined;
  }

  digest(): string {
    return `sha256:${this.diffHash.digest('hex')}`;
  }
}

/** What a failed zstd tool said, as the error the layer gets. */
function zstdToolError(stderr: string, code: number | null, maxWindow: number): Error {
  // the tool starts each line with the input's name ("/*stdin*\", or the tail of a blob's path on this host)
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/^.*? : /, '').trim())
    .filter(Boolean);
  const msg = lines.pop() ?? `exit ${code}`;
  if (/too much memory|window size larger/i.test(stderr)) return new BombError(`a zstd frame needs a window beyond the ${maxWindow}-byte limit (${msg})`);
  if (/truncat|premature|incomplete|unexpected end/i.test(msg)) return new TruncatedError(`zstd stream ends early (${msg})`);
  return new Error(`zstd: ${msg}`);
}

/**
 * Raw layer bytes in, uncompressed tar bytes out, with both digests computed on the way through. Never holds
 * more than a chunk (plus the decoder's window): gzip via zlib, zstd via fzstd's streaming decoder.
 */
export class LayerDecoder extends Transform {
  private readonly rawHash: Hash = createHash('sha256');
  private readonly expansion: Expansion;
  private rawBytes = 0;
  private mode: Compression | undefined;
  private head: Buffer[] = [];
  private headLen = 0;
  private gunzip: Gunzip | undefined;
  private zstd: ZstdDecompress | undefined;
  private zstdProc: ChildProcessWithoutNullStreams | undefined;
  private zstdExit: Promise<number | null> | undefined;
  private zstdErr = '';
  private frames: ZstdFrameWalker | undefined;
  private failure: Error | undefined;
  digests: LayerDigests | undefined;

  constructor(private readonly limits: ExpandLimits = DEFAULT_EXPAND_LIMITS) {
    super();
    this.expansion = new Expansion(limits);
  }

  private out(data: Uint8Array): void {
    if (this.failure || data.length === 0) return;
    const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
    this.failure = this.expansion.add(buf, this.rawBytes);
    if (!this.failure) this.push(buf);
  }

  private get maxWindow(): number {
    return zstdWindowLimit(this.limits);
  }

  private start(head: Buffer): void {
    this.mode = sniffCompression(head);
    if (this.mode === 'zstd') this.frames = new ZstdFrameWalker(this.maxWindow);
    if (this.mode === 'gzip') {
      this.gunzip = createGunzip({ chunkSize: 64 * 1024 });
      this.gunzip.on('data', (d: Buffer) => this.out(d));
      this.gunzip.on('error', (e) => (this.failure ??= /unexpected end/i.test(e.message) ? new TruncatedError(`gzip stream ends early (${e.message})`) : e));
    } else if (this.mode === 'zstd' && haveZstdTool()) {
      const proc = spawn('zstd', ['-d', '-c', '-q', '--no-progress'], { stdio: ['pipe', 'pipe', 'pipe'] });
      this.zstdProc = proc;
      this.zstdExit = new Promise((resolve) => proc.once('close', (code) => resolve(code)));
      proc.stdout.on('data', (d: Buffer) => {
        this.out(d);
        // a bomb: stop the decoder instead of reading the rest
        if (this.failure) proc.kill();
      });
      proc.stderr.on('data', (d: Buffer) => (this.zstdErr = (this.zstdErr + d.toString()).slice(-500)));
      proc.stdin.on('error', () => undefined);
    } else if (this.mode === 'zstd') {
      this.zstd = new ZstdDecompress((d) => this.out(d));
    }
  }

  private feed(chunk: Buffer, cb: TransformCallback): void {
    try {
      // frame headers are checked before any decoder sees the bytes that follow them
      this.frames?.push(chunk);
      if (this.mode === 'gzip') {
        if (this.gunzip!.write(chunk)) cb(this.failure);
        else this.gunzip!.once('drain', () => cb(this.failure));
        return;
      }
      if (this.zstdProc) {
        if (this.zstdProc.stdin.write(chunk)) cb(this.failure);
        else this.zstdProc.stdin.once('drain', () => cb(this.failure));
        return;
      }
      if (this.mode === 'zstd') this.zstd!.push(chunk);
      else this.out(chunk);
    } catch (e) {
      this.failure ??= e as Error;
    }
    cb(this.failure);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.failure) return cb(this.failure);
    this.rawHash.update(chunk);
    this.rawBytes += chunk.length;
    if (this.mode === undefined) {
      this.head.push(chunk);
      this.headLen += chunk.length;
      if (this.headLen < 4) return cb();
      const head = Buffer.concat(this.head);
      this.head = [];
      this.start(head);
      return this.feed(head, cb);
    }
    this.feed(chunk, cb);
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    // a reader that stopped early (one file found) must not leave the zstd process waiting on stdin
    if (this.zstdProc && this.zstdProc.exitCode === null) this.zstdProc.kill();
    this.gunzip?.destroy();
    cb(err);
  }

  override _flush(cb: TransformCallback): void {
    const finish = () => {
      if (this.failure) return cb(this.failure);
      this.digests = {
        raw: `sha256:${this.rawHash.digest('hex')}`,
        diff: this.expansion.digest(),
        rawBytes: this.rawBytes,
        expandedBytes: this.expansion.bytes,
        compression: this.mode ?? 'none',
      };
      cb();
    };
    if (this.mode === undefined) {
      const head = Buffer.concat(this.head);
      this.start(head);
      if (head.length) {
        if (this.mode === 'none') this.out(head);
        else this.failure = new TruncatedError('layer blob ends inside its compression header');
      }
      return finish();
    }
    if (this.mode === 'gzip') {
      this.gunzip!.once('end', finish);
      this.gunzip!.once('error', () => finish());
      this.gunzip!.end();
      return;
    }
    if (this.zstdProc) {
      this.zstdProc.stdin.end();
      void this.zstdExit!.then((code) => {
        if (code !== 0) this.failure ??= zstdToolError(this.zstdErr, code, this.maxWindow);
        finish();
      });
      return;
    }
    if (this.mode === 'zstd') {
      if (!this.frames!.atBoundary) this.failure ??= new TruncatedError('zstd stream ends early (inside a frame)');
      try {
        this.zstd!.push(new Uint8Array(0), true);
      } catch (e) {
        this.failure ??= new TruncatedError(`zstd stream ends early (${(e as Error).message})`);
      }
    }
    finish();
  }
}

/**
 * A zstd blob on disk, decoded by the zstd tool reading the file itself. Fed through this process to the tool's
 * stdin, the compressed bytes cost the main thread a read and a pipe write each, and the tool stalled whenever that
 * thread was busy (a fifth of the layer pass; bench/image-scan.mjs). The blob digest is taken from the file
 * alongside, and the same read walks the frame headers, so a huge window is refused with the streamed path's
 * message; `--memory` makes the tool refuse it too, whichever gets there first. Yields the tar bytes (iteration is
 * the backpressure: the tool waits while they are not read) and returns the digests.
 */
export async function* decodeZstdFile(file: string, size: number, limits: ExpandLimits = DEFAULT_EXPAND_LIMITS): AsyncGenerator<Buffer, LayerDigests> {
  const maxWindow = zstdWindowLimit(limits);
  const frames = new ZstdFrameWalker(maxWindow);
  const raw = sha256OfFile(file, (chunk) => frames.push(chunk));
  raw.catch(() => undefined);
  const proc = spawn('zstd', ['-d', '-c', '-q', '--no-progress', `--memory=${maxWindow}`, '--', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => proc.once('close', resolve));
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
  const expansion = new Expansion(limits);
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      const bomb = expansion.add(chunk, size);
      if (bomb) throw bomb;
      yield chunk;
    }
    const code = await exit;
    if (code !== 0) {
      const walked = await raw.then(
        () => undefined,
        (e: Error) => e,
      );
      throw walked instanceof BombError ? walked : zstdToolError(stderr, code, maxWindow);
    }
    return { raw: await raw, diff: expansion.digest(), rawBytes: size, expandedBytes: expansion.bytes, compression: 'zstd' };
  } finally {
    if (proc.exitCode === null) proc.kill();
  }
}
