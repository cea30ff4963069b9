/**
 * An RPM header as rpm stores it in its database (rpmdb.sqlite `Packages.blob`, a BerkeleyDB `Packages` value):
 * no lead and no header magic, just
 *   il (int32 BE, index entries) · dl (int32 BE, data bytes) · il × {tag, type, offset, count} (int32 BE each) · data
 * (rpm lib/header.c `headerImport`; go-rpmdb `pkg/rpmdb.go`, knowledge/binary-signatures.md §10). Every count and
 * offset is checked against the blob before use, so a lying header gives a clear error, never a huge allocation.
 */

/** Tag numbers (rpm `rpmtag.h`, go-rpmdb `pkg/rpmtags.go`). */
export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
} as const;

/** Value types (rpm `rpmtag.h` rpmTagType_e). */
const TYPE = { INT32: 4, STRING: 6, STRING_ARRAY: 8, I18NSTRING: 9 } as const;

/** rpm's own sanity limits (lib/header_internal.h hdrchkTags / hdrchkData): at most 0xffff tags, 16 MiB of data. */
const MAX_TAGS = 0xffff;
const MAX_DATA = 16 * 1024 * 1024;
/** An array count cannot exceed the data store (each element takes at least one byte); this caps allocations. */
const ENTRY_SIZE = 16;

export class RpmHeaderError extends Error {}

interface IndexEntry {
  type: number;
  offset: number;
  count: number;
}

export class RpmHeader {
  private constructor(
    private readonly data: Buffer,
    private readonly index: Map<number, IndexEntry>,
  ) {}

  /** Parse one header blob; throws RpmHeaderError saying what is wrong. */
  static parse(blob: Uint8Array): RpmHeader {
    const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    if (buf.length < 8) throw new RpmHeaderError(`header is ${buf.length} bytes, shorter than its 8-byte preamble`);
    const il = buf.readUInt32BE(0);
    const dl = buf.readUInt32BE(4);
    if (il === 0 || il > MAX_TAGS) throw new RpmHeaderError(`header claims ${il} index entries (1–${MAX_TAGS} allowed)`);
    if (dl > MAX_DATA) throw new RpmHeaderError(`header claims ${dl} bytes of data (at most ${MAX_DATA})`);
    const dataStart = 8 + il * ENTRY_SIZE;
    if (dataStart + dl > buf.length) {
      throw new RpmHeaderError(`header claims ${il} index entries and ${dl} data bytes, but the blob is only ${buf.length} bytes`);
    }
    const data = buf.subarray(dataStart, dataStart + dl);
    const index = new Map<number, IndexEntry>();
    for (let i = 0; i < il; i++) {
      const o = 8 + i * ENTRY_SIZE;
      const tag = buf.readUInt32BE(o);
      const entry = { type: buf.readUInt32BE(o + 4), offset: buf.readUInt32BE(o + 8), count: buf.readUInt32BE(o + 12) };
      // region tags (HEADER_IMMUTABLE 63 …) point at a trailer that may sit past dl; only tags we read are checked
      if (!index.has(tag)) index.set(tag, entry);
    }
    return new RpmHeader(data, index);
  }

  has(tag: number): boolean {
    return this.index.has(tag);
  }

  private entry(tag: number, types: readonly number[]): IndexEntry | undefined {
    const e = this.index.get(tag);
    if (!e) return undefined;
    if (!types.includes(e.type)) throw new RpmHeaderError(`tag ${tag} has type ${e.type}, expected ${types.join(' or ')}`);
    if (e.offset >= this.data.length && !(e.count === 0 && e.offset === this.data.length)) {
      throw new RpmHeaderError(`tag ${tag} points at offset ${e.offset}, past the ${this.data.length}-byte data store`);
    }
    if (e.count > this.data.length - e.offset + (e.type === TYPE.INT32 ? 0 : 1)) {
      throw new RpmHeaderError(`tag ${tag} claims ${e.count} values, more than its data can hold`);
    }
    return e;
  }

