import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { memberPath } from '../../util/paths.js';
import { bufferByteSource, fileByteSource, type ByteSource } from '../binary/source.js';
import { compareStrings } from '../../util/compare.js';

/**
 * Zip archives (jar/war/ear, wheels) read with yauzl over a ByteSource: the central directory with positioned
 * reads, each wanted member inflated as a stream. Never the whole archive in memory; every size is capped before
 * anything is inflated, and yauzl checks while inflating that a member is exactly as long as its header says, so
 * a lying header (a zip bomb) ends in an error instead of unbounded output.
 */

/** Central directory records an archive may declare (a jar of the JDK has ~30k; more is hostile or broken). */
export const MAX_ENTRIES = 500_000;
/** Members kept for reading after the directory pass (the caller's name test selects them). */
export const MAX_WANTED = 20_000;
/** Bigger members are inflated to the temp dir instead of memory. */
const IN_MEMORY = 4 * 1024 * 1024;
/** Central-directory reads are tiny and sequential: served from one window. */
const WINDOW = 64 * 1024;

export class ArchiveError extends Error {}

export interface Member {
  /** decoded, validated posix name (no `..`, not absolute) */
  name: string;
  /** inflated size, as the central directory says (enforced while inflating) */
  size: number;
  entry: yauzl.Entry;
}

/** Inflated bytes an archive (with its nested archives) may cost in total: bounds time on hostile input. */
export interface Budget {
  left: number;
}

class SourceReader extends yauzl.RandomAccessReader {
  private win?: { at: number; buf: Buffer };
  constructor(private readonly src: ByteSource) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    this.readInto(buffer, offset, length, position).then(
      () => callback(null),
      (e: Error) => callback(e),
    );
  }

  private async readInto(buffer: Buffer, offset: number, length: number, position: number): Promise<void> {
    let w = this.win;
    if (length > WINDOW || !w || position < w.at || position + length > w.at + w.buf.length) {
      w = { at: position, buf: await this.src.readAt(position, Math.max(length, WINDOW)) };
      if (length <= WINDOW) this.win = w;
    }
    if (position + length > w.at + w.buf.length) throw new ArchiveError('unexpected end of archive');
    w.buf.copy(buffer, offset, position - w.at, position - w.at + length);
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const src = this.src;
    if (src.streamRange) return src.streamRange(start, end);
    let pos = start;
    return new Readable({
      read() {
        if (pos >= end) return void this.push(null);
        src.readAt(pos, Math.min(1 << 20, end - pos)).then(
          (b) => {
            if (b.length === 0) return void this.destroy(new ArchiveError('unexpected end of archive'));
            pos += b.length;
            this.push(b);
          },
          (e: Error) => this.destroy(e),
        );
      },
    });
  }
}

export class ZipArchive {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    /** name of the archive in messages (`app.war!/WEB-INF/lib/x.jar` for a nested one) */
    readonly label: string,
    readonly members: Member[],
    /** what was wrong but did not stop the reading (bad names, encrypted members) */
    readonly problems: string[],
  ) {}

  /** Read the central directory, keeping the members `want` selects. Not a zip / broken directory: ArchiveError. */
  static async open(src: ByteSource, label: string, want: (name: string) => boolean): Promise<ZipArchive> {
    let zip: yauzl.ZipFile;
    try {
      zip = await yauzl.fromRandomAccessReaderPromise(new SourceReader(src), src.size, {
        lazyEntries: true,
        autoClose: false,
        // names are decoded and checked here, so one hostile name skips that member instead of ending the read
        decodeStrings: false,
        validateEntrySizes: true,
      });
    } catch (e) {
      throw new ArchiveError(`not a readable zip archive (${(e as Error).message})`);
    }
    if (zip.entryCount > MAX_ENTRIES) {
      zip.close();
      throw new ArchiveError(`declares ${zip.entryCount} entries, more than the ${MAX_ENTRIES} read`);
    }
    const members: Member[] = [];
    const problems: string[] = [];
    let badNames = 0;
    let firstBad = '';
    try {
      for await (const entry of zip.eachEntry()) {
        const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
        if (name.endsWith('/')) continue;
        if (yauzl.validateFileName(name) !== null || name.includes('\0')) {
          if (badNames++ === 0) firstBad = name;
          continue;
        }
        if (!want(name)) continue;
        if (entry.isEncrypted()) {
          problems.push(`${name}: encrypted, not read`);
          continue;
        }
        if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
          problems.push(`${name}: compression method ${entry.compressionMethod} is not supported, not read`);
          continue;
        }
        if (members.length >= MAX_WANTED) {
          problems.push(`more than ${MAX_WANTED} members to read; the rest were left out`);
          break;
        }
        members.push({ name, size: entry.uncompressedSize, entry });
      }
    } catch (e) {
      zip.close();
      throw new ArchiveError(`central directory unreadable (${(e as Error).message})`);
    }
    if (badNames > 0) problems.push(`${badNames} member name(s) leave the archive or are absolute (first: ${JSON.stringify(firstBad.slice(0, 120))}); ignored`);
    members.sort((a, b) => compareStrings(a.name, b.name));
    return new ZipArchive(zip, label, members, problems);
  }

  get(name: string): Member | undefined {
    return this.members.find((m) => m.name === name);
  }

  private async stream(m: Member): Promise<Readable> {
    try {
      return await this.zip.openReadStreamPromise(m.entry);
    } catch (e) {
      throw new ArchiveError(`${m.name}: ${(e as Error).message}`);
    }
  }

  /** The first bytes of a member, inflating no more than `max`: headers of huge members cost what is read. */
  async head(m: Member, max: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let n = 0;
    const s = await this.stream(m);
    try {
      for await (const chunk of s as AsyncIterable<Buffer>) {
        parts.push(chunk);
        n += chunk.length;
        if (n >= max) break;
      }
    } catch (e) {
      throw new ArchiveError(`${m.name}: ${(e as Error).message}`);
    } finally {
      s.destroy();
    }
    const buf = Buffer.concat(parts);
    return buf.length > max ? buf.subarray(0, max) : buf;
  }

  /**
   * A whole member as a ByteSource for the binary parsers and nested archives: in memory when small, else
   * inflated into a file `tempFile` names (the caller removes it). Refused above `max` or past the budget.
   */
  async materialize(m: Member, max: number, budget: Budget, tempFile: () => Promise<string>): Promise<ByteSource> {
    if (m.size > max) throw new ArchiveError(`${m.name}: ${m.size} bytes inflated, more than the ${max}-byte limit for one member; not read`);
    if (m.size > budget.left) throw new ArchiveError(`${m.name}: the archive's inflate budget is spent; not read`);
    budget.left -= m.size;
    const label = memberPath(this.label, m.name);
    const s = await this.stream(m);
    try {
      if (m.size <= IN_MEMORY) {
        const parts: Buffer[] = [];
        for await (const chunk of s as AsyncIterable<Buffer>) parts.push(chunk);
        return bufferByteSource(Buffer.concat(parts), label);
      }
      const file = await tempFile();
      await pipeline(s, createWriteStream(file));
      return await fileByteSource(file, label, m.size);
    } catch (e) {
      throw new ArchiveError(`${m.name}: ${(e as Error).message}`);
    } finally {
      s.destroy();
    }
  }

  close(): void {
    this.zip.close();
  }
}
