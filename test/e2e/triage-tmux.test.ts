/**
 * End to end: the real CLI in a real terminal. tmux gives a pseudo-terminal of a fixed size; send-keys types,
 * capture-pane reads the screen. .ci/run installs tmux (scripts/install-tmux.sh); without it the test skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parse } from 'yaml';
import { repoRoot, cliPath } from '../helpers.js';

const cli = cliPath;
const sample = path.join(repoRoot, 'examples/payments-service');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
// a private server: never touches a tmux the developer is running
const socket = `cryptaudit-e2e-${process.pid}`;

/** What a team's config looks like before triage: comments and its own key order. */
const CONFIG = `# cryptaudit for payments-service — owned by the platform team
policy: fips-140-3   # what CI enforces

# accepted risks, reviewed monthly
suppressions: []

exclude:
  - "vendor/**"
`;

function env(): NodeJS.ProcessEnv {
  // CI (ink 6 then renders only the final frame) and colour settings of the machine must not leak in
  const { CI: _ci, NO_COLOR: _n, FORCE_COLOR: _f, TMUX: _t, ...rest } = process.env;
  return { ...rest, TERM: 'xterm-256color' };
}

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: env() });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const screen = () => tmux('capture-pane', '-p', '-t', 'triage');

async function waitFor(re: RegExp, what: string, ms = 20_000): Promise<string> {
  const until = Date.now() + ms;
  let last = '';
  while (Date.now() < until) {
    try {
      last = screen();
    } catch {
      /* the session may be starting */
    }
    if (re.test(last)) return last;
    await delay(100);
  }
  throw new Error(`timed out waiting for ${what} (${re}); screen was:\n${last}`);
}

async function keys(...k: string[]): Promise<void> {
  for (const key of k) {
    tmux('send-keys', '-t', 'triage', key);
    await delay(120);
  }
}

async function type(text: string): Promise<void> {
  tmux('send-keys', '-t', 'triage', '-l', text);
  await delay(200);
}

function scanCli(args: string[]) {
  const r = spawnSync(process.execPath, [cli, 'scan', ...args], { encoding: 'utf8', env: env() });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('triage in a real 80×24 terminal: filter, open, suppress all with a reason, quit; scan then passes', { skip: hasTmux ? false : 'tmux is not installed (scripts/install-tmux.sh installs it; .ci/run calls it)' }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-e2e-'));
  mkdirSync(path.join(dir, 'web'));
  copyFileSync(path.join(sample, 'Cargo.lock'), path.join(dir, 'Cargo.lock'));
  copyFileSync(path.join(sample, 'web/package-lock.json'), path.join(dir, 'web/package-lock.json'));
  copyFileSync(path.join(sample, 'web/package.json'), path.join(dir, 'web/package.json'));
  writeFileSync(path.join(dir, '.cryptaudit.yml'), CONFIG);
  assert.equal(scanCli([dir]).code, 1, 'the sample fails the default policy before triage');

  const exitFile = path.join(dir, 'triage.exit');
  // run from the project folder, as a developer would: paths on screen are then relative
  const command = `'${process.execPath}' '${cli}' triage .; echo $? > '${exitFile}'`;
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'triage', '-x', '80', '-y', '24', '-c', dir, command);
  t.after(() => spawnSync('tmux', ['-L', socket, 'kill-server']));

  const first = await waitFor(/10 open \(10 error\)/, 'the first screen');
  const lines = first.replace(/\n+$/, '').split('\n');
  assert.ok(lines.length <= 24 && lines.every((l) => l.length <= 80), `fits 80×24:\n${first}`);
  assert.match(first, /ERROR \(10\)/);
  assert.match(first, /j\/k move {2}enter open/);

  await keys('/');
  await type('forge');
  await keys('Enter');
  const filtered = await waitFor(/filter: forge {2}\(2 of 10\)/, 'the filter');
  assert.doesNotMatch(filtered, /cargo-ring/);

  await keys('Enter');
  const detail = await waitFor(/j\/k scroll/, 'the detail pane');
  assert.match(detail, /payments-web → node-forge/);
  assert.match(detail, /web\/package-lock\.json:183/);

  await keys('Escape');
  await waitFor(/j\/k move/, 'back to the list');
  await keys('Escape');
  await waitFor(/ERROR \(10\)/, 'the filter cleared');

  await keys('a');
  await waitFor(/10 selected/, 'all selected');
  await keys('s');
  await waitFor(/Reason \(required\)/, 'the reason prompt');
  await type('Sample service: accepted until the FIPS base image lands (PAY-42)');
  await keys('Enter');
  const expiry = await waitFor(/Expires \(YYYY-MM-DD, at most 365 days\): (\d{4}-\d\d-\d\d)/, 'the expiry prompt');
  const expires = /at most 365 days\): (\d{4}-\d\d-\d\d)/.exec(expiry)![1]!;
  await keys('Enter');
  await waitFor(/Suppressed 10 findings until/, 'the write');
  await keys('q');
  const until = Date.now() + 10_000;
  while (!existsSync(exitFile) && Date.now() < until) await delay(100);
  assert.equal(readFileSync(exitFile, 'utf8').trim(), '0');

  const written = readFileSync(path.join(dir, '.cryptaudit.yml'), 'utf8');
  // the user's text is still there, byte for byte, around the new list
  assert.ok(written.startsWith('# cryptaudit for payments-service — owned by the platform team\npolicy: fips-140-3   # what CI enforces\n\n# accepted risks, reviewed monthly\nsuppressions:\n  - rule: '), written);
  assert.ok(written.endsWith('\nexclude:\n  - "vendor/**"\n'), written);
  const entries = (parse(written) as { suppressions: Array<Record<string, string>> }).suppressions;
  assert.equal(entries.length, 10);
  for (const e of entries) {
    assert.equal(e['reason'], 'Sample service: accepted until the FIPS base image lands (PAY-42)');
    assert.equal(e['expires'], expires);
    assert.match(e['purl']!, /^pkg:(cargo|npm)\/[^@]+$/);
    assert.match(e['fingerprint']!, /^[0-9a-f]{64}$/);
  }

  const after = scanCli([dir]);
  assert.equal(after.code, 0, after.stdout + after.stderr);
  assert.match(after.stdout, /SUPPRESSED \(10\)/);
  const json = JSON.parse(scanCli([dir, '--format', 'json']).stdout) as { summary: { suppressed: number; findings: number } };
  assert.equal(json.summary.suppressed, 10);
  assert.equal(json.summary.findings, 0);
  const sarif = JSON.parse(scanCli([dir, '--format', 'sarif']).stdout) as { runs: Array<{ results: unknown[] }> };
  assert.equal(sarif.runs[0]!.results.length, 0);
});
