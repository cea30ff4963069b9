/**
 * pnpm-lock.yaml, read with the `yaml` package. Three key syntaxes:
 * - lockfileVersion 5.x (pnpm 5–7): `/name/1.0.0`, peers after `_` (`/a/1.0.0_b@2.0.0`), importer values are refs;
 * - '6.0' (pnpm 8): `/name@1.0.0`, peers in parentheses (`/a@1.0.0(b@2.0.0)`), importer values are
 *   `{specifier, version}`;
 * - '9.0' (pnpm 9 and 10): `packages` holds `name@1.0.0` metadata without peers, `snapshots` the graph with them.
 * Importers (the project and its workspace packages) are the roots; `link:` refs point at other importers.
 * v5/v6 record scope on each entry (`dev: true|false`, `optional: true`); v9 keeps only `optional` on snapshots,
 * so dev comes from the importers' devDependencies through the graph.
 */
import type { Component } from '../model/types.js';
import {
  componentsFromJsGraph,
  insideNodeModules,
  isProjectPackageJson,
  isObject,
  joinPath,
  lineIndex,
  plainYamlDocuments,
  normalizeInside,
  readPackageJson,
  rootName,
  str,
  type JsEdge,
  type JsNode,
  type TopEntry,
} from './js-lock-common.js';
import { baseName, ParseError, type ExtractInput, type Extractor } from './types.js';

type Syntax = 5 | 6 | 9;

function syntaxOf(v: string | undefined): Syntax | undefined {
  if (v === undefined) return undefined;
  if (/^5(\.\d+)?$/.test(v)) return 5;
  if (/^6\.\d+$/.test(v)) return 6;
  if (/^9\.\d+$/.test(v)) return 9;
  return undefined;
}

/** pnpm's dependency-path.refToRelative for each syntax: the key a dependency's ref points at (undefined: a link). */
export function refToKey(ref: string, name: string, syntax: Syntax): string | undefined {
  if (ref.startsWith('link:')) return undefined;
  if (syntax === 9) {
    if (ref.startsWith('@')) return ref;
    const at = ref.indexOf('@');
    if (at === -1) return `${name}@${ref}`;
    const colon = ref.indexOf(':');
    const paren = ref.indexOf('(');
    if ((colon === -1 || at < colon) && (paren === -1 || at < paren)) return ref;
    return `${name}@${ref}`;
  }
  if (ref.startsWith('file:') || ref.startsWith('/')) return ref;
  // a version (possibly with a peer suffix) names a registry package; anything else with a '/' is a full key
  const bare = ref.replace(/(\([^)]*\))+$/, '');
  if (!bare.includes('/')) return syntax === 5 ? `/${name}/${ref}` : `/${name}@${ref}`;
  return ref;
}

/** The package key without its peer suffix: `/a/1.0.0_b@2.0.0` → `/a/1.0.0`, `a@1.0.0(b@2.0.0)` → `a@1.0.0`. */
function withoutPeers(key: string, syntax: Syntax): string {
  if (syntax === 5) {
    const u = key.indexOf('_', key.lastIndexOf('/'));
    return u === -1 ? key : key.slice(0, u);
  }
  const p = key.indexOf('(');
  return p === -1 ? key : key.slice(0, p);
}

/** Name and version from a key (entries for tarballs, git and directories name themselves with fields instead). */
export function parseKey(key: string, syntax: Syntax): { name?: string; version?: string } {
  const k = withoutPeers(key.startsWith('/') ? key.slice(1) : key, syntax);
  if (syntax === 5) {
    const segs = k.split('/');
    const n = segs[0]!.startsWith('@') ? 2 : 1;
    if (segs.length <= n) return {};
    return { name: segs.slice(0, n).join('/'), version: segs.slice(n).join('/') };
  }
  const at = k.indexOf('@', 1);
  if (at === -1) return {};
  return { name: k.slice(0, at), version: k.slice(at + 1) };
}

interface Importer {
  path: string;
  deps: { name: string; ref: string; dev: boolean; optional: boolean }[];
}

function importerDeps(imp: Record<string, unknown>, syntax: Syntax): Importer['deps'] {
  const out: Importer['deps'] = [];
  for (const [section, dev, optional] of [
    ['dependencies', false, false],
    ['optionalDependencies', false, true],
    ['devDependencies', true, false],
    // the env document (pnpm 11+): tools pnpm installs for itself, not part of what the project ships
    ['configDependencies', true, false],
    ['packageManagerDependencies', true, false],
  ] as const) {
    const deps = imp[section];
    if (!isObject(deps)) continue;
    for (const [name, v] of Object.entries(deps)) {
      const ref = syntax === 5 ? str(v) : isObject(v) ? str(v.version) : str(v);
      if (ref !== undefined) out.push({ name, ref, dev, optional });
    }
  }
  return out;
}

