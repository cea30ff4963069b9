import type { Component, Evidence, Scope } from '../model/types.js';
import { makePurl } from '../model/purl.js';
import { shortestPaths, type GraphNode } from './graph.js';
import { compareStrings } from '../util/compare.js';
import { baseName } from './types.js';

/** What the Python lockfile extractors share: PEP 503 names, PEP 508 requirement names, graph → components. */

/**
 * RFC 822-style headers of a core metadata file (a wheel's or an installed package's METADATA, and the WHEEL file
 * beside it): up to the blank line before the description; keys lower-cased, the first of a repeated key kept, each
 * with its 1-based line.
 */
export function parseCoreMetadata(s: string): Map<string, { value: string; line: number }> {
  const out = new Map<string, { value: string; line: number }>();
  const lines = s.split(/\r\n|\r|\n/);
  for (let n = 0; n < lines.length && lines[n] !== ''; n++) {
    const line = lines[n]!;
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith(' ')) {
      const k = line.slice(0, i).trim().toLowerCase();
      if (!out.has(k)) out.set(k, { value: line.slice(i + 1).trim(), line: n + 1 });
    }
  }
  return out;
}

/** PEP 503 normalised name: lowercase, runs of `-`, `_`, `.` folded to one `-` (`PyNaCl` → `pynacl`). */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** A PEP 508 project name at the start of a requirement string (`cffi>=1.12; …` → `cffi`, `pyjwt[crypto]` → `pyjwt`). */
export function requirementName(req: string): string | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(req);
  return m?.[1];
}

/** One locked package as the extractors hand it over. */
export interface PyPackage {
  name: string;
  version?: string;
  line?: number;
  /** e.g. `poetry.lock [[package]] cryptography 43.0.1` */
  detail: string;
  /** names of direct dependencies as written (normalised for lookup here) */
  deps: string[];
  scope?: Scope;
  properties?: Record<string, string>;
  /** evidence path when not the lockfile itself (a requirements file named by `-r`) */
  path?: string;
  /** set when the format says who the project's own direct dependencies are */
  direct?: boolean;
}

export interface PyRoot {
  /** shown as the first element of dependency paths */
  name: string;
  deps: string[];
}

/**
 * Components with direct/dependencyPath/dependencies from the locked graph. Edges go by normalised name (the
 * formats resolve one version per name, or say which one in `resolve`). Roots: the project's own entries where the
 * format or its pyproject.toml names them; else the packages nothing depends on (then `direct` is only set for
 * those, since a package others depend on may still be a direct requirement the lockfile does not record).
 */
export function toComponents(
  packages: readonly PyPackage[],
  path: string,
  layer: string | undefined,
  roots: readonly PyRoot[] | undefined,
  /** index of the package the k-th dependency of package `from` names */
  resolve: (from: number, k: number) => number | undefined = defaultResolver(packages),
): Component[] {
  const nodes = new Map<string, GraphNode>();
  const ids = packages.map((_, i) => `p${String(i).padStart(6, '0')}`);
  packages.forEach((p, i) => {
    const deps: string[] = [];
    for (let k = 0; k < p.deps.length; k++) {
      const j = resolve(i, k);
      if (j !== undefined && j !== i) deps.push(ids[j]!);
    }
    nodes.set(ids[i]!, { id: ids[i]!, name: p.name, deps });
  });
  let rootIds: string[];
  let directIds: Set<string> | undefined;
  if (roots && roots.length > 0) {
    const byName = nameIndex(packages);
    rootIds = roots.map((r, k) => {
      const id = `r${String(k).padStart(6, '0')}`;
      const deps = r.deps.map((d) => byName.get(normalizeName(d))).filter((j): j is number => j !== undefined).map((j) => ids[j]!);
      nodes.set(id, { id, name: r.name, deps });
      return id;
    });
    directIds = new Set(rootIds.flatMap((id) => nodes.get(id)!.deps));
  } else {
    const depended = new Set<string>();
    for (const n of nodes.values()) for (const d of n.deps) depended.add(d);
    rootIds = ids.filter((id) => !depended.has(id));
    if (rootIds.length === 0) rootIds = [...ids];
  }
  const pathTo = shortestPaths(nodes, rootIds);
  const topLevel = new Set(rootIds);

  const components: Component[] = packages.map((p, i) => {
    const evidence: Evidence = { kind: 'declared', path: p.path ?? path, detail: p.detail };
    if (p.line !== undefined) evidence.line = p.line;
    if (layer !== undefined) evidence.layer = layer;
    const c: Component = { ecosystem: 'pypi', name: p.name, purl: makePurl('pypi', p.name, p.version), evidence: [evidence] };
    if (p.version !== undefined) c.version = p.version;
    if (p.scope && Object.keys(p.scope).length > 0) c.scope = p.scope;
    const direct = p.direct ?? (directIds ? directIds.has(ids[i]!) : topLevel.has(ids[i]!) ? true : undefined);
    if (direct !== undefined) c.direct = direct;
    const chain = pathTo.get(ids[i]!);
    if (chain) c.dependencyPath = chain;
    c.dependencies = [...new Set(p.deps.map(normalizeName))].sort();
    if (p.properties && Object.keys(p.properties).length > 0) c.properties = p.properties;
    return c;
  });
  return components.sort(compareComponents);
}

