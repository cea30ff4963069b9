import { createReadStream, lstatSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';

/**
 * Where an image's files (manifest.json, index.json, blobs) live: a directory (OCI layout) or an uncompressed
 * tar (docker save, OCI layout tar). Members of a tar are served by byte range from the file itself, so a
 * 2 GB `docker save` archive is never copied or held in memory.
 */
export interface BlobStore {
  readonly description: string;
  size(name: string): Promise<number | undefined>;
  /** whole member (small JSON documents only); fails above maxBytes */
  read(name: string, maxBytes?: number): Promise<Buffer>;
  open(name: string): Readable;
  /** the member as a regular file on disk, and its size, where the store keeps it as one (a layout dir, a pulled image) */
  localFile?(name: string): Promise<{ path: string; size: number } | undefined>;
}

/** Error in the structure of an image (missing member, bad JSON, digest mismatch). */
export class ImageError extends Error {}

const MAX_JSON = 16 * 1024 * 1024;

export async function readJson(store: BlobStore, name: string): Promise<unknown> {
  const buf = await store.read(name, MAX_JSON);
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new ImageError(`${store.description}: ${name} is not valid JSON (${(e as Error).message})`);
  }
}

/** Normalise a member name; undefined when it would leave the store (`..`). */
function cleanName(name: string): string | undefined {
  const parts: string[] = [];
  for (const seg of name.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return undefined;
    parts.push(seg);
  }
  return parts.join('/');
}

export class DirStore implements BlobStore {
  readonly root: string;
  constructor(
    root: string,
    readonly description: string,
  ) {
    this.root = path.resolve(root);
  }
  private resolve(name: string): string {
    const clean = cleanName(name);
    if (clean === undefined || clean === '') throw new ImageError(`${this.description}: member name '${name}' leaves the image`);
    return path.join(this.root, clean);
  }
  async size(name: string): Promise<number | undefined> {
    try {
      // lstat: a blob that is a symlink could point anywhere on the host
      const st = await fs.lstat(this.resolve(name));
      return st.isFile() ? st.size : undefined;
    } catch {
      return undefined;
    }
  }
  async read(name: string, maxBytes = MAX_JSON): Promise<Buffer> {
    const size = await this.size(name);
    if (size === undefined) throw new ImageError(`${this.description}: ${name} is missing`);
    if (size > maxBytes) throw new ImageError(`${this.description}: ${name} is ${size} bytes, more than ${maxBytes}`);
    return fs.readFile(this.resolve(name));
  }
  open(name: string): Readable {
    const file = this.resolve(name);
    // as size() and read(): a blob that is a symlink (or anything but a regular file) could point anywhere on the host
    let st;
    try {
      st = lstatSync(file);
    } catch {
      throw new ImageError(`${this.description}: ${name} is missing`);
    }
    if (!st.isFile()) throw new ImageError(`${this.description}: ${name} is not a regular file (a symlink out of the layout is not followed)`);
    return createReadStream(file);
  }
  async localFile(name: string): Promise<{ path: string; size: number } | undefined> {
    const size = await this.size(name);
    return size === undefined ? undefined : { path: this.resolve(name), size };
  }
}

interface TarMember {
  offset: number;
  size: number;
  /** symlink / hardlink target (member name), resolved on access */
  link?: string;
}

