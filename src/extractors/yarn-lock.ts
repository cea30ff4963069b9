/**
 * yarn.lock: classic (v1, `# yarn lockfile v1`, yarn's own indented syntax, read by the small parser below) and
 * berry (yarn 2+, `__metadata:`, a YAML document read with the `yaml` package).
 *
 * Entries are keyed by the descriptors (`name@range`, comma-separated) that resolve to them; an entry's
 * `dependencies` name other descriptors, which is how the graph is rebuilt. Classic lockfiles do not record the
 * project's own packages: the roots come from the package.json beside the lockfile and its workspaces; without
 * it, entries no other entry depends on are taken as the root's dependencies. Berry records every workspace as
 * an entry (`name@workspace:path`), so the roots are in the file; dev scope still needs the workspaces'
 * package.json files, since berry merges devDependencies into `dependencies`.
 */
import type { Component } from '../model/types.js';
import {
  componentsFromJsGraph,
  insideNodeModules,
  isProjectPackageJson,
  isObject,
  joinPath,
  lineIndex,
  manifestEdges,
  plainYamlDocuments,
  normalizeInside,
  readPackageJson,
  rootName,
  splitDescriptor,
  str,
  workspacePatterns,
  type ComponentsOptions,
  type JsNode,
  type TopEntry,
} from './js-lock-common.js';
import { baseName, ParseError, type ExtractInput, type Extractor } from './types.js';

// ---------------------------------------------------------------------------------------------------------------
// yarn classic

/** One block of a classic lockfile. */
export interface YarnV1Entry {
  descriptors: string[];
  /** 1-based line of the block header */
  line: number;
  fields: Map<string, string>;
  /** `dependencies`, `optionalDependencies`: name → range */
  sections: Map<string, Map<string, string>>;
}

/** A token at `i`: a JSON-quoted string, or yarn's unquoted word (up to space, comma or colon). */
function readToken(s: string, i: number, lineNo: number): [string, number] {
  if (s.charCodeAt(i) === 0x22 /* " */) {
    let j = i + 1;
    for (;;) {
      j = s.indexOf('"', j);
      if (j === -1) throw new ParseError(`yarn.lock line ${lineNo}: unterminated string`, lineNo);
      let b = j - 1;
      while (s.charCodeAt(b) === 0x5c) b--;
      if ((j - 1 - b) % 2 === 0) break;
      j++;
    }
    try {
      return [JSON.parse(s.slice(i, j + 1)) as string, j + 1];
    } catch {
      throw new ParseError(`yarn.lock line ${lineNo}: bad string ${s.slice(i, j + 1)}`, lineNo);
    }
  }
  let j = i;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c === 0x20 || c === 0x09 || c === 0x2c /* , */ || c === 0x3a /* : */) break;
    j++;
  }
  if (j === i) throw new ParseError(`yarn.lock line ${lineNo}: unexpected ${JSON.stringify(s[i])}`, lineNo);
  return [s.slice(i, j), j];
}

function skipSpaces(s: string, i: number): number {
  while (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09) i++;
  return i;
}

type V1Line = { kind: 'block'; keys: string[] } | { kind: 'value'; key: string; value: string };

/** `a@1, "b@2":` (a block of keys) or `key value` / `key: value` (a property). */
function parseV1Line(s: string, lineNo: number): V1Line {
  const keys: string[] = [];
  let i = 0;
  for (;;) {
    const [tok, j] = readToken(s, i, lineNo);
    keys.push(tok);
    i = skipSpaces(s, j);
    if (s.charCodeAt(i) === 0x2c /* , */) {
      i = skipSpaces(s, i + 1);
      continue;
    }
    break;
  }
  if (s.charCodeAt(i) === 0x3a /* : */) {
    i = skipSpaces(s, i + 1);
    if (i >= s.length) return { kind: 'block', keys };
  }
  if (keys.length !== 1 || i >= s.length) throw new ParseError(`yarn.lock line ${lineNo}: expected "key value" or "key:"`, lineNo);
  let value: string;
  let end: number;
  if (s.charCodeAt(i) === 0x22) [value, end] = readToken(s, i, lineNo);
  else {
    // unquoted values run to the end of the line (integrity hashes, booleans, numbers)
    value = s.slice(i).trimEnd();
    end = s.length;
  }
  if (skipSpaces(s, end) < s.length) throw new ParseError(`yarn.lock line ${lineNo}: unexpected text after the value`, lineNo);
  return { kind: 'value', key: keys[0]!, value };
}

