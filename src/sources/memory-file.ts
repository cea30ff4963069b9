import { Readable } from 'node:stream';
import { DEFAULT_MAX_TEXT_BYTES, FileTooLargeError, type Vfs, type VfsEntry } from './vfs.js';
import { chunksOf } from '../util/streams.js';

/**
 * One file whose bytes are in memory, as a Vfs holding just that file: what the extractors that read only their own
 * file (Extractor.readsOnlyItsFile) see during an image's layer pass. Any other path is refused loudly, so an
 * extractor that starts reading siblings fails its tests instead of silently seeing an empty image.
 */
export class MemoryFileVfs implements Vfs {
  constructor(
    readonly description: string,
    private readonly entry: VfsEntry,
    private readonly bytes: Buffer,
  ) {}

  private own(p: string): Buffer {
    if (p !== this.entry.path) throw new Error(`${p}: only ${this.entry.path} can be read while the image's layers are being read`);
    return this.bytes;
  }

  async *walk(): AsyncIterable<VfsEntry> {
    yield this.entry;
  }

  async readText(p: string, maxBytes = DEFAULT_MAX_TEXT_BYTES): Promise<string> {
    const bytes = this.own(p);
    if (bytes.length > maxBytes) throw new FileTooLargeError(p, bytes.length, maxBytes);
    return bytes.toString('utf8');
  }

  createReadStream(p: string): Readable {
    return Readable.from(chunksOf(this.own(p)));
  }

  async exists(p: string): Promise<boolean> {
    return p === this.entry.path;
  }

  inMemory(p: string): Buffer {
    return this.own(p);
  }
}