function entryEdges(e: Record<string, unknown>): { name: string; ref: string; optional: boolean }[] {
  const out: { name: string; ref: string; optional: boolean }[] = [];
  for (const [section, optional] of [
    ['dependencies', false],
    ['optionalDependencies', true],
  ] as const) {
    const deps = e[section];
    if (!isObject(deps)) continue;
    for (const [name, ref] of Object.entries(deps)) if (typeof ref === 'string') out.push({ name, ref, optional });
  }
  return out;
}

/** null: an empty document (no packages) */
type DocView = ((name: string) => TopEntry | undefined) | null;
type Yaml = typeof import('yaml');

/** The same view over documents the `yaml` composer built (the general path, and the one that reports errors). */
function composedDocuments(Y: Yaml, t: string, label: string, lineOf: (offset: number) => number): DocView[] {
  const { parseAllDocuments, isMap, isScalar } = Y;
  // pnpm 11+ may write two documents: an "env" lockfile (configDependencies, packageManagerDependencies) and then
  // the project's. Both hold real packages, so both are read; node ranges are offsets into the whole text.
  const parsed = parseAllDocuments(t, { schema: 'failsafe', prettyErrors: true });
  // an empty text is an EmptyStream: an array of no documents
  const docs = [...parsed];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw new ParseError(`${label} is not valid YAML: ${err.message.split('\n')[0]!.replace(/:$/, '')}`, err.linePos?.[0]?.line);
  }
  const views: DocView[] = [];
  for (const doc of docs) {
    const contents = doc.contents;
    // an empty file or document: no packages
    if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) {
      views.push(null);
      continue;
    }
    if (!isMap(contents)) throw new ParseError(`${label}: not a pnpm lockfile (the top level is not a mapping)`, contents.range ? lineOf(contents.range[0]) : 1);
    views.push((name) => {
      const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === name);
      if (!pair) return undefined;
      const v = pair.value;
      return {
        keyLine: isScalar(pair.key) && pair.key.range ? lineOf(pair.key.range[0]) : 1,
        scalar: isScalar(v) ? String(v.value) : undefined,
        isMap: isMap(v),
        data: () => (v && typeof v === 'object' && 'toJSON' in v ? (v as { toJSON(): unknown }).toJSON() : undefined),
        keyLines: () => {
          const lines = new Map<string, number>();
          if (isMap(v)) for (const p of v.items) if (isScalar(p.key) && p.key.range) lines.set(String(p.key.value), lineOf(p.key.range[0]));
          return lines;
        },
      };
    });
  }
  return views;
}

/** Which reader parsePnpmLock used last (for the tests that compare them). */
export let lastPnpmReader: 'plain' | 'composed' | undefined;

