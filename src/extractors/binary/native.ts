import type { Component, Evidence, EvidenceKind } from '../../model/types.js';
import { makePurl } from '../../model/purl.js';
import { baseName, ParseError, type ExtractInput } from '../types.js';
import { openByteSource, type ByteSource } from './source.js';
import { sniffFormat, type BinaryInfo } from './format.js';
import { parseElf } from './elf.js';
import { parsePe } from './pe.js';
import { parseMachO } from './macho.js';
import { findGoBuildInfo, parseGoBuildInfoAt, parseModinfo, type GoBuildInfo } from './go-buildinfo.js';
import { parseDepV0, type AuditablePackage } from './cargo-auditable.js';
import { scanStream, type Hit } from './scanner.js';
import { libraryOfName, SYSTEM_LIB_DIR, sonameVersion } from './libraries.js';
import { compareStrings } from '../../util/compare.js';

/**
 * Native executables and libraries: ELF, PE, Mach-O (thin and universal), WASM.
 *
 * Which files (fileRequired, a name test only — the walk must not open every file of a 100k-file source tree):
 * library/executable extensions (.so, .so.N, .dylib, .dll, .exe, .node, .pyd, .wasm, .bundle), files without an
 * extension (Unix executables, where README/LICENSE-style names are left out) or with a numeric one
 * (`python3.11`), and anything in a bin/, sbin/ or libexec/ folder that is not an obvious script. Then extract()
 * reads the first 64 bytes and returns nothing unless they are an executable's magic, so a text file named
 * `configure` costs one small read.
 *
 * Per file: one positioned read of the headers (linked libraries, Go buildinfo, `.dep-v0`), then one streamed
 * pass of the signature scan, whatever the number of signatures.
 */

export { isNativeCandidate } from './candidate.js';


/** Smallest file that can hold any of the headers we parse. */
const MIN_SIZE = 16;

export async function extractNative(input: ExtractInput): Promise<Component[]> {
  if (input.size < MIN_SIZE) return [];
  const src = await openByteSource(input.vfs, input.path, input.size);
  try {
    const format = sniffFormat(await src.readAt(0, 64));
    if (!format || format === 'zip') return [];
    return await analyse(src, format, input);
  } finally {
    await src.close();
  }
}

/** Everything one file says, before it becomes components (exported for tests and the archive extractors). */
export interface NativeFacts {
  info: BinaryInfo;
  hits: Hit[];
  go?: GoBuildInfo;
  depV0?: { format: number; packages: AuditablePackage[] };
  problems: string[];
}

