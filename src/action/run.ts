import * as core from '@actions/core';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { baselineOf, markBaselineState, onlyNew, readBaseline, type Baseline } from '../baseline.js';
import { findConfig } from '../config.js';
import { scan, type ScanResult } from '../index.js';
import type { Finding } from '../model/types.js';
import { countLevels, targetSlugs, toJson } from '../report/common.js';
import { render } from '../report/index.js';
import { renderMarkdown } from '../report/markdown.js';
import { buildSarif } from '../report/sarif.js';
import { renderText } from '../report/text.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { planAnnotations } from './annotations.js';
import { baseFromEvent, BaseError, ensureCommit, extractCommit, repoRelative, type BaseRef } from './base.js';
import { readInputs, type ActionInputs, type OutputFormat } from './inputs.js';

/**
 * The GitHub Action: scan the workspace (and images), then write what the runner shows — a job summary,
 * annotations for the top findings, outputs — and the SARIF file for github/codeql-action/upload-sarif.
 * With only-new, the summary, annotations and the pass/fail decision cover only findings the base commit
 * (or a baseline report) does not have; the SARIF keeps every result, marked new or unchanged, because code
 * scanning does its own comparison and results missing from an upload would close their alerts.
 */

const EXTENSIONS: Record<OutputFormat, string> = { sarif: 'sarif', json: 'json', text: 'txt', markdown: 'md' };

type Suppressible = Finding & { suppression?: { expired?: boolean } };

/** Findings a suppression in force covers never reach code scanning, the summary or the verdict. */
function withoutSuppressed(result: ScanResult): ScanResult {
  const inForce = (f: Finding) => Boolean((f as Suppressible).suppression && !(f as Suppressible).suppression!.expired);
  if (!result.targets.some((t) => t.findings.some(inForce))) return result;
  return { ...result, targets: result.targets.map((t) => ({ ...t, findings: t.findings.filter((f) => !inForce(f)) })) };
}

function suppressedCount(result: ScanResult): number {
  return result.targets.reduce((n, t) => n + ((t as { suppressed?: unknown[] }).suppressed?.length ?? 0), 0);
}

function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

interface BaseScan {
  baseline: Baseline;
  label: string;
}

