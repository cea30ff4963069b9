/**
 * What the yarn, pnpm and bun lockfile readers share: a small graph model (entries and the project's own
 * packages, with typed edges), one function that turns it into components the way the npm reader does (one per
 * name@version, lowest line, shortest path, dev/optional only when every way to reach it is), and helpers to read
 * package.json files beside a lockfile without leaving the scan root.
 */
import { makePurl } from '../model/purl.js';
import type { Component, Scope } from '../model/types.js';
import { shortestPaths, type GraphNode } from './graph.js';
import { baseName, dirName, type ExtractInput } from './types.js';
import { compareStrings } from '../util/compare.js';

export interface JsEdge {
  to: string;
  /** a devDependency of the project's own package (only meaningful on edges out of local nodes) */
  dev?: boolean;
  /** an optionalDependency (or one marked optional in dependenciesMeta) */
  optional?: boolean;
}

export interface JsNode {
  id: string;
  /** the real package name (an alias installs the package it names) */
  name: string;
  /** as written in the lockfile */
  version?: string;
  /** 1-based line of the entry */
  line?: number;
  /** evidence detail, e.g. `pnpm-lock.yaml packages["/node-forge@1.3.1"]` */
  detail: string;
  /** the project itself (root, workspace, importer, linked folder): a root of paths, not a component */
  local: boolean;
  edges: JsEdge[];
  /** scope flags the lockfile records on the entry itself (pnpm v5/v6 `dev`, `optional`) */
  dev?: boolean;
  optional?: boolean;
}

export interface ComponentsOptions {
  /** lockfile path relative to the scan root */
  path: string;
  /**
   * Where dev/optional come from. 'graph': computed from the edges (dev: reachable only through a devDependency
   * of a project package; optional: reachable only through an optional edge). 'flags': the nodes' own flags.
   * 'none': the format does not say (no scope at all). `optional` may differ from `dev` (pnpm v9: dev from the
   * graph, optional from the snapshot flag).
   */
  dev: 'graph' | 'flags' | 'none';
  optional: 'graph' | 'flags' | 'none';
}

/** Nodes reachable from the local nodes, following only edges `follow` accepts. */
function reach(nodes: ReadonlyMap<string, JsNode>, follow: (from: JsNode, e: JsEdge) => boolean): Set<string> {
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const n of nodes.values()) {
    if (n.local) {
      seen.add(n.id);
      queue.push(n.id);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const from = nodes.get(queue[i]!)!;
    for (const e of from.edges) {
      if (seen.has(e.to) || !nodes.has(e.to) || !follow(from, e)) continue;
      seen.add(e.to);
      queue.push(e.to);
    }
  }
  return seen;
}

export function comparePaths(a: string[], b: string[]): number {
  if (a.length !== b.length) return a.length - b.length;
  const x = a.join('\u0000');
  const y = b.join('\u0000');
  return compareStrings(x, y);
}

interface Acc {
  name: string;
  version: string | undefined;
  line: number | undefined;
  detail: string;
  path: string[] | undefined;
  direct: boolean;
  dev: boolean;
  optional: boolean;
  deps: Set<string>;
}

/** Components from a graph: one per name@version, the project's own packages left out (they are the roots). */
export function componentsFromJsGraph(nodes: ReadonlyMap<string, JsNode>, options: ComponentsOptions): Component[] {
  const gnodes = new Map<string, GraphNode>();
  const rootIds: string[] = [];
  const direct = new Set<string>();
  for (const n of nodes.values()) {
    gnodes.set(n.id, { id: n.id, name: n.name, deps: n.edges.map((e) => e.to) });
    if (n.local) {
      rootIds.push(n.id);
      for (const e of n.edges) direct.add(e.to);
    }
  }
  const paths = shortestPaths(gnodes, rootIds);
  const all = reach(nodes, () => true);
  const nonDev = options.dev === 'graph' ? reach(nodes, (from, e) => !(from.local && e.dev)) : undefined;
  const required = options.optional === 'graph' ? reach(nodes, (_from, e) => !e.optional) : undefined;
  const byKey = new Map<string, Acc>();
  for (const n of nodes.values()) {
    if (n.local) continue;
    // unreachable entries (stale, or roots we could not see) are still components, but carry no scope guess
    const reachable = all.has(n.id);
    const dev = options.dev === 'flags' ? n.dev === true : options.dev === 'graph' ? reachable && !nonDev!.has(n.id) : false;
    const optional = options.optional === 'flags' ? n.optional === true : options.optional === 'graph' ? reachable && !required!.has(n.id) : false;
    const path = paths.get(n.id);
    const isDirect = direct.has(n.id);
    const key = n.version === undefined ? n.name : `${n.name}@${n.version}`;
    let acc = byKey.get(key);
    if (!acc) {
      acc = { name: n.name, version: n.version, line: n.line, detail: n.detail, path, direct: isDirect, dev, optional, deps: new Set() };
      byKey.set(key, acc);
    } else {
      acc.dev &&= dev;
      acc.optional &&= optional;
      acc.direct ||= isDirect;
      if (n.line !== undefined && (acc.line === undefined || n.line < acc.line)) {
        acc.line = n.line;
        acc.detail = n.detail;
      }
      if (path && (!acc.path || comparePaths(path, acc.path) < 0)) acc.path = path;
    }
    for (const e of n.edges) {
      const to = nodes.get(e.to);
      if (to) acc.deps.add(to.name);
    }
  }
  const out = [...byKey.values()].map((acc) =>
    npmComponent({ ...acc, purl: makePurl('npm', acc.name, acc.version), lockfile: options.path, dependencyPath: acc.path }),
  );
  return out.sort(compareComponents);
}

