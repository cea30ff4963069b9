import { createHash } from 'node:crypto';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Profile, Rule, RuleSet } from './types.js';
import { parseRange, RangeSyntaxError } from './versions.js';
import { packageRoot, toPosix } from '../util/paths.js';
import type { LocatedYaml } from '../util/yaml-errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export const builtinRulesDir = path.join(packageRoot, 'rules');

/**
 * The built-in rules, validated at build time (scripts/compile-rules.mjs). Parsing and schema-checking 50 YAML
 * files costs ~200 ms at every start; the compiled copy is used only while its stamp (a hash of every rule and
 * profile file) still matches the files, so an edited rule is always read from its YAML.
 */
export const compiledRulesFile = path.join(packageRoot, 'dist', 'rules.compiled.json');

/** A broken rule or profile file stops the run: the file, the line and what is wrong. */
export class RuleLoadError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${detail}`);
  }
}

const MESSAGE_FIELDS = new Set(['name', 'version', 'purl', 'ecosystem', 'path']);

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return toPosix(rel.startsWith('..') ? file : rel);
}

// YAML and Ajv are loaded only when rule files are really read (not from the compiled copy)
async function readYaml(file: string, text: string): Promise<LocatedYaml> {
  const { parseLocatedYaml, YamlSyntaxError } = await import('../util/yaml-errors.js');
  try {
    return parseLocatedYaml(text);
  } catch (err) {
    if (err instanceof YamlSyntaxError) throw new RuleLoadError(displayPath(file), err.line, `not valid YAML: ${err.message}`);
    throw err;
  }
}

async function check(schemaPath: string, y: LocatedYaml, file: string): Promise<void> {
  const { describeSchemaError, ourSchema } = await import('../util/schema.js');
  const validate = ourSchema(schemaPath);
  if (!validate(y.value)) {
    const err = validate.errors![0]!;
    throw new RuleLoadError(displayPath(file), y.lineOf(err.instancePath), describeSchemaError(err));
  }
}

function checkRuleSemantics(rule: Rule, y: LocatedYaml, file: string): void {
  const fail = (pointer: string, detail: string): never => {
    throw new RuleLoadError(displayPath(file), y.lineOf(pointer), detail);
  };
  const m = rule.match;
  if (m.namePattern) {
    try {
      new RegExp(m.namePattern);
    } catch (e) {
      fail('/match/namePattern', `namePattern is not a valid regular expression: ${(e as Error).message}`);
    }
  }
  const rangeCheck = (pointer: string, range: string, scheme: string) => {
    try {
      parseRange(range, scheme);
    } catch (e) {
      if (e instanceof RangeSyntaxError) fail(pointer, e.message);
      throw e;
    }
  };
  if (m.versions) rangeCheck('/match/versions', m.versions, m.ecosystem);
  for (const [name, re] of Object.entries(m.capture ?? {})) {
    let groups = 0;
    try {
      // an alternation with the empty string always matches, and the result's length counts the groups
      groups = new RegExp(`(?:${re})|`).exec('')!.length - 1;
    } catch (e) {
      fail(`/match/capture/${name}`, `capture '${name}' is not a valid regular expression: ${(e as Error).message}`);
    }
    if (groups < 1) fail(`/match/capture/${name}`, `capture '${name}' needs a group: its first group is the value`);
  }
  for (const field of ['properties', 'notProperties'] as const) {
    for (const [key, re] of Object.entries(m[field] ?? {})) {
      try {
        new RegExp(re);
      } catch (e) {
        fail(`/match/${field}/${key}`, `${field}.${key} is not a valid regular expression: ${(e as Error).message}`);
      }
    }
  }
  // lookup: every row gives the same names (so a message never shows a bare placeholder), ranges parse, a row
  // without versions (any version) only last, and no name shadows a capture or property
  const lookupNames = new Set(Object.keys(m.lookup?.[0]?.values ?? {}));
  (m.lookup ?? []).forEach((row, i) => {
    if (row.versions !== undefined) rangeCheck(`/match/lookup/${i}/versions`, row.versions, m.ecosystem);
    else if (i !== m.lookup!.length - 1) fail(`/match/lookup/${i}`, `lookup row ${i + 1} has no versions (any version), so the rows after it can never apply; put it last`);
    const names = Object.keys(row.values);
    if (names.length !== lookupNames.size || names.some((n) => !lookupNames.has(n))) {
      fail(`/match/lookup/${i}/values`, `lookup row ${i + 1} gives ${names.join(', ')}; every row must give the same values (${[...lookupNames].join(', ')})`);
    }
  });
  for (const n of lookupNames) {
    if (m.capture?.[n] || m.properties?.[n]) fail('/match/lookup', `lookup value '${n}' has the same name as a capture or property`);
  }
  for (const [name, cv] of Object.entries(m.captureVersions ?? {})) {
    if (!m.capture?.[name] && !m.properties?.[name] && !lookupNames.has(name)) fail(`/match/captureVersions/${name}`, `captureVersions.${name} has no capture, property or lookup value of that name`);
    rangeCheck(`/match/captureVersions/${name}/range`, cv.range, cv.scheme);
  }
  for (const placeholder of rule.message.matchAll(/\{([^{}]+)\}/g)) {
    const field = placeholder[1]!;
    if (!MESSAGE_FIELDS.has(field) && !m.capture?.[field] && !m.properties?.[field] && !lookupNames.has(field)) {
      fail('/message', `message uses {${field}}, which is neither a component field (${[...MESSAGE_FIELDS].join(', ')}) nor a capture, property or lookup value`);
    }
  }
}

/** One directory's rules and profiles, validated. Paths are relative to the directory, so it can be cached. */
interface RuleDirContents {
  stamp: string;
  rules: Array<{ rule: Omit<Rule, 'file'>; file: string; idLine: number | undefined }>;
  profiles: Array<{ profile: Omit<Profile, 'file'>; file: string; ruleLines: Record<string, number | undefined> }>;
}

interface RuleDirFiles {
  rules: string[];
  profiles: string[];
  texts: Map<string, string>;
  stamp: string;
}

async function listRuleDir(dir: string): Promise<RuleDirFiles> {
  // one recursive readdir (fast-glob's set-up alone costs several ms, and this runs at every start)
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map(toPosix)
    .filter((rel) => /\.ya?ml$/.test(rel) && !rel.split('/').some((seg) => seg.startsWith('.') || seg === 'node_modules'))
    .sort();
  const rules = files.filter((rel) => !/\.test\.ya?ml$/.test(rel) && !/^(profiles|schema|facts)\//.test(rel));
  const profiles = files.filter((rel) => /^profiles\/[^/]+$/.test(rel));
  const texts = new Map<string, string>();
  const hash = createHash('sha256');
  for (const rel of [...rules, ...profiles]) {
    // ~100 small files at start-up: synchronous reads cost ~1 ms, sequential awaits ~25 ms
    const text = readFileSync(path.join(dir, rel), 'utf8');
    texts.set(rel, text);
    hash.update(`${rel}\0${text}\0`);
  }
  return { rules, profiles, texts, stamp: hash.digest('hex') };
}

async function readRuleDir(dir: string, files: RuleDirFiles): Promise<RuleDirContents> {
  const contents: RuleDirContents = { stamp: files.stamp, rules: [], profiles: [] };
  for (const rel of files.rules) {
    const file = path.join(dir, rel);
    const y = await readYaml(file, files.texts.get(rel)!);
    await check('rules/schema/rule.schema.json', y, file);
    const rule = y.value as Omit<Rule, 'file'>;
    checkRuleSemantics({ ...rule, file: rel }, y, file);
    contents.rules.push({ rule, file: rel, idLine: y.lineOf('/id') });
  }
  for (const rel of files.profiles) {
    const file = path.join(dir, rel);
    const y = await readYaml(file, files.texts.get(rel)!);
    await check('rules/schema/profile.schema.json', y, file);
    const profile = y.value as Omit<Profile, 'file'>;
    contents.profiles.push({ profile, file: rel, ruleLines: Object.fromEntries(Object.keys(profile.rules).map((id) => [id, y.lineOf(`/rules/${id}`)])) });
  }
  return contents;
}

async function ruleDirContents(dir: string): Promise<RuleDirContents> {
  const files = await listRuleDir(dir);
  if (path.resolve(dir) === builtinRulesDir) {
    const compiled = await fs
      .readFile(compiledRulesFile, 'utf8')
      .then((t) => JSON.parse(t) as RuleDirContents)
      .catch(() => undefined);
    if (compiled?.stamp === files.stamp) return compiled;
  }
  return readRuleDir(dir, files);
}

/** Validate the built-in rules and write the compiled copy (build step). */
export async function compileBuiltinRules(): Promise<RuleDirContents> {
  const contents = await readRuleDir(builtinRulesDir, await listRuleDir(builtinRulesDir));
  await fs.mkdir(path.dirname(compiledRulesFile), { recursive: true });
  await writeFileAtomic(compiledRulesFile, JSON.stringify(contents) + '\n');
  return contents;
}

/**
 * Load every rule (rules/**.yml but *.test.yml and profiles/) and every profile (profiles/*.yml) under the
 * given directories. Profiles of the same id in several directories merge, later directories winning, so a
 * project's rule directory can switch its own rules on in the built-in policies.
 */
export async function loadRuleSet(dirs: readonly string[] = [builtinRulesDir]): Promise<RuleSet> {
  const rules = new Map<string, Rule>();
  const profiles = new Map<string, Profile>();
  const profileRefs: Array<{ id: string; file: string; line: number | undefined }> = [];
  for (const dir of dirs) {
    const contents = await ruleDirContents(dir);
    for (const { rule, file, idLine } of contents.rules) {
      const shown = displayPath(path.join(dir, file));
      const previous = rules.get(rule.id);
      if (previous) throw new RuleLoadError(shown, idLine, `rule id '${rule.id}' is already defined in ${previous.file}`);
      rules.set(rule.id, { ...rule, file: shown });
    }
    for (const { profile, file, ruleLines } of contents.profiles) {
      const shown = displayPath(path.join(dir, file));
      const merged = profiles.get(profile.id);
      profiles.set(profile.id, merged ? { ...merged, rules: { ...merged.rules, ...profile.rules } } : { ...profile, file: shown });
      // profiles may name rules from a later directory: checked once everything is loaded
      for (const id of Object.keys(profile.rules)) profileRefs.push({ id, file: shown, line: ruleLines[id] });
    }
  }
  const missing = profileRefs.find((r) => !rules.has(r.id));
  if (missing) throw new RuleLoadError(missing.file, missing.line, `profile names rule '${missing.id}', which does not exist`);
  return { rules, profiles };
}
