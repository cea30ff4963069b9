/**
 * The values of a BerkeleyDB hash database, as rpm ≤ 4.15 (RHEL/CentOS ≤ 8, Amazon Linux 2, older SUSE) keeps its
 * `Packages` file: key = header instance, value = one RPM header blob (knowledge/binary-signatures.md §10; the
 * algorithm of go-rpmdb `pkg/bdb/`, layouts from Berkeley DB `dbinc/db_page.h`). Only what rpm writes is read:
 * hash pages (P_HASH, and P_HASH_UNSORTED of RHEL 5) whose value items are either on the page (H_KEYDATA) or on a
 * chain of overflow pages (H_OFFPAGE → P_OVERFLOW). Every page number, offset and length is checked; a chain that
 * loops or leaves the file is reported for that value (naming the page) and the other values are still read.
 */

export class BdbError extends Error {}

const MAGIC_HASH = 0x00061561;
const VALID_PAGE_SIZES = new Set([512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]);
/** every page starts with this header (LSN, pgno, prev, next, entries, hf_offset, level, type) */
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;

export interface BdbValue {
  /** page holding the item, for messages */
  page: number;
  /** a 4-byte inline key as a number (rpm: the header instance, %{DBINSTANCE}) */
  key?: number;
  /** the value, or why its overflow chain could not be followed (the other values are still read) */
  value?: Buffer;
  error?: string;
}

/** Every value in page order. `maxValue` caps one value's size (an overflow chain claiming more is an error). */
export function* bdbHashValues(db: Buffer, maxValue: number): Generator<BdbValue> {
  if (db.length < 512) throw new BdbError(`file is ${db.length} bytes, shorter than a BerkeleyDB metadata page`);
  const le = db.readUInt32LE(12) === MAGIC_HASH;
  if (!le && db.readUInt32BE(12) !== MAGIC_HASH) throw new BdbError('not a BerkeleyDB hash database (magic 0x061561 missing at offset 12)');
  const u32 = (o: number) => (le ? db.readUInt32LE(o) : db.readUInt32BE(o));
  const u16 = (o: number) => (le ? db.readUInt16LE(o) : db.readUInt16BE(o));
  const pageSize = u32(20);
  if (!VALID_PAGE_SIZES.has(pageSize)) throw new BdbError(`unexpected BerkeleyDB page size ${pageSize}`);
  if (db[24] !== 0) throw new BdbError('the BerkeleyDB database is encrypted');
  const pages = Math.floor(db.length / pageSize);
  const lastPage = Math.min(u32(32), pages - 1);

  for (let p = 1; p <= lastPage; p++) {
    const start = p * pageSize;
    const type = db[start + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(start + 20);
    if (PAGE_HEADER + entries * 2 > pageSize) throw new BdbError(`hash page ${p} claims ${entries} items, more than fit a ${pageSize}-byte page`);
    // items are key/value pairs; the index holds their in-page offsets, items are laid out from the page end down
    for (let i = 1; i < entries; i += 2) {
      const off = u16(start + PAGE_HEADER + i * 2);
      const prevOff = u16(start + PAGE_HEADER + (i - 1) * 2);
      if (off < PAGE_HEADER || off >= pageSize || prevOff > pageSize || prevOff <= off) {
        throw new BdbError(`hash page ${p}: item ${i} at offset ${off} lies outside its ${pageSize}-byte page`);
      }
      const item = start + off;
      const itemType = db[item];
      const keyLen = (i === 1 ? pageSize : u16(start + PAGE_HEADER + (i - 2) * 2)) - prevOff;
      const key = db[start + prevOff] === H_KEYDATA && keyLen === 5 ? u32(start + prevOff + 1) : undefined;
      if (itemType === H_KEYDATA) {
        // inline value: from after its type byte to where the previous item (the key) starts
        yield { page: p, ...(key !== undefined ? { key } : {}), value: db.subarray(item + 1, start + prevOff) };
      } else if (itemType === H_OFFPAGE) {
        if (off + 12 > pageSize) throw new BdbError(`hash page ${p}: overflow reference at ${off} runs past the page`);
        let value: Buffer;
        try {
          value = overflowChain(db, u32, u16, pageSize, lastPage, u32(item + 4), u32(item + 8), maxValue, p);
        } catch (err) {
          if (!(err instanceof BdbError)) throw err;
          yield { page: p, ...(key !== undefined ? { key } : {}), error: err.message };
          continue;
        }
        yield { page: p, ...(key !== undefined ? { key } : {}), value };
      }
      // duplicates (H_DUPLICATE, H_OFFDUP) are not used by rpm's Packages
    }
  }
}

function overflowChain(
  db: Buffer,
  u32: (o: number) => number,
  u16: (o: number) => number,
  pageSize: number,
  lastPage: number,
  first: number,
  total: number,
  maxValue: number,
  from: number,
): Buffer {
  if (total > maxValue) throw new BdbError(`hash page ${from}: a value claims ${total} bytes (at most ${maxValue} read)`);
  const out = Buffer.allocUnsafe(total);
  let got = 0;
  const seen = new Set<number>();
  for (let pg = first; pg !== 0; ) {
    if (pg > lastPage || seen.has(pg)) throw new BdbError(`overflow chain from hash page ${from} reaches page ${pg}, ${seen.has(pg) ? 'a loop' : 'past the last page'}`);
    seen.add(pg);
    const start = pg * pageSize;
    if (db[start + 25] !== P_OVERFLOW) throw new BdbError(`overflow chain from hash page ${from}: page ${pg} is not an overflow page`);
    // on overflow pages hf_offset holds the number of bytes the page carries
    const len = u16(start + 22);
    if (len > pageSize - PAGE_HEADER || got + len > total) throw new BdbError(`overflow page ${pg} claims ${len} bytes, more than its value or page holds`);
    db.copy(out, got, start + PAGE_HEADER, start + PAGE_HEADER + len);
    got += len;
    pg = u32(start + 16);
  }
  if (got !== total) throw new BdbError(`overflow chain from hash page ${from} holds ${got} of the ${total} bytes it claims`);
  return out;
}