export async function readNativeFacts(src: ByteSource, format: NonNullable<ReturnType<typeof sniffFormat>>): Promise<NativeFacts> {
  const problems: string[] = [];
  let info: BinaryInfo = { format: format === 'zip' ? 'elf' : format, needed: [], problems: [] };
  try {
    if (format === 'elf') info = await parseElf(src);
    else if (format === 'pe') info = await parsePe(src);
    else if (format === 'macho') info = await parseMachO(src);
  } catch (e) {
    problems.push(`${format} headers: ${(e as Error).message}`);
  }
  problems.push(...info.problems);
  const { hits } = await scanStream(src.stream());

  let go: GoBuildInfo | undefined;
  try {
    if (info.goBuildinfo) go = await findGoBuildInfo(src, info.goBuildinfo, info.toOffset);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (!go) {
    // no section / data segment held it (or headers were unreadable): try where the scan saw the magic
    for (const h of hits.filter((x) => x.sig.id === 'go-buildinfo-magic' && x.offset % 16 === 0).slice(0, 8)) {
      try {
        go = await parseGoBuildInfoAt(src, h.offset, info.toOffset);
        break;
      } catch {
        // the literal also occurs in programs that read buildinfo (cmd/go, debug/buildinfo)
      }
    }
  }
  if (!go) go = await goFromSentinel(src, hits);
  let depV0: NativeFacts['depV0'];
  if (info.depV0) {
    try {
      depV0 = parseDepV0(await src.readAt(info.depV0.offset, info.depV0.size));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return { info, hits, go, depV0, problems };
}

const INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

/**
 * Some release builds carry runtime.modinfo but no buildinfo header (esbuild's npm binaries): read the modinfo
 * between its sentinels and take the toolchain from runtime.buildVersion's NUL-padded text.
 */
async function goFromSentinel(src: ByteSource, hits: Hit[]): Promise<GoBuildInfo | undefined> {
  const at = hits.find((h) => h.sig.id === 'go-modinfo-sentinel');
  const versions = hits.filter((h) => h.sig.id === 'go-version-string' && h.version);
  if (!at || versions.length === 0) return undefined;
  const buf = await src.readAt(at.offset + 16, 1 << 20);
  const end = buf.indexOf(INFO_END);
  if (end < 0) return undefined;
  // the most specific version text wins ("go1.26.5" over "go1.26")
  const v = versions.sort((a, b) => b.version!.length - a.version!.length)[0]!;
  return { goVersion: `go${v.version}${v.groups['x'] ?? ''}`, ...parseModinfo(buf.toString('utf8', 0, end)), offset: at.offset, layout: 'sentinel' };
}

async function analyse(src: ByteSource, format: NonNullable<ReturnType<typeof sniffFormat>>, input: ExtractInput): Promise<Component[]> {
  const facts = await readNativeFacts(src, format);
  const components = factsToComponents(facts, input.path, input.layer);
  if (facts.problems.length > 0) {
    throw new ParseError(`${format.toUpperCase()} file partly unreadable: ${facts.problems.join('; ')}`, undefined, components);
  }
  return components;
}

const LINK_WORD: Record<string, string> = { elf: 'DT_NEEDED', pe: 'PE import', macho: 'Mach-O load command', wasm: 'import' };

interface Acc {
  ecosystem: 'generic' | 'cargo';
  name: string;
  version?: string;
  evidence: Evidence[];
  properties: Record<string, string>;
  signals: Set<string>;
}

export function factsToComponents(facts: NativeFacts, path: string, layer?: string): Component[] {
  const { info, hits } = facts;
  const ev = (kind: EvidenceKind, detail: string): Evidence => ({ kind, path, ...(layer ? { layer } : {}), detail });
  const out: Component[] = [];

  // linked: one component per library, listing every soname of it
  const linked = new Map<string, Acc>();
  for (const dep of info.needed) {
    const lib = libraryOfName(dep);
    if (!lib) continue;
    let a = linked.get(lib);
    if (!a) linked.set(lib, (a = { ecosystem: 'generic', name: lib, evidence: [], properties: {}, signals: new Set() }));
    a.evidence.push(ev('linked', `${LINK_WORD[info.format]} ${dep}`));
    a.properties['soname'] = a.properties['soname'] ? `${a.properties['soname']},${dep}` : dep;
    const v = sonameVersion(dep);
    if (v && !a.properties['sonameVersion']) a.properties['sonameVersion'] = v;
  }

  // embedded: signature hits, grouped by library and version
  const goProps: Record<string, string> = {};
  let bcm = false;
  const embedded = new Map<string, Acc>();
  const registryCrates: Hit[] = [];
  for (const h of hits) {
    const att = h.sig.attach;
    if (att && 'go' in att) {
      goProps[att.go] = h.groups['boring'] !== undefined ? 'boring' : h.groups['standard'] !== undefined ? 'standard' : h.groups['fipsOnly'] !== undefined ? 'fipsonly' : 'true';
      continue;
    }
    if (att && 'bcm' in att) {
      bcm = true;
      continue;
    }
    if (h.sig.nameGroup) {
      registryCrates.push(h);
      continue;
    }
    const eco = h.sig.ecosystem ?? 'generic';
    const key = `${eco}\0${h.sig.library}\0${h.version ?? ''}`;
    let a = embedded.get(key);
    if (!a) embedded.set(key, (a = { ecosystem: eco, name: h.sig.library, ...(h.version ? { version: h.version } : {}), evidence: [], properties: {}, signals: new Set() }));
    a.signals.add(h.sig.signal);
    if (a.evidence.length < 3) a.evidence.push(ev('embedded', `${h.sig.id} at offset ${h.offset}: ${printable(h.text)}`));
    for (const [k, v] of Object.entries(h.groups)) if (k !== 'name') a.properties[k] = v.trim();
  }
  // versionless hits (symbols, FIPS markers) of a library that also has a versioned banner join that component
  for (const [key, a] of embedded) {
    if (a.version) continue;
    const versioned = [...embedded.values()].filter((b) => b !== a && b.ecosystem === a.ecosystem && b.name === a.name && b.version);
    if (versioned.length === 0) continue;
    for (const b of versioned) {
      b.evidence.push(...a.evidence.slice(0, 2));
      for (const s of a.signals) b.signals.add(s);
      Object.assign(b.properties, a.properties);
    }
    embedded.delete(key);
  }
  // BoringCrypto module markers belong to AWS-LC when AWS-LC is there, else they are BoringSSL's
  if (bcm) {
    const owner = [...embedded.values()].filter((a) => a.name === 'aws-lc');
    const targets = owner.length > 0 ? owner : [...embedded.values()].filter((a) => a.name === 'boringssl');
    if (targets.length === 0) {
      const a: Acc = { ecosystem: 'generic', name: 'boringssl', evidence: [ev('embedded', 'BORINGSSL_bcm_* FIPS module symbols')], properties: {}, signals: new Set(['fips-marker']) };
      embedded.set('generic\0boringssl\0', a);
      targets.push(a);
    }
    for (const t of targets) t.properties['fipsModule'] = 'bcm';
  }
  // AWS-LC or BoringSSL with neither the BCM boundary nor the "AWS-LC FIPS x.y.z" banner is the non-FIPS build
  // (knowledge §2.2, §2.3); said explicitly so rules can match it. aws-crt's addons carry the bare word "AWS-LC FIPS"
  // beside a non-FIPS banner, which is why only the versioned FIPS banner counts.
  for (const a of embedded.values()) {
    if (a.ecosystem === 'generic' && (a.name === 'aws-lc' || a.name === 'boringssl') && !a.properties['fipsModule'] && !a.properties['fips']) a.properties['fipsModule'] = 'none';
  }

  const fileBase = baseName(path);
  const fileLib = libraryOfName(info.soname ?? fileBase) ?? libraryOfName(fileBase);
  for (const a of embedded.values()) {
    if (a.ecosystem === 'generic' && linked.has(a.name)) {
      // a banner or symbol names next to a dynamic link are what an importer carries, not a static copy
      const l = linked.get(a.name)!;
      if (a.version && !l.properties['headerVersion']) l.properties['headerVersion'] = a.version;
      continue;
    }
    if (a.ecosystem === 'generic') {
      a.properties['placement'] = fileLib === a.name && SYSTEM_LIB_DIR.test(path) ? 'system' : 'vendored';
      a.properties['signals'] = [...a.signals].sort().join(',');
    }
    out.push(toComponent(a));
  }
  for (const a of linked.values()) out.push(toComponent(a));

  // Rust crates: .dep-v0 when present, else crate registry paths left by panics and __FILE__
  if (facts.depV0) {
    const have = new Set(out.filter((c) => c.ecosystem === 'cargo').map((c) => `${c.name}@${c.version}`));
    for (const p of facts.depV0.packages) {
      if (p.root || p.kind === 'build') continue;
      const existing = out.find((c) => c.ecosystem === 'cargo' && c.name === p.name && c.version === p.version);
      const e = ev('buildinfo', `cargo-auditable .dep-v0 ${p.name} ${p.version} (${p.source})`);
      if (existing) existing.evidence.push(e);
      else if (!have.has(`${p.name}@${p.version}`)) out.push({ ecosystem: 'cargo', name: p.name, version: p.version, purl: makePurl('cargo', p.name, p.version), evidence: [e], dependencies: p.dependencies });
    }
  } else {
    const seen = new Set<string>();
    for (const h of registryCrates) {
      const name = h.groups['name']!;
      const key = `${name}@${h.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const existing = out.find((c) => c.ecosystem === 'cargo' && c.name === name && c.version === h.version);
      const e = ev('embedded', `crate registry path at offset ${h.offset}: ${printable(h.text)}`);
      if (existing) existing.evidence.push(e);
      else out.push({ ecosystem: 'cargo', name, version: h.version, purl: makePurl('cargo', name, h.version), evidence: [e] });
    }
  }

  if (facts.go) out.push(...goComponents(facts.go, goProps, ev));
  return out.sort((a, b) => compareStrings(a.purl, b.purl));
}

function toComponent(a: Acc): Component {
  return {
    ecosystem: a.ecosystem,
    name: a.name,
    ...(a.version ? { version: a.version } : {}),
    purl: makePurl(a.ecosystem, a.name, a.version),
    evidence: a.evidence,
    ...(Object.keys(a.properties).length > 0 ? { properties: sortKeys(a.properties) } : {}),
  };
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\xff]/g, (c) => (c === '\0' ? '\\0' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)).slice(0, 160);
}

/** "go1.24" → "1.24.0", "go1.20.10 X:boringcrypto" → "1.20.10" (devel builds keep their text) */
export function goSemver(goVersion: string): string | undefined {
  const m = /^go(\d+)\.(\d+)(?:\.(\d+))?((?:rc|beta)\d+)?/.exec(goVersion);
  if (!m) return undefined;
  return `${m[1]}.${m[2]}.${m[3] ?? '0'}${m[4] ? `-${m[4]}` : ''}`;
}

/**
 * The Go toolchain as pkg:golang/stdlib with the facts rules test, and every module as pkg:golang/…; FIPS mode as
 * check-payload and syft read it (knowledge/binary-signatures.md §4.2–4.6):
 * native (GOFIPS140 set, not off) > openssl (golang-fips / Microsoft systemcrypto) > boringcrypto > godebug
 * (fips140=on|only compiled in without a frozen module) > none.
 */
function goComponents(go: GoBuildInfo, scanned: Record<string, string>, ev: (k: EvidenceKind, d: string) => Evidence): Component[] {
  const settings = new Map(go.settings);
  const props: Record<string, string> = {};
  const experiments = new Set<string>();
  const x = /\sX:(\S+)/.exec(go.goVersion)?.[1];
  for (const e of `${x ?? ''},${settings.get('GOEXPERIMENT') ?? ''}`.split(',')) if (e) experiments.add(e);
  const godebug = new Map(
    (settings.get('DefaultGODEBUG') ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=') as [string, string]),
  );
  const version = goSemver(go.goVersion);
  if (version) props['goVersion'] = version;
  if (experiments.size > 0) props['goExperiment'] = [...experiments].sort().join(',');
  const fips140 = settings.get('GOFIPS140');
  if (fips140) props['goFips140'] = fips140;
  if (godebug.has('fips140')) props['godebugFips140'] = godebug.get('fips140')!;
  if (godebug.has('tlsmlkem')) props['tlsmlkem'] = godebug.get('tlsmlkem')!;
  if (settings.has('CGO_ENABLED')) props['cgoEnabled'] = settings.get('CGO_ENABLED')!;
  if (settings.has('-tags')) props['buildTags'] = settings.get('-tags')!;
  if (settings.has('DefaultGODEBUG')) props['defaultGodebug'] = settings.get('DefaultGODEBUG')!;
  props['goUsesCrypto'] = scanned['goUsesCrypto'] ? 'true' : 'false';
  if (scanned['goCryptoSig']) props['goCryptoSig'] = scanned['goCryptoSig'];
  if (scanned['goBoringSymbols']) props['goBoringSymbols'] = 'true';
  if (scanned['goOpensslBackend']) props['goOpensslBackend'] = 'true';
  const openssl = scanned['goOpensslBackend'] || [...experiments].some((e) => /^(?:systemcrypto|opensslcrypto|strictfipsruntime)$/.test(e)) || go.deps.some((d) => /golang-fips\/openssl|microsoft\/go-crypto-openssl/.test(d.path));
  const boring = experiments.has('boringcrypto') || scanned['goCryptoSig'] === 'boring' || scanned['goCryptoSig'] === 'fipsonly' || scanned['goBoringSymbols'];
  props['goFipsMode'] =
    fips140 && fips140 !== 'off'
      ? 'native'
      : openssl
        ? 'openssl'
        : boring
          ? 'boringcrypto'
          : /^(?:on|only)$/.test(godebug.get('fips140') ?? '')
            ? 'godebug'
            : 'none';
  const out: Component[] = [];
  const stdVersion = version ?? go.goVersion;
  out.push({
    ecosystem: 'golang',
    name: 'stdlib',
    version: stdVersion,
    purl: makePurl('golang', 'stdlib', stdVersion),
    evidence: [ev('buildinfo', `Go buildinfo at offset ${go.offset}: ${go.goVersion}${go.path ? `, ${go.path}` : ''}`)],
    properties: sortKeys(props),
  });
  const mods = [...(go.main && go.main.version && go.main.version !== '(devel)' ? [go.main] : []), ...go.deps];
  for (const m of mods) {
    const path = m.replace?.path && !m.replace.path.startsWith('.') && !m.replace.path.startsWith('/') ? m.replace.path : m.path;
    const v = m.replace?.version || m.version;
    out.push({
      ecosystem: 'golang',
      name: path,
      ...(v ? { version: v } : {}),
      purl: makePurl('golang', path, v || undefined),
      evidence: [ev('buildinfo', `Go buildinfo ${m === go.main ? 'mod' : 'dep'} ${m.path} ${m.version}${m.replace ? ` => ${m.replace.path} ${m.replace.version}` : ''}`)],
    });
  }
  return out;
}
