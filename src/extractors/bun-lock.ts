/**
 * bun.lock: Bun's text lockfile (Bun ≥ 1.2; JSONC with trailing commas), read with jsonc-parser's parseTree so
 * the data and the offset of every `packages` key come from one pass.
 *
 * `workspaces` maps each workspace folder ('' = the root) to its manifest; `packages` maps an install path
 * (`bn.js`, `asn1.js/bn.js`, `nostr-tools/@noble/curves/@noble/hashes`) to `[resolution, registry, meta,
 * integrity]` (npm) or shorter arrays for workspaces, folders, tarballs and git. A dependency is resolved the way
 * node_modules is: the nearest install path up the chain. bun.lockb, the older binary format, is not read: the
 * extractor says so and how to get a text lockfile.
 */
import { createRequire } from 'node:module';
import type { Component } from '../model/types.js';
import {
  componentsFromJsGraph,
  insideNodeModules,
  isObject,
  lineIndex,
  rootName,
  splitDescriptor,
  str,
  versionFromTarballUrl,
  type JsNode,
} from './js-lock-common.js';
import { baseName, dirName, ParseError, type ExtractInput, type Extractor } from './types.js';

const requireCjs = createRequire(import.meta.url);
let jsoncParser: typeof import('jsonc-parser') | undefined;
const jsonc = () => (jsoncParser ??= requireCjs('jsonc-parser') as typeof import('jsonc-parser'));

/** lockfileVersion 0 (Bun 1.1.39–1.2.x), 1 (1.2.x, hoisting changes) and 2 (1.3+, configVersion) share the layout. */
const SUPPORTED = [0, 1, 2];

/** `a/@s/b/c` → ['a', '@s/b', 'c'] */
export function splitInstallPath(p: string): string[] {
  const segs = p.split('/');
  const out: string[] = [];
  for (let i = 0; i < segs.length; i++) out.push(segs[i]!.startsWith('@') && i + 1 < segs.length ? `${segs[i]}/${segs[++i]}` : segs[i]!);
  return out;
}

