/**
 * The bundled Action, run as the runner runs it (see run-action.ts), on a git repository made here: the base
 * commit holds the real Cargo.lock of the shipped sample (vendored OpenSSL, ring), the head commit adds the
 * sample's real npm lockfile (node-forge, crypto-js, elliptic). Expected findings come from the library
 * scan() of plain directory copies of each commit, not from the Action's own git handling.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { scan } from '../../src/index.js';
import { FINGERPRINT_KEY } from '../../src/report/sarif.js';
import { repoRoot } from '../helpers.js';
import { actionCheckout, git, runAction, type ActionRun } from './run-action.js';

const sample = path.join(repoRoot, 'examples/payments-service');

function writeBase(dir: string): void {
  copyFileSync(path.join(sample, 'Cargo.lock'), path.join(dir, 'Cargo.lock'));
  writeFileSync(path.join(dir, 'README.md'), '# fixture\n');
}

function writeHead(dir: string): void {
  writeBase(dir);
  mkdirSync(path.join(dir, 'web'), { recursive: true });
  copyFileSync(path.join(sample, 'web/package.json'), path.join(dir, 'web/package.json'));
  copyFileSync(path.join(sample, 'web/package-lock.json'), path.join(dir, 'web/package-lock.json'));
}

async function fingerprintsOf(write: (dir: string) => void): Promise<Set<string>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-expect-'));
  try {
    write(dir);
    const r = await scan({ targets: ['.'], cwd: dir, discoverConfig: false });
    return new Set(r.targets.flatMap((t) => t.findings.map((f) => f.fingerprint)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Sarif {
  runs: Array<{
    automationDetails?: { id: string };
    results: Array<{ ruleId: string; level: string; baselineState?: string; partialFingerprints: Record<string, string>; locations?: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }>;
  }>;
}

const readSarif = (run: ActionRun): Sarif => JSON.parse(readFileSync(run.outputs['sarif']!, 'utf8')) as Sarif;

describe('the bundled Action on a pull request', () => {
  let checkout: string;
  let tmp: string;
  let repo: string;
  let baseSha: string;
  let headSha: string;
  let baseFps: Set<string>;
  let expectedNew: Set<string>;
  let event: unknown;
  const runs: ActionRun[] = [];
  const run = (o: Parameters<typeof runAction>[1]) => {
    const r = runAction(checkout, o);
    runs.push(r);
    return r;
  };

  before(async () => {
    checkout = actionCheckout();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-prrepo-'));
    repo = path.join(tmp, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '-q');
    writeBase(repo);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'base');
    baseSha = git(repo, 'rev-parse', 'HEAD');
    writeHead(repo);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'head: add the web front end');
    headSha = git(repo, 'rev-parse', 'HEAD');
    event = { action: 'synchronize', number: 7, pull_request: { number: 7, base: { ref: 'main', sha: baseSha }, head: { ref: 'feature', sha: headSha } } };

    baseFps = await fingerprintsOf(writeBase);
    const headFps = await fingerprintsOf(writeHead);
    expectedNew = new Set([...headFps].filter((f) => !baseFps.has(f)));
  });

  after(() => {
    rmSync(checkout, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
    for (const r of runs) rmSync(r.runnerTemp, { recursive: true, force: true });
  });

  test('the fixture is meaningful: the base has findings and the head adds others', () => {
    assert.ok(baseFps.size >= 2, `base findings: ${baseFps.size}`);
    assert.ok(expectedNew.size >= 3, `new findings: ${expectedNew.size}`);
  });

  test('only-new (auto on a pull_request event) reports and fails on exactly the findings the head added', () => {
    const r = run({ workspace: repo, eventName: 'pull_request', event, inputs: { format: 'json' } });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(r.outputs['new-findings'], String(expectedNew.size));
    // counts by level cover every finding of the head
    const all = Number(r.outputs['errors']) + Number(r.outputs['warnings']) + Number(r.outputs['notes']);
    assert.equal(all, baseFps.size + expectedNew.size);

    // the JSON report holds exactly the new findings
    const json = JSON.parse(readFileSync(r.outputs['reports']!, 'utf8')) as { targets: Array<{ findings: Array<{ fingerprint: string; location?: { path: string } }> }> };
    const reported = json.targets.flatMap((t) => t.findings);
    assert.deepEqual(new Set(reported.map((f) => f.fingerprint)), expectedNew);
    for (const f of reported) assert.equal(f.location?.path, 'web/package-lock.json');

    // annotations: only new findings, on the lockfile line, within GitHub's per-step limits
    const findingAnnotations = r.annotations.filter((a) => a.props['title']);
    assert.ok(findingAnnotations.length > 0);
    for (const a of findingAnnotations) {
      assert.equal(a.props['file'], 'web/package-lock.json');
      assert.match(a.props['line'] ?? '', /^\d+$/);
    }
    for (const level of ['error', 'warning', 'notice']) assert.ok(r.annotations.filter((a) => a.level === level).length <= 11);
    // the failure message (one more ::error without file) says why
    assert.ok(r.annotations.some((a) => a.level === 'error' && /new finding.* at or above 'error'/.test(a.message)));

    // summary: Markdown with counts and a table of the new findings only
    assert.match(r.summary, /^## cryptaudit: new findings/m);
    assert.match(r.summary, /Compared with the base of pull request #7 \(main\)/);
    assert.match(r.summary, /\| Level \| Component \| Where \| Why \| What to do \| Rule \|/);
    assert.match(r.summary, /`node-forge@1\.3\.1`/);
    assert.match(r.summary, /`web\/package-lock\.json:\d+`/);
    assert.doesNotMatch(r.summary, /`ring@/);
    assert.doesNotMatch(r.summary, /Cargo\.lock/);

    // SARIF keeps every result, marked new or unchanged, one run with its own automationDetails.id
    const sarif = readSarif(r);
    assert.equal(sarif.runs.length, 1);
    assert.equal(sarif.runs[0]!.automationDetails?.id, 'cryptaudit/fips-140-3/root/');
    const results = sarif.runs[0]!.results;
    assert.equal(results.length, baseFps.size + expectedNew.size);
    for (const res of results) {
      const fp = res.partialFingerprints[FINGERPRINT_KEY]!;
      assert.equal(res.baselineState, expectedNew.has(fp) ? 'new' : 'unchanged');
    }
  });

  test('a shallow checkout (the default of actions/checkout) gets the base commit fetched by sha', () => {
    const shallow = path.join(tmp, 'shallow');
    git(tmp, 'clone', '-q', '--depth=1', `file://${repo}`, shallow);
    assert.throws(() => git(shallow, 'cat-file', '-e', `${baseSha}^{commit}`));
    const r = run({ workspace: shallow, eventName: 'pull_request', event });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`only-new: fetched ${baseSha}`));
    assert.equal(r.outputs['new-findings'], String(expectedNew.size));
  });

  test('when the base commit cannot be had, a warning says so and every finding counts as new', () => {
    const plain = path.join(tmp, 'not-a-repo');
    mkdirSync(plain);
    writeHead(plain);
    const r = run({ workspace: plain, eventName: 'pull_request', event });
    assert.equal(r.code, 1);
    assert.ok(r.annotations.some((a) => a.level === 'warning' && new RegExp(`only-new: commit ${baseSha} is not in the checkout and could not be fetched`).test(a.message)));
    assert.equal(r.outputs['new-findings'], String(baseFps.size + expectedNew.size));
  });

  test('a push event has no base: every finding is reported, and fail-on none passes', () => {
    const r = run({ workspace: repo, eventName: 'push', event: { ref: 'refs/heads/main', after: headSha } });
    assert.equal(r.code, 1);
    assert.equal(r.outputs['new-findings'], String(baseFps.size + expectedNew.size));
    assert.match(r.summary, /^## cryptaudit$/m);
    assert.match(r.summary, /`ring@0\.17\.14`/);
    assert.ok(r.annotations.some((a) => a.props['file'] === 'Cargo.lock'));
    const sarif = readSarif(r);
    assert.ok(sarif.runs[0]!.results.every((res) => res.baselineState === undefined));

    const pass = run({ workspace: repo, eventName: 'push', inputs: { 'fail-on': 'none' } });
    assert.equal(pass.code, 0, pass.stdout);
    assert.ok(!pass.annotations.some((a) => a.level === 'error' && !a.props['title']));
  });

  test('a baseline report (the SARIF of a base run) gives the same new findings; category names the runs', () => {
    const baseRun = run({ workspace: repo, eventName: 'push', inputs: { 'fail-on': 'none' } });
    // the baseline is the SARIF of the base commit: check out the base, scan, back to the head
    git(repo, 'checkout', '-q', baseSha);
    let baseSarif: string;
    try {
      const b = run({ workspace: repo, eventName: 'push', inputs: { 'fail-on': 'none', 'sarif-file': path.join(tmp, 'base.sarif') } });
      assert.equal(b.code, 0, b.stdout);
      baseSarif = b.outputs['sarif']!;
    } finally {
      git(repo, 'checkout', '-q', headSha);
    }
    assert.ok(baseRun.outputs['sarif']);
    const r = run({ workspace: repo, eventName: 'push', inputs: { baseline: baseSarif, category: 'crypto/lockfiles', format: 'markdown,text', output: path.join(tmp, 'reports') } });
    assert.equal(r.code, 1);
    assert.equal(r.outputs['new-findings'], String(expectedNew.size), r.stdout);
    assert.match(r.summary, /Compared with the baseline report/);
    assert.equal(readSarif(r).runs[0]!.automationDetails?.id, 'crypto/lockfiles/root/');
    const reports = r.outputs['reports']!.split('\n');
    assert.deepEqual(reports.map((p) => path.basename(p)), ['cryptaudit.md', 'cryptaudit.txt']);
    // the Markdown file is the job summary's renderer: same table of new findings
    const md = readFileSync(reports[0]!, 'utf8');
    assert.match(md, /`node-forge@1\.3\.1`/);
    assert.doesNotMatch(md, /`ring@/);
  });

  test('bad input fails the step with a message naming the input', () => {
    const r = run({ workspace: repo, inputs: { 'fail-on': 'sometimes' } });
    assert.equal(r.code, 1);
    assert.ok(r.annotations.some((a) => a.level === 'error' && /input 'fail-on' must be one of error, warning, note, none \(got 'sometimes'\)/.test(a.message)));
    const p = run({ workspace: repo, inputs: { policy: 'nope' } });
    assert.equal(p.code, 1);
    assert.ok(p.annotations.some((a) => /unknown policy 'nope'/.test(a.message)));
  });
});
