import type { Component, Evidence } from '../../model/types.js';
import { makePurl } from '../../model/purl.js';
import { baseName, dirName, ParseError, type ExtractInput, type Extractor } from '../types.js';
import { annotatePosture, fipsPostureOf } from './fips-posture.js';
import { distroQualifier, layerOf, osRelease, qualifiers } from './os-release.js';

/**
 * dpkg databases (knowledge/binary-signatures.md §10): `var/lib/dpkg/status` (RFC 822 stanzas) and distroless
 * `var/lib/dpkg/status.d/<pkg>` (one stanza per file, `.md5sums` beside). syft's globs `**\/lib/dpkg/status`,
 * `**\/lib/dpkg/status.d/*`. Only packages dpkg reports as installed count.
 */

export interface DpkgStanza {
  fields: Map<string, string>;
  /** 1-based line of the stanza's first field */
  line: number;
}

export function parseDpkgStanzas(text: string, path: string): DpkgStanza[] {
  const out: DpkgStanza[] = [];
  let cur: DpkgStanza | undefined;
  let lastKey: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') {
      if (cur) out.push(cur);
      cur = undefined;
      lastKey = undefined;
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // continuation of a multi-line field (Description, Conffiles)
      if (!cur || !lastKey) throw new ParseError(`${path}: continuation line outside a field`, i + 1);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ParseError(`${path}: expected 'Field: value', got '${line.slice(0, 60)}'`, i + 1);
    cur ??= { fields: new Map(), line: i + 1 };
    lastKey = line.slice(0, colon);
    cur.fields.set(lastKey, line.slice(colon + 1).trim());
  }
  if (cur) out.push(cur);
  return out;
}

/** `Source: openssl (3.0.15-1)` → openssl */
function sourceName(source: string | undefined): string | undefined {
  return source?.split(/\s+/)[0] || undefined;
}

export async function dpkgComponents(text: string, input: Pick<ExtractInput, 'path' | 'layer' | 'vfs'>): Promise<Component[]> {
  const os = await osRelease(input.vfs);
  const namespace = os.id ?? 'debian';
  const distro = distroQualifier(os);
  const distroless = input.path.includes('/status.d/');
  const infoDir = distroless ? undefined : `${dirName(input.path)}/info`;
  const out: Component[] = [];
  for (const st of parseDpkgStanzas(text, input.path)) {
    const name = st.fields.get('Package');
    const version = st.fields.get('Version');
    if (!name) throw new ParseError(`${input.path}: stanza without a Package field`, st.line);
    const status = st.fields.get('Status');
    // "install ok installed"; config-files / half-installed / not-installed leave no working package
    if (status !== undefined && status.split(/\s+/)[2] !== 'installed') continue;
    const arch = st.fields.get('Architecture');
    const source = sourceName(st.fields.get('Source'));
    const q = qualifiers({ arch, distro, upstream: source && source !== name ? source : undefined });
    // the layer that installed the package: its file list (status itself is rewritten by every apt run)
    const layer =
      (infoDir && (layerOf(input.vfs, `${infoDir}/${name}.list`) ?? layerOf(input.vfs, `${infoDir}/${name}:${arch}.list`))) || input.layer;
    const evidence: Evidence = {
      kind: 'installed',
      path: input.path,
      line: st.line,
      ...(layer ? { layer } : {}),
      detail: `dpkg ${distroless ? 'status.d' : 'status'}: ${name} ${version ?? '(no version)'}${arch ? ` (${arch})` : ''}`,
    };
    out.push({
      ecosystem: 'deb',
      name,
      ...(version ? { version } : {}),
      purl: makePurl('deb', name, version, namespace) + q,
      evidence: [evidence],
      ...(source && source !== name ? { properties: { sourcePackage: source } } : {}),
    });
  }
  return out;
}

export const dpkgExtractor: Extractor = {
  name: 'os/dpkg',
  version: 1,
  fileRequired(p: string): boolean {
    if (p.endsWith('lib/dpkg/status') && (p === 'var/lib/dpkg/status' || p.endsWith('/lib/dpkg/status'))) return true;
    const dir = dirName(p);
    return (dir === 'var/lib/dpkg/status.d' || dir.endsWith('/lib/dpkg/status.d')) && !baseName(p).endsWith('.md5sums');
  },
  async extract(input: ExtractInput): Promise<Component[]> {
    const components = await dpkgComponents(await input.readText(), input);
    // the system OpenSSL packages carry the OS FIPS posture (rule match.properties osFipsPosture)
    annotatePosture(components, await fipsPostureOf(input.vfs));
    return components;
  },
};
