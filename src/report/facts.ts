/**
 * The crypto fact base the CBOM and the assessor report draw on (rules/facts/modules.yml): validated modules,
 * algorithms, default TLS key exchange per library version, controls and deadlines, and which component gets
 * which fact. Loaded on first use, schema-checked, cross-checked; a broken entry is an error with file:line.
 *
 * Reporters are synchronous and the CLI loads every reporter at start, so YAML and Ajv (~80 ms together) are
 * required lazily here through createRequire rather than imported: only --format cbom / markdown pay for them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Component } from '../model/types.js';
import type { TargetResult } from '../model/result.js';
import { comparatorFor, parseRange, satisfies } from '../engine/versions.js';
import { packageRoot } from '../util/paths.js';

export const FACTS_FILE = path.join(packageRoot, 'rules', 'facts', 'modules.yml');
const FACTS_SCHEMA = path.join(packageRoot, 'rules', 'schema', 'facts.schema.json');

export interface CmvpCertificate {
  number: number;
  variant?: 'static' | 'dynamic';
}

export interface ModuleFact {
  id: string;
  name: string;
  standard: 'FIPS 140-2' | 'FIPS 140-3';
  status: 'active' | 'historical' | 'in-process';
  statusSince?: string;
  sunset?: string;
  note?: string;
  certificates: CmvpCertificate[];
  source: string;
  url?: string;
}

export type Primitive =
  | 'drbg' | 'mac' | 'block-cipher' | 'stream-cipher' | 'signature' | 'hash' | 'pke' | 'xof' | 'kdf'
  | 'key-agree' | 'kem' | 'ae' | 'combiner' | 'other' | 'unknown';

export interface AlgorithmFact {
  id: string;
  name: string;
  primitive: Primitive;
  parameterSetIdentifier?: string;
  nistQuantumSecurityLevel?: number;
  quantumVulnerable: boolean;
  note?: string;
  source: string;
  url?: string;
}

export type PostQuantum = 'preferred' | 'offered' | 'pre-standard' | 'none';

export interface TlsDefaultsFact {
  id: string;
  title: string;
  groups: string[];
  complete: boolean;
  postQuantum: PostQuantum;
  source: string;
  url?: string;
}

export interface LibraryMatch {
  purl: string;
  versions?: string;
  versionPattern?: string;
  versionCapture?: string;
  scheme?: string;
  dependsOn?: string[];
  notDependsOn?: string[];
  parent?: { purl: string; versions?: string };
}

export interface LibraryFact {
  id: string;
  match: LibraryMatch;
  module?: string;
  moduleCondition?: string;
  tls?: string;
  provides?: string[];
  source: string;
  url?: string;
}

export interface ControlFact {
  id: string;
  framework: string;
  title: string;
  text: string;
  source: string;
  url?: string;
}

export interface DeadlineFact {
  id: string;
  date: string;
  text: string;
  source: string;
}

export interface Facts {
  asOf: string;
  modules: ModuleFact[];
  algorithms: AlgorithmFact[];
  tlsDefaults: TlsDefaultsFact[];
  libraries: LibraryFact[];
  controls: ControlFact[];
  deadlines: DeadlineFact[];
}

/** A broken facts file: which file, which line, what is wrong. */
export class FactsError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${detail}`);
  }
}

const requireCjs = createRequire(import.meta.url);

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel.split(path.sep).join('/');
}

/** Parse, schema-check and cross-check a facts document; `file` is only used in error messages. */
export function parseFacts(text: string, file: string): Facts {
  const YAML = requireCjs('yaml') as typeof import('yaml');
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const shown = displayPath(file);
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    throw new FactsError(shown, lineCounter.linePos(err.pos[0]).line, `not valid YAML: ${err.message.split('\n')[0]}`);
  }
  const lineOf = (keys: ReadonlyArray<string | number>): number | undefined => {
    for (let n = keys.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
  const pointerKeys = (pointer: string): Array<string | number> =>
    pointer
      .split('/')
      .slice(1)
      .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((k) => (/^\d+$/.test(k) ? Number(k) : k));

  const value = doc.toJS() as unknown;
  const validate = schemaValidator();
  if (!validate(value)) {
    const err = validate.errors![0]!;
    const where = err.instancePath ? err.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
    const what =
      err.keyword === 'additionalProperties'
        ? `unknown property '${String((err.params as { additionalProperty: string }).additionalProperty)}'`
        : err.keyword === 'required'
          ? `missing required property '${String((err.params as { missingProperty: string }).missingProperty)}'`
          : (err.message ?? 'is invalid');
    throw new FactsError(shown, lineOf(pointerKeys(err.instancePath)), `${where}: ${what}`);
  }
  const facts = value as Facts;
  crossCheck(facts, (keys, detail) => {
    throw new FactsError(shown, lineOf(keys), detail);
  });
  return facts;
}

type AjvValidate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string; params: unknown; message?: string }> | null };
let validator: AjvValidate | undefined;
function schemaValidator(): AjvValidate {
  if (!validator) {
    const { Ajv } = requireCjs('ajv') as typeof import('ajv');
    const ajv = new Ajv({ allErrors: false, strict: true });
    validator = ajv.compile(JSON.parse(readFileSync(FACTS_SCHEMA, 'utf8'))) as unknown as AjvValidate;
  }
  return validator;
}

/** What the schema cannot say: ids unique and resolvable, regexes and ranges valid. */
function crossCheck(facts: Facts, fail: (keys: ReadonlyArray<string | number>, detail: string) => never): void {
  const unique = (list: Array<{ id: string }>, key: string): Set<string> => {
    const seen = new Set<string>();
    list.forEach((e, i) => {
      if (seen.has(e.id)) fail([key, i, 'id'], `${key}: duplicate id '${e.id}'`);
      seen.add(e.id);
    });
    return seen;
  };
  const modules = unique(facts.modules, 'modules');
  const algorithms = unique(facts.algorithms, 'algorithms');
  const tls = unique(facts.tlsDefaults, 'tlsDefaults');
  unique(facts.libraries, 'libraries');
  unique(facts.controls, 'controls');
  unique(facts.deadlines, 'deadlines');
  facts.tlsDefaults.forEach((t, i) =>
    t.groups.forEach((g, j) => {
      if (!algorithms.has(g)) fail(['tlsDefaults', i, 'groups', j], `tlsDefaults.${t.id}: group '${g}' is not in algorithms`);
    }),
  );
  facts.libraries.forEach((l, i) => {
    if (l.module && !modules.has(l.module)) fail(['libraries', i, 'module'], `libraries.${l.id}: unknown module '${l.module}'`);
    if (l.moduleCondition && !l.module) fail(['libraries', i, 'moduleCondition'], `libraries.${l.id}: moduleCondition without module`);
    if (l.tls && !tls.has(l.tls)) fail(['libraries', i, 'tls'], `libraries.${l.id}: unknown tlsDefaults '${l.tls}'`);
    (l.provides ?? []).forEach((a, j) => {
      if (!algorithms.has(a)) fail(['libraries', i, 'provides', j], `libraries.${l.id}: unknown algorithm '${a}'`);
    });
    const m = l.match;
    for (const [key, re] of [['purl', m.purl], ['versionPattern', m.versionPattern], ['versionCapture', m.versionCapture], ['parent', m.parent?.purl]] as const) {
      if (re === undefined) continue;
      try {
        new RegExp(re, 'u');
      } catch (e) {
        fail(['libraries', i, 'match', key], `libraries.${l.id}: bad regular expression: ${(e as Error).message}`);
      }
    }
    for (const [keys, range] of [
      [['libraries', i, 'match', 'versions'], m.versions],
      [['libraries', i, 'match', 'parent', 'versions'], m.parent?.versions],
    ] as const) {
      if (range === undefined) continue;
      const scheme = m.scheme ?? schemeOfPurlPattern(m.purl);
      if (!scheme || !comparatorFor(scheme)) fail(keys, `libraries.${l.id}: no version ordering known for this purl; give match.scheme`);
      try {
        parseRange(range, scheme!);
      } catch (e) {
        fail(keys, `libraries.${l.id}: ${(e as Error).message}`);
      }
    }
  });
}

/** 'cargo' from '^pkg:cargo/…$' */
function schemeOfPurlPattern(re: string): string | undefined {
  return /^\^pkg:([a-z]+)\//.exec(re)?.[1];
}

let cached: Facts | undefined;

/** The built-in facts, loaded once. */
export function loadFacts(): Facts {
  cached ??= parseFacts(readFileSync(FACTS_FILE, 'utf8'), FACTS_FILE);
  return cached;
}

/** purl without version, qualifiers or subpath: `pkg:cargo/ring@0.17.14` → `pkg:cargo/ring`. */
export function purlBase(purl: string): string {
  const noSub = purl.split('#')[0]!.split('?')[0]!;
  const at = noSub.lastIndexOf('@');
  // an '@' inside "pkg:type/" would be an unencoded npm scope, not a version separator
  return at > noSub.indexOf('/') ? noSub.slice(0, at) : noSub;
}

/** The facts that apply to one component of a target. */
export interface ComponentFacts {
  module?: { fact: ModuleFact; condition?: string; library: LibraryFact };
  tls?: { fact: TlsDefaultsFact; library: LibraryFact };
  provides: Array<{ fact: AlgorithmFact; library: LibraryFact }>;
}

function versionInRange(version: string | undefined, range: string, scheme: string): boolean {
  if (version === undefined) return false;
  try {
    return satisfies(version, range, scheme);
  } catch {
    return false;
  }
}

function matches(l: LibraryFact, c: Component, target: TargetResult | undefined): boolean {
  const m = l.match;
  if (!new RegExp(m.purl, 'u').test(purlBase(c.purl))) return false;
  let version = c.version;
  if (m.versionCapture) version = version === undefined ? undefined : new RegExp(m.versionCapture, 'u').exec(version)?.[1];
  const scheme = m.scheme ?? c.ecosystem;
  if (m.versions !== undefined && !versionInRange(version, m.versions, scheme)) return false;
  if (m.versionPattern !== undefined && (version === undefined || !new RegExp(m.versionPattern, 'u').test(version))) return false;
  const deps = new Set(c.dependencies ?? []);
  if (m.dependsOn && !m.dependsOn.every((d) => deps.has(d))) return false;
  if (m.notDependsOn && m.notDependsOn.some((d) => deps.has(d))) return false;
  if (m.parent) {
    const p = m.parent;
    const re = new RegExp(p.purl, 'u');
    const found = (target?.components ?? []).some(
      (o) =>
        re.test(purlBase(o.purl)) &&
        (o.dependencies ?? []).includes(c.name) &&
        (p.versions === undefined || versionInRange(o.version, p.versions, m.scheme ?? o.ecosystem)),
    );
    if (!found) return false;
  }
  return true;
}

/** For each kind of fact the first matching library entry wins (the file orders them so none overlap). */
export function factsFor(c: Component, target: TargetResult | undefined, facts: Facts = loadFacts()): ComponentFacts {
  const out: ComponentFacts = { provides: [] };
  for (const l of facts.libraries) {
    if (!matches(l, c, target)) continue;
    if (l.module && !out.module) {
      out.module = { fact: facts.modules.find((x) => x.id === l.module)!, condition: l.moduleCondition, library: l };
    }
    if (l.tls && !out.tls) out.tls = { fact: facts.tlsDefaults.find((x) => x.id === l.tls)!, library: l };
    if (l.provides && out.provides.length === 0) {
      out.provides = l.provides.map((id) => ({ fact: facts.algorithms.find((x) => x.id === id)!, library: l }));
    }
  }
  return out;
}

export function algorithmById(id: string, facts: Facts = loadFacts()): AlgorithmFact | undefined {
  return facts.algorithms.find((a) => a.id === id);
}

/** '#4816 (static)' */
export function certificateLabel(c: CmvpCertificate): string {
  return `#${c.number}${c.variant ? ` (${c.variant})` : ''}`;
}
