import type { Component, Evidence } from '../model/types.js';
import { makePurl } from '../model/purl.js';
import { baseName, ParseError, type ExtractInput, type Extractor } from './types.js';
import { compareStrings } from '../util/compare.js';

/**
 * Gradle dependency locking (gradle.lockfile, buildscript-gradle.lockfile; Gradle 6+ single-file format, as
 * osv-scalibr's gradlelockfile reads it): `group:artifact:version=conf1,conf2` per resolved module, `#`
 * comments, and `empty=conf…` for configurations that resolve nothing. The file records no edges and no
 * direct/transitive split. Scope: a module locked only in test configurations (testCompileClasspath,
 * testRuntimeClasspath, …) is dev; the configurations are in properties.gradleConfigurations.
 */
export const gradleLockfileExtractor: Extractor = {
  name: 'java/gradle.lockfile',
  version: 1,
  fileRequired: (path) => {
    const b = baseName(path);
    return b === 'gradle.lockfile' || b === 'buildscript-gradle.lockfile';
  },
  async extract(input: ExtractInput): Promise<Component[]> {
    return parseGradleLockfile(await input.readText(), input.path, input.layer);
  },
};

export function parseGradleLockfile(rawText: string, path: string, layer?: string): Component[] {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const file = baseName(path);
  const components: Component[] = [];
  text.split('\n').forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq === -1) {
      throw new ParseError(`${file} line ${lineNo}: expected group:artifact:version=configurations, found ${JSON.stringify(line.slice(0, 120))}`, lineNo);
    }
    const coordinate = line.slice(0, eq).trim();
    if (coordinate === 'empty') return;
    const parts = coordinate.split(':');
    if (parts.length !== 3 || parts.some((p) => p === '')) {
      throw new ParseError(`${file} line ${lineNo}: '${coordinate}' is not group:artifact:version`, lineNo);
    }
    const [group, artifact, version] = parts as [string, string, string];
    const configurations = line
      .slice(eq + 1)
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const evidence: Evidence = { kind: 'declared', path, line: lineNo, detail: `${file} ${coordinate}=${configurations.join(',')}` };
    if (layer !== undefined) evidence.layer = layer;
    const c: Component = {
      ecosystem: 'maven',
      name: `${group}:${artifact}`,
      version,
      purl: makePurl('maven', artifact, version, group),
      evidence: [evidence],
      properties: { gradleConfigurations: configurations.join(',') },
    };
    if (configurations.length > 0 && configurations.every(isTestConfiguration)) c.scope = { dev: true };
    components.push(c);
  });
  return components.sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.version ?? '', b.version ?? '') || (a.evidence[0]!.line ?? 0) - (b.evidence[0]!.line ?? 0));
}

/** test*Classpath configurations (testCompileClasspath, testRuntimeClasspath, …) build and run tests only */
function isTestConfiguration(conf: string): boolean {
  return /^test.*Classpath$/.test(conf);
}