export async function parsePnpmLock(text: string, input: ExtractInput, options: { reader?: 'composed' } = {}): Promise<Component[]> {
  const label = baseName(input.path);
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const Y = await import('yaml');
  const lineOf = lineIndex(t);
  const plain = options.reader === 'composed' ? undefined : plainYamlDocuments(Y, t, lineOf)?.map((d): DocView => (d === null ? null : (name) => d.get(name)));
  lastPnpmReader = plain ? 'plain' : 'composed';
  const docs = plain ?? composedDocuments(Y, t, label, lineOf);
  const nodes = new Map<string, JsNode>();
  let devMode: 'graph' | 'flags' = 'flags';
  for (let i = 0; i < docs.length; i++) {
    const view = docs[i]!;
    if (view === null) continue;
    const syntax = await readDocument(view, i === 0 ? '' : `doc${i}:`);
    if (syntax === 9) devMode = 'graph';
  }
  return componentsFromJsGraph(nodes, { path: input.path, dev: devMode, optional: 'flags' });

  async function readDocument(view: NonNullable<DocView>, prefix: string): Promise<Syntax> {
    const versionPair = view('lockfileVersion');
    const versionLine = versionPair ? versionPair.keyLine : 1;
    const written = versionPair?.scalar;
    const syntax = syntaxOf(written);
    if (syntax === undefined) {
      throw new ParseError(`unsupported pnpm lockfileVersion ${written === undefined ? '(missing)' : JSON.stringify(written)}; cryptaudit reads 5.x, 6.x and 9.x`, versionLine);
    }
    // the two sections whose keys carry lines; the rest is read as plain data
    const sectionLines = (name: string): { data: Record<string, unknown>; lines: Map<string, number> } => {
      const entry = view(name);
      if (!entry || !entry.isMap) return { data: {}, lines: new Map() };
      return { data: entry.data() as Record<string, unknown>, lines: entry.keyLines() };
    };
    const packages = sectionLines('packages');
    const snapshots = syntax === 9 ? sectionLines('snapshots').data : packages.data;
    const top = (name: string): unknown => view(name)?.data();

    const importers: Importer[] = [];
    const importersData = top('importers');
    if (isObject(importersData)) {
      for (const [p, imp] of Object.entries(importersData)) if (isObject(imp)) importers.push({ path: p, deps: importerDeps(imp, syntax) });
    } else {
      // a single-project lockfile (v5/v6 without workspaces): the sections sit at the top level
      const single: Record<string, unknown> = {};
      for (const s of ['dependencies', 'optionalDependencies', 'devDependencies']) single[s] = top(s);
      importers.push({ path: '.', deps: importerDeps(single, syntax) });
    }

    const importerId = (p: string) => `importer:${normalizeInside(p) ?? p}`;
    for (const imp of importers) {
      const norm = normalizeInside(imp.path);
      const pkg = norm === undefined ? undefined : await readPackageJson(input, norm);
      const name = norm === '' || imp.path === '.' ? rootName(pkg, input) : (str(pkg?.name) ?? imp.path);
      if (nodes.has(importerId(imp.path))) continue;
      nodes.set(importerId(imp.path), { id: importerId(imp.path), name, detail: `${label} importers[${JSON.stringify(imp.path)}]`, local: true, edges: [] });
    }

    const v9Flags = syntax === 9;
    const usedMeta = new Set<string>();
    for (const [key, raw] of Object.entries(snapshots)) {
      const e = isObject(raw) ? raw : {};
      const metaKey = syntax === 9 ? withoutPeers(key, 9) : key;
      usedMeta.add(metaKey);
      const meta = isObject(packages.data[metaKey]) ? (packages.data[metaKey] as Record<string, unknown>) : e;
      const parsed = parseKey(key, syntax);
      const name = str(meta.name) ?? parsed.name ?? key;
      const version = str(meta.version) ?? parsed.version;
      const resolution = isObject(meta.resolution) ? meta.resolution : {};
      const local = resolution.type === 'directory';
      nodes.set(prefix + key, {
        id: prefix + key,
        name,
        version: local ? undefined : version,
        line: packages.lines.get(metaKey),
        detail: `${label} packages[${JSON.stringify(metaKey)}]`,
        local,
        edges: [],
        dev: !v9Flags && e.dev === 'true',
        optional: e.optional === 'true',
      });
    }
    // v9 may list a package in `packages` that no snapshot uses; it is still in the lockfile
    if (syntax === 9) {
      for (const key of Object.keys(packages.data)) {
        if (usedMeta.has(key)) continue;
        const meta = packages.data[key] as Record<string, unknown>;
        const parsed = parseKey(key, 9);
        nodes.set(prefix + key, { id: prefix + key, name: str(meta?.name) ?? parsed.name ?? key, version: str(meta?.version) ?? parsed.version, line: packages.lines.get(key), detail: `${label} packages[${JSON.stringify(key)}]`, local: false, edges: [] });
      }
    }

    const target = (from: string, name: string, ref: string): string | undefined => {
      if (ref.startsWith('link:')) {
        const p = normalizeInside(joinPath(from === '.' ? '' : from, ref.slice(5)));
        return p !== undefined && nodes.has(`importer:${p}`) ? `importer:${p}` : undefined;
      }
      const k = refToKey(ref, name, syntax);
      return k !== undefined && nodes.has(prefix + k) ? prefix + k : undefined;
    };
    for (const imp of importers) {
      const node = nodes.get(importerId(imp.path))!;
      for (const d of imp.deps) {
        const to = target(imp.path, d.name, d.ref);
        if (to !== undefined) node.edges.push({ to, dev: d.dev, optional: d.optional } satisfies JsEdge);
      }
    }
    for (const [key, raw] of Object.entries(snapshots)) {
      if (!isObject(raw)) continue;
      const node = nodes.get(prefix + key)!;
      for (const d of entryEdges(raw)) {
        const to = target('.', d.name, d.ref);
        if (to !== undefined) node.edges.push({ to, optional: d.optional });
      }
    }
    return syntax;
  }
}

export const pnpmLockExtractor: Extractor = {
  name: 'npm/pnpm-lock',
  version: 1,
  fileRequired(p: string): boolean {
    return baseName(p) === 'pnpm-lock.yaml' && !insideNodeModules(p);
  },
  alsoReads: isProjectPackageJson,
  async extract(input: ExtractInput): Promise<Component[]> {
    return parsePnpmLock(await input.readText(), input);
  },
};
