/**
 * Runs the committed Action bundle the way the runner does: `node dist-action/index.mjs` from a copy of the
 * Action's checkout (action.yml, dist-action/, rules/, schema/, package.json — no node_modules anywhere above
 * it, so anything the bundle failed to include breaks the test), in a clean environment holding only what the
 * runner sets: INPUT_* for every input of action.yml (defaults filled in, names upper-cased with spaces → '_',
 * hyphens kept), GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_EVENT_NAME, GITHUB_EVENT_PATH,
 * RUNNER_TEMP.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers.js';

export const BUNDLE = 'dist-action/index.mjs';

/** A copy of what `uses: owner/cryptaudit@ref` checks out, minus everything the bundle must not need. */
export function actionCheckout(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-action-'));
  for (const p of ['action.yml', 'dist-action', 'rules', 'schema', 'package.json']) {
    cpSync(path.join(repoRoot, p), path.join(dir, p), { recursive: true });
  }
  return dir;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** workflow commands the step printed: ::error/::warning/::notice with their properties */
  annotations: Array<{ level: string; props: Record<string, string>; message: string }>;
  runnerTemp: string;
}

export interface RunOptions {
  workspace: string;
  inputs?: Record<string, string>;
  eventName?: string;
  /** the event payload; written to a file for GITHUB_EVENT_PATH */
  event?: unknown;
  /** the node binary (default: the one running the tests) */
  node?: string;
}

const inputDefaults = (checkout: string): Record<string, string> => {
  const action = parse(readFileSync(path.join(checkout, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
  return Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? '']));
};

/** `name<<delimiter\nvalue\ndelimiter` blocks, as @actions/core writes them to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n?\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeProp(s: string): string {
  return unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');
}

export function parseAnnotations(stdout: string): ActionRun['annotations'] {
  const out: ActionRun['annotations'] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice)( [^:]*)?::(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? '').trim().split(',').filter(Boolean)) {
      const i = kv.indexOf('=');
      props[kv.slice(0, i)] = unescapeProp(kv.slice(i + 1));
    }
    out.push({ level: m[1]!, props, message: unescapeData(m[3]!) });
  }
  return out;
}

export function runAction(checkout: string, options: RunOptions): ActionRun {
  const runnerTemp = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-runner-'));
  const files = path.join(runnerTemp, '_runner_file_commands');
  mkdirSync(files);
  const outputFile = path.join(files, 'set_output');
  const summaryFile = path.join(files, 'step_summary');
  // the runner creates both files before the step starts; @actions/core refuses to write to missing ones
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: runnerTemp,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    RUNNER_TEMP: runnerTemp,
    // the fixture repositories are made by the tests; no user or system git config may change how git behaves
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  };
  if (options.event !== undefined) {
    const eventPath = path.join(runnerTemp, 'event.json');
    writeFileSync(eventPath, JSON.stringify(options.event));
    env['GITHUB_EVENT_PATH'] = eventPath;
  }
  for (const [name, value] of Object.entries({ ...inputDefaults(checkout), ...options.inputs })) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  const r = spawnSync(options.node ?? process.execPath, [path.join(checkout, BUNDLE)], { cwd: options.workspace, env, encoding: 'utf8' });
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    annotations: parseAnnotations(r.stdout),
    runnerTemp,
  };
}

/** git with a fixed identity and no user configuration, failing loudly. */
export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
      GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}
