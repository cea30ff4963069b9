import { promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import type { Component, Evidence } from '../../model/types.js';
import { makePurl } from '../../model/purl.js';
import { baseName, ParseError, type ExtractInput } from '../types.js';
import { memberPath } from '../../util/paths.js';
import { openByteSource, type ByteSource } from '../binary/source.js';
import { sniffFormat } from '../binary/format.js';
import { parseCoreMetadata } from '../python-common.js';
import { factsToComponents, readNativeFacts } from '../binary/native.js';
import { isLibraryName } from '../binary/candidate.js';
import { ArchiveError, ZipArchive, type Budget, type Member } from './zip.js';
import { compareStrings } from '../../util/compare.js';

/**
 * Java archives (jar, war, ear) and Python wheels: what they say they are, and the native code inside.
 *
 * Java (knowledge/binary-signatures.md §7, ecosystem-packages.md §A.5): every
 * `META-INF/maven/<g>/<a>/pom.properties` is a `pkg:maven/<g>/<a>@<v>` (the best evidence; a shaded jar holds one
 * per library it absorbed). A jar without one is named from its file name (`bcprov-1.72.jar`) and the MAIN section
 * of `META-INF/MANIFEST.MF` only — the part before the first blank line: signed jars append per-entry sections
 * that can carry attacker-chosen attributes — with the group from `Implementation-Vendor-Id`. The JCE provider
 * classes tell Bouncy Castle's general provider (`BouncyCastleProvider`) from the FIPS one
 * (`BouncyCastleFipsProvider`), also where a shaded jar carries the classes without naming them.
 * Nested archives (`WEB-INF/lib/*.jar`, Spring Boot's `BOOT-INF/lib/*.jar`) are read one level deep.
 *
 * Wheels: `<name>.dist-info/METADATA` Name/Version is the `pkg:pypi` component.
 *
 * Both: native libraries inside (auditwheel's `<pkg>.libs/libcrypto-<hash>.so.3`, a jar's
 * `META-INF/native/*.so`) go through the binary extractor's parsers and signature scan (readNativeFacts,
 * factsToComponents) like files on disk, so a bundled OpenSSL is found the same way.
 *
 * Evidence paths: the archive's path; what is inside a member is `<archive>!/<member>` (nested:
 * `app.war!/WEB-INF/lib/x.jar!/lib.so`), the notation of Java's jar: URLs.
 */

/** One native member or nested archive, inflated. */
const MAX_MEMBER = 512 * 1024 * 1024;
/** All inflating for one archive and the archives inside it. */
const MAX_INFLATED = 4 * 1024 * 1024 * 1024;
/** Text read from a manifest, pom.properties or METADATA: their headers are small, their bodies may not be. */
const MAX_TEXT = 64 * 1024;

const NESTED = /\.(?:jar|war|ear)$/i;
const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const MANIFEST = 'META-INF/MANIFEST.MF';
const WHEEL_METADATA = /^[^/]+\.dist-info\/METADATA$/;

/** JCE provider classes (knowledge/binary-signatures.md §7): which Bouncy Castle line a jar carries. */
const PROVIDER_CLASSES = [
  { member: 'org/bouncycastle/jce/provider/BouncyCastleProvider.class', group: 'org.bouncycastle', artifact: 'bcprov', provider: 'BC', family: /^org\.bouncycastle:bcprov(?:-|$)/ },
  { member: 'org/bouncycastle/jcajce/provider/BouncyCastleFipsProvider.class', group: 'org.bouncycastle', artifact: 'bc-fips', provider: 'BCFIPS', family: /^org\.bouncycastle:bc-fips$/ },
] as const;
const PROVIDER_MEMBERS = new Set<string>(PROVIDER_CLASSES.map((p) => p.member));

interface Ctx {
  layer?: string;
  budget: Budget;
  problems: string[];
  tempDir?: string;
  onExit?: () => void;
  temps: number;
}

export async function extractArchive(input: ExtractInput): Promise<Component[]> {
  const src = await openByteSource(input.vfs, input.path, input.size);
  const ctx: Ctx = { layer: input.layer, budget: { left: MAX_INFLATED }, problems: [], temps: 0 };
  try {
    let components: Component[];
    try {
      components = await readArchive(src, input.path, 0, ctx);
    } catch (e) {
      if (e instanceof ArchiveError) throw new ParseError(e.message);
      throw e;
    }
    components.sort((a, b) => compareStrings(a.purl, b.purl) || compareStrings(a.evidence[0]!.path, b.evidence[0]!.path));
    if (ctx.problems.length > 0) throw new ParseError(`archive partly unreadable: ${ctx.problems.join('; ')}`, undefined, components);
    return components;
  } finally {
    await src.close();
    if (ctx.tempDir) {
      process.removeListener('exit', ctx.onExit!);
      await fs.rm(ctx.tempDir, { recursive: true, force: true });
    }
  }
}

/** Members too big for memory go to one temp dir per archive, removed when it is done (or when the process exits). */
async function tempFile(ctx: Ctx): Promise<string> {
  if (!ctx.tempDir) {
    const dir = (ctx.tempDir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'cryptaudit-zip-')));
    ctx.onExit = () => rmSync(dir, { recursive: true, force: true });
    process.once('exit', ctx.onExit);
  }
  return nodePath.join(ctx.tempDir, `m${ctx.temps++}`);
}

