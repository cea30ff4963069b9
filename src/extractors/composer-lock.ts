import type { Component } from '../model/types.js';
import { makePurl } from '../model/purl.js';
import { pathsFromProject, projectName } from './graph.js';
import { parseJsonWithLine, propertyLinesFast } from './json-lines.js';
import { baseName, dirName, ParseError, type ExtractInput, type Extractor, type ParseOptions } from './types.js';
import { compareStrings } from '../util/compare.js';

/**
 * Composer's composer.lock: `packages` and `packages-dev` arrays of {name, version, require}. The lockfile does
 * not say what the project requires directly; composer.json beside it does, when it is there. Without it,
 * packages nothing else requires are taken as the direct ones.
 */
interface ComposerJson {
  require?: Record<string, string>;
  'require-dev'?: Record<string, string>;
}

interface Pkg {
  name?: unknown;
  version?: unknown;
  require?: Record<string, string>;
}

export function parseComposerLock(text: string, path: string, options: ParseOptions & { composerJson?: ComposerJson } = {}): Component[] {
  const { layer, composerJson } = options;
  const data = parseJsonWithLine(text, 'composer.lock');
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ParseError('composer.lock is not a Composer lock file: the top-level value is not an object', 1);
  const doc = data as { packages?: Pkg[]; 'packages-dev'?: Pkg[] };
  if (!Array.isArray(doc.packages) && !Array.isArray(doc['packages-dev'])) throw new ParseError('composer.lock has neither "packages" nor "packages-dev"', 1);
  const lines = propertyLinesFast(text, (parent, key) => parent.length === 2 && (parent[0] === 'packages' || parent[0] === 'packages-dev') && key === 'name', 2);

  const all: Array<{ pkg: Pkg; dev: boolean; line?: number }> = [];
  for (const section of ['packages', 'packages-dev'] as const) {
    (doc[section] ?? []).forEach((pkg, i) => {
      if (typeof pkg?.name !== 'string') throw new ParseError(`composer.lock ${section}[${i}] has no name`, lines.get([section, i, 'name'].join('\0')));
      all.push({ pkg, dev: section === 'packages-dev', line: lines.get([section, i, 'name'].join('\0')) });
    });
  }
  const byName = new Map(all.map((a) => [(a.pkg.name as string).toLowerCase(), a]));
  // platform requirements (php, ext-sodium) are not packages
  const depsOf = (p: Pkg) => Object.keys(p.require ?? {}).map((d) => d.toLowerCase()).filter((d) => byName.has(d));
  let rootDeps: string[];
  if (composerJson) {
    rootDeps = [...Object.keys(composerJson.require ?? {}), ...Object.keys(composerJson['require-dev'] ?? {})].map((d) => d.toLowerCase()).filter((d) => byName.has(d));
  } else {
    const required = new Set(all.flatMap((a) => depsOf(a.pkg)));
    rootDeps = [...byName.keys()].filter((n) => !required.has(n));
  }
  const paths = pathsFromProject(options.project ?? '(project)', rootDeps, [...byName].map(([id, a]) => ({ id, name: a.pkg.name as string, deps: depsOf(a.pkg) })));
  const direct = new Set(rootDeps);

  return all
    .map(({ pkg, dev, line }) => {
      const name = pkg.name as string;
      const version = typeof pkg.version === 'string' ? pkg.version : undefined;
      const [vendor, project_] = name.includes('/') ? [name.slice(0, name.indexOf('/')), name.slice(name.indexOf('/') + 1)] : [undefined, name];
      return {
        ecosystem: 'composer' as const,
        name,
        version,
        purl: makePurl('composer', project_, version, vendor),
        evidence: [
          {
            kind: 'declared' as const,
            path,
            ...(line !== undefined ? { line } : {}),
            ...(layer ? { layer } : {}),
            detail: `composer.lock ${dev ? 'packages-dev' : 'packages'} ${name} ${version ?? ''}`.trim(),
          },
        ],
        ...(dev ? { scope: { dev: true } } : {}),
        direct: direct.has(name.toLowerCase()),
        dependencyPath: paths.get(name.toLowerCase()),
        dependencies: depsOf(pkg).map((d) => byName.get(d)!.pkg.name as string).sort(),
      };
    })
    .sort((a, b) => compareStrings(a.name, b.name));
}

/** Composer's installed dependencies (vendor/) carry their own composer.lock/json: not the project's. */
const inVendor = (p: string) => p.split('/').includes('vendor');

export const composerLockExtractor: Extractor = {
  name: 'composer/composer.lock',
  version: 1,
  fileRequired: (p) => baseName(p) === 'composer.lock' && !inVendor(p),
  alsoReads: (p) => baseName(p) === 'composer.json' && !inVendor(p),
  async extract(input: ExtractInput): Promise<Component[]> {
    const dir = dirName(input.path);
    const manifest = dir ? `${dir}/composer.json` : 'composer.json';
    let composerJson: ComposerJson | undefined;
    if (await input.vfs.exists(manifest)) {
      try {
        composerJson = JSON.parse(await input.vfs.readText(manifest, 16 * 1024 * 1024));
      } catch {
        // a broken composer.json only costs us the direct/indirect split; the lockfile is what gets installed
        composerJson = undefined;
      }
    }
    return parseComposerLock(await input.readText(), input.path, { composerJson, layer: input.layer, project: projectName(input, '(project)') });
  },
};