  /** NUL-terminated strings from `offset`, `count` of them, all inside the data store. */
  private strings(tag: number, e: IndexEntry, count: number): string[] {
    const out: string[] = [];
    let o = e.offset;
    for (let i = 0; i < count; i++) {
      const end = this.data.indexOf(0, o);
      if (end === -1) throw new RpmHeaderError(`tag ${tag}: string ${i + 1} of ${count} runs past the data store`);
      out.push(this.data.toString('utf8', o, end));
      o = end + 1;
    }
    return out;
  }

  /** STRING, or the first (C locale) string of an I18NSTRING. */
  string(tag: number): string | undefined {
    const e = this.entry(tag, [TYPE.STRING, TYPE.I18NSTRING]);
    return e ? this.strings(tag, e, 1)[0] : undefined;
  }

  stringArray(tag: number): string[] {
    const e = this.entry(tag, [TYPE.STRING_ARRAY, TYPE.I18NSTRING]);
    return e ? this.strings(tag, e, e.count) : [];
  }

  int32Array(tag: number): number[] {
    const e = this.entry(tag, [TYPE.INT32]);
    if (!e) return [];
    if (e.offset % 4 !== 0 || e.offset + e.count * 4 > this.data.length) {
      throw new RpmHeaderError(`tag ${tag}: ${e.count} int32 values at offset ${e.offset} do not fit the ${this.data.length}-byte data store`);
    }
    const out = new Array<number>(e.count);
    for (let i = 0; i < e.count; i++) out[i] = this.data.readInt32BE(e.offset + i * 4);
    return out;
  }

  int32(tag: number): number | undefined {
    return this.int32Array(tag)[0];
  }
}

/** What a database entry says about one installed package. */
export interface RpmPackage {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
  sourceRpm?: string;
  vendor?: string;
  license?: string;
}

/** rpm prints "(none)" for absent tags; some headers store it literally. */
const present = (s: string | undefined) => (s && s !== '(none)' ? s : undefined);

export function rpmPackageOf(h: RpmHeader): RpmPackage {
  const name = h.string(RPMTAG.NAME);
  const version = h.string(RPMTAG.VERSION);
  const release = h.string(RPMTAG.RELEASE);
  if (!name) throw new RpmHeaderError('header has no NAME tag');
  if (version === undefined || release === undefined) throw new RpmHeaderError(`header of ${name} has no VERSION or RELEASE tag`);
  const epoch = h.int32(RPMTAG.EPOCH);
  const arch = present(h.string(RPMTAG.ARCH));
  const sourceRpm = present(h.string(RPMTAG.SOURCERPM));
  const vendor = present(h.string(RPMTAG.VENDOR));
  const license = present(h.string(RPMTAG.LICENSE));
  return {
    name,
    version,
    release,
    ...(epoch !== undefined ? { epoch } : {}),
    ...(arch ? { arch } : {}),
    ...(sourceRpm ? { sourceRpm } : {}),
    ...(vendor ? { vendor } : {}),
    ...(license ? { license } : {}),
  };
}

/** The first `max` files a package installs (DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]), without a leading slash. */
export function rpmFiles(h: RpmHeader, max: number): string[] {
  const base = h.stringArray(RPMTAG.BASENAMES);
  if (base.length === 0) return [];
  const dirs = h.stringArray(RPMTAG.DIRNAMES);
  const idx = h.int32Array(RPMTAG.DIRINDEXES);
  const out: string[] = [];
  for (let i = 0; i < base.length && out.length < max; i++) {
    const d = dirs[idx[i] ?? -1];
    if (d === undefined) continue;
    out.push(`${d}${base[i]}`.replace(/^\/+/, ''));
  }
  return out;
}

/** EVR as rpm and syft print it: `[epoch:]version-release`. */
export function rpmEvr(p: Pick<RpmPackage, 'epoch' | 'version' | 'release'>): string {
  return `${p.epoch !== undefined ? `${p.epoch}:` : ''}${p.version}-${p.release}`;
}
