import type { Readable } from 'node:stream';
import { SIGNATURES, type Signature } from './signatures.js';

/**
 * One pass over a file, whatever the number of signatures: every anchor literal is folded into one alternation
 * that V8's regexp engine runs over the latin1 view of each chunk (measured on the 99 MB node binary this beats
 * one Buffer.indexOf pass per literal by ~2.5x; bench/binary-scan.mjs). Each anchor hit then tries only the
 * patterns of that anchor, sticky at the hit. Chunks overlap by a fixed margin so a hit that straddles a chunk
 * border is seen exactly once with its full context; memory is one chunk plus the margin.
 */

export interface Hit {
  sig: Signature;
  /** file offset of the anchor */
  offset: number;
  /** the matched text (latin1) */
  text: string;
  version?: string;
  /** other named groups that matched */
  groups: Record<string, string>;
}

/** Bytes a pattern may look behind its anchor / read after it. */
const BEFORE = 64;
const AFTER = 320;
/**
 * Bytes scanned per run of the combined pattern. 64 KiB keeps each run's latin1 string below V8's large-object size
 * (128 KiB), so it dies young in the scavenger instead of piling up in large-object space until a full GC: half the
 * peak RSS of 1 MiB runs at the same CPU cost (bench/binary-scan.mjs).
 */
export const SCAN_BATCH = 64 * 1024;
/** distinct hits kept per signature: enough to see every version present, bounded against hostile files */
const MAX_HITS_PER_SIGNATURE = 256;

export interface CompiledTable {
  anchors: RegExp;
  byAnchor: Map<string, Array<{ sig: Signature; re: RegExp | undefined }>>;
  maxAnchor: number;
}

