import type { ByteSource } from './source.js';
import { View } from './source.js';
import { GO_BUILDINFO_MAGIC, type FileRange } from './format.js';

/**
 * Go buildinfo (golang/go src/debug/buildinfo/buildinfo.go; knowledge/binary-signatures.md §4.1–4.2):
 * a 32-byte header "\xff Go buildinf:" + pointer size + flags, 16-byte aligned in the first 64 KiB of the data.
 * Go 1.18+ (flags & 2): two uvarint-prefixed strings follow (runtime.buildVersion, runtime.modinfo). Go 1.13–1.17:
 * two pointers to Go string headers, resolved through the file's segments.
 */

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: { path: string; version: string };
}

export interface GoBuildInfo {
  /** "go1.24.3" or "go1.20.10 X:boringcrypto" as written */
  goVersion: string;
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  settings: Array<[string, string]>;
  /** where the header was found */
  offset: number;
  /** 'inline' (1.18+), 'pointer' (1.13–1.17), or 'sentinel' (header stripped: modinfo found by its sentinels) */
  layout: 'inline' | 'pointer' | 'sentinel';
}

const HEADER = 32;
const ALIGN = 16;
const SEARCH = 64 * 1024;
const MAX_STRING = 8 * 1024 * 1024;

export class GoBuildInfoError extends Error {}

/** Find the header in a data range (Go's own search) and parse it; undefined when there is none. */
export async function findGoBuildInfo(src: ByteSource, range: FileRange, toOffset?: (a: number) => number | undefined): Promise<GoBuildInfo | undefined> {
  const data = await src.readAt(range.offset, Math.min(range.size, SEARCH));
  let from = 0;
  for (;;) {
    const i = data.indexOf(GO_BUILDINFO_MAGIC, from);
    if (i < 0 || data.length - i < HEADER) return undefined;
    if (i % ALIGN === 0) return parseGoBuildInfoAt(src, range.offset + i, toOffset);
    from = (i + ALIGN - 1) & ~(ALIGN - 1);
  }
}

export async function parseGoBuildInfoAt(src: ByteSource, offset: number, toOffset?: (a: number) => number | undefined): Promise<GoBuildInfo> {
  const head = await src.readAt(offset, HEADER);
  if (head.length < HEADER || !head.subarray(0, 14).equals(GO_BUILDINFO_MAGIC)) throw new GoBuildInfoError(`no Go buildinfo header at offset ${offset}`);
  const ptrSize = head[14];
  const flags = head[15]!;
  let goVersion: string;
  let modinfo: string;
  let layout: GoBuildInfo['layout'];
  if (flags & 2) {
    layout = 'inline';
    let pos = offset + HEADER;
    const readString = async (): Promise<string> => {
      const lenBytes = await src.readAt(pos, 10);
      const [len, n] = uvarint(lenBytes);
      if (n <= 0 || len > MAX_STRING) throw new GoBuildInfoError(`bad string length in Go buildinfo at offset ${pos}`);
      pos += n;
      const b = await src.readAt(pos, len);
      if (b.length < len) throw new GoBuildInfoError(`Go buildinfo string at offset ${pos} runs past the end of the file`);
      pos += len;
      return b.toString('utf8');
    };
    goVersion = await readString();
    modinfo = await readString();
  } else {
    layout = 'pointer';
    if (ptrSize !== 4 && ptrSize !== 8) throw new GoBuildInfoError(`Go buildinfo pointer size ${ptrSize}`);
    if (!toOffset) throw new GoBuildInfoError('Go buildinfo in the pre-1.18 pointer format, but the file has no address map');
    const v = new View(head, !(flags & 1));
    const readGoString = async (ptrAt: number): Promise<string> => {
      const addr = v.ptr(ptrAt, ptrSize);
      const hdrOff = addr === undefined ? undefined : toOffset(addr);
      if (hdrOff === undefined) throw new GoBuildInfoError('Go buildinfo string header address is not in the file');
      const sh = new View(await src.readAt(hdrOff, ptrSize * 2), v.le);
      const dataAddr = sh.ptr(0, ptrSize);
      const len = sh.ptr(ptrSize, ptrSize);
      if (dataAddr === undefined || len === undefined || len > MAX_STRING) throw new GoBuildInfoError('bad Go string header in buildinfo');
      if (len === 0) return '';
      const dataOff = toOffset(dataAddr);
      if (dataOff === undefined) throw new GoBuildInfoError('Go buildinfo string data address is not in the file');
      return (await src.readAt(dataOff, len)).toString('utf8');
    };
    goVersion = await readGoString(16);
    modinfo = await readGoString(16 + ptrSize);
  }
  if (!/^(go1|devel )/.test(goVersion)) throw new GoBuildInfoError(`Go buildinfo version '${goVersion.slice(0, 40)}' is not a Go version`);
  // modinfo is framed by 16-byte sentinels (infoStart/infoEnd), stripped as Go does
  if (modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n') modinfo = modinfo.slice(16, modinfo.length - 16);
  return { goVersion, ...parseModinfo(modinfo), offset, layout };
}

function uvarint(b: Buffer): [number, number] {
  let x = 0;
  let s = 1;
  for (let i = 0; i < b.length && i < 10; i++) {
    const c = b[i]!;
    if (c < 0x80) return [x + c * s, i + 1];
    x += (c & 0x7f) * s;
    s *= 128;
  }
  return [0, -1];
}

/** runtime/debug.ParseBuildInfo's text format: path / mod / dep / => / build lines, tab-separated. */
export function parseModinfo(text: string): Pick<GoBuildInfo, 'path' | 'main' | 'deps' | 'settings'> {
  const out: Pick<GoBuildInfo, 'path' | 'main' | 'deps' | 'settings'> = { deps: [], settings: [] };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    switch (f[0]) {
      case 'path':
        out.path = f[1];
        break;
      case 'mod':
        last = out.main = { path: f[1] ?? '', version: f[2] ?? '', ...(f[3] ? { sum: f[3] } : {}) };
        break;
      case 'dep':
        last = { path: f[1] ?? '', version: f[2] ?? '', ...(f[3] ? { sum: f[3] } : {}) };
        out.deps.push(last);
        break;
      case '=>':
        if (last) last.replace = { path: f[1] ?? '', version: f[2] ?? '' };
        break;
      case 'build': {
        const kv = line.slice('build\t'.length);
        const [key, value] = splitSetting(kv);
        if (key) out.settings.push([key, value]);
        break;
      }
    }
  }
  return out;
}

/** key=value where either side may be strconv.Quote'd */
function splitSetting(kv: string): [string, string] {
  let key: string;
  let rest: string;
  if (kv.startsWith('"')) {
    const end = quotedEnd(kv, 0);
    key = unquote(kv.slice(0, end));
    rest = kv.slice(end + 1);
  } else {
    const eq = kv.indexOf('=');
    if (eq < 0) return [kv, ''];
    key = kv.slice(0, eq);
    rest = kv.slice(eq + 1);
  }
  return [key, rest.startsWith('"') ? unquote(rest) : rest];
}

function quotedEnd(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i + 1;
  }
  return s.length;
}

function unquote(s: string): string {
  try {
    return JSON.parse(s) as string;
  } catch {
    return s.replace(/^"|"$/g, '');
  }
}
