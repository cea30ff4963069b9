import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Decompress as ZstdDecompress } from 'fzstd';

/**
 * fzstd (pure JS) decodes at ~80 MB/s, a tenth of the zstd tool; when the system has `zstd`, layers stream
 * through it (it only ever sees compressed bytes on stdin; nothing from the image is executed).
 */
let zstdTool: boolean | undefined;
function haveZstdTool(): boolean {
  if (zstdTool === undefined) {
    zstdTool = process.env['CRYPTAUDIT_NO_ZSTD_TOOL'] ? false : spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status === 0;
  }
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
}

export const DEFAULT_EXPAND_LIMITS: ExpandLimits = {
  maxLayerBytes: 64 * 1024 ** 3,
  ratioFloor: 512 * 1024 ** 2,
  maxRatio: 200,
};

export class BombError extends Error {}
export class TruncatedError extends Error {}

export type Compression = 'gzip' | 'zstd' | 'none';

/** gzip 1f 8b, zstd 28 b5 2f fd (knowledge §9): the bytes decide, not the media type, which tools get wrong. */
export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
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

/**
 * Raw layer bytes in, uncompressed tar bytes out, with both digests computed on the way through. Never holds
 * more than a chunk (plus the decoder's window): gzip via zlib, zstd via fzstd's streaming decoder.
 */
export class LayerDecoder extends Transform {
  private readonly rawHash: Hash = createHash('sha256');
  private readonly diffHash: Hash = createHash('sha256');
  private rawBytes = 0;
  private expanded = 0;
  private mode: Compression | undefined;
  private head: Buffer[] = [];
  private headLen = 0;
  private gunzip: Gunzip | undefined;
  private zstd: ZstdDecompress | undefined;
  private zstdProc: ChildProcessWithoutNullStreams | undefined;
  private zstdExit: Promise<number | null> | undefined;
  private zstdErr = '';
  private failure: Error | undefined;
  digests: LayerDigests | undefined;

  constructor(private readonly limits: ExpandLimits = DEFAULT_EXPAND_LIMITS) {
    super();
  }

  private out(data: Uint8Array): void {
    if (this.failure || data.length === 0) return;
    this.expanded += data.length;
    if (this.expanded > this.limits.maxLayerBytes) {
      this.failure = new BombError(`expands beyond ${this.limits.maxLayerBytes} bytes`);
      return;
    }
    if (this.expanded > this.limits.ratioFloor && this.expanded > this.rawBytes * this.limits.maxRatio) {
      this.failure = new BombError(`expands ${Math.round(this.expanded / Math.max(1, this.rawBytes))}× (${this.expanded} bytes from ${this.rawBytes}): a decompression bomb`);
      return;
    }
    const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
    this.diffHash.update(buf);
    this.push(buf);
  }

  private start(head: Buffer): void {
    this.mode = sniffCompression(head);
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
        diff: `sha256:${this.diffHash.digest('hex')}`,
        rawBytes: this.rawBytes,
        expandedBytes: this.expanded,
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
        if (code !== 0 && !this.failure) {
          const msg = this.zstdErr.trim().split('\n').pop() ?? `exit ${code}`;
          this.failure = /truncat|premature|incomplete|unexpected end/i.test(msg) ? new TruncatedError(`zstd stream ends early (${msg})`) : new Error(`zstd: ${msg}`);
        }
        finish();
      });
      return;
    }
    if (this.mode === 'zstd') {
      try {
        this.zstd!.push(new Uint8Array(0), true);
      } catch (e) {
        this.failure ??= new TruncatedError(`zstd stream ends early (${(e as Error).message})`);
      }
    }
    finish();
  }
}