/** yarn classic's lockfile syntax → entries (throws ParseError with the line on anything yarn would refuse). */
export function parseYarnV1(text: string): YarnV1Entry[] {
  const entries: YarnV1Entry[] = [];
  let cur: YarnV1Entry | undefined;
  let section: Map<string, string> | undefined;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNo++;
    let raw = text.slice(start, end);
    start = end + 1;
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    let indent = 0;
    while (raw.charCodeAt(indent) === 0x20) indent++;
    const content = raw.slice(indent);
    if (content === '' || content.startsWith('#')) continue;
    if (content.startsWith('\t')) throw new ParseError(`yarn.lock line ${lineNo}: tab in indentation`, lineNo);
    if (/^(<<<<<<<|=======|>>>>>>>)/.test(content)) throw new ParseError(`yarn.lock line ${lineNo}: unresolved merge conflict`, lineNo);
    if (indent % 2 !== 0) throw new ParseError(`yarn.lock line ${lineNo}: indentation of ${indent} spaces`, lineNo);
    const level = indent / 2;
    const parsed = parseV1Line(content, lineNo);
    if (level === 0) {
      if (parsed.kind !== 'block') throw new ParseError(`yarn.lock line ${lineNo}: expected an entry header ending in ":"`, lineNo);
      cur = { descriptors: parsed.keys, line: lineNo, fields: new Map(), sections: new Map() };
      entries.push(cur);
      section = undefined;
    } else if (level === 1 && cur) {
      if (parsed.kind === 'block') {
        if (parsed.keys.length !== 1) throw new ParseError(`yarn.lock line ${lineNo}: expected one key`, lineNo);
        section = new Map();
        cur.sections.set(parsed.keys[0]!, section);
      } else {
        cur.fields.set(parsed.key, parsed.value);
        section = undefined;
      }
    } else if (level === 2 && section && parsed.kind === 'value') {
      section.set(parsed.key, parsed.value);
    } else {
      throw new ParseError(`yarn.lock line ${lineNo}: unexpected indentation`, lineNo);
    }
  }
  return entries;
}

/** A directory dependency (`file:./lib`, not a tarball): yarn copies the project's own folder. */
function isLocalFolderRange(range: string): boolean {
  return (range.startsWith('file:') || range.startsWith('link:')) && !/\.(tgz|tar\.gz|tar)$/.test(range);
}

/** The package an entry installs: an `npm:` alias names it, otherwise the descriptor does. */
function realName(descriptor: string): string {
  const [name, range] = splitDescriptor(descriptor);
  if (range.startsWith('npm:')) {
    const [aliased, ver] = splitDescriptor(range.slice(4));
    // `npm:1.2.3` (no name) is a plain range
    if (ver !== '' || !/^[\d^~<>=*]/.test(aliased)) return aliased;
  }
  return name;
}

/** Workspace folders written as plain paths; glob patterns need a directory listing the Vfs does not offer. */
async function readLiteralWorkspaces(input: ExtractInput, patterns: string[]): Promise<{ dir: string; pkg: Record<string, unknown> }[] | undefined> {
  const out: { dir: string; pkg: Record<string, unknown> }[] = [];
  for (const p of patterns) {
    if (/[*?{}[\]!]/.test(p)) return undefined;
    const dir = normalizeInside(p);
    const pkg = dir === undefined ? undefined : await readPackageJson(input, dir);
    if (!pkg || dir === undefined) return undefined;
    out.push({ dir, pkg });
  }
  return out;
}

