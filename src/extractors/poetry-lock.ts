import type { Component, Scope } from '../model/types.js';
import { isPyproject, isTable, readPyproject, toComponents, type PyPackage } from './python-common.js';
import { blockLines, parseToml, scanTomlLayout, stripBom } from './toml.js';
import { baseName, dirName, ParseError, type ExtractInput, type Extractor } from './types.js';

/**
 * poetry.lock (Poetry 1.x `lock-version` 1.x with `category`, Poetry 2.x `lock-version` 2.x with `groups`):
 * `[[package]]` name/version/optional/groups|category/source, `[package.dependencies]` name → constraint.
 * The project itself is not in the file; its direct dependencies come from pyproject.toml beside it when there
 * is one. Scope: Poetry's implicit `main` group is what the project needs at run time (python-poetry docs,
 * "Managing dependencies"), so a package in no `main` group (or `category = "dev"`) is dev; `optional = true`
 * means only an extra pulls it in.
 */
export const poetryLockExtractor: Extractor = {
  name: 'python/poetry.lock',
  version: 1,
  fileRequired: (path) => baseName(path) === 'poetry.lock',
  alsoReads: isPyproject,
  async extract(input: ExtractInput): Promise<Component[]> {
    const text = stripBom(await input.readText());
    const pyproject = await readPyproject(input.vfs, dirName(input.path), (t) => parseToml(t, 'pyproject.toml'));
    return parsePoetryLock(text, input.path, input.layer, pyproject && { name: pyproject.name, deps: [...pyproject.main, ...pyproject.optional, ...pyproject.dev] });
  },
};

export function parsePoetryLock(rawText: string, path: string, layer?: string, root?: { name: string; deps: string[] }): Component[] {
  const text = stripBom(rawText);
  const doc = parseToml(text, 'poetry.lock');
  const raw = doc.package ?? [];
  const layout = scanTomlLayout(text);
  if (!Array.isArray(raw)) throw new ParseError('poetry.lock `package` is not an array of [[package]] tables', layout.blocks[0]?.header);
  const blocks = blockLines(layout, raw.map((p) => (isTable(p) && typeof p.name === 'string' ? p.name : undefined)));

  const packages: PyPackage[] = raw.map((p, i) => {
    const header = layout.blocks.length === raw.length ? layout.blocks[i]!.header : undefined;
    const at = header !== undefined ? ` at line ${header}` : '';
    if (!isTable(p)) throw new ParseError(`poetry.lock [[package]]${at} is not a table`, header);
    if (typeof p.name !== 'string' || p.name === '') throw new ParseError(`poetry.lock [[package]]${at} has no name`, header);
    if (typeof p.version !== 'string' || p.version === '') throw new ParseError(`poetry.lock [[package]] ${p.name}${at} has no version`, header);
    const deps = isTable(p.dependencies) ? Object.keys(p.dependencies) : [];
    const scope: Scope = {};
    const groups = Array.isArray(p.groups) ? p.groups.filter((g): g is string => typeof g === 'string') : undefined;
    if (p.category === 'dev' || (groups && groups.length > 0 && !groups.includes('main'))) scope.dev = true;
    if (p.optional === true) scope.optional = true;
    const source = isTable(p.source) && typeof p.source.type === 'string' ? p.source : undefined;
    const properties: Record<string, string> = {};
    if (groups && groups.length > 0) properties.groups = groups.join(',');
    let detail = `poetry.lock [[package]] ${p.name} ${p.version}`;
    // packages from git, a path or a URL are not the PyPI release of that name and version
    if (source && source.type !== 'legacy') detail += ` (${source.type} ${String(source.url ?? '')})`.replace(/ \)$/, ')');
    return { name: p.name, version: p.version, line: blocks?.[i]?.nameLine, detail, deps, scope, properties };
  });
  return toComponents(packages, path, layer, root ? [root] : undefined);
}
