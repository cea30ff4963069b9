/**
 * Library API shared by the CLI, the TUI and the Action: scan(options) → ScanResult.
 * Never exits the process and never prints; input problems are thrown as ScanInputError (exit 2 for the CLI).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultExtractors, type NpmReader } from './extractors/index.js';
import type { Extractor } from './extractors/types.js';
import { builtinRulesDir, loadRuleSet, RuleLoadError } from './engine/load.js';
import { evaluate } from './engine/evaluate.js';
import type { ProfileLevel, RuleSet } from './engine/types.js';
import type { FailOn, ScanResult, TargetResult } from './model/result.js';
import { LEVELS, type Level } from './model/types.js';
import { ConfigError, findConfig, loadConfig, type Config } from './config.js';
import { openTarget, TargetError } from './sources/index.js';
import { walkAndExtract } from './walk.js';
import { targetFacts, targetOpenOptions } from './sources/image/target-facts.js';
import { extractRemoved } from './sources/image/removed.js';
import { packageRoot } from './util/paths.js';
import { compareStrings } from './util/compare.js';

export type { ScanResult, TargetResult, FailOn } from './model/result.js';
export type { Component, Evidence, Finding, Level, ScanError } from './model/types.js';

export const DEFAULT_POLICY = 'fips-140-3';
export const DEFAULT_FAIL_ON: FailOn = 'error';

export interface ScanOptions {
  /** default ['.'] */
  targets?: string[];
  policy?: string;
  failOn?: FailOn;
  /** explicit config file; otherwise .cryptaudit.yml is looked for upward from the first target */
  configFile?: string;
  /** false: do not look for a config file at all */
  discoverConfig?: boolean;
  /** extra rule directories, after the config's */
  ruleDirs?: string[];
  exclude?: string[];
  cwd?: string;
  /** how package-lock.json is read (see extractors/index.ts) */
  npmReader?: NpmReader;
  /** for tests and embedders; overrides npmReader */
  extractors?: readonly Extractor[];
  /** image targets with several platforms: os/arch[/variant] (default linux/amd64) */
  platform?: string;
  /** false: leave out files a later image layer deleted (default: scanned, reported as notes) */
  removedFiles?: boolean;
  /** false: ignore the config's suppressions (every finding counts) */
  suppressions?: boolean;
  /** "today" for suppression expiry; tests pin it */
  now?: Date;
}

/** Usage or input problem: bad policy, unreadable config, broken rule file, missing target. */
export class ScanInputError extends Error {}