async function extractYarnV1(text: string, input: ExtractInput): Promise<Component[]> {
  const label = baseName(input.path);
  const entries = parseYarnV1(text);
  const nodes = new Map<string, JsNode>();
  const byDescriptor = new Map<string, string>();
  const idOf = (e: YarnV1Entry) => e.descriptors[0]!;
  for (const e of entries) {
    // ids sort like package names, so ties between equally short paths break as in the other lockfiles
    const id = idOf(e);
    const first = e.descriptors[0]!;
    const local = isLocalFolderRange(splitDescriptor(first)[1]);
    nodes.set(id, {
      id,
      name: realName(first),
      version: str(e.fields.get('version')),
      line: e.line,
      detail: `${label} ${JSON.stringify(e.descriptors.join(', '))}`,
      local,
      edges: [],
    });
    for (const d of e.descriptors) byDescriptor.set(d, id);
  }
  const rootPkg = await readPackageJson(input, '');
  const workspaces = rootPkg ? await readLiteralWorkspaces(input, workspacePatterns(rootPkg)) : undefined;
  const wsByName = new Map<string, string>();
  const manifests: { id: string; pkg: Record<string, unknown> }[] = [];
  if (rootPkg) {
    nodes.set('root', { id: 'root', name: rootName(rootPkg, input), detail: 'package.json', local: true, edges: [] });
    manifests.push({ id: 'root', pkg: rootPkg });
    for (const ws of workspaces ?? []) {
      const id = `workspace:${ws.dir}`;
      const name = str(ws.pkg.name) ?? baseName(ws.dir);
      nodes.set(id, { id, name, detail: joinPath(ws.dir, 'package.json'), local: true, edges: [] });
      wsByName.set(name, id);
      manifests.push({ id, pkg: ws.pkg });
    }
  }
  const resolve = (name: string, range: string): string | undefined => byDescriptor.get(`${name}@${range}`) ?? wsByName.get(name);
  for (const e of entries) {
    const node = nodes.get(idOf(e))!;
    for (const [section, optional] of [
      ['dependencies', false],
      ['optionalDependencies', true],
    ] as const) {
      for (const [name, range] of e.sections.get(section) ?? []) {
        const to = resolve(name, range);
        if (to !== undefined) node.edges.push({ to, optional });
      }
    }
  }
  for (const { id, pkg } of manifests) {
    const node = nodes.get(id)!;
    for (const dep of manifestEdges(pkg)) {
      const to = resolve(dep.name, dep.range);
      if (to !== undefined) node.edges.push({ to, dev: dep.dev, optional: dep.optional });
    }
  }
  // workspaces we could not read (globs) or no package.json at all: entries nothing depends on hang off the root
  const allKnown = rootPkg !== undefined && (workspacePatterns(rootPkg).length === 0 || workspaces !== undefined);
  if (!allKnown) {
    const required = new Set<string>();
    for (const n of nodes.values()) for (const e of n.edges) required.add(e.to);
    let root = nodes.get('root');
    if (!root) {
      root = { id: 'root', name: rootName(undefined, input), detail: label, local: true, edges: [] };
      nodes.set('root', root);
    }
    for (const n of nodes.values()) if (!n.local && !required.has(n.id)) root.edges.push({ to: n.id });
  }
  // dev/optional only when every project package that contributes to the lockfile was read
  const scope: ComponentsOptions = allKnown ? { path: input.path, dev: 'graph', optional: 'graph' } : { path: input.path, dev: 'none', optional: 'none' };
  return componentsFromJsGraph(nodes, scope);
}

// ---------------------------------------------------------------------------------------------------------------
// yarn berry

async function loadYaml(text: string, label: string) {
  const { parseDocument, isMap, isScalar } = await import('yaml');
  // failsafe: every scalar stays the string it was written as (versions such as 1.10 are not numbers)
  const doc = parseDocument(text, { schema: 'failsafe', prettyErrors: true });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line;
    throw new ParseError(`${label} is not valid YAML: ${err.message.split('\n')[0]!.replace(/:$/, '')}`, line);
  }
  return { doc, isMap, isScalar };
}

export { loadYaml as loadLockYaml };

/** Which reader the last berry lockfile was read with (for the tests that compare them). */
export let lastBerryReader: 'plain' | 'composed' | undefined;

/**
 * The top-level entries of a berry lockfile, in order: from the yaml Parser's CST when the file is plain YAML (what
 * yarn writes; about half the cost), else from the composed document, which also reports every error.
 */
async function topEntries(text: string, label: string, lineOf: (offset: number) => number, reader?: 'composed'): Promise<Array<[string, TopEntry]>> {
  const Y = await import('yaml');
  const plain = reader === 'composed' ? undefined : plainYamlDocuments(Y, text, lineOf);
  lastBerryReader = plain && plain.length === 1 && plain[0] ? 'plain' : 'composed';
  if (plain && plain.length === 1 && plain[0]) return [...plain[0]];
  const { doc, isMap, isScalar } = await loadYaml(text, label);
  const contents = doc.contents;
  if (!isMap(contents)) throw new ParseError(`${label}: not a yarn lockfile (the top level is not a mapping)`, 1);
  const out: Array<[string, TopEntry]> = [];
  for (const pair of contents.items) {
    if (!isScalar(pair.key)) continue;
    const v = pair.value;
    out.push([
      String(pair.key.value),
      {
        keyLine: pair.key.range ? lineOf(pair.key.range[0]) : 1,
        scalar: isScalar(v) ? String(v.value) : undefined,
        isMap: isMap(v),
        data: () => (isMap(v) ? v.toJSON() : undefined),
        keyLines: () => new Map(),
      },
    ]);
  }
  return out;
}