function escapeLiteral(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&').replace(/[\x00-\x1f\x7f-\xff]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

export function compileTable(signatures: readonly Signature[] = SIGNATURES): CompiledTable {
  const byAnchor = new Map<string, Array<{ sig: Signature; re: RegExp | undefined }>>();
  for (const sig of signatures) {
    const list = byAnchor.get(sig.anchor) ?? [];
    list.push({ sig, re: sig.pattern ? new RegExp(sig.pattern, 'y') : undefined });
    byAnchor.set(sig.anchor, list);
  }
  // longest first, so an anchor that is a prefix of another ("OpenSSL " / "OpenSSL FIPS Provider") does not hide it;
  // a shorter anchor at the same position is tried from the longer one's hit (see scan below)
  const anchors = [...byAnchor.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  return {
    anchors: new RegExp(anchors.map(escapeLiteral).join('|'), 'g'),
    byAnchor,
    maxAnchor: Math.max(...anchors.map((a) => a.length)),
  };
}

let defaultTable: CompiledTable | undefined;
export const builtinTable = (): CompiledTable => (defaultTable ??= compileTable());

/** Anchors that are prefixes of a longer anchor: a hit of the longer one must also try them. */
function prefixesOf(table: CompiledTable, anchor: string): string[] {
  const out: string[] = [];
  for (const a of table.byAnchor.keys()) if (a !== anchor && anchor.startsWith(a)) out.push(a);
  return out;
}

export class StreamScanner {
  /**
   * One reused byte window: the carry (context still needed from the last run) followed by the new chunks. Joining
   * bytes before the one latin1 conversion per run avoids V8 flattening a concatenated 1 MiB string each time (~20% of
   * the scan), and reusing the window keeps the allocation rate, and so peak RSS, down.
   */
  private window = Buffer.allocUnsafe(SCAN_BATCH + BEFORE + AFTER + 1024);
  /** bytes of the window in use; window[0, carryBytes) is the carry */
  private fill = 0;
  private carryBytes = 0;
  /** file offset of window[0] */
  private base = 0;
  /** every anchor starting before this file offset has been handled */
  private done = 0;
  private readonly hits: Hit[] = [];
  private readonly perSig = new Map<string, number>();
  private readonly seen = new Set<string>();
  private readonly prefixCache = new Map<string, string[]>();
  bytes = 0;

  constructor(private readonly table: CompiledTable = builtinTable()) {}

  /** small stream chunks (fs streams default to 64 KiB) are batched: the per-run overhead is paid per MiB */
  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.fill + chunk.length > this.window.length) {
      const bigger = Buffer.allocUnsafe(this.fill + chunk.length);
      this.window.copy(bigger, 0, 0, this.fill);
      this.window = bigger;
    }
    chunk.copy(this.window, this.fill);
    this.fill += chunk.length;
    if (this.fill - this.carryBytes >= SCAN_BATCH) this.flush();
  }

  private flush(): void {
    if (this.fill === this.carryBytes) return;
    this.run(this.window.subarray(0, this.fill), false);
  }

  end(): Hit[] {
    this.flush();
    this.run(this.window.subarray(0, this.fill), true);
    this.fill = this.carryBytes = 0;
    return this.hits;
  }

  /** `bytes` starts at file offset this.base; latin1 maps each byte to one UTF-16 unit, so string and byte offsets agree */
  private run(bytes: Buffer, final: boolean): void {
    const s = bytes.toString('latin1');
    const re = this.table.anchors;
    re.lastIndex = Math.max(0, this.done - this.base);
    const limit = s.length - AFTER;
    let pending = -1;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
      if (!final && m.index > limit) {
        pending = m.index; // not enough context after it yet: handled by the next run
        break;
      }
      this.tryAnchor(s, m.index, m[0]);
      for (const shorter of this.prefixes(m[0])) this.tryAnchor(s, m.index, shorter);
      // anchors may overlap (one starting inside another): resume right after this start, not after its end
      re.lastIndex = m.index + 1;
    }
    if (final) return;
    // resume at the first anchor start not handled yet; an anchor cut by the chunk end starts after s.length - maxAnchor
    const resume = pending >= 0 ? pending : Math.max(0, s.length - this.table.maxAnchor + 1);
    this.done = this.base + resume;
    const keepFrom = Math.max(0, resume - BEFORE);
    this.window.copyWithin(0, keepFrom, this.fill);
    this.fill = this.carryBytes = this.fill - keepFrom;
    this.base += keepFrom;
  }

  private prefixes(anchor: string): string[] {
    let p = this.prefixCache.get(anchor);
    if (!p) this.prefixCache.set(anchor, (p = prefixesOf(this.table, anchor)));
    return p;
  }

  private tryAnchor(s: string, at: number, anchor: string): void {
    for (const { sig, re } of this.table.byAnchor.get(anchor) ?? []) {
      const count = this.perSig.get(sig.id) ?? 0;
      if (count >= MAX_HITS_PER_SIGNATURE) continue;
      let text = anchor;
      let groups: Record<string, string> = {};
      if (re) {
        re.lastIndex = at;
        const m = re.exec(s);
        if (!m) continue;
        text = m[0];
        groups = Object.fromEntries(Object.entries(m.groups ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
      }
      let version = groups['version'];
      delete groups['version'];
      if (version && sig.underscoreVersion) version = version.replace(/_/g, '.');
      const key = `${sig.id}\0${text}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.perSig.set(sig.id, count + 1);
      this.hits.push({ sig, offset: this.base + at, text, ...(version ? { version } : {}), groups });
    }
  }
}

/** Scan a whole stream; the stream is consumed and closed. */
export async function scanStream(stream: Readable, table?: CompiledTable): Promise<{ hits: Hit[]; bytes: number }> {
  const scanner = new StreamScanner(table);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) scanner.push(chunk);
  } finally {
    stream.destroy();
  }
  return { hits: scanner.end(), bytes: scanner.bytes };
}

/** Scan an in-memory buffer (snippets, inflated archive members) in chunks of `chunkSize`, as a stream would. */
export function scanBuffer(buf: Buffer, table?: CompiledTable, chunkSize = 1 << 20): Hit[] {
  const scanner = new StreamScanner(table);
  for (let i = 0; i < buf.length; i += chunkSize) scanner.push(buf.subarray(i, i + chunkSize));
  return scanner.end();
}
