import type { Component } from '../model/types.js';
import { makePurl } from '../model/purl.js';
import { pathsFromProject, projectName } from './graph.js';
import { baseName, ParseError, type ExtractInput, type Extractor, type ParseOptions } from './types.js';
import { compareStrings } from '../util/compare.js';

/**
 * Bundler's Gemfile.lock / gems.locked. Sections GEM, GIT, PATH, PLUGIN SOURCE hold `specs:` with gems at
 * four spaces (`    name (version[-platform])`) and their dependencies at six; DEPENDENCIES lists what the
 * Gemfile asks for (the roots of dependency paths). The regex is osv-scalibr's (knowledge §C.1).
 */
const SPEC = /^(.*?)(?: \(([^-]*)(?:-(.*))?\))?(!)?$/;
const SOURCE_SECTIONS = new Set(['GEM', 'GIT', 'PATH', 'PLUGIN SOURCE']);
const KNOWN_SECTIONS = new Set([...SOURCE_SECTIONS, 'PLATFORMS', 'DEPENDENCIES', 'RUBY VERSION', 'BUNDLED WITH', 'CHECKSUMS']);

interface Spec {
  name: string;
  version: string;
  platforms: string[];
  line: number;
  deps: string[];
  source: string;
}

export function parseGemfileLock(rawText: string, path: string, options: ParseOptions = {}): Component[] {
  const layer = options.layer;
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const specs = new Map<string, Spec>();
  const roots: string[] = [];
  let section = '';
  let inSpecs = false;
  let current: Spec | undefined;
  let sourceLabel = '';
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    if (raw.trim() === '') continue;
    if (!raw.startsWith(' ')) {
      section = raw.trim();
      if (!KNOWN_SECTIONS.has(section)) throw new ParseError(`Gemfile.lock has an unknown section '${section}' at line ${lineNo}`, lineNo);
      inSpecs = false;
      current = undefined;
      sourceLabel = section;
      continue;
    }
    const indent = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (SOURCE_SECTIONS.has(section)) {
      if (indent === 2) {
        inSpecs = body === 'specs:';
        if (body.startsWith('remote: ')) sourceLabel = `${section} ${body.slice(8)}`;
        continue;
      }
      if (!inSpecs) continue;
      const m = SPEC.exec(body);
      if (!m) throw new ParseError(`Gemfile.lock line ${lineNo} is not a gem spec: ${body}`, lineNo);
      if (indent === 4) {
        const [, name, version] = m;
        if (!name || version === undefined) throw new ParseError(`Gemfile.lock line ${lineNo}: a gem spec needs a version: ${body}`, lineNo);
        const existing = specs.get(name);
        if (existing) {
          // the same gem for several platforms (nokogiri-x86_64-linux, -arm64-darwin) is one component
          if (m[3]) existing.platforms.push(m[3]);
          current = existing;
          continue;
        }
        current = { name, version, platforms: m[3] ? [m[3]] : [], line: lineNo, deps: [], source: sourceLabel };
        specs.set(name, current);
      } else if (indent === 6 && current) {
        current.deps.push(m[1]!);
      }
    } else if (section === 'DEPENDENCIES' && indent === 2) {
      const m = SPEC.exec(body);
      if (m?.[1]) roots.push(m[1]);
    }
  }
  const paths = pathsFromProject(options.project ?? '(Gemfile)', roots, [...specs.values()].map((s) => ({ id: s.name, name: s.name, deps: s.deps })));
  const direct = new Set(roots);
  return [...specs.values()]
    .sort((a, b) => compareStrings(a.name, b.name))
    .map((s) => ({
      ecosystem: 'gem' as const,
      name: s.name,
      version: s.version,
      purl: makePurl('gem', s.name, s.version),
      evidence: [
        {
          kind: 'declared' as const,
          path,
          line: s.line,
          ...(layer ? { layer } : {}),
          detail: `${baseName(path)} ${s.source} ${s.name} (${s.version}${s.platforms.length ? `; ${s.platforms.sort().join(', ')}` : ''})`,
        },
      ],
      direct: direct.has(s.name),
      dependencyPath: paths.get(s.name),
      dependencies: [...new Set(s.deps)].sort(),
    }));
}

export const gemfileLockExtractor: Extractor = {
  name: 'gem/Gemfile.lock',
  version: 1,
  fileRequired: (p) => {
    const b = baseName(p);
    return b === 'Gemfile.lock' || b === 'gems.locked';
  },
  async extract(input: ExtractInput): Promise<Component[]> {
    return parseGemfileLock(await input.readText(), input.path, { layer: input.layer, project: projectName(input, '(Gemfile)') });
  },
};
