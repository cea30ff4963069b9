import { promises as fs } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import type { Profile, Rule, RuleSet } from './types.js';
import { parseRange, RangeSyntaxError } from './versions.js';
import { packageRoot, toPosix } from '../util/paths.js';
import { describeSchemaError, ourSchema } from '../util/schema.js';
import { parseLocatedYaml, YamlSyntaxError, type LocatedYaml } from '../util/yaml-errors.js';

export const builtinRulesDir = path.join(packageRoot, 'rules');

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

async function readYaml(file: string): Promise<LocatedYaml> {
  const text = await fs.readFile(file, 'utf8');
  try {
    return parseLocatedYaml(text);
  } catch (err) {
    if (err instanceof YamlSyntaxError) throw new RuleLoadError(displayPath(file), err.line, `not valid YAML: ${err.message}`);
    throw err;
  }
}

function check(schemaPath: string, y: LocatedYaml, file: string): void {
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
  for (const [name, cv] of Object.entries(m.captureVersions ?? {})) {
    if (!m.capture?.[name]) fail(`/match/captureVersions/${name}`, `captureVersions.${name} has no capture of that name`);
    rangeCheck(`/match/captureVersions/${name}/range`, cv.range, cv.scheme);
  }
  for (const placeholder of rule.message.matchAll(/\{([^{}]+)\}/g)) {
    const field = placeholder[1]!;
    if (!MESSAGE_FIELDS.has(field) && !m.capture?.[field]) {
      fail('/message', `message uses {${field}}, which is neither a component field (${[...MESSAGE_FIELDS].join(', ')}) nor a capture`);
    }
  }
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
    const ruleFiles = await fg(['**/*.yml', '**/*.yaml'], {
      cwd: dir,
      ignore: ['**/*.test.yml', '**/*.test.yaml', 'profiles/**', 'schema/**', '**/node_modules/**'],
      absolute: true,
    });
    for (const file of ruleFiles.sort()) {
      const y = await readYaml(file);
      check('rules/schema/rule.schema.json', y, file);
      const rule = { ...(y.value as Omit<Rule, 'file'>), file: displayPath(file) } as Rule;
      checkRuleSemantics(rule, y, file);
      const previous = rules.get(rule.id);
      if (previous) throw new RuleLoadError(displayPath(file), y.lineOf('/id'), `rule id '${rule.id}' is already defined in ${previous.file}`);
      rules.set(rule.id, rule);
    }
    const profileFiles = await fg(['profiles/*.yml', 'profiles/*.yaml'], { cwd: dir, absolute: true });
    for (const file of profileFiles.sort()) {
      const y = await readYaml(file);
      check('rules/schema/profile.schema.json', y, file);
      const p = y.value as Omit<Profile, 'file'>;
      const merged = profiles.get(p.id);
      profiles.set(p.id, merged ? { ...merged, rules: { ...merged.rules, ...p.rules } } : { ...p, file: displayPath(file) });
      // profiles may name rules from a later directory: checked once everything is loaded
      for (const id of Object.keys(p.rules)) profileRefs.push({ id, file, line: y.lineOf(`/rules/${id}`) });
    }
  }
  const missing = profileRefs.find((r) => !rules.has(r.id));
  if (missing) throw new RuleLoadError(displayPath(missing.file), missing.line, `profile names rule '${missing.id}', which does not exist`);
  return { rules, profiles };
}
