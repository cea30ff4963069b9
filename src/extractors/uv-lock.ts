import type { Component, Scope } from '../model/types.js';
import { isTable, normalizeName, toComponents, type PyPackage, type PyRoot } from './python-common.js';
import { blockLines, parseToml, scanTomlLayout, stripBom } from './toml.js';
import { baseName, ParseError, type ExtractInput, type Extractor } from './types.js';

/**
 * uv.lock (`version = 1`, `revision` 1–3): `[[package]]` name/version/source/dependencies, plus
 * `[package.optional-dependencies]` (extras) and `[package.dev-dependencies]` (dependency groups). Entries whose
 * source is `editable` or `virtual` are the project and its workspace members: graph roots, not components (the
 * root may have no version at all when it is dynamic). A name locked more than once (per-platform forks) is told
 * apart in dependency entries by `version`/`source`. Scope comes from how the roots reach a package: through their
 * `dependencies` = main, else only through their optional-dependencies = optional, else only through
 * dev-dependencies = dev.
 */
export const uvLockExtractor: Extractor = {
  name: 'python/uv.lock',
  version: 1,
  fileRequired: (path) => baseName(path) === 'uv.lock',
  async extract(input: ExtractInput): Promise<Component[]> {
    return parseUvLock(await input.readText(), input.path, input.layer);
  },
};

interface DepRef {
  name: string;
  version?: string;
  extras: string[];
}

interface UvPackage {
  name: string;
  version?: string;
  source?: Record<string, unknown>;
  deps: DepRef[];
  optional: Map<string, DepRef[]>;
  dev: Map<string, DepRef[]>;
  line?: number;
  local: boolean;
}

function depRefs(list: unknown, where: string, header: number | undefined): DepRef[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new ParseError(`uv.lock ${where} has dependencies that are not a list`, header);
  return list.map((d) => {
    if (!isTable(d) || typeof d.name !== 'string') throw new ParseError(`uv.lock ${where} has a dependency without a name`, header);
    const extras = Array.isArray(d.extra) ? d.extra.filter((e): e is string => typeof e === 'string') : [];
    return { name: d.name, version: typeof d.version === 'string' ? d.version : undefined, extras };
  });
}

function groupTable(t: unknown, where: string, header: number | undefined): Map<string, DepRef[]> {
  const out = new Map<string, DepRef[]>();
  if (isTable(t)) for (const [group, list] of Object.entries(t)) out.set(group, depRefs(list, `${where} [${group}]`, header));
  return out;
}

export function parseUvLock(rawText: string, path: string, layer?: string): Component[] {
  const text = stripBom(rawText);
  const doc = parseToml(text, 'uv.lock');
  const layout = scanTomlLayout(text);
  const raw = doc.package ?? [];
  if (!Array.isArray(raw)) throw new ParseError('uv.lock `package` is not an array of [[package]] tables', layout.blocks[0]?.header);
  const blocks = blockLines(layout, raw.map((p) => (isTable(p) && typeof p.name === 'string' ? p.name : undefined)));

  const packages: UvPackage[] = raw.map((p, i) => {
    const header = layout.blocks.length === raw.length ? layout.blocks[i]!.header : undefined;
    const at = header !== undefined ? ` at line ${header}` : '';
    if (!isTable(p)) throw new ParseError(`uv.lock [[package]]${at} is not a table`, header);
    if (typeof p.name !== 'string' || p.name === '') throw new ParseError(`uv.lock [[package]]${at} has no name`, header);
    if (p.version !== undefined && typeof p.version !== 'string') throw new ParseError(`uv.lock [[package]] ${p.name}${at} has a version that is not a string`, header);
    const source = isTable(p.source) ? p.source : undefined;
    const where = `[[package]] ${p.name}${at}`;
    return {
      name: p.name,
      version: p.version,
      source,
      deps: depRefs(p.dependencies, where, header),
      optional: groupTable(p['optional-dependencies'], where, header),
      dev: groupTable(p['dev-dependencies'], where, header),
      line: blocks?.[i]?.nameLine,
      local: source !== undefined && ('editable' in source || 'virtual' in source),
    };
  });

  // one entry per name unless forked; then the dependency entry's version picks the entry
  const byName = new Map<string, number[]>();
  packages.forEach((p, i) => {
    const key = normalizeName(p.name);
    byName.set(key, [...(byName.get(key) ?? []), i]);
  });
  const resolveRef = (d: DepRef): number | undefined => {
    const candidates = byName.get(normalizeName(d.name));
    if (!candidates) return undefined;
    if (candidates.length === 1) return candidates[0];
    return d.version !== undefined ? candidates.find((i) => packages[i]!.version === d.version) : candidates[0];
  };
  // an edge with extras also pulls in those extras' optional dependencies of the target
  const edges = (i: number, refs: DepRef[]): number[] => {
    const out: number[] = [];
    for (const d of refs) {
      const j = resolveRef(d);
      if (j === undefined) continue;
      out.push(j);
      for (const e of d.extras) for (const o of packages[j]!.optional.get(e) ?? []) {
        const k = resolveRef(o);
        if (k !== undefined) out.push(k);
      }
    }
    return out.filter((j) => j !== i);
  };
  const ownEdges = packages.map((p, i) => edges(i, p.deps));
  const reach = (starts: number[]): Set<number> => {
    const seen = new Set<number>();
    const queue = [...starts];
    while (queue.length > 0) {
      const i = queue.pop()!;
      if (seen.has(i) || packages[i]!.local) continue;
      seen.add(i);
      queue.push(...ownEdges[i]!);
    }
    return seen;
  };
  const locals = packages.map((p, i) => ({ p, i })).filter(({ p }) => p.local);
  const flat = (m: Map<string, DepRef[]>) => [...m.values()].flat();
  const main = reach(locals.flatMap(({ p, i }) => edges(i, p.deps)));
  const optional = reach(locals.flatMap(({ p, i }) => edges(i, flat(p.optional))));
  const dev = reach(locals.flatMap(({ p, i }) => edges(i, flat(p.dev))));
  const hasRoots = locals.length > 0;

  const kept = packages.map((p, i) => ({ p, i })).filter(({ p }) => !p.local);
  const keptIndex = new Map(kept.map(({ i }, k) => [i, k]));
  const out: PyPackage[] = kept.map(({ p, i }) => {
    const scope: Scope = {};
    if (hasRoots && !main.has(i)) {
      if (optional.has(i)) scope.optional = true;
      else if (dev.has(i)) scope.dev = true;
    }
    return { name: p.name, version: p.version, line: p.line, detail: detail(p), deps: [...p.deps.map((d) => d.name)], scope };
  });
  const roots: PyRoot[] = locals.map(({ p }) => ({ name: p.name, deps: [...p.deps, ...flat(p.optional), ...flat(p.dev)].map((d) => d.name) }));
  const keptRefs = kept.map(({ p }) => p.deps);
  return toComponents(out, path, layer, roots, (from, k) => {
    const j = resolveRef(keptRefs[from]![k]!);
    return j === undefined ? undefined : keptIndex.get(j);
  });
}

/** `uv.lock [[package]] cryptography 46.0.4`; sources other than a registry are named */
function detail(p: UvPackage): string {
  const base = `uv.lock [[package]] ${p.name}${p.version !== undefined ? ` ${p.version}` : ''}`;
  if (!p.source || typeof p.source.registry === 'string') return base;
  const [kind, where] = Object.entries(p.source)[0] ?? [];
  return kind === undefined ? base : `${base} (${kind} ${String(where)})`;
}
