import type { Component } from '../model/types.js';
import { makePurl } from '../model/purl.js';
import { pathsFromProject, projectName, type GraphNode } from './graph.js';
import { parseJsonWithLine, propertyLinesFast } from './json-lines.js';
import { baseName, ParseError, type ExtractInput, type Extractor, type ParseOptions } from './types.js';
import { compareStrings } from '../util/compare.js';

/**
 * NuGet packages.lock.json (version 1 and 2): per target framework, every package with `type` (Direct,
 * Transitive, Project, CentralTransitive), `resolved` and its `dependencies`. A package that appears under
 * several frameworks is one component; its line is the first entry's.
 */
interface Entry {
  type?: string;
  resolved?: string;
  dependencies?: Record<string, string>;
}

const SUPPORTED = [1, 2];

export function parseNugetLock(text: string, path: string, options: ParseOptions = {}): Component[] {
  const layer = options.layer;
  const data = parseJsonWithLine(text, 'packages.lock.json');
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ParseError('packages.lock.json is not a NuGet lock file: the top-level value is not an object', 1);
  const doc = data as { version?: unknown; dependencies?: unknown };
  if (!SUPPORTED.includes(doc.version as number)) {
    throw new ParseError(`unsupported packages.lock.json version ${JSON.stringify(doc.version)}; cryptaudit reads ${SUPPORTED.join(' and ')}`, 2);
  }
  const frameworks = (doc.dependencies ?? {}) as Record<string, Record<string, Entry>>;
  const lines = propertyLinesFast(text, (parent) => parent.length === 2 && parent[0] === 'dependencies', 2);

  // package ids are case-insensitive in NuGet; the graph is keyed by lower-cased id
  const nodes = new Map<string, GraphNode & { entry: Entry; id: string; line?: number; direct: boolean; frameworks: string[] }>();
  for (const [framework, packages] of Object.entries(frameworks).sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const [id, entry] of Object.entries(packages ?? {})) {
      const key = id.toLowerCase();
      const line = lines.get(['dependencies', framework, id].join('\0'));
      const existing = nodes.get(key);
      if (existing) {
        existing.frameworks.push(framework);
        if (line !== undefined && (existing.line === undefined || line < existing.line)) existing.line = line;
        existing.direct ||= entry.type === 'Direct';
        continue;
      }
      nodes.set(key, {
        id: key,
        name: id,
        deps: Object.keys(entry.dependencies ?? {}).map((d) => d.toLowerCase()),
        entry,
        line,
        direct: entry.type === 'Direct',
        frameworks: [framework],
      });
    }
  }
  const directIds = [...nodes.values()].filter((n) => n.direct || n.entry.type === 'Project').map((n) => n.id);
  const paths = pathsFromProject(options.project ?? '(project)', directIds, nodes.values());

  const components: Component[] = [];
  for (const n of nodes.values()) {
    if (n.entry.type === 'Project') continue; // another project of the same solution, not a package
    const version = n.entry.resolved;
    components.push({
      ecosystem: 'nuget',
      name: n.name,
      version,
      purl: makePurl('nuget', n.name, version),
      evidence: [
        {
          kind: 'declared',
          path,
          ...(n.line !== undefined ? { line: n.line } : {}),
          ...(layer ? { layer } : {}),
          detail: `packages.lock.json ${n.frameworks.join(', ')} ${n.name} ${version ?? ''} (${n.entry.type ?? 'unknown type'})`.replace(/\s+\(/, ' ('),
        },
      ],
      direct: n.direct,
      dependencyPath: paths.get(n.id),
      dependencies: n.deps.map((d) => nodes.get(d)?.name ?? d).sort(),
    });
  }
  return components.sort((a, b) => compareStrings(a.name.toLowerCase(), b.name.toLowerCase()));
}

export const nugetLockExtractor: Extractor = {
  name: 'nuget/packages.lock.json',
  version: 1,
  fileRequired: (p) => baseName(p) === 'packages.lock.json',
  async extract(input: ExtractInput): Promise<Component[]> {
    return parseNugetLock(await input.readText(), input.path, { layer: input.layer, project: projectName(input, '(project)') });
  },
};