async function extractYarnBerry(text: string, input: ExtractInput, options: { reader?: 'composed' } = {}): Promise<Component[]> {
  const label = baseName(input.path);
  const lineOf = lineIndex(text);
  const top = await topEntries(text, label, lineOf, options.reader);
  const nodes = new Map<string, JsNode>();
  const byDescriptor = new Map<string, string>();
  const entries: { id: string; data: Record<string, unknown> }[] = [];
  const workspaces: { id: string; dir: string }[] = [];
  for (const [key, entry] of top) {
    if (key === '__metadata' || !entry.isMap) continue;
    const data = entry.data() as Record<string, unknown>;
    const resolution = str(data.resolution) ?? key.split(/,\s*/)[0]!;
    const id = resolution;
    const [name, ref] = splitDescriptor(resolution);
    // workspaces, link: and portal: are soft links; a file: folder is copied (hard) but is the project's own code
    const local = data.linkType === 'soft' || isLocalFolderRange(ref.replace(/#.*$/, ''));
    const line = entry.keyLine;
    nodes.set(id, { id, name, version: local ? undefined : str(data.version), line, detail: `${label} ${JSON.stringify(key)}`, local, edges: [] });
    for (const d of key.split(/,\s*/)) {
      byDescriptor.set(d, id);
      // file:/patch: descriptors carry the workspace that asked for them (`::locator=app%40workspace%3A.`);
      // dependency lists name them without it
      const bare = d.replace(/::locator=[^,]*$/, '');
      if (bare !== d && !byDescriptor.has(bare)) byDescriptor.set(bare, id);
    }
    entries.push({ id, data });
    if (ref.startsWith('workspace:')) workspaces.push({ id, dir: ref.slice('workspace:'.length) });
  }
  const resolve = (name: string, range: string): string | undefined => byDescriptor.get(`${name}@${range}`) ?? byDescriptor.get(`${name}@npm:${range}`);
  for (const { id, data } of entries) {
    const node = nodes.get(id)!;
    const meta = isObject(data.dependenciesMeta) ? data.dependenciesMeta : {};
    for (const section of ['dependencies', 'peerDependencies']) {
      const deps = data[section];
      if (!isObject(deps)) continue;
      for (const [name, range] of Object.entries(deps)) {
        if (typeof range !== 'string') continue;
        const to = resolve(name, range);
        if (to === undefined) continue;
        const m = meta[name];
        node.edges.push({ to, optional: isObject(m) && m.optional === 'true' });
      }
    }
  }
  // berry folds devDependencies into a workspace's `dependencies`: which ones were dev is in its package.json
  let devKnown = workspaces.length > 0;
  for (const ws of workspaces) {
    const pkg = await readPackageJson(input, ws.dir);
    if (!pkg) {
      devKnown = false;
      break;
    }
    const devTargets = new Set(manifestEdges(pkg).filter((d) => d.dev).map((d) => resolve(d.name, d.range)));
    for (const e of nodes.get(ws.id)!.edges) if (devTargets.has(e.to)) e.dev = true;
  }
  if (!devKnown) for (const ws of workspaces) for (const e of nodes.get(ws.id)!.edges) delete e.dev;
  return componentsFromJsGraph(nodes, { path: input.path, dev: devKnown ? 'graph' : 'none', optional: 'graph' });
}

// ---------------------------------------------------------------------------------------------------------------

/** Berry files start with a comment block and a top-level `__metadata:` key; classic files never have one. */
export function isBerry(text: string): boolean {
  return /^__metadata:/m.test(text);
}

/** `reader: 'composed'`: read berry files with the yaml composer only (the tests compare it with the plain reading) */
export async function parseYarnLock(text: string, input: ExtractInput, options: { reader?: 'composed' } = {}): Promise<Component[]> {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return isBerry(t) ? extractYarnBerry(t, input, options) : extractYarnV1(t, input);
}

export const yarnLockExtractor: Extractor = {
  name: 'npm/yarn-lock',
  version: 1,
  fileRequired(p: string): boolean {
    return baseName(p) === 'yarn.lock' && !insideNodeModules(p);
  },
  alsoReads: isProjectPackageJson,
  async extract(input: ExtractInput): Promise<Component[]> {
    return parseYarnLock(await input.readText(), input);
  },
};