/** git refs name the commit after '#'; bun writes `github:owner/repo#sha` and `git+https://…#sha`. */
function versionOf(name: string, spec: string): string {
  if (/^https?:\/\//.test(spec)) return versionFromTarballUrl(name, spec) ?? spec;
  if (/^(github:|git\+|git:|gitlab:|bitbucket:)/.test(spec)) {
    const h = spec.lastIndexOf('#');
    if (h !== -1) return spec.slice(h + 1);
  }
  return spec;
}

const ERROR_TEXT: Record<number, string> = {
  1: 'invalid symbol',
  2: 'invalid number format',
  3: 'property name expected',
  4: 'value expected',
  5: 'colon expected',
  6: 'comma expected',
  7: 'closing brace expected',
  8: 'closing bracket expected',
  9: 'end of file expected',
  10: 'invalid comment token',
  11: 'unexpected end of comment',
  12: 'unexpected end of string',
  13: 'unexpected end of number',
  14: 'invalid unicode',
  15: 'invalid escape character',
  16: 'invalid character',
};

export function parseBunLock(text: string, input: Pick<ExtractInput, 'path' | 'vfs'>): Component[] {
  const path = input.path;
  const label = baseName(path);
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lineOf = lineIndex(t);
  const { parseTree, getNodeValue } = jsonc();
  const errors: import('jsonc-parser').ParseError[] = [];
  const tree = parseTree(t, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !tree) {
    const e = errors[0];
    const line = e ? lineOf(e.offset) : 1;
    throw new ParseError(`${label} is not valid JSONC: ${e ? (ERROR_TEXT[e.error] ?? 'syntax error') : 'empty file'} at line ${line}`, line);
  }
  if (tree.type !== 'object') throw new ParseError(`${label}: not a bun lockfile (the top level is not an object)`, 1);
  const prop = (name: string) => tree.children?.find((p) => p.children?.[0]?.value === name);
  const versionProp = prop('lockfileVersion');
  const version: unknown = versionProp?.children?.[1] ? getNodeValue(versionProp.children[1]) : undefined;
  if (typeof version !== 'number' || !SUPPORTED.includes(version)) {
    throw new ParseError(
      `unsupported bun lockfileVersion ${version === undefined ? '(missing)' : JSON.stringify(version)}; cryptaudit reads ${SUPPORTED.join(', ')}`,
      versionProp ? lineOf(versionProp.offset) : 1,
    );
  }
  const workspacesNode = prop('workspaces')?.children?.[1];
  const workspaces: unknown = workspacesNode ? getNodeValue(workspacesNode) : {};
  const packagesNode = prop('packages')?.children?.[1];

  const nodes = new Map<string, JsNode>();
  const metaOf = new Map<string, Record<string, unknown>>();
  /** install path → node id (a workspace's install path points at the workspace node) */
  const installed = new Map<string, string>();
  const wsNameToId = new Map<string, string>();
  if (isObject(workspaces)) {
    for (const [dir, ws] of Object.entries(workspaces)) {
      if (!isObject(ws)) continue;
      const id = `workspace:${dir}`;
      const name = dir === '' ? rootName(ws, input) : (str(ws.name) ?? dir);
      nodes.set(id, { id, name, detail: `${label} workspaces[${JSON.stringify(dir)}]`, local: true, edges: [] });
      metaOf.set(id, ws);
      if (dir !== '') wsNameToId.set(name, id);
    }
  }
  for (const p of packagesNode?.children ?? []) {
    const keyNode = p.children?.[0];
    const valNode = p.children?.[1];
    if (!keyNode || !valNode || typeof keyNode.value !== 'string') continue;
    const key = keyNode.value;
    const arr: unknown = getNodeValue(valNode);
    if (!Array.isArray(arr) || typeof arr[0] !== 'string') throw new ParseError(`${label}: packages[${JSON.stringify(key)}] is not [resolution, …]`, lineOf(keyNode.offset));
    const [name, spec] = splitDescriptor(arr[0]);
    if (spec.startsWith('workspace:')) {
      const id = `workspace:${spec.slice('workspace:'.length)}`;
      if (nodes.has(id)) installed.set(key, id);
      continue;
    }
    // a folder dependency (`file:../lib`, `link:`) is the project's own code, like a workspace
    const local = /^(file:|link:)/.test(spec) && !/\.(tgz|tar\.gz|tar)$/.test(spec);
    const id = `pkg:${key}`;
    nodes.set(id, {
      id,
      name,
      version: local ? undefined : versionOf(name, spec.startsWith('npm:') ? spec.slice(4) : spec),
      line: lineOf(keyNode.offset),
      detail: `${label} packages[${JSON.stringify(key)}]`,
      local,
      edges: [],
    });
    // npm entries carry meta third, the others second
    const meta = arr.find((x, i) => i > 0 && isObject(x));
    metaOf.set(id, isObject(meta) ? meta : {});
    installed.set(key, id);
  }

  /** node_modules resolution over install paths: `a/b` asks `a/b/x`, then `a/x`, then `x`. */
  const resolve = (from: string[], dep: string): string | undefined => {
    for (let n = from.length; n >= 0; n--) {
      const id = installed.get([...from.slice(0, n), dep].join('/'));
      if (id !== undefined) return id;
    }
    return undefined;
  };
  for (const [key, id] of installed) {
    if (id.startsWith('workspace:')) continue;
    const node = nodes.get(id)!;
    addEdges(node, metaOf.get(id)!, splitInstallPath(key), false);
  }
  for (const [id, ws] of metaOf) {
    if (!id.startsWith('workspace:')) continue;
    const node = nodes.get(id)!;
    // a workspace's own nested installs live under its package name
    const from = id === 'workspace:' ? [] : [node.name];
    addEdges(node, ws, from, true);
  }

  function addEdges(node: JsNode, meta: Record<string, unknown>, from: string[], isWorkspace: boolean): void {
    const seen = new Set<string>();
    for (const [section, dev, optional] of [
      ['optionalDependencies', false, true],
      ['dependencies', false, false],
      ['devDependencies', true, false],
      ['peerDependencies', false, false],
    ] as const) {
      if (dev && !isWorkspace) continue;
      const deps = meta[section];
      if (!isObject(deps)) continue;
      for (const dep of Object.keys(deps)) {
        if (seen.has(dep)) continue;
        const to = resolve(from, dep) ?? (isWorkspace ? wsNameToId.get(dep) : undefined);
        // an optional peer that nothing installed is simply absent
        if (to === undefined || to === node.id) continue;
        seen.add(dep);
        const optionalPeer = section === 'peerDependencies' && Array.isArray(meta.optionalPeers) && meta.optionalPeers.includes(dep);
        node.edges.push({ to, dev, optional: optional || optionalPeer });
      }
    }
  }
  return componentsFromJsGraph(nodes, { path, dev: 'graph', optional: 'graph' });
}

export const bunLockExtractor: Extractor = {
  name: 'npm/bun-lock',
  version: 1,
  fileRequired(p: string): boolean {
    const b = baseName(p);
    return (b === 'bun.lock' || b === 'bun.lockb') && !insideNodeModules(p);
  },
  async extract(input: ExtractInput): Promise<Component[]> {
    if (baseName(input.path) === 'bun.lockb') {
      const dir = dirName(input.path);
      // Bun reads bun.lock when both are there, so the text one speaks for the folder
      if (await input.vfs.exists(dir ? `${dir}/bun.lock` : 'bun.lock')) return [];
      throw new ParseError(
        'bun.lockb is Bun\'s binary lockfile, which cryptaudit does not read; run `bun install --save-text-lockfile --frozen-lockfile --lockfile-only` (Bun ≥ 1.1.39) to write the text bun.lock beside it and commit that',
      );
    }
    return parseBunLock(await input.readText(), input);
  },
};
