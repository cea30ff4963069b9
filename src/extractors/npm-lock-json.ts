/**
 * The plain reader of package-lock.json / npm-shrinkwrap.json: lockfile text in, components out, no disk and no
 * npm libraries, so it serves virtual filesystems (image layers) as well as directories. It mirrors what
 * @npmcli/arborist's loadVirtual() makes of the same file (see npm-lock.ts), and the tests hold the two to the
 * same output on every fixture.
 *
 * Both readers first reduce a lockfile to a LockGraph (install locations and the edges between them); one
 * function turns a graph into components, so the two readers differ only in how they build the graph.
 */
import semverValid from 'semver/functions/valid.js';
import semverParse from 'semver/functions/parse.js';
import { makePurl } from '../model/purl.js';
import type { Component } from '../model/types.js';
import { shortestPaths, type GraphNode } from './graph.js';
import { ParseError } from './types.js';
import { jsonc, parseJsonWithLine, scanJsonKeys, type JsonKeyVisitor } from './json-lines.js';
import { compareComponents, comparePaths, npmComponent } from './js-lock-common.js';

/** One install location of the lockfile (v1 locations are built the way npm builds them: a/node_modules/b). */
export interface LockNode {
  /** '' for the root, `node_modules/a/node_modules/@s/b`, or a workspace folder such as `packages/signer` */
  location: string;
  /** the real package name (an alias `"x": "npm:y@1"` installs y) */
  name: string;
  version?: string;
  resolved?: string;
  dev: boolean;
  optional: boolean;
  devOptional: boolean;
  peer: boolean;
  /** the project itself: root, workspace or `file:` folder outside node_modules — a root, not a component */
  local: boolean;
  /** locations of its direct dependencies as resolved (links followed to their target) */
  deps: string[];
}

export interface LockGraph {
  lockfileVersion: number;
  nodes: Map<string, LockNode>;
  /**
   * v1 lockfiles do not record what the root depends on (npm took that from package.json). Without a
   * package.json, the top-level entries nothing else requires are taken as the root's dependencies.
   */
  rootDepsUnknown: boolean;
}

/** A lockfile checked and parsed once: its data, its version, and the line of every package entry key. */
export interface ScannedLock {
  data: Record<string, unknown>;
  lockfileVersion: number;
  /** true when the entries come from `packages` (v2/v3), false for the v1 `dependencies` tree */
  usesPackages: boolean;
  /** location → 1-based line of its key */
  lines: Map<string, number>;
}

export interface NpmLockOptions {
  /** path of the lockfile relative to the scan root (evidence path) */
  path: string;
  /** the package.json beside the lockfile, parsed, when there is one (npm reads it for the root) */
  rootPackageJson?: Record<string, unknown>;
  /** the lockfile's folder name, the root's name when neither file names it (npm does the same) */
  folderName?: string;
}

const SUPPORTED = [1, 2, 3];

export function childLocation(parent: string, name: string): string {
  return parent ? `${parent}/node_modules/${name}` : `node_modules/${name}`;
}

/** Where node's resolution looks next: the enclosing install location, or the root for top-level and local folders. */
function parentLocation(loc: string): string {
  const i = loc.lastIndexOf('/node_modules/');
  return i === -1 ? '' : loc.slice(0, i);
}

function isLocalLocation(loc: string): boolean {
  return !(loc.startsWith('node_modules/') || loc.includes('/node_modules/'));
}

/** Package name from an install folder (npm's name-from-folder: keeps an `@scope/` parent). */
function nameFromLocation(loc: string): string {
  const i = loc.lastIndexOf('/');
  if (i === -1) return loc;
  const j = loc.lastIndexOf('/', i - 1);
  return loc.charCodeAt(j + 1) === 0x40 /* @ */ ? loc.slice(j + 1) : loc.slice(i + 1);
}

const enum Frame {
  Other,
  Root,
  PackagesMap,
  DepsMap,
  DepEntry,
}

/**
 * Follows the nesting of a lockfile's objects and records the line of every package key: v2/v3
 * `packages[...]`, v1 nested `dependencies[...]` (as install locations), and `lockfileVersion`.
 */