/** What every npm-ecosystem lockfile reader accumulated for one name@version, merged over its install places. */
export interface NpmComponentParts {
  name: string;
  version?: string;
  purl: string;
  lockfile: string;
  line?: number;
  detail: string;
  dev: boolean;
  optional: boolean;
  peer?: boolean;
  direct: boolean;
  dependencyPath?: string[];
  deps: Set<string>;
}

/** The component, in the same key order for every lockfile format (reports are compared byte for byte). */
export function npmComponent(p: NpmComponentParts): Component {
  const c: Component = { ecosystem: 'npm', name: p.name, purl: p.purl, evidence: [] };
  if (p.version !== undefined) c.version = p.version;
  c.evidence.push(
    p.line !== undefined ? { kind: 'declared', path: p.lockfile, line: p.line, detail: p.detail } : { kind: 'declared', path: p.lockfile, detail: p.detail },
  );
  if (p.dev || p.optional || p.peer) {
    const scope: Scope = {};
    if (p.dev) scope.dev = true;
    if (p.optional) scope.optional = true;
    if (p.peer) scope.peer = true;
    c.scope = scope;
  }
  c.direct = p.direct;
  if (p.dependencyPath) c.dependencyPath = p.dependencyPath;
  c.dependencies = [...p.deps].sort();
  return c;
}

export function compareComponents(a: Component, b: Component): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const av = a.version ?? '';
  const bv = b.version ?? '';
  if (av !== bv) return av < bv ? -1 : 1;
  return (a.evidence[0]?.line ?? 0) - (b.evidence[0]?.line ?? 0);
}

/** 1-based line of a character offset, by binary search over the line starts (built once per file). */
export function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** `name@range` → [name, range]; the name may be scoped (`@s/x@^1`), so the separator is the first '@' after 0. */
export function splitDescriptor(d: string): [string, string] {
  const at = d.indexOf('@', 1);
  return at === -1 ? [d, ''] : [d.slice(0, at), d.slice(at + 1)];
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `packages/signer`, `./a/../b` → `b`; undefined when it leaves the folder it is relative to. */
export function normalizeInside(p: string): string | undefined {
  const out: string[] = [];
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(seg);
  }
  return out.join('/');
}

/** `dir` + relative `p`, posix, '' for the root. */
export function joinPath(dir: string, p: string): string {
  return dir === '' ? p : p === '' ? dir : `${dir}/${p}`;
}

export function insideNodeModules(p: string): boolean {
  return p.startsWith('node_modules/') || p.includes('/node_modules/');
}

/** The package.json files JS lockfile extractors read beside a lockfile (root and workspaces; never node_modules). */
export function isProjectPackageJson(p: string): boolean {
  return baseName(p) === 'package.json' && !insideNodeModules(p);
}

