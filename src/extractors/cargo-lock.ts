import type { Component, Evidence } from '../model/types.js';
import { makePurl } from '../model/purl.js';
import { shortestPaths, type GraphNode } from './graph.js';
import { parseToml, scanTomlLayout, stripBom } from './toml.js';
import { baseName, ParseError, type ExtractInput, type Extractor } from './types.js';
import { compareStrings } from '../util/compare.js';

/**
 * Cargo.lock, formats 1–4 (rust-lang/cargo `ResolveVersion`; rustsec cargo-lock `lockfile/version.rs`):
 * - v1: no `version` key; every dependency is written "name version (source)"; checksums live in `[metadata]`;
 *   the oldest files keep the root package in a `[root]` table instead of a `[[package]]`.
 * - v2: no `version` key; `checksum` inside each `[[package]]`; a dependency is just "name", plus " version" when
 *   the name is locked more than once, plus " (source)" when name and version are both ambiguous.
 * - v3 / v4: `version = 3|4` header, dependency strings as in v2 (they differ in how git URLs are encoded).
 * Packages without `source` are the project itself (workspace members, path crates): they are roots of the
 * graph and are not reported as components.
 */
export const SUPPORTED_VERSIONS: readonly number[] = [1, 2, 3, 4];

export const cargoLockExtractor: Extractor = {
  name: 'cargo/Cargo.lock',
  version: 1,
  fileRequired: (path) => baseName(path) === 'Cargo.lock',
  async extract(input: ExtractInput): Promise<Component[]> {
    return parseCargoLock(await input.readText(), input.path, input.layer);
  },
};

interface LockPackage {
  name: string;
  version: string;
  source?: string;
  dependencies: string[];
  /** 1-based line of `name = …` in its [[package]] block (osv-scalibr reports this line) */
  line?: number;
  /** 1-based line of the `[[package]]` header, for error messages */
  headerLine?: number;
  /** no source: workspace member or path crate */
  local: boolean;
  id: string;
}

/** Parse one Cargo.lock text into components. `path` is the lockfile path reported in evidence. */
export function parseCargoLock(rawText: string, path: string, layer?: string): Component[] {
  const text = stripBom(rawText);
  const doc = parseToml(text, 'Cargo.lock');
  const scanned = scanTomlLayout(text);
  const layout = { blocks: scanned.blocks, versionLine: scanned.topKeys.get('version'), rootLine: scanned.tables.get('root') };

  const version = doc.version;
  if (version !== undefined && !(typeof version === 'number' && SUPPORTED_VERSIONS.includes(version))) {
    const shown = typeof version === 'string' ? JSON.stringify(version) : String(version);
    throw new ParseError(`unsupported Cargo.lock version ${shown}; cryptaudit reads 1–4`, layout.versionLine);
  }

  const rawPackages = doc.package ?? [];
  if (!Array.isArray(rawPackages)) throw new ParseError('Cargo.lock `package` is not an array of [[package]] tables', layout.blocks[0]?.header);
  // Lines come from the text scan; they are used only when the scan and the parser agree on every block.
  const blocks = layout.blocks.length === rawPackages.length ? layout.blocks : undefined;

  const packages: LockPackage[] = [];
  rawPackages.forEach((raw, i) => {
    const block = blocks?.[i];
    packages.push(toPackage(raw, block?.header, block?.nameLine));
  });
  if (blocks && packages.some((p, i) => blocks[i]!.nameValue !== undefined && blocks[i]!.nameValue !== p.name)) {
    // the scan went out of step with the parser (e.g. a `[[package]]` line inside a multi-line string): no lines
    for (const p of packages) p.line = undefined;
  }
  // the oldest v1 files keep the root package in [root]
  if (doc.root !== undefined) packages.push({ ...toPackage(doc.root, layout.rootLine, undefined, '[root]'), line: undefined });

  // ids mirror cargo's PackageId ("name version (source)"), so sorted ids visit edges by name first
  const byId = new Map<string, LockPackage>();
  const byName = new Map<string, LockPackage[]>();
  for (const p of packages) {
    let id = p.source === undefined ? `${p.name} ${p.version}` : `${p.name} ${p.version} (${p.source})`;
    if (byId.has(id)) id += ` #${packages.indexOf(p)}`; // the same package twice: keep both entries
    p.id = id;
    byId.set(id, p);
    const list = byName.get(p.name);
    if (list) list.push(p);
    else byName.set(p.name, [p]);
  }

  const nodes = new Map<string, GraphNode>();
  const depNames = new Map<string, string[]>();
  for (const p of packages) {
    const deps: string[] = [];
    const names = new Set<string>();
    for (const spec of p.dependencies) {
      const parsed = parseDependency(spec);
      if (!parsed) continue;
      names.add(parsed.name);
      const target = resolve(parsed, byName);
      if (target) deps.push(target.id);
    }
    nodes.set(p.id, { id: p.id, name: p.name, deps });
    depNames.set(p.id, [...names].sort());
  }

  const locals = packages.filter((p) => p.local);
  const directIds = new Set(locals.flatMap((p) => nodes.get(p.id)!.deps));
  const pathTo = shortestPaths(nodes, rootIds(packages, locals, nodes));

  const components: Component[] = [];
  for (const p of packages) {
    if (p.local) continue;
    const evidence: Evidence = { kind: 'declared', path, detail: detail(p) };
    if (p.line !== undefined) evidence.line = p.line;
    if (layer !== undefined) evidence.layer = layer;
    const component: Component = {
      ecosystem: 'cargo',
      name: p.name,
      version: p.version,
      purl: makePurl('cargo', p.name, p.version),
      evidence: [evidence],
      direct: directIds.has(p.id),
      dependencies: depNames.get(p.id)!,
    };
    const chain = pathTo.get(p.id);
    if (chain) component.dependencyPath = chain;
    components.push(component);
  }
  return components.sort(compareComponents);
}