/** Tar header fields we need; numbers are octal text or GNU base-256. */
function parseNumber(buf: Buffer, off: number, len: number): number {
  if (buf[off]! & 0x80) {
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + buf[i]!;
    return n;
  }
  const s = buf.toString('latin1', off, off + len).replace(/\0.*$/s, '').trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function cString(buf: Buffer, off: number, len: number): string {
  const end = buf.indexOf(0, off);
  return buf.toString('utf8', off, end === -1 || end > off + len ? off + len : end);
}

function checksumOk(h: Buffer): boolean {
  const stored = parseNumber(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === stored;
}

/** True when the first 512 bytes look like a tar header (ustar magic or a valid v7 checksum). */
export function looksLikeTar(head: Buffer): boolean {
  if (head.length < 512) return false;
  if (head.toString('latin1', 257, 262) === 'ustar') return true;
  return head[0] !== 0 && checksumOk(head);
}

/** Pax extended header records: "<len> key=value\n". */
function parsePax(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < buf.length) {
    const sp = buf.indexOf(0x20, i);
    if (sp === -1) break;
    const len = parseInt(buf.toString('latin1', i, sp), 10);
    if (!(len > 0)) break;
    const rec = buf.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/**
 * An uncompressed tar as a store. One pass over the headers with positional reads (data is skipped, not
 * read), so indexing a multi-gigabyte `docker save` file costs a few thousand small reads.
 */
export class TarStore implements BlobStore {
  private members = new Map<string, TarMember>();
  private constructor(
    private readonly file: string,
    readonly description: string,
  ) {}

  static async open(file: string, description: string): Promise<TarStore> {
    const store = new TarStore(file, description);
    await store.index();
    return store;
  }

  names(): string[] {
    return [...this.members.keys()];
  }

  private async index(): Promise<void> {
    const fh = await fs.open(this.file, 'r');
    try {
      const total = (await fh.stat()).size;
      const header = Buffer.alloc(512);
      let pos = 0;
      let longName: string | undefined;
      let longLink: string | undefined;
      let pax: Record<string, string> = {};
      while (pos + 512 <= total) {
        const { bytesRead } = await fh.read(header, 0, 512, pos);
        if (bytesRead < 512) break;
        if (header.every((b) => b === 0)) break;
        if (!checksumOk(header)) throw new ImageError(`${this.description}: not a tar archive, or corrupt at byte ${pos}`);
        const size = parseNumber(header, 124, 12);
        const type = String.fromCharCode(header[156]!);
        const dataStart = pos + 512;
        const next = dataStart + Math.ceil(size / 512) * 512;
        if (type === 'L' || type === 'K' || type === 'x') {
          if (size > 1024 * 1024) throw new ImageError(`${this.description}: oversized tar extension header at byte ${pos}`);
          const data = Buffer.alloc(size);
          await fh.read(data, 0, size, dataStart);
          if (type === 'L') longName = cString(data, 0, size);
          else if (type === 'K') longLink = cString(data, 0, size);
          else pax = parsePax(data);
          pos = next;
          continue;
        }
        let name = cString(header, 0, 100);
        const prefix = header.toString('latin1', 257, 262) === 'ustar' ? cString(header, 345, 155) : '';
        if (prefix) name = `${prefix}/${name}`;
        name = pax.path ?? longName ?? name;
        const linkName = pax.linkpath ?? longLink ?? cString(header, 157, 100);
        const realSize = pax.size !== undefined ? Number(pax.size) : size;
        longName = longLink = undefined;
        pax = {};
        const clean = cleanName(name);
        if (clean) {
          if (type === '0' || type === '\0' || type === '7') this.members.set(clean, { offset: dataStart, size: realSize });
          else if (type === '1') this.members.set(clean, { offset: 0, size: 0, link: cleanName(linkName) ?? '' });
          else if (type === '2') {
            const target = linkName.startsWith('/') ? linkName : path.posix.join(path.posix.dirname(clean), linkName);
            this.members.set(clean, { offset: 0, size: 0, link: cleanName(target) ?? '' });
          }
        }
        pos = dataStart + Math.ceil(realSize / 512) * 512;
        if (pos > total) throw new ImageError(`${this.description}: truncated tar archive (member ${clean ?? name})`);
      }
    } finally {
      await fh.close();
    }
  }

  private member(name: string): TarMember | undefined {
    let m = this.members.get(cleanName(name) ?? '');
    for (let hops = 0; m?.link !== undefined && hops < 8; hops++) m = this.members.get(m.link);
    return m?.link === undefined ? m : undefined;
  }

  async size(name: string): Promise<number | undefined> {
    return this.member(name)?.size;
  }

  async read(name: string, maxBytes = MAX_JSON): Promise<Buffer> {
    const m = this.member(name);
    if (!m) throw new ImageError(`${this.description}: ${name} is missing`);
    if (m.size > maxBytes) throw new ImageError(`${this.description}: ${name} is ${m.size} bytes, more than ${maxBytes}`);
    const fh = await fs.open(this.file, 'r');
    try {
      const buf = Buffer.alloc(m.size);
      await fh.read(buf, 0, m.size, m.offset);
      return buf;
    } finally {
      await fh.close();
    }
  }

  open(name: string): Readable {
    const m = this.member(name);
    if (!m) throw new ImageError(`${this.description}: ${name} is missing`);
    if (m.size === 0) return Readable.from([]);
    return createReadStream(this.file, { start: m.offset, end: m.offset + m.size - 1 });
  }
}

/** The first `length` bytes of a file (zero-filled past its end): enough to tell a tar, gzip or zstd stream. */
export async function readHead(file: string, length: number): Promise<Buffer> {
  const head = Buffer.alloc(length);
  const fh = await fs.open(file, 'r');
  try {
    await fh.read(head, 0, length, 0);
  } finally {
    await fh.close();
  }
  return head;
}