export const toolVersion: string = (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** The policy's levels with the config's per-rule overrides on top. */
export function resolveLevels(ruleSet: RuleSet, policy: string, overrides: Record<string, ProfileLevel> = {}): Record<string, ProfileLevel> {
  const profile = ruleSet.profiles.get(policy);
  if (!profile) {
    const known = [...ruleSet.profiles.keys()].sort().join(', ');
    throw new ScanInputError(`unknown policy '${policy}' (known: ${known})`);
  }
  for (const id of Object.keys(overrides)) {
    if (!ruleSet.rules.has(id)) throw new ScanInputError(`configuration sets a level for rule '${id}', which does not exist`);
  }
  return { ...profile.rules, ...overrides };
}

export async function resolveConfig(options: ScanOptions, cwd: string): Promise<Config> {
  try {
    if (options.configFile) return await loadConfig(path.resolve(cwd, options.configFile));
    if (options.discoverConfig === false) return {};
    const found = await findConfig(path.resolve(cwd, options.targets?.[0] ?? '.'));
    return found ? await loadConfig(found) : {};
  } catch (e) {
    if (e instanceof ConfigError) throw new ScanInputError(e.message);
    throw e;
  }
}

export async function loadRules(config: Config, extraDirs: readonly string[] = []): Promise<RuleSet> {
  try {
    return await loadRuleSet([builtinRulesDir, ...(config.ruleDirs ?? []), ...extraDirs]);
  } catch (e) {
    if (e instanceof RuleLoadError) throw new ScanInputError(e.message);
    throw e;
  }
}

export function exitCodeFor(targets: readonly TargetResult[], failOn: FailOn): 0 | 1 | 2 {
  const attempted = targets.reduce((n, t) => n + t.filesExtracted, 0);
  const parsed = targets.reduce((n, t) => n + t.filesParsed, 0);
  if (attempted > 0 && parsed === 0) return 2;
  if (failOn === 'none') return 0;
  const threshold = LEVELS.indexOf(failOn);
  // suppressed findings live in t.suppressed; the check also skips any marked ones a caller left in findings
  const hit = targets.some((t) => t.findings.some((f) => (!f.suppression || f.suppression.expired) && LEVELS.indexOf(f.level) <= threshold));
  return hit ? 1 : 0;
}

export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  const cwd = options.cwd ?? process.cwd();
  const config = await resolveConfig(options, cwd);
  const policy = options.policy ?? config.policy ?? DEFAULT_POLICY;
  const failOn = options.failOn ?? config.failOn ?? DEFAULT_FAIL_ON;
  const ruleSet = await loadRules(config, options.ruleDirs?.map((d) => path.resolve(cwd, d)));
  const levels = resolveLevels(ruleSet, policy, config.rules);
  const exclude = [...(config.exclude ?? []), ...(options.exclude ?? [])];
  const extractors = options.extractors ?? defaultExtractors({ npmReader: options.npmReader ?? config.npmReader });

  const targets: TargetResult[] = [];
  for (const target of options.targets?.length ? options.targets : ['.']) {
    let opened;
    try {
      opened = await openTarget(target, cwd, targetOpenOptions(extractors, options.platform, exclude));
    } catch (e) {
      if (e instanceof TargetError) throw new ScanInputError(e.message);
      throw e;
    }
    let walked;
    let facts;
    try {
      walked = await walkAndExtract(opened.vfs, extractors, { exclude });
      if (opened.image && options.removedFiles !== false) {
        // deleted by a later layer, still in the shipped bytes: marked, judged as notes (sources/image/removed.ts)
        const gone = await extractRemoved(opened.image, extractors, { exclude });
        walked.components.push(...gone.components);
        walked.errors.push(...gone.errors);
      }
      // image facts, layer history on evidence, OS FIPS posture on the components rules judge by it
      facts = await targetFacts(opened, walked.components);
    } finally {
      await opened.image?.close();
    }
    walked.errors.push(...facts.errors);
    const components = walked.components.sort((a, b) => compareStrings(a.purl, b.purl) || compareStrings(a.evidence[0]?.path ?? '', b.evidence[0]?.path ?? ''));
    targets.push({
      target,
      displayRoot: opened.displayRoot,
      kind: opened.kind,
      ...(facts.image ? { image: facts.image } : {}),
      ...(facts.osFips ? { osFips: facts.osFips } : {}),
      components,
      findings: evaluate(components, ruleSet, levels),
      errors: walked.errors.sort((a, b) => compareStrings(a.path, b.path) || (a.line ?? 0) - (b.line ?? 0)),
      filesExtracted: walked.filesExtracted,
      filesParsed: walked.filesParsed,
    });
  }
  const suppressions = await suppress(config, targets, options, cwd);
  const profile = ruleSet.profiles.get(policy)!;
  const rules = Object.entries(levels)
    .filter((entry): entry is [string, Level] => entry[1] !== 'off')
    .map(([id, level]) => ({ rule: ruleSet.rules.get(id)!, level }))
    .sort((a, b) => compareStrings(a.rule.id, b.rule.id));
  return {
    tool: { name: 'cryptaudit', version: toolVersion },
    policy: { id: profile.id, title: profile.title },
    failOn,
    targets,
    rules,
    ...(suppressions ? { suppressions } : {}),
    exitCode: exitCodeFor(targets, failOn),
  };
}

/** Apply the config's suppressions (src/suppress/, loaded only when there are any). */
async function suppress(config: Config, targets: TargetResult[], options: ScanOptions, cwd: string): Promise<ScanResult['suppressions']> {
  if (options.suppressions === false || !(config.suppressions?.length || config.suppressionsFile)) return undefined;
  const s = await import('./suppress/index.js');
  const now = options.now ?? new Date();
  try {
    const set = await s.loadSuppressions(config, { cwd, now, defaultDir: cwd });
    const outcome = s.applySuppressions(targets, set, { cwd, now });
    return { files: set.files.map((f) => path.relative(cwd, f).split(path.sep).join('/') || path.basename(f)), ...outcome };
  } catch (e) {
    if (e instanceof s.SuppressionError) throw new ScanInputError(e.message);
    throw e;
  }
}