export function nameIndex(packages: readonly PyPackage[]): Map<string, number> {
  const byName = new Map<string, number>();
  packages.forEach((p, i) => {
    const key = normalizeName(p.name);
    if (!byName.has(key)) byName.set(key, i);
  });
  return byName;
}

/** By normalised name; a name locked more than once (per-platform forks) resolves to its first entry. */
export function defaultResolver(packages: readonly PyPackage[]): (from: number, k: number) => number | undefined {
  const byName = nameIndex(packages);
  return (from, k) => byName.get(normalizeName(packages[from]!.deps[k]!));
}

export function compareComponents(a: Component, b: Component): number {
  return (
    compareStrings(a.name, b.name) ||
    compareStrings(a.version ?? '', b.version ?? '') ||
    (a.evidence[0]?.line ?? 0) - (b.evidence[0]?.line ?? 0) ||
    compareStrings(a.evidence[0]?.path ?? '', b.evidence[0]?.path ?? '')
  );
}


/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

export const isTable = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** pyproject.toml, which the Poetry and PDM lockfile readers read beside their lockfile (Extractor.alsoReads). */
export const isPyproject = (path: string): boolean => baseName(path) === 'pyproject.toml';

/** The project's own requirements as its pyproject.toml declares them (names only). */
export interface PyProject {
  name: string;
  main: string[];
  optional: string[];
  dev: string[];
}

/**
 * pyproject.toml beside a lockfile, read as data (PEP 621 `[project]`, PEP 735 `[dependency-groups]`, Poetry's
 * `[tool.poetry…]`, PDM's `[tool.pdm.dev-dependencies]`): who the project's direct dependencies are, which the
 * poetry.lock and pdm.lock formats do not record. Absent or unreadable: undefined (the lockfile alone is used).
 */
export async function readPyproject(vfs: { exists(p: string): Promise<boolean>; readText(p: string, max?: number): Promise<string> }, dir: string, parse: (text: string) => Record<string, unknown>): Promise<PyProject | undefined> {
  const file = dir ? `${dir}/pyproject.toml` : 'pyproject.toml';
  let doc: Record<string, unknown>;
  try {
    if (!(await vfs.exists(file))) return undefined;
    doc = parse(await vfs.readText(file, 4 * 1024 * 1024));
  } catch {
    return undefined;
  }
  const project = isTable(doc.project) ? doc.project : {};
  const tool = isTable(doc.tool) ? doc.tool : {};
  const poetry = isTable(tool.poetry) ? tool.poetry : {};
  const pdm = isTable(tool.pdm) ? tool.pdm : {};
  const reqNames = (list: unknown): string[] =>
    Array.isArray(list) ? list.flatMap((r) => (typeof r === 'string' ? (requirementName(r) ?? []) : [])) : [];
  const tableKeys = (t: unknown): string[] => (isTable(t) ? Object.keys(t).filter((k) => k.toLowerCase() !== 'python') : []);
  const listsOf = (t: unknown): string[] => (isTable(t) ? Object.values(t).flatMap(reqNames) : []);

  const main = [...reqNames(project.dependencies), ...tableKeys(poetry.dependencies)];
  const optional = listsOf(project['optional-dependencies']);
  const dev = [...listsOf(doc['dependency-groups']), ...tableKeys(poetry['dev-dependencies']), ...listsOf(pdm['dev-dependencies'])];
  if (isTable(poetry.group)) {
    for (const [group, g] of Object.entries(poetry.group)) {
      if (!isTable(g)) continue;
      (group === 'main' ? main : dev).push(...tableKeys(g.dependencies));
    }
  }
  const name = typeof project.name === 'string' ? project.name : typeof poetry.name === 'string' ? poetry.name : 'pyproject.toml';
  if (main.length + optional.length + dev.length === 0) return undefined;
  return { name, main, optional, dev };
}