/**
 * Roots for dependency paths: every package without a source (workspace members and path crates are all the
 * project, so "direct" and a two-element path agree). A lockfile with no local package (hand-cut or partial)
 * falls back to the packages nothing depends on.
 */
function rootIds(packages: LockPackage[], locals: LockPackage[], nodes: Map<string, GraphNode>): string[] {
  if (locals.length > 0) return locals.map((p) => p.id);
  const depended = new Set<string>();
  for (const n of nodes.values()) for (const d of n.deps) depended.add(d);
  const tops = packages.filter((p) => !depended.has(p.id)).map((p) => p.id);
  return tops.length > 0 ? tops : packages.map((p) => p.id);
}

const CRATES_IO = 'registry+https://github.com/rust-lang/crates.io-index';

/** `Cargo.lock [[package]] ring 0.17.14`; other sources (git, other registries) are named, since they matter */
function detail(p: LockPackage): string {
  const base = `Cargo.lock [[package]] ${p.name} ${p.version}`;
  return p.source === undefined || p.source === CRATES_IO ? base : `${base} (${p.source})`;
}

function toPackage(raw: unknown, headerLine: number | undefined, nameLine: number | undefined, what = '[[package]]'): LockPackage {
  const at = headerLine !== undefined ? ` at line ${headerLine}` : '';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ParseError(`Cargo.lock ${what}${at} is not a table`, headerLine);
  const t = raw as Record<string, unknown>;
  if (typeof t.name !== 'string' || t.name === '') throw new ParseError(`Cargo.lock ${what}${at} has no name`, headerLine);
  if (typeof t.version !== 'string' || t.version === '') {
    throw new ParseError(`Cargo.lock ${what} ${t.name}${at} has no version`, headerLine);
  }
  if (t.source !== undefined && typeof t.source !== 'string') throw new ParseError(`Cargo.lock ${what} ${t.name}${at} has a source that is not a string`, headerLine);
  const deps = t.dependencies ?? [];
  if (!Array.isArray(deps) || deps.some((d) => typeof d !== 'string')) {
    throw new ParseError(`Cargo.lock ${what} ${t.name}${at} has dependencies that are not a list of strings`, headerLine);
  }
  return {
    name: t.name,
    version: t.version,
    source: t.source,
    dependencies: deps as string[],
    line: nameLine,
    headerLine,
    local: t.source === undefined,
    id: '',
  };
}

interface DependencySpec {
  name: string;
  version?: string;
  source?: string;
}

/** "name", "name version" or "name version (source)" (cargo's EncodablePackageId) */
function parseDependency(spec: string): DependencySpec | undefined {
  const m = /^(\S+)(?: (\S+))?(?: \((.+)\))?$/.exec(spec.trim());
  if (!m) return undefined;
  return { name: m[1]!, version: m[2], source: m[3] };
}

/** git sources carry the locked commit after '#' in the package entry but not in dependency strings */
function withoutFragment(source: string): string {
  const i = source.indexOf('#');
  return i === -1 ? source : source.slice(0, i);
}

/**
 * The package a dependency string names, following cargo's own lookup (resolver/encode.rs): by name, then by
 * version when given, then by source when given; without a source, a path package wins, else the only one.
 * Ambiguous or missing targets resolve to nothing (cargo ignores them too).
 */
function resolve(dep: DependencySpec, byName: Map<string, LockPackage[]>): LockPackage | undefined {
  let candidates = byName.get(dep.name);
  if (!candidates) return undefined;
  if (dep.version !== undefined) candidates = candidates.filter((c) => c.version === dep.version);
  else if (candidates.length !== 1) return undefined;
  if (candidates.length === 0) return undefined;
  if (dep.source !== undefined) {
    const want = withoutFragment(dep.source);
    const match = candidates.filter((c) => c.source !== undefined && withoutFragment(c.source) === want);
    if (match.length === 1) return match[0];
    // v4 re-encodes source URLs; when only one package has this name and version, it is the one meant
    return candidates.length === 1 ? candidates[0] : undefined;
  }
  const local = candidates.filter((c) => c.local);
  if (local.length === 1) return local[0];
  if (local.length > 1) return undefined;
  return candidates.length === 1 ? candidates[0] : undefined;
}

function compareComponents(a: Component, b: Component): number {
  return (
    compareStrings(a.name, b.name) ||
    compareStrings(a.version ?? '', b.version ?? '') ||
    (a.evidence[0]?.line ?? 0) - (b.evidence[0]?.line ?? 0) ||
    compareStrings(a.evidence[0]?.detail ?? '', b.evidence[0]?.detail ?? '')
  );
}

