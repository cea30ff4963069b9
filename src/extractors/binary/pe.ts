import type { ByteSource } from './source.js';
import { View } from './source.js';
import type { BinaryInfo } from './format.js';

/**
 * PE/COFF: section table, import directory (data directory 1) and delay-load imports (13) for DLL names, the
 * first initialised read-write data section for Go buildinfo (buildinfo.go peExe.DataStart), and the
 * cargo-auditable section (`.dep-v0`, legacy `rdep-v0`). Counts and RVAs are bounded by the file size.
 */

const IMAGE_SCN_ALIGN_MASK = 0x00f00000;
const GO_DATA_FLAGS = 0x00000040 | 0x40000000 | 0x80000000; // CNT_INITIALIZED_DATA | MEM_READ | MEM_WRITE
const MAX_IMPORTS = 4096;

interface PeSection {
  name: string;
  vsize: number;
  va: number;
  rawSize: number;
  rawPtr: number;
  flags: number;
}

export async function parsePe(src: ByteSource): Promise<BinaryInfo> {
  const problems: string[] = [];
  const info: BinaryInfo = { format: 'pe', needed: [], problems };
  const dos = new View(await src.readAt(0, 64), true);
  const peOff = dos.u32(0x3c);
  if (peOff === undefined || peOff + 24 > src.size) {
    problems.push('MZ header without a PE header inside the file');
    return info;
  }
  const hdr = new View(await src.readAt(peOff, 24 + 240), true);
  if (hdr.u32(0) !== 0x00004550) {
    problems.push('no PE signature at e_lfanew (a DOS executable?)');
    return info;
  }
  const machine = hdr.u16(4)!;
  info.arch = machine === 0x8664 ? 'x86-64' : machine === 0x14c ? 'x86' : machine === 0xaa64 ? 'arm64' : `machine 0x${machine.toString(16)}`;
  const nsect = hdr.u16(6)!;
  const optSize = hdr.u16(20)!;
  const opt = 24;
  const magic = hdr.u16(opt);
  const pe32plus = magic === 0x20b;
  if (magic !== 0x10b && magic !== 0x20b) problems.push(`unknown optional header magic ${magic}`);
  const imageBase = (pe32plus ? hdr.u64(opt + 24) : hdr.u32(opt + 28)) ?? 0;
  const nDirs = hdr.u32(opt + (pe32plus ? 108 : 92)) ?? 0;
  const dirAt = opt + (pe32plus ? 112 : 96);
  const dir = (i: number) => (i < nDirs ? { rva: hdr.u32(dirAt + i * 8) ?? 0, size: hdr.u32(dirAt + i * 8 + 4) ?? 0 } : undefined);

  const secTable = peOff + 24 + optSize;
  if (nsect > 96 || secTable + nsect * 40 > src.size) {
    problems.push(`section table out of bounds (${nsect} sections at ${secTable})`);
    return info;
  }
  const st = new View(await src.readAt(secTable, nsect * 40), true);
  const sections: PeSection[] = [];
  for (let i = 0; i < nsect; i++) {
    const o = i * 40;
    sections.push({
      name: st.buf.toString('latin1', o, o + 8).replace(/\0.*$/s, ''),
      vsize: st.u32(o + 8)!,
      va: st.u32(o + 12)!,
      rawSize: st.u32(o + 16)!,
      rawPtr: st.u32(o + 20)!,
      flags: st.u32(o + 36)!,
    });
  }
  const rvaToOffset = (rva: number): number | undefined => {
    for (const s of sections) {
      const len = Math.max(s.vsize, s.rawSize);
      if (rva >= s.va && rva < s.va + len && rva - s.va < s.rawSize) {
        const off = s.rawPtr + (rva - s.va);
        return off < src.size ? off : undefined;
      }
    }
    return undefined;
  };
  info.toOffset = (addr) => (addr >= imageBase ? rvaToOffset(addr - imageBase) : undefined);
  const rangeOf = (s: PeSection | undefined) => {
    if (!s) return undefined;
    if (s.rawPtr + s.rawSize > src.size) {
      problems.push(`section ${s.name} lies beyond the end of the file`);
      return undefined;
    }
    return { offset: s.rawPtr, size: Math.min(s.rawSize, s.vsize || s.rawSize) };
  };
  info.goBuildinfo = rangeOf(sections.find((s) => (s.flags & ~IMAGE_SCN_ALIGN_MASK) >>> 0 === GO_DATA_FLAGS >>> 0));
  info.depV0 = rangeOf(sections.find((s) => s.name === '.dep-v0' || s.name === 'rdep-v0'));

  const nameAt = async (rva: number) => {
    const off = rvaToOffset(rva);
    return off === undefined ? undefined : new View(await src.readAt(off, 256), true).cstr(0, 256);
  };
  // import descriptors: 20 bytes each, Name RVA at +12, terminated by an all-zero entry
  const imp = dir(1);
  if (imp && imp.rva) {
    const off = rvaToOffset(imp.rva);
    if (off === undefined) problems.push('import directory RVA maps outside the sections');
    else {
      const v = new View(await src.readAt(off, Math.min(Math.max(imp.size, 20), MAX_IMPORTS * 20)), true);
      for (let o = 0; o + 20 <= v.buf.length; o += 20) {
        const name = v.u32(o + 12)!;
        if (name === 0 && v.u32(o) === 0 && v.u32(o + 16) === 0) break;
        const s = name ? await nameAt(name) : undefined;
        if (s) info.needed.push(s);
      }
    }
  }
  // delay-load descriptors: 32 bytes each, DllNameRVA at +4 (RVA when Attributes bit 0 is set)
  const delay = dir(13);
  if (delay && delay.rva) {
    const off = rvaToOffset(delay.rva);
    if (off !== undefined) {
      const v = new View(await src.readAt(off, Math.min(Math.max(delay.size, 32), MAX_IMPORTS * 32)), true);
      for (let o = 0; o + 32 <= v.buf.length; o += 32) {
        const attrs = v.u32(o)!;
        const name = v.u32(o + 4)!;
        if (name === 0) break;
        const s = await nameAt(attrs & 1 ? name : name - imageBase);
        if (s && !info.needed.includes(s)) info.needed.push(s);
      }
    }
  }
  return info;
}