const wanted = (depth: number) => (name: string) =>
  name === MANIFEST ||
  POM_PROPERTIES.test(name) ||
  WHEEL_METADATA.test(name) ||
  PROVIDER_MEMBERS.has(name) ||
  isLibraryName(baseName(name)) ||
  (depth === 0 && NESTED.test(name));

/** `path` names the archive in evidence and messages; depth 0 is the file itself, 1 an archive inside it. */
async function readArchive(src: ByteSource, path: string, depth: number, ctx: Ctx, inner?: string): Promise<Component[]> {
  const zip = await ZipArchive.open(src, path, wanted(depth));
  const where = (s: string) => (inner ? `${inner}: ${s}` : s);
  ctx.problems.push(...zip.problems.map(where));
  const ev = (detail: string, p = path): Evidence => ({ kind: 'embedded', path: p, ...(ctx.layer ? { layer: ctx.layer } : {}), detail });
  const out: Component[] = [];
  try {
    // Java: pom.properties, else the manifest's main section; then the provider classes
    const java: Component[] = [];
    for (const m of zip.members.filter((x) => POM_PROPERTIES.test(x.name))) {
      const props = parseProperties(await text(zip, m, ctx, where));
      const g = props.get('groupId');
      const a = props.get('artifactId');
      const v = props.get('version');
      if (!g || !a) continue;
      java.push(maven(g, a, v, ev(`${m.name}: ${g}:${a}${v ? `:${v}` : ''}`)));
    }
    const mfMember = zip.get(MANIFEST);
    const mf = mfMember ? parseManifestMain(await text(zip, mfMember, ctx, where)) : undefined;
    const markers = PROVIDER_CLASSES.filter((p) => zip.get(p.member));
    if (java.length === 0 && mf) {
      const id = manifestIdentity(mf, baseName(path), markers[0]?.group);
      if (id) java.push(maven(id.group, id.artifact, id.version, ev(`${MANIFEST} main section (${id.from}), file name ${baseName(path)}`)));
    }
    for (const p of markers) {
      const detail = `JCE provider class ${p.member} (provider "${p.provider}")`;
      const own = java.filter((c) => p.family.test(c.name));
      if (own.length === 0) {
        // the classes without a pom.properties or manifest naming them: a shaded or repackaged copy
        own.push(maven(p.group, p.artifact, undefined, ev(detail)));
        java.push(own[0]!);
      } else for (const c of own) c.evidence.push(ev(detail));
      for (const c of own) c.properties = { ...c.properties, javaProvider: p.provider };
    }
    out.push(...java);

    // Python: the wheel's own name and version
    for (const m of zip.members.filter((x) => WHEEL_METADATA.test(x.name))) {
      const h = parseCoreMetadata(await text(zip, m, ctx, where));
      const name = h.get('name')?.value;
      const version = h.get('version')?.value;
      if (!name) continue;
      out.push({
        ecosystem: 'pypi',
        name,
        ...(version ? { version } : {}),
        purl: makePurl('pypi', name, version),
        evidence: [ev(`${m.name}: Name ${name}${version ? `, Version ${version}` : ''}`)],
      });
    }

    // native libraries: the binary extractor's facts, with the member as the file
    for (const m of zip.members.filter((x) => isLibraryName(baseName(x.name)))) {
      try {
        const format = sniffFormat(await zip.head(m, 64));
        if (!format || format === 'zip') continue;
        const member = await zip.materialize(m, MAX_MEMBER, ctx.budget, () => tempFile(ctx));
        try {
          const facts = await readNativeFacts(member, format);
          out.push(...factsToComponents(facts, memberPath(path, m.name), ctx.layer));
          if (facts.problems.length > 0) ctx.problems.push(where(`${m.name}: ${facts.problems.join(', ')}`));
        } finally {
          await member.close();
        }
      } catch (e) {
        if (!(e instanceof ArchiveError)) throw e;
        ctx.problems.push(where(e.message));
      }
    }

    // nested archives, one level deep
    if (depth === 0) {
      for (const m of zip.members.filter((x) => NESTED.test(x.name))) {
        const inner = memberPath(path, m.name);
        try {
          const nested = await zip.materialize(m, MAX_MEMBER, ctx.budget, () => tempFile(ctx));
          try {
            out.push(...(await readArchive(nested, inner, 1, ctx, m.name)));
          } finally {
            await nested.close();
          }
        } catch (e) {
          if (!(e instanceof ArchiveError)) throw e;
          ctx.problems.push(e.message.startsWith(m.name) ? e.message : `${m.name}: ${e.message}`);
        }
      }
    }
  } finally {
    zip.close();
  }
  return out;
}