/** A package.json in the scan root (relative to the lockfile's folder), parsed; undefined if absent or broken. */
export async function readPackageJson(input: ExtractInput, relDir: string): Promise<Record<string, unknown> | undefined> {
  const inside = normalizeInside(relDir);
  if (inside === undefined) return undefined;
  const p = joinPath(joinPath(dirName(input.path), inside), 'package.json');
  try {
    if (!(await input.vfs.exists(p))) return undefined;
    const v: unknown = JSON.parse(await input.vfs.readText(p, 16 * 1024 * 1024));
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The root's name for paths: package.json's name, else the lockfile's folder name (as npm does), else '(root)'. */
export function rootName(pkg: Record<string, unknown> | undefined, input: Pick<ExtractInput, 'path' | 'vfs'>): string {
  const named = str(pkg?.name);
  if (named) return named;
  const dir = dirName(input.path);
  if (dir) return baseName(dir);
  // the lockfile sits at the scan root: the root folder's own name, where the source is a directory
  const disk = input.vfs.diskPath?.(input.path);
  const folder = disk ? baseName(dirName(disk.replace(/\\/g, '/'))) : '';
  return folder || '(root)';
}

/** The dependency sections of a package.json, each name with the kind of edge it makes. */
export function manifestEdges(pkg: Record<string, unknown>): Array<{ name: string; range: string; dev: boolean; optional: boolean }> {
  const out = new Map<string, { name: string; range: string; dev: boolean; optional: boolean }>();
  const add = (section: unknown, dev: boolean, optional: boolean) => {
    if (!isObject(section)) return;
    for (const [name, range] of Object.entries(section)) {
      if (typeof range !== 'string') continue;
      // a name in both dependencies and devDependencies is a production dependency (npm and yarn agree)
      const prev = out.get(name);
      if (prev && !prev.dev) continue;
      out.set(name, { name, range, dev, optional });
    }
  };
  // npm: optionalDependencies override dependencies of the same name
  add(pkg.optionalDependencies, false, true);
  add(pkg.dependencies, false, false);
  add(pkg.devDependencies, true, false);
  return [...out.values()];
}

/** The workspace patterns of a package.json (`workspaces: [...]` or `workspaces: {packages: [...]}`). */
export function workspacePatterns(pkg: Record<string, unknown> | undefined): string[] {
  const w = pkg?.workspaces;
  const list = Array.isArray(w) ? w : isObject(w) && Array.isArray(w.packages) ? w.packages : [];
  return list.filter((x): x is string => typeof x === 'string');
}

/**
 * A registry tarball URL names its version (`…/tweetnacl/-/tweetnacl-1.0.3.tgz` → 1.0.3), as npm reads it;
 * undefined when the file name does not start with the package's own name.
 */
export function versionFromTarballUrl(name: string, url: string): string | undefined {
  const file = url.slice(url.lastIndexOf('/') + 1).replace(/[?#].*$/, '');
  const bare = name.slice(name.lastIndexOf('/') + 1);
  const m = /^(.*)\.tgz$/.exec(file);
  if (!m || !m[1]!.startsWith(bare + '-')) return undefined;
  const v = m[1]!.slice(bare.length + 1);
  return /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(v) ? v : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// plain YAML lockfiles (pnpm-lock.yaml, yarn berry's yarn.lock)

/** A top-level entry of one document: where its key is, its value as data, and the lines of its own keys. */
export interface TopEntry {
  keyLine: number;
  /** the value when it is a scalar (failsafe: always a string; '' when empty), else undefined */
  scalar: string | undefined;
  isMap: boolean;
  data(): unknown;
  keyLines(): Map<string, number>;
}
type Yaml = typeof import('yaml');
type CstToken = import('yaml').CST.Token;

/** Thrown inside the CST reader for anything it leaves to the full composer (aliases, tags, errors, odd keys). */
const NOT_PLAIN = Symbol('not plain');

/**
 * The common case fast: lockfiles pnpm writes are plain YAML (block and flow mappings and sequences of scalars,
 * no anchors, aliases, tags or directives), which the `yaml` package's own Parser turns into a CST at about half
 * the cost of composing documents. Values come from its CST.resolveAsScalar (the composer's own scalar reading);
 * under the failsafe schema every scalar is a string. Anything else (including every error) returns undefined
 * and the caller composes the documents, so errors and odd files are read exactly as before; the tests check
 * both readings agree on every fixture.
 */
export function plainYamlDocuments(Y: Yaml, t: string, lineOf: (offset: number) => number): Array<Map<string, TopEntry> | null> | undefined {
  const fail = (): never => {
    throw NOT_PLAIN;
  };
  // whitespace and comments the composer accepts without a word: no tabs (TAB_AS_INDENT and friends), comments after white space
  const ws = (x: { type: string; offset?: number; source?: string }): boolean => {
    if (x.type === 'newline') return true;
    if (x.type === 'space') return !x.source!.includes('\t');
    if (x.type === 'comment') return x.offset === 0 || /[ \n\r]/.test(t[x.offset! - 1]!);
    return false;
  };
  const scalar = (tok: CstToken): string => {
    if (tok.type !== 'scalar' && tok.type !== 'single-quoted-scalar' && tok.type !== 'double-quoted-scalar' && tok.type !== 'block-scalar') return fail();
    const r = Y.CST.resolveAsScalar(tok, true, fail);
    if (!r) return fail();
    if ('end' in tok && tok.end) for (const e of tok.end) if (!ws(e)) fail();
    return r.value;
  };
  // between and around items: only whitespace, comments and (in flow collections) commas
  const plainSource = (toks: readonly { type: string }[] | undefined, comma: boolean) => {
    if (toks) for (const x of toks) if (!ws(x) && !(comma && x.type === 'comma')) fail();
  };
  const sepValue = (sep: readonly { type: string }[] | undefined) => {
    let ind = 0;
    if (sep) for (const x of sep) if (x.type === 'map-value-ind') ind++;
    else if (!ws(x)) fail();
    if (ind !== 1) fail();
  };
  const setKey = (obj: Record<string, unknown>, key: string, value: unknown) => {
    // duplicate keys are an error the composer reports
    if (Object.prototype.hasOwnProperty.call(obj, key)) fail();
    if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
    else obj[key] = value;
  };
  const keyOf = (key: CstToken | null | undefined): string => {
    if (!key) return fail();
    const k = scalar(key);
    // implicit keys: one line, at most 1024 characters (the composer rejects the rest)
    if (key.type === 'block-scalar' || k.length > 1024 || t.slice(key.offset, key.offset + ('source' in key ? key.source.length : 0)).includes('\n')) fail();
    return k;
  };
  const value = (tok: CstToken | undefined): unknown => {
    if (!tok) return '';
    switch (tok.type) {
      case 'block-map': {
        const obj: Record<string, unknown> = {};
        let column = -1;
        for (const it of tok.items) {
          plainSource(it.start, false);
          const k = keyOf(it.key);
          const col = it.key!.offset - (t.lastIndexOf('\n', it.key!.offset - 1) + 1);
          if (column === -1) column = col;
          else if (col !== column) fail();
          sepValue(it.sep);
          setKey(obj, k, value(it.value));
        }
        return obj;
      }
      case 'block-seq': {
        const arr: unknown[] = [];
        for (const it of tok.items) {
          let ind = 0;
          for (const x of it.start) if (x.type === 'seq-item-ind') ind++;
          else if (!ws(x)) fail();
          if (ind !== 1 || it.key || it.sep) fail();
          arr.push(value(it.value));
        }
        return arr;
      }
      case 'flow-collection': {
        const isMap = tok.start.type === 'flow-map-start';
        const closer = isMap ? 'flow-map-end' : 'flow-seq-end';
        if (!tok.end.some((x) => x.type === closer)) fail();
        for (const x of tok.end) if (x.type !== closer && !ws(x)) fail();
        if (isMap) {
          const obj: Record<string, unknown> = {};
          for (const it of tok.items) {
            plainSource(it.start, true);
            const k = keyOf(it.key);
            sepValue(it.sep);
            setKey(obj, k, value(it.value));
          }
          return obj;
        }
        const arr: unknown[] = [];
        for (const it of tok.items) {
          plainSource(it.start, true);
          if (it.key || it.sep || !it.value) fail();
          arr.push(value(it.value));
        }
        return arr;
      }
      default:
        return scalar(tok);
    }
  };

  // one map of top-level entries per document; null for an empty document
  const views: Array<Map<string, TopEntry> | null> = [];
  try {
    for (const tok of new Y.Parser().parse(t)) {
      if (ws(tok) || tok.type === 'byte-order-mark') continue;
      if (tok.type === 'doc-end') {
        if (tok.end?.some((x) => !ws(x))) return undefined;
        continue;
      }
      if (tok.type !== 'document') return undefined;
      for (const x of tok.start) if (x.type !== 'doc-start' && !ws(x)) return undefined;
      if (tok.end?.some((x) => !ws(x))) return undefined;
      const c = tok.value;
      if (c === undefined) {
        views.push(null);
        continue;
      }
      // the top level: only a block mapping is read here (an empty or scalar document goes to the composer)
      if (c.type !== 'block-map') return undefined;
      const entries = new Map<string, TopEntry>();
      let column = -1;
      for (const it of c.items) {
        plainSource(it.start, false);
        const k = keyOf(it.key);
        const col = it.key!.offset - (t.lastIndexOf('\n', it.key!.offset - 1) + 1);
        if (column === -1) column = col;
        else if (col !== column) return undefined;
        sepValue(it.sep);
        if (entries.has(k)) return undefined;
        const v = it.value;
        const data = value(v);
        const isMap = v !== undefined && (v.type === 'block-map' || (v.type === 'flow-collection' && v.start.type === 'flow-map-start'));
        entries.set(k, {
          keyLine: lineOf(it.key!.offset),
          scalar: typeof data === 'string' ? data : undefined,
          isMap,
          data: () => data,
          keyLines: () => {
            const lines = new Map<string, number>();
            if (isMap && (v.type === 'block-map' || v.type === 'flow-collection')) for (const p of v.items) lines.set(keyOf(p.key), lineOf(p.key!.offset));
            return lines;
          },
        });
      }
      views.push(entries);
    }
  } catch (e) {
    if (e === NOT_PLAIN) return undefined;
    throw e;
  }
  return views;
}