class KeyLines implements JsonKeyVisitor {
  readonly packages = new Map<string, number>();
  readonly deps = new Map<string, number>();
  versionLine: number | undefined;
  // parallel stacks, one entry per open object/array
  private readonly kinds: Frame[] = [];
  private readonly locs: string[] = [];
  private readonly keys: string[] = [];

  beginObject(): void {
    const d = this.kinds.length;
    let kind = Frame.Other;
    let loc = '';
    if (d === 0) kind = Frame.Root;
    else {
      const parent = this.kinds[d - 1];
      const key = this.keys[d - 1];
      if (parent === Frame.Root) {
        if (key === 'packages') kind = Frame.PackagesMap;
        else if (key === 'dependencies') kind = Frame.DepsMap;
      } else if (parent === Frame.DepsMap) {
        kind = Frame.DepEntry;
        loc = childLocation(this.locs[d - 1]!, key!);
      } else if (parent === Frame.DepEntry && key === 'dependencies') {
        kind = Frame.DepsMap;
        loc = this.locs[d - 1]!;
      }
    }
    this.kinds.push(kind);
    this.locs.push(loc);
    this.keys.push('');
  }

  beginArray(): void {
    this.kinds.push(Frame.Other);
    this.locs.push('');
    this.keys.push('');
  }

  end(): void {
    this.kinds.pop();
    this.locs.pop();
    this.keys.pop();
  }

  /** whether keys of the innermost object matter (inside anything else they never do) */
  wantsKeys(): boolean {
    const k = this.kinds[this.kinds.length - 1];
    return k !== undefined && k !== Frame.Other;
  }

  property(name: string, line: number): void {
    const d = this.kinds.length - 1;
    const kind = this.kinds[d];
    if (kind === undefined || kind === Frame.Other) return;
    this.keys[d] = name;
    if (kind === Frame.PackagesMap) this.packages.set(name, line);
    else if (kind === Frame.DepsMap) this.deps.set(childLocation(this.locs[d]!, name), line);
    else if (kind === Frame.Root && name === 'lockfileVersion') this.versionLine = line;
  }
}

/** Key lines of valid JSON in one pass (scanJsonKeys), checked against jsonc-parser's visit on every fixture. */
export function keyLines(text: string): KeyLines {
  const out = new KeyLines();
  scanJsonKeys(text, out);
  return out;
}


