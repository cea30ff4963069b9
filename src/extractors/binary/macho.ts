import type { ByteSource } from './source.js';
import { View } from './source.js';
import type { BinaryInfo, FileRange } from './format.js';

/**
 * Mach-O, thin and universal (fat, fat64): load commands for linked dylibs (LC_LOAD_DYLIB, weak, re-export,
 * lazy, upward), LC_ID_DYLIB, segments and sections (`__go_buildinfo`, `__DATA,.dep-v0`). Offsets inside a
 * universal file are relative to each slice; every slice is parsed and the results are merged.
 */

const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;
const LC_LOAD_DYLIB = 0xc;
const LC_ID_DYLIB = 0xd;
const LC_LOAD_WEAK_DYLIB = 0x80000018;
const LC_REEXPORT_DYLIB = 0x8000001f;
const LC_LAZY_LOAD_DYLIB = 0x20;
const LC_LOAD_UPWARD_DYLIB = 0x80000023;
const DYLIB_CMDS = new Set([LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LAZY_LOAD_DYLIB, LC_LOAD_UPWARD_DYLIB]);
const MAX_CMDS_BYTES = 4 * 1024 * 1024;
const CPU: Record<number, string> = { 7: 'x86', 0x01000007: 'x86-64', 12: 'arm', 0x0100000c: 'arm64', 18: 'ppc', 0x01000012: 'ppc64' };

export async function parseMachO(src: ByteSource): Promise<BinaryInfo> {
  const head = await src.readAt(0, 8);
  const magic = head.readUInt32BE(0);
  if (magic === 0xcafebabe || magic === 0xcafebabf) return parseUniversal(src, magic === 0xcafebabf);
  return parseThin(src, 0, src.size);
}

async function parseUniversal(src: ByteSource, fat64: boolean): Promise<BinaryInfo> {
  const problems: string[] = [];
  const info: BinaryInfo = { format: 'macho', needed: [], problems, slices: [] };
  const n = (await src.readAt(4, 4)).readUInt32BE(0);
  const entry = fat64 ? 32 : 20;
  if (n > 64) {
    problems.push(`universal header claims ${n} slices`);
    return info;
  }
  const v = new View(await src.readAt(8, n * entry), false);
  for (let i = 0; i < n; i++) {
    const o = i * entry;
    const offset = fat64 ? v.u64(o + 8) : v.u32(o + 8);
    const size = fat64 ? v.u64(o + 16) : v.u32(o + 12);
    if (offset === undefined || size === undefined || offset + size > src.size) {
      problems.push(`universal slice ${i} lies beyond the end of the file`);
      continue;
    }
    const slice = await parseThin(src, offset, size);
    info.slices!.push(slice);
    for (const d of slice.needed) if (!info.needed.includes(d)) info.needed.push(d);
    info.soname ??= slice.soname;
    info.goBuildinfo ??= slice.goBuildinfo;
    info.depV0 ??= slice.depV0;
    info.toOffset ??= slice.toOffset;
    problems.push(...slice.problems.map((p) => `slice ${i}: ${p}`));
  }
  info.arch = info.slices!.map((s) => s.arch).join('+');
  return info;
}

