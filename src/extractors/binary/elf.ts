import type { ByteSource } from './source.js';
import { View } from './source.js';
import type { BinaryInfo, FileRange } from './format.js';

/**
 * ELF: program headers (PT_LOAD / PT_DYNAMIC / PT_INTERP), section headers by name, the dynamic section's
 * DT_NEEDED and DT_SONAME. Every count and offset is checked against the file size; a header that lies is
 * recorded in `problems` and the parse goes on with what is left (the signature scan does not depend on it).
 */

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PF_X = 1;
const PF_W = 2;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_SONAME = 14;
const MAX_PHNUM = 4096;
const MAX_SHNUM = 65535;
const MAX_DYN_BYTES = 256 * 1024;

const MACHINES: Record<number, string> = { 3: 'x86', 8: 'mips', 20: 'ppc', 21: 'ppc64', 22: 's390x', 40: 'arm', 62: 'x86-64', 183: 'aarch64', 243: 'riscv', 258: 'loongarch' };

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  flags: number;
}

interface Section {
  name: string;
  type: number;
  addr: number;
  offset: number;
  size: number;
}

export async function parseElf(src: ByteSource): Promise<BinaryInfo> {
  const problems: string[] = [];
  const info: BinaryInfo = { format: 'elf', needed: [], problems };
  const ident = await src.readAt(0, 64);
  const cls = ident[4];
  const data = ident[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) {
    problems.push(`ELF header: unknown class ${cls} or data encoding ${data}`);
    return info;
  }
  const is64 = cls === 2;
  const ptr: 4 | 8 = is64 ? 8 : 4;
  const h = new View(ident, data === 1);
  if (ident.length < (is64 ? 64 : 52)) {
    problems.push(`ELF header truncated: the file has ${src.size} bytes`);
    return info;
  }
  info.arch = MACHINES[h.u16(18)!] ?? `machine ${h.u16(18)}`;
  const phoff = h.ptr(is64 ? 32 : 28, ptr) ?? 0;
  const shoff = h.ptr(is64 ? 40 : 32, ptr) ?? 0;
  const phentsize = h.u16(is64 ? 54 : 42)!;
  const phnum = h.u16(is64 ? 56 : 44)!;
  const shentsize = h.u16(is64 ? 58 : 46)!;
  const shnum = h.u16(is64 ? 60 : 48)!;
  const shstrndx = h.u16(is64 ? 62 : 50)!;

  // program headers
  const segments: Segment[] = [];
  const phMin = is64 ? 56 : 32;
  if (phnum > 0) {
    if (phentsize < phMin || phnum > MAX_PHNUM || phoff + phnum * phentsize > src.size) {
      problems.push(`program headers out of bounds (offset ${phoff}, ${phnum} × ${phentsize} bytes, file ${src.size} bytes)`);
    } else {
      const v = new View(await src.readAt(phoff, phnum * phentsize), h.le);
      for (let i = 0; i < phnum; i++) {
        const o = i * phentsize;
        const type = v.u32(o)!;
        const seg = is64
          ? { type, flags: v.u32(o + 4)!, offset: v.u64(o + 8), vaddr: v.u64(o + 16), filesz: v.u64(o + 32) }
          : { type, offset: v.u32(o + 4), vaddr: v.u32(o + 8), filesz: v.u32(o + 16), flags: v.u32(o + 24)! };
        if (seg.offset === undefined || seg.vaddr === undefined || seg.filesz === undefined) continue;
        segments.push(seg as Segment);
      }
    }
  }
  const hasInterp = segments.some((s) => s.type === PT_INTERP);
  const dynSeg = segments.find((s) => s.type === PT_DYNAMIC);
  info.isStatic = !hasInterp && !dynSeg;
  const loads = segments.filter((s) => s.type === PT_LOAD);
  info.toOffset = (addr) => {
    for (const s of loads) if (addr >= s.vaddr && addr < s.vaddr + s.filesz) return s.offset + (addr - s.vaddr);
    return undefined;
  };

  // section headers (absent in some stripped/packed files: then program headers are all there is)
  const sections: Section[] = [];
  const shMin = is64 ? 64 : 40;
  if (shoff > 0 && shnum > 0) {
    if (shentsize < shMin || shnum > MAX_SHNUM || shoff + shnum * shentsize > src.size) {
      problems.push(`section headers out of bounds (offset ${shoff}, ${shnum} × ${shentsize} bytes, file ${src.size} bytes)`);
    } else {
      const v = new View(await src.readAt(shoff, shnum * shentsize), h.le);
      const raw: Array<Omit<Section, 'name'> & { nameOff: number }> = [];
      for (let i = 0; i < shnum; i++) {
        const o = i * shentsize;
        const nameOff = v.u32(o)!;
        const type = v.u32(o + 4)!;
        const addr = (is64 ? v.u64(o + 16) : v.u32(o + 12)) ?? 0;
        const offset = (is64 ? v.u64(o + 24) : v.u32(o + 16)) ?? 0;
        const size = (is64 ? v.u64(o + 32) : v.u32(o + 20)) ?? 0;
        raw.push({ nameOff, type, addr, offset, size });
      }
      const strSec = raw[shstrndx];
      if (!strSec || strSec.offset + strSec.size > src.size) {
        problems.push(`section name table (index ${shstrndx}) out of bounds`);
      } else {
        const names = new View(await src.readAt(strSec.offset, Math.min(strSec.size, 1 << 20)), h.le);
        for (const r of raw) sections.push({ name: names.cstr(r.nameOff, 256) ?? '', type: r.type, addr: r.addr, offset: r.offset, size: r.size });
      }
    }
  }
  const section = (name: string): FileRange | undefined => {
    const s = sections.find((x) => x.name === name && x.type !== 8 /* SHT_NOBITS */);
    if (!s) return undefined;
    if (s.offset + s.size > src.size) {
      problems.push(`section ${name} lies beyond the end of the file`);
      return undefined;
    }
    return { offset: s.offset, size: s.size };
  };

  // Go buildinfo: the section, else the start of the first writable, non-executable PT_LOAD (buildinfo.go DataStart)
  info.goBuildinfo = section('.go.buildinfo');
  if (!info.goBuildinfo) {
    const rw = loads.find((s) => (s.flags & (PF_W | PF_X)) === PF_W && s.filesz > 0);
    if (rw) info.goBuildinfo = { offset: rw.offset, size: Math.min(rw.filesz, 64 * 1024) };
  }
  info.depV0 = section('.dep-v0') ?? section('.rust-deps-v0');

  // dynamic section: DT_NEEDED / DT_SONAME strings from DT_STRTAB
  const dynRange = section('.dynamic') ?? (dynSeg ? { offset: dynSeg.offset, size: dynSeg.filesz } : undefined);
  if (dynRange) {
    if (dynRange.offset + dynRange.size > src.size) {
      problems.push('dynamic section lies beyond the end of the file');
    } else {
      const v = new View(await src.readAt(dynRange.offset, Math.min(dynRange.size, MAX_DYN_BYTES)), h.le);
      const entry = ptr * 2;
      const needed: number[] = [];
      let soname: number | undefined;
      let strtab: number | undefined;
      for (let o = 0; o + entry <= v.buf.length; o += entry) {
        const tag = v.ptr(o, ptr);
        const val = v.ptr(o + ptr, ptr);
        if (tag === 0) break;
        if (val === undefined) continue;
        if (tag === DT_NEEDED) needed.push(val);
        else if (tag === DT_SONAME) soname = val;
        else if (tag === DT_STRTAB) strtab = val;
      }
      const dynstr = section('.dynstr');
      const strOff = dynstr?.offset ?? (strtab !== undefined ? info.toOffset(strtab) : undefined);
      if (strOff === undefined) {
        if (needed.length > 0) problems.push('DT_STRTAB does not map to the file: dynamic library names unreadable');
      } else {
        const name = async (off: number) => new View(await src.readAt(strOff + off, 512), h.le).cstr(0, 512);
        for (const n of needed.slice(0, 1024)) {
          const s = await name(n);
          if (s) info.needed.push(s);
        }
        if (soname !== undefined) info.soname = await name(soname);
      }
    }
  }
  return info;
}