/** The same key lines through jsonc-parser's visit (tests compare the two). */
export function keyLinesWithVisit(text: string): KeyLines {
  const out = new KeyLines();
  jsonc().visit(
    text,
    {
      onObjectBegin: () => out.beginObject(),
      onObjectEnd: () => out.end(),
      onArrayBegin: () => out.beginArray(),
      onArrayEnd: () => out.end(),
      onObjectProperty: (property, _offset, _length, startLine) => out.property(property, startLine + 1),
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return out;
}

/**
 * Validate and parse the lockfile text (JSON.parse, native and fast), then find the line of every package key in
 * one more pass. Broken JSON and unknown lockfile versions throw ParseError with a line.
 */
export function scanNpmLockText(rawText: string, label: string): ScannedLock {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const data = parseJsonWithLine(text, label);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ParseError(`${label} is not an npm lockfile: the top-level value is not an object`, 1);
  }
  const obj = data as Record<string, unknown>;
  const lines = keyLines(text);
  let version = obj.lockfileVersion;
  // npm 5 wrote lockfileVersion 1 from the start; a file with a dependency tree and no version is read as v1
  if (version === undefined && isObject(obj.dependencies)) version = 1;
  if (typeof version !== 'number' || !SUPPORTED.includes(version)) {
    const shown = version === undefined ? '(missing)' : JSON.stringify(version);
    throw new ParseError(`unsupported lockfileVersion ${shown}; cryptaudit reads 1, 2 and 3`, lines.versionLine);
  }
  // "packages" is authoritative from v2 on; "dependencies" is only the v1 fallback
  const usesPackages = version >= 2 && isObject(obj.packages);
  return { data: obj, lockfileVersion: version, usesPackages, lines: usesPackages ? lines.packages : lines.deps };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function keysOf(v: unknown): string[] {
  return isObject(v) ? Object.keys(v) : [];
}

/** Build the graph from the parsed lockfile the way Arborist's loadVirtual does, without touching the disk. */
export function graphFromLockData(scanned: ScannedLock, options: NpmLockOptions): LockGraph {
  return scanned.usesPackages ? graphFromPackages(scanned, options) : graphFromV1(scanned, options);
}

function newNode(location: string, name: string, e: Record<string, unknown>): LockNode {
  return {
    location,
    name,
    version: str(e.version),
    resolved: str(e.resolved),
    dev: e.dev === true,
    optional: e.optional === true,
    devOptional: e.devOptional === true || e.dev === true || e.optional === true,
    peer: e.peer === true,
    local: isLocalLocation(location),
    deps: [],
  };
}

/** Resolve a dependency name from a location: the location's own node_modules, then each enclosing one. */
function makeResolver(nodes: Map<string, LockNode>, links: Map<string, string>) {
  return (from: string, name: string): string | undefined => {
    for (let base = from; ; base = parentLocation(base)) {
      const cand = childLocation(base, name);
      const target = links.get(cand);
      if (target !== undefined) return nodes.has(target) ? target : undefined;
      if (nodes.has(cand)) return cand;
      if (base === '') return undefined;
    }
  };
}

function rootName(pkg: Record<string, unknown> | undefined, lockRootName: unknown, options: NpmLockOptions): string {
  // npm takes the root from package.json when it exists, else from the lockfile, and names it after the folder
  const name = pkg ? pkg.name : lockRootName;
  return str(name) ?? options.folderName ?? '(root)';
}

function graphFromPackages(scanned: ScannedLock, options: NpmLockOptions): LockGraph {
  const packages = scanned.data.packages as Record<string, unknown>;
  const nodes = new Map<string, LockNode>();
  const links = new Map<string, string>();
  const entries: [LockNode, Record<string, unknown>][] = [];
  const lockRoot = isObject(packages['']) ? packages[''] : {};
  for (const loc of Object.keys(packages)) {
    const e = packages[loc];
    if (!isObject(e)) continue;
    if (loc === '') continue;
    if (e.link === true) {
      const target = str(e.resolved);
      if (target !== undefined) links.set(loc, normalizeRelative(target));
      continue;
    }
    const node = newNode(loc, str(e.name) ?? nameFromLocation(loc), e);
    nodes.set(loc, node);
    entries.push([node, e]);
  }
  const rootPkg = options.rootPackageJson ?? lockRoot;
  const root = newNode('', rootName(options.rootPackageJson, lockRoot.name, options), {});
  nodes.set('', root);
  entries.push([root, rootPkg]);
  const resolve = makeResolver(nodes, links);
  for (const [node, e] of entries) {
    const names = new Set([...keysOf(e.dependencies), ...keysOf(e.optionalDependencies), ...keysOf(e.peerDependencies)]);
    // npm loads devDependencies only for the project's own packages (root, workspaces, file: folders)
    if (node.local) for (const n of keysOf(e.devDependencies)) names.add(n);
    for (const n of names) {
      const to = resolve(node.location, n);
      if (to !== undefined) node.deps.push(to);
    }
  }
  return { lockfileVersion: scanned.lockfileVersion, nodes, rootDepsUnknown: false };
}

/** `packages/signer`, `./x/../y` → `y`; `../lib` stays relative (outside the lockfile folder). */
function normalizeRelative(p: string): string {
  const out: string[] = [];
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

const GIT_SPEC = /^(git\+|git:\/\/|github:|gitlab:|bitbucket:|gist:)|^[^@/:\s]+\/[^/:\s]+(#|$)/;
const TARBALL = /\.(tgz|tar\.gz|tar)$/;

/** npm's version-from-tgz: `…/@s/name/-/name-1.2.3.tgz` or `name-1.2.3.tgz` → name and version. */
function versionFromTgz(name: string, url: string): { name: string; version: string } | undefined {
  const base = url.slice(url.lastIndexOf('/') + 1);
  if (!base.endsWith('.tgz')) return undefined;
  let scope: string | undefined;
  let project: string | undefined;
  if (/^https?:\//.test(url)) {
    let pathname: string;
    try {
      pathname = new URL(url).pathname;
    } catch {
      pathname = '';
    }
    const split = pathname.slice(1).split('/-/');
    if (split.length > 1 && split[split.length - 1] === base) {
      const pre = split[split.length - 2]!.split(/\/|%2f/i);
      project = pre.pop();
      scope = pre.pop();
    }
  }
  if (project === undefined) {
    const split = name.split(/\/|%2f/i);
    project = split.pop();
    scope = split.pop();
  }
  if (!project || !base.startsWith(project + '-')) return undefined;
  const parsed = semverParse(base.slice(project.length + 1, base.length - 4));
  if (!parsed) return undefined;
  return { name: scope && scope.startsWith('@') ? `${scope}/${project}` : project, version: parsed.version };
}

/**
 * A v1 entry's "version" field held a version, an alias, a tarball URL, a git URL or a file: path; this reads
 * it as Arborist's shrinkwrap migration does (name, version, resolved, link target).
 */
function v1Meta(name: string, e: Record<string, unknown>): { name: string; version?: string; resolved?: string; linkTarget?: string } {
  const v = str(e.version);
  const resolved = str(e.resolved);
  if (v === undefined) return { name, resolved };
  if (v.startsWith('npm:')) {
    const s = v.slice(4);
    const at = s.lastIndexOf('@');
    return at > 0 ? { name: s.slice(0, at), version: s.slice(at + 1), resolved } : { name, resolved };
  }
  if (semverValid(v, true)) return { name, version: v, resolved };
  if (v.startsWith('file:')) {
    const p = v.slice(5);
    if (!TARBALL.test(p)) return { name, linkTarget: normalizeRelative(p) };
    const t = versionFromTgz(name, p);
    return { name: t?.name ?? name, version: t?.version, resolved: v };
  }
  if (GIT_SPEC.test(v)) return { name, resolved: v };
  if (/^https?:\/\//.test(v)) {
    const t = versionFromTgz(name, v);
    return { name: t?.name ?? name, version: t?.version, resolved: v };
  }
  return { name, resolved };
}

function graphFromV1(scanned: ScannedLock, options: NpmLockOptions): LockGraph {
  const nodes = new Map<string, LockNode>();
  const links = new Map<string, string>();
  const requires = new Map<string, string[]>();
  const walk = (deps: unknown, parent: string): void => {
    if (!isObject(deps)) return;
    for (const key of Object.keys(deps)) {
      const e = deps[key];
      if (!isObject(e)) continue;
      const loc = childLocation(parent, key);
      const meta = v1Meta(key, e);
      let under = loc;
      if (meta.linkTarget !== undefined) {
        // a directory dependency: a link to a folder of the project; its nested entries live at the target
        links.set(loc, meta.linkTarget);
        under = meta.linkTarget;
        if (!nodes.has(under)) nodes.set(under, { ...newNode(under, key, e), local: true });
      } else {
        const node = newNode(loc, meta.name, e);
        node.version = meta.version;
        node.resolved = meta.resolved;
        nodes.set(loc, node);
      }
      const req = keysOf(e.requires);
      if (req.length > 0) requires.set(under, req);
      walk(e.dependencies, under);
    }
  };
  walk(scanned.data.dependencies, '');
  const pkg = options.rootPackageJson;
  const root = newNode('', rootName(pkg, scanned.data.name, options), {});
  nodes.set('', root);
  if (pkg) {
    const names = new Set([
      ...keysOf(pkg.dependencies),
      ...keysOf(pkg.optionalDependencies),
      ...keysOf(pkg.devDependencies),
      ...keysOf(pkg.peerDependencies),
    ]);
    requires.set('', [...names]);
  }
  const resolve = makeResolver(nodes, links);
  for (const [loc, names] of requires) {
    const node = nodes.get(loc);
    if (!node) continue;
    for (const n of names) {
      const to = resolve(loc, n);
      if (to !== undefined) node.deps.push(to);
    }
  }
  return { lockfileVersion: scanned.lockfileVersion, nodes, rootDepsUnknown: !pkg };
}

/** git dependencies without a version are named by their commit (the fragment of the resolved URL). */
function gitCommit(resolved: string): string | undefined {
  if (!GIT_SPEC.test(resolved)) return undefined;
  const h = resolved.lastIndexOf('#');
  return h === -1 ? undefined : resolved.slice(h + 1);
}

function versionAndPurl(n: LockNode): { version?: string; purl: string } {
  if (n.version) return { version: n.version, purl: makePurl('npm', n.name, n.version) };
  if (n.resolved) {
    const commit = gitCommit(n.resolved);
    if (commit) return { version: commit, purl: makePurl('npm', n.name, commit) };
    // a tarball whose file name gives no version: the URL is the version, kept as a download_url qualifier
    return { version: n.resolved, purl: `${makePurl('npm', n.name)}?download_url=${encodeURIComponent(n.resolved)}` };
  }
  return { purl: makePurl('npm', n.name) };
}

function lockDetail(label: string, loc: string, usesPackages: boolean): string {
  if (usesPackages) return `${label} packages[${JSON.stringify(loc)}]`;
  const parts = loc.split(/(?:^|\/)node_modules\//).filter((p) => p !== '');
  return `${label} ${parts.map((p) => `dependencies[${JSON.stringify(p)}]`).join('.')}`;
}


interface Acc {
  name: string;
  version: string | undefined;
  purl: string;
  /** the install location with the lowest line */
  loc: string;
  line: number | undefined;
  path: string[] | undefined;
  direct: boolean;
  dev: boolean;
  optional: boolean;
  peer: boolean;
  deps: Set<string>;
}

/**
 * Components from a graph: one per name@version (the lowest line, the shortest path, dev/optional/peer only
 * when every install of it is), the project's own packages left out but used as the roots of dependency paths.
 */
export function componentsFromGraph(graph: LockGraph, scanned: ScannedLock, options: NpmLockOptions): Component[] {
  const label = options.path.slice(options.path.lastIndexOf('/') + 1);
  const { nodes } = graph;
  const root = nodes.get('');
  if (graph.rootDepsUnknown && root) {
    const required = new Set<string>();
    for (const n of nodes.values()) for (const d of n.deps) required.add(d);
    root.deps = [...nodes.keys()].filter((loc) => loc.startsWith('node_modules/') && !loc.includes('/node_modules/', 13) && !required.has(loc));
  }
  const gnodes = new Map<string, GraphNode>();
  const rootIds: string[] = [];
  const direct = new Set<string>();
  for (const n of nodes.values()) {
    gnodes.set(n.location, { id: n.location, name: n.name, deps: n.deps });
    if (n.local) {
      rootIds.push(n.location);
      for (const d of n.deps) direct.add(d);
    }
  }
  const paths = shortestPaths(gnodes, rootIds);
  const byKey = new Map<string, Acc>();
  for (const n of nodes.values()) {
    if (n.local) continue;
    const { version, purl } = versionAndPurl(n);
    const line = scanned.lines.get(n.location);
    const path = paths.get(n.location);
    const optional = n.optional || (n.devOptional && !n.dev);
    const isDirect = direct.has(n.location);
    const key = version === undefined ? n.name : `${n.name}@${version}`;
    let acc = byKey.get(key);
    if (!acc) {
      acc = { name: n.name, version, purl, loc: n.location, line, path, direct: isDirect, dev: n.dev, optional, peer: n.peer, deps: new Set() };
      byKey.set(key, acc);
    } else {
      acc.dev &&= n.dev;
      acc.optional &&= optional;
      acc.peer &&= n.peer;
      acc.direct ||= isDirect;
      if (line !== undefined && (acc.line === undefined || line < acc.line)) {
        acc.line = line;
        acc.loc = n.location;
      }
      if (path && (!acc.path || comparePaths(path, acc.path) < 0)) acc.path = path;
    }
    for (const d of n.deps) acc.deps.add(nodes.get(d)!.name);
  }
  const out = [...byKey.values()].map((acc) =>
    npmComponent({ ...acc, lockfile: options.path, detail: lockDetail(label, acc.loc, scanned.usesPackages), dependencyPath: acc.path }),
  );
  return out.sort(compareComponents);
}

/** The plain reader: lockfile text → components (throws ParseError on broken JSON or an unknown version). */
export function parseNpmLockfile(text: string, options: NpmLockOptions): Component[] {
  const label = options.path.slice(options.path.lastIndexOf('/') + 1);
  const scanned = scanNpmLockText(text, label);
  return componentsFromGraph(graphFromLockData(scanned, options), scanned, options);
}
