/**
 * npm lockfiles: package-lock.json and npm-shrinkwrap.json, lockfileVersion 1, 2 and 3.
 *
 * On disk the tree comes from npm's own loader, @npmcli/arborist `loadVirtual()` (reads the lockfile and the
 * project's package.json files; never node_modules, never the network). Elsewhere (image layers) and when forced,
 * the plain reader in npm-lock-json.ts parses the text. Both give the same components; line numbers always come
 * from one pass over the text (npm-lock-json.ts keyLines).
 */
import path from 'node:path';
import type { Component } from '../model/types.js';
import {
  componentsFromGraph,
  graphFromLockData,
  scanNpmLockText,
  type LockGraph,
  type LockNode,
  type NpmLockOptions,
  type ScannedLock,
} from './npm-lock-json.js';
import { baseName, dirName, ParseError, type ExtractInput, type Extractor } from './types.js';
import { insideNodeModules, isProjectPackageJson } from './js-lock-common.js';

export { parseNpmLockfile, scanNpmLockText, type NpmLockOptions } from './npm-lock-json.js';

export type NpmLockReader = 'auto' | 'plain' | 'arborist';

export interface NpmLockExtractorOptions {
  /**
   * 'auto' (default): Arborist where the file is on disk, else the plain reader. 'plain': always the plain
   * reader (virtual filesystems, tests). 'arborist': Arborist, an error where the file is not on disk.
   */
  reader?: NpmLockReader;
}

const LOCKFILES = new Set(['package-lock.json', 'npm-shrinkwrap.json']);

function sibling(p: string, name: string): string {
  const dir = dirName(p);
  return dir ? `${dir}/${name}` : name;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** package.json beside the lockfile, when there is one that parses (npm ignores a broken one here too). */
async function readRootPackageJson(input: ExtractInput): Promise<Record<string, unknown> | undefined> {
  const p = sibling(input.path, 'package.json');
  if (!(await input.vfs.exists(p))) return undefined;
  try {
    const v: unknown = JSON.parse(await input.vfs.readText(p, 16 * 1024 * 1024));
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

// The slice of Arborist's Node that we read (the published typings lag behind Arborist 9).
interface ArbNode {
  location: string;
  packageName: string | null;
  name: string;
  version: string;
  resolved: string | null;
  dev: boolean;
  optional: boolean;
  devOptional: boolean;
  peer: boolean;
  isLink: boolean;
  target: ArbNode;
  edgesOut: Map<string, { to: ArbNode | null }>;
}

/**
 * Load the lockfile in `dir` with Arborist and reduce it to a LockGraph. Only loadVirtual: never
 * buildIdealTree/reify, and no registry is contacted (loadVirtual does not fetch; `offline` makes sure).
 * `subtreeOnly` refuses lockfile entries that point outside the folder, so nothing outside it is read.
 */
export async function graphFromArborist(dir: string, lockfileVersion: number, rootDepsUnknown: boolean): Promise<LockGraph> {
  const { default: Arborist } = await import('@npmcli/arborist');
  const arb = new Arborist({ path: dir, offline: true, subtreeOnly: true } as ConstructorParameters<typeof Arborist>[0]);
  const tree = (await arb.loadVirtual()) as unknown as ArbNode & { inventory: Map<string, ArbNode> };
  const nodes = new Map<string, LockNode>();
  const targetOf = (n: ArbNode): ArbNode => (n.isLink ? n.target : n);
  for (const node of tree.inventory.values()) {
    if (node.isLink) continue;
    const loc = node.location;
    const deps: string[] = [];
    for (const edge of node.edgesOut.values()) {
      if (edge.to) deps.push(targetOf(edge.to).location);
    }
    nodes.set(loc, {
      location: loc,
      name: node.packageName ?? node.name,
      version: node.version || undefined,
      resolved: node.resolved ?? undefined,
      dev: node.dev,
      optional: node.optional,
      devOptional: node.devOptional,
      peer: node.peer,
      local: !(loc.startsWith('node_modules/') || loc.includes('/node_modules/')),
      deps,
    });
  }
  return { lockfileVersion, nodes, rootDepsUnknown };
}

/** Extract with Arborist from a lockfile on disk (the text is still scanned for validation and lines). */
export async function readNpmLockWithArborist(diskFile: string, scanned: ScannedLock, options: NpmLockOptions): Promise<Component[]> {
  const rootDepsUnknown = !scanned.usesPackages && !options.rootPackageJson;
  let graph: LockGraph;
  try {
    graph = await graphFromArborist(path.dirname(diskFile), scanned.lockfileVersion, rootDepsUnknown);
  } catch (err) {
    const code = (err as { code?: string }).code;
    // an entry linking outside the lockfile's folder: read the text instead of following it out
    if (code === 'EINVALIDLOCATION') return componentsFromGraph(graphFromLockData(scanned, options), scanned, options);
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ParseError(`${baseName(options.path)}: npm could not load it: ${msg}`);
  }
  return componentsFromGraph(graph, scanned, options);
}

export function createNpmLockExtractor(options: NpmLockExtractorOptions = {}): Extractor {
  const reader = options.reader ?? 'auto';
  return {
    name: 'npm/package-lock',
    version: 1,
    fileRequired(p: string): boolean {
      return LOCKFILES.has(baseName(p)) && !insideNodeModules(p);
    },
    alsoReads: isProjectPackageJson,
    async extract(input: ExtractInput): Promise<Component[]> {
      const label = baseName(input.path);
      // npm uses npm-shrinkwrap.json and ignores package-lock.json when both are there
      if (label === 'package-lock.json' && (await input.vfs.exists(sibling(input.path, 'npm-shrinkwrap.json')))) return [];
      const scanned = scanNpmLockText(await input.readText(), label);
      const diskFile = reader === 'plain' ? undefined : input.vfs.diskPath?.(input.path);
      const dir = dirName(input.path);
      const folderName = dir ? baseName(dir) : diskFile ? path.basename(path.dirname(diskFile)) : undefined;
      const opts: NpmLockOptions = { path: input.path, rootPackageJson: await readRootPackageJson(input), folderName };
      if (diskFile) return readNpmLockWithArborist(diskFile, scanned, opts);
      if (reader === 'arborist') throw new Error(`${input.path} is not on disk; Arborist needs a real directory`);
      return componentsFromGraph(graphFromLockData(scanned, opts), scanned, opts);
    },
  };
}

/** The extractor for the scan: Arborist on disk, the plain reader elsewhere. */
export const npmLockExtractor: Extractor = createNpmLockExtractor();

/** Always the plain reader (virtual filesystems; tests compare it with the Arborist path). */
export const npmLockPlainExtractor: Extractor = createNpmLockExtractor({ reader: 'plain' });
