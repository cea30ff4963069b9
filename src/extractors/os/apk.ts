import type { Component, Evidence } from '../../model/types.js';
import { makePurl } from '../../model/purl.js';
import { ParseError, type ExtractInput, type Extractor } from '../types.js';
import { annotatePosture, fipsPostureOf } from './fips-posture.js';
import { distroQualifier, layerOf, osRelease, qualifiers } from './os-release.js';

/**
 * apk's database `lib/apk/db/installed` (knowledge/binary-signatures.md §10; syft `**\/lib/apk/db/installed`):
 * `K:value` lines, a blank line between packages. P name, V version, A arch, o origin, F directory, R file.
 */

export interface ApkRecord {
  name: string;
  version?: string;
  arch?: string;
  origin?: string;
  line: number;
  /** first file the package installs (F + R), to find the layer that brought it */
  firstFile?: string;
}

export function parseApkInstalled(text: string, path: string): ApkRecord[] {
  const out: ApkRecord[] = [];
  let cur: Partial<ApkRecord> & { line?: number } = {};
  let dir = '';
  const flush = (line: number) => {
    if (cur.line === undefined) return;
    if (!cur.name) throw new ParseError(`${path}: package record without P: (name)`, cur.line);
    out.push(cur as ApkRecord);
    cur = {};
    dir = '';
    void line;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '') {
      flush(i + 1);
      continue;
    }
    if (line.length < 2 || line[1] !== ':') throw new ParseError(`${path}: expected 'K:value', got '${line.slice(0, 60)}'`, i + 1);
    const key = line[0]!;
    const value = line.slice(2);
    cur.line ??= i + 1;
    if (key === 'P') cur.name = value;
    else if (key === 'V') cur.version = value;
    else if (key === 'A') cur.arch = value;
    else if (key === 'o') cur.origin = value;
    else if (key === 'F') dir = value;
    else if (key === 'R' && cur.firstFile === undefined) cur.firstFile = dir ? `${dir}/${value}` : value;
  }
  flush(lines.length);
  return out;
}

export const apkExtractor: Extractor = {
  name: 'os/apk',
  version: 1,
  fileRequired(p: string): boolean {
    return p === 'lib/apk/db/installed' || p.endsWith('/lib/apk/db/installed');
  },
  async extract(input: ExtractInput): Promise<Component[]> {
    const records = parseApkInstalled(await input.readText(), input.path);
    const os = await osRelease(input.vfs);
    const namespace = os.id ?? 'alpine';
    const distro = distroQualifier(os);
    const components = records.map((r): Component => {
      const layer = (r.firstFile && layerOf(input.vfs, r.firstFile)) || input.layer;
      const evidence: Evidence = {
        kind: 'installed',
        path: input.path,
        line: r.line,
        ...(layer ? { layer } : {}),
        detail: `apk installed: ${r.name} ${r.version ?? '(no version)'}${r.arch ? ` (${r.arch})` : ''}`,
      };
      const q = qualifiers({ arch: r.arch, distro, upstream: r.origin && r.origin !== r.name ? r.origin : undefined });
      return {
        ecosystem: 'apk' as const,
        name: r.name,
        ...(r.version ? { version: r.version } : {}),
        purl: makePurl('apk', r.name, r.version, namespace) + q,
        evidence: [evidence],
        ...(r.origin && r.origin !== r.name ? { properties: { sourcePackage: r.origin } } : {}),
      };
    });
    annotatePosture(components, await fipsPostureOf(input.vfs));
    return components;
  },
};
