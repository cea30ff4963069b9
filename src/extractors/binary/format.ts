/** What the format parsers (elf.ts, pe.ts, macho.ts) tell the extractor about one executable file. */

export type BinaryFormat = 'elf' | 'pe' | 'macho' | 'wasm';

export interface FileRange {
  offset: number;
  size: number;
}

export interface BinaryInfo {
  format: BinaryFormat;
  /** e.g. "x86-64", "aarch64", "arm64" (informational) */
  arch?: string;
  /** dynamic dependencies: ELF DT_NEEDED, PE imports (incl. delay-load), Mach-O LC_LOAD_*DYLIB, in file order */
  needed: string[];
  /** the file's own library name: ELF DT_SONAME, Mach-O LC_ID_DYLIB */
  soname?: string;
  /** ELF: no PT_INTERP and no PT_DYNAMIC (check-payload's isStatic) */
  isStatic?: boolean;
  /** where Go keeps its buildinfo blob: the section, else the first writable data (Go's DataStart) */
  goBuildinfo?: FileRange;
  /** cargo-auditable's zlib-compressed dependency list */
  depV0?: FileRange;
  /** virtual address → file offset (Go's pre-1.18 pointer format) */
  toOffset?(addr: number): number | undefined;
  /** Mach-O universal: one entry per slice */
  slices?: BinaryInfo[];
  /** things that were wrong with the headers (lying sizes, truncation); parsing went on */
  problems: string[];
}

export const GO_BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

/** Sniff the first bytes. Java class files share Mach-O universal's CAFEBABE: their count word is >= 45. */
export function sniffFormat(head: Buffer): BinaryFormat | 'zip' | undefined {
  if (head.length < 4) return undefined;
  const be = head.readUInt32BE(0);
  if (be === 0x7f454c46) return 'elf';
  if (head[0] === 0x4d && head[1] === 0x5a) return 'pe';
  if (be === 0xfeedface || be === 0xfeedfacf || be === 0xcefaedfe || be === 0xcffaedfe) return 'macho';
  if ((be === 0xcafebabe || be === 0xcafebabf) && head.length >= 8 && head.readUInt32BE(4) > 0 && head.readUInt32BE(4) < 20) return 'macho';
  if (be === 0x0061736d) return 'wasm';
  if (be === 0x504b0304) return 'zip';
  return undefined;
}