async function text(zip: ZipArchive, m: Member, ctx: Ctx, where: (s: string) => string): Promise<string> {
  try {
    return (await zip.head(m, MAX_TEXT)).toString('utf8');
  } catch (e) {
    if (!(e instanceof ArchiveError)) throw e;
    ctx.problems.push(where(e.message));
    return '';
  }
}

function maven(group: string, artifact: string, version: string | undefined, evidence: Evidence): Component {
  return {
    ecosystem: 'maven',
    name: `${group}:${artifact}`,
    ...(version ? { version } : {}),
    purl: makePurl('maven', artifact, version, group),
    evidence: [evidence],
  };
}

/** java.util.Properties, the subset Maven writes: `key=value` / `key: value`, `#`/`!` comments. */
export function parseProperties(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of s.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}

/**
 * The main section of a JAR manifest: attributes up to the first blank line (JAR File Specification; continuation
 * lines start with one space). Per-entry sections after it are never read.
 */
export function parseManifestMain(s: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of s.split(/\r\n|\r|\n/)) {
    if (line === '') break;
    if (line.startsWith(' ') && last !== undefined) {
      out.set(last, out.get(last)! + line.slice(1));
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    last = line.slice(0, i).trim();
    out.set(last, line.slice(i + 1).trim());
  }
  return out;
}

const GROUP_ID = /^[A-Za-z_][\w-]*(?:\.[\w-]+)+$/;
const FILE_NAME_VERSION = /^(.+?)-(\d[\w.+~-]*)\.(?:jar|war|ear)$/i;

/**
 * A jar without pom.properties, named as syft names it: the artifact and version from the file name
 * (`bcprov-1.72.jar`), else `Bundle-SymbolicName` / `Bundle-Version` / `Implementation-Version`; the group from
 * `Implementation-Vendor-Id`, else from a provider class. No group, no component: nothing to join on.
 */
export function manifestIdentity(mf: Map<string, string>, fileBase: string, classGroup?: string): { group: string; artifact: string; version?: string; from: string } | undefined {
  const fn = FILE_NAME_VERSION.exec(fileBase);
  const symbolic = mf.get('Bundle-SymbolicName')?.split(';')[0]!.trim();
  const vendorId = mf.get('Implementation-Vendor-Id');
  const group = vendorId && GROUP_ID.test(vendorId) ? vendorId : classGroup;
  const artifact = fn?.[1] ?? (symbolic && !symbolic.includes('.') ? symbolic : fileBase.replace(/\.(?:jar|war|ear)$/i, ''));
  const version = fn?.[2] ?? mf.get('Bundle-Version') ?? mf.get('Implementation-Version');
  if (!group || !artifact) return undefined;
  const from = [
    vendorId && group === vendorId ? `Implementation-Vendor-Id ${vendorId}` : `group from the provider class`,
    ...['Bundle-SymbolicName', 'Bundle-Version', 'Implementation-Version'].filter((k) => mf.has(k)).map((k) => `${k} ${mf.get(k)}`),
  ].join(', ');
  return { group, artifact, ...(version ? { version } : {}), from };
}