async function parseThin(src: ByteSource, base: number, size: number): Promise<BinaryInfo> {
  const problems: string[] = [];
  const info: BinaryInfo = { format: 'macho', needed: [], problems };
  const raw = await src.readAt(base, 32);
  if (raw.length < 28) {
    problems.push('Mach-O header truncated');
    return info;
  }
  const m = raw.readUInt32BE(0);
  const le = m === 0xcefaedfe || m === 0xcffaedfe;
  const is64 = m === 0xfeedfacf || m === 0xcffaedfe;
  if (!is64 && m !== 0xfeedface && m !== 0xcefaedfe) {
    problems.push(`not a Mach-O slice (magic 0x${m.toString(16)})`);
    return info;
  }
  const h = new View(raw, le);
  info.arch = CPU[h.u32(4)!] ?? `cpu ${h.u32(4)}`;
  const ncmds = h.u32(16)!;
  const sizeofcmds = h.u32(20)!;
  const hdrSize = is64 ? 32 : 28;
  if (sizeofcmds > MAX_CMDS_BYTES || hdrSize + sizeofcmds > size) {
    problems.push(`load commands out of bounds (${sizeofcmds} bytes, slice ${size} bytes)`);
    return info;
  }
  const v = new View(await src.readAt(base + hdrSize, sizeofcmds), le);
  const segments: Array<{ vmaddr: number; fileoff: number; filesize: number; maxprot: number; initprot: number }> = [];
  const sections = new Map<string, FileRange>();
  let o = 0;
  for (let i = 0; i < ncmds && o + 8 <= v.buf.length; i++) {
    const cmd = v.u32(o)!;
    const cmdsize = v.u32(o + 4)!;
    if (cmdsize < 8 || o + cmdsize > v.buf.length) {
      problems.push(`load command ${i} has a bad size ${cmdsize}`);
      break;
    }
    if (cmd === LC_SEGMENT_64 || cmd === LC_SEGMENT) {
      const w = cmd === LC_SEGMENT_64;
      const seg = {
        vmaddr: (w ? v.u64(o + 24) : v.u32(o + 24)) ?? 0,
        fileoff: (w ? v.u64(o + 40) : v.u32(o + 32)) ?? 0,
        filesize: (w ? v.u64(o + 48) : v.u32(o + 36)) ?? 0,
        maxprot: v.u32(o + (w ? 56 : 40)) ?? 0,
        initprot: v.u32(o + (w ? 60 : 44)) ?? 0,
      };
      segments.push(seg);
      const nsects = v.u32(o + (w ? 64 : 48)) ?? 0;
      const first = o + (w ? 72 : 56);
      const sz = w ? 80 : 68;
      for (let k = 0; k < nsects && first + (k + 1) * sz <= o + cmdsize; k++) {
        const s = first + k * sz;
        const sect = v.buf.toString('latin1', s, s + 16).replace(/\0.*$/s, '');
        const segname = v.buf.toString('latin1', s + 16, s + 32).replace(/\0.*$/s, '');
        const ssize = (w ? v.u64(s + 40) : v.u32(s + 36)) ?? 0;
        const soff = v.u32(s + (w ? 48 : 40)) ?? 0;
        if (soff && soff + ssize <= size) sections.set(`${segname},${sect}`, { offset: base + soff, size: ssize });
        else if (soff) problems.push(`section ${segname},${sect} lies beyond the end of the slice`);
      }
    } else if (DYLIB_CMDS.has(cmd) || cmd === LC_ID_DYLIB) {
      const nameOff = v.u32(o + 8) ?? 0;
      const name = nameOff < cmdsize ? v.cstr(o + nameOff, cmdsize - nameOff) : undefined;
      if (name) {
        if (cmd === LC_ID_DYLIB) info.soname = name;
        else if (!info.needed.includes(name)) info.needed.push(name);
      }
    }
    o += cmdsize;
  }
  info.toOffset = (addr) => {
    for (const s of segments) if (addr >= s.vmaddr && addr < s.vmaddr + s.filesize) return base + s.fileoff + (addr - s.vmaddr);
    return undefined;
  };
  const goSect = [...sections.entries()].find(([k]) => k.endsWith(',__go_buildinfo'));
  info.goBuildinfo = goSect?.[1];
  if (!info.goBuildinfo) {
    const rw = segments.find((s) => s.maxprot === 3 && s.initprot === 3 && s.filesize > 0);
    if (rw) info.goBuildinfo = { offset: base + rw.fileoff, size: Math.min(rw.filesize, 64 * 1024) };
  }
  info.depV0 = sections.get('__DATA,.dep-v0') ?? sections.get('__DATA,rust-deps-v0');
  return info;
}