/** Scan the base commit's copy of the same paths, under the same configuration and policy as the head. */
async function scanBase(
  workspace: string,
  base: BaseRef,
  inputs: ActionInputs,
  head: ScanResult,
  configFile: string | undefined,
): Promise<BaseScan> {
  const how = ensureCommit(workspace, base.sha);
  if (how === 'fetched') core.info(`only-new: fetched ${base.sha} (${base.label}) from origin`);
  const rels = inputs.paths.map((p) => repoRelative(workspace, p)).filter((p): p is string => p !== undefined);
  if (rels.length < inputs.paths.length) core.warning('only-new: paths outside the workspace have no base; all their findings count as new');
  if (inputs.images.length) core.info('only-new: images have no base commit; give a `baseline` report to compare image findings');
  const dir = await fs.mkdtemp(path.join(process.env['RUNNER_TEMP'] || os.tmpdir(), 'cryptaudit-base-'));
  try {
    const present = await extractCommit(workspace, base.sha, rels, dir);
    const label = `${base.label}, commit ${base.sha.slice(0, 12)}`;
    if (present.length === 0) return { baseline: { source: label, fingerprints: new Set() }, label };
    const result = await scan({
      targets: present,
      cwd: dir,
      policy: head.policy.id,
      failOn: head.failOn,
      configFile,
      discoverConfig: false,
      npmReader: 'lockfile',
    });
    const unread = result.targets.reduce((n, t) => n + t.errors.length, 0);
    if (unread) core.info(`only-new: ${plural(unread, 'file')} of the base commit could not be read; their findings count as new`);
    // suppressed findings of the base were there too: an expiring suppression is not something this change adds
    const known = baselineOf(result, label);
    const suppressed = result.targets.flatMap((t) => ((t as { suppressed?: Finding[] }).suppressed ?? []).map((f) => f.fingerprint));
    return { baseline: { source: label, fingerprints: new Set([...known.fingerprints, ...suppressed]) }, label };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The code scanning category: each run's automationDetails.id becomes `<category>/<target slug>/`. */
function setCategory(log: ReturnType<typeof buildSarif>, result: ScanResult, category: string): void {
  const slugs = targetSlugs(result.targets);
  log.runs.forEach((run, i) => {
    run.automationDetails = { ...run.automationDetails, id: `${category}/${slugs[i]}/` };
  });
}

async function writeReport(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, text);
}

export async function runAction(): Promise<void> {
  const inputs = readInputs();
  const workspace = path.resolve(process.env['GITHUB_WORKSPACE'] || process.cwd());
  const outDir = path.join(process.env['RUNNER_TEMP'] || os.tmpdir(), 'cryptaudit');
  const targets = [...inputs.paths, ...inputs.images];
  // one configuration for head and base: the base is judged by today's rules, so only dependency changes show
  const configFile = inputs.config
    ? path.resolve(workspace, inputs.config)
    : await findConfig(path.resolve(workspace, inputs.paths[0] ?? '.'));

  const full = await scan({
    targets,
    cwd: workspace,
    policy: inputs.policy,
    failOn: inputs.failOn,
    configFile,
    discoverConfig: false,
    // the bundle leaves Arborist out (node_modules is not there on the runner); the lockfile reader gives the same components
    npmReader: 'lockfile',
  });
  const result = withoutSuppressed(full);
  for (const t of result.targets) {
    for (const e of t.errors) core.info(`cryptaudit: ${t.displayRoot === '.' ? e.path : `${t.displayRoot}/${e.path}`}${e.line ? `:${e.line}` : ''}: ${e.message}`);
    if (t.filesExtracted === 0) core.info(`cryptaudit: ${t.target}: no supported lockfiles found`);
  }

  // which findings are new
  let baseline: Baseline | undefined;
  let compared: string | undefined;
  const base = baseFromEvent(process.env['GITHUB_EVENT_PATH']);
  const wantOnlyNew = inputs.onlyNew === 'true' || (inputs.onlyNew === 'auto' && (inputs.baseline !== undefined || base !== undefined));
  if (wantOnlyNew && inputs.baseline !== undefined) {
    baseline = await readBaseline(path.resolve(workspace, inputs.baseline));
    compared = `the baseline report \`${inputs.baseline}\``;
  } else if (wantOnlyNew && base) {
    try {
      const b = await scanBase(workspace, base, inputs, result, configFile);
      baseline = b.baseline;
      compared = b.label;
    } catch (e) {
      if (!(e instanceof BaseError)) throw e;
      core.warning(`only-new: ${e.message}; every finding is reported as new`);
    }
  } else if (wantOnlyNew) {
    core.warning('only-new: this event names no base commit (not a pull request) and no baseline report was given; every finding is reported');
  }
  const reported = baseline ? onlyNew(result, baseline) : result;

  // SARIF: every result (suppressed ones left out), one run per target, distinct automationDetails.id
  const log = buildSarif(result);
  if (baseline) markBaselineState(log, baseline);
  if (inputs.category) setCategory(log, result, inputs.category);
  const sarifText = toJson(log);
  const sarifFile = path.resolve(workspace, inputs.sarifFile ?? path.join(outDir, 'cryptaudit.sarif'));
  await writeReport(sarifFile, sarifText);

  // other report files: the reported (new-only) findings, except SARIF which is the file above
  const reports: string[] = [];
  for (const format of inputs.formats) {
    const file =
      inputs.formats.length === 1 && inputs.output
        ? path.resolve(workspace, inputs.output)
        : path.join(path.resolve(workspace, inputs.output ?? outDir), `cryptaudit.${EXTENSIONS[format]}`);
    await writeReport(file, format === 'sarif' ? sarifText : render(format, reported));
    reports.push(file);
  }

  const all = countLevels(result.targets.flatMap((t) => t.findings));
  const fresh = countLevels(reported.targets.flatMap((t) => t.findings));
  const totalAll = all.error + all.warning + all.note;
  const totalNew = fresh.error + fresh.warning + fresh.note;

  // log: the text report; summary: the Markdown report
  core.info(renderText(reported));
  const notes: string[] = [];
  if (baseline) {
    notes.push(
      `Compared with ${compared}: **${plural(totalNew, 'new finding')}** of ${totalAll}. Only new findings are listed here and decide this check; the SARIF file has all ${totalAll}.`,
    );
  }
  const suppressed = suppressedCount(full);
  if (suppressed) notes.push(`${plural(suppressed, 'suppressed finding')} not shown (see the suppressions in the configuration).`);
  const plan = planAnnotations(reported);
  const omitted = plan.omitted.error + plan.omitted.warning + plan.omitted.note;
  if (omitted) notes.push(`Annotations show the first ${plan.annotations.length} findings (GitHub shows at most 10 errors and 10 warnings per step); the table lists the rest.`);
  if (process.env['GITHUB_STEP_SUMMARY']) {
    const md = renderMarkdown(reported, { title: baseline ? 'cryptaudit: new findings' : 'cryptaudit', note: notes.join('\n\n') || undefined });
    await core.summary.addRaw(md).write();
  }
  for (const a of plan.annotations) {
    const props: core.AnnotationProperties = { title: a.title };
    if (a.file) props.file = a.file;
    if (a.startLine !== undefined) props.startLine = a.startLine;
    if (a.level === 'error') core.error(a.message, props);
    else if (a.level === 'warning') core.warning(a.message, props);
    else core.notice(a.message, props);
  }

  core.setOutput('sarif', sarifFile);
  core.setOutput('errors', all.error);
  core.setOutput('warnings', all.warning);
  core.setOutput('notes', all.note);
  core.setOutput('new-findings', totalNew);
  core.setOutput('reports', reports.join('\n'));

  if (reported.exitCode === 2) {
    core.setFailed('no lockfile could be read: every file cryptaudit found failed to parse (see the log)');
  } else if (reported.exitCode === 1) {
    const over = reported.targets.flatMap((t) => t.findings).filter((f) => atOrAbove(f.level, reported.failOn)).length;
    core.setFailed(`${plural(over, baseline ? 'new finding' : 'finding')} at or above '${reported.failOn}' under policy ${reported.policy.id} (see the job summary)`);
  }
}

function atOrAbove(level: Finding['level'], failOn: ScanResult['failOn']): boolean {
  const order = ['error', 'warning', 'note'];
  return failOn !== 'none' && order.indexOf(level) <= order.indexOf(failOn);
}
