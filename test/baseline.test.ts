/**
 * Baselines (src/baseline.ts) and `cryptaudit scan --baseline`: fingerprints read from real JSON and SARIF
 * reports of the shipped sample; a target that gains the sample's npm lockfile reports exactly those findings.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BaselineError, baselineOf, onlyNew, parseBaseline } from '../src/baseline.js';
import { scan } from '../src/index.js';
import type { ScanResult } from '../src/model/result.js';
import { renderJson } from '../src/report/json.js';
import { renderSarif } from '../src/report/sarif.js';
import { cliPath, repoRoot } from './helpers.js';

const cli = cliPath;
const sample = path.join(repoRoot, 'examples/payments-service');

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('baselines', () => {
  let dir: string;
  let full: ScanResult;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-baseline-'));
    full = await scan({ targets: [sample], cwd: repoRoot, discoverConfig: false });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('JSON and SARIF reports of the same scan give the same fingerprints', () => {
    const fromJson = parseBaseline(renderJson(full), 'r.json').fingerprints;
    const fromSarif = parseBaseline(renderSarif(full), 'r.sarif').fingerprints;
    assert.deepEqual(fromJson, baselineOf(full, 'scan').fingerprints);
    assert.deepEqual(fromSarif, fromJson);
    assert.equal(fromJson.size, full.targets[0]!.findings.length);
  });

  test('onlyNew keeps the findings the baseline lacks and recomputes the exit code', () => {
    const all = full.targets[0]!.findings;
    const known = { source: 'x', fingerprints: new Set(all.slice(1).map((f) => f.fingerprint)) };
    const r = onlyNew(full, known);
    assert.deepEqual(r.targets[0]!.findings, [all[0]]);
    assert.equal(r.exitCode, all[0]!.level === 'error' ? 1 : 0);
    assert.equal(onlyNew(full, baselineOf(full, 'all')).exitCode, 0);
    assert.equal(onlyNew(full, baselineOf(full, 'all')).targets[0]!.findings.length, 0);
  });

  test('files that are no report are rejected with the file name', () => {
    assert.throws(() => parseBaseline('Cargo.lock = 1', 'base.txt'), (e: unknown) => e instanceof BaselineError && /^base\.txt: not JSON/.test(e.message));
    assert.throws(() => parseBaseline('{"version": 3}', 'package-lock.json'), /package-lock\.json: neither a SARIF log \(runs\[\]\) nor a cryptaudit JSON report \(targets\[\]\)/);
  });

  test('cryptaudit scan --baseline: only new findings are reported and decide the exit code', () => {
    const project = path.join(dir, 'project');
    mkdirSync(project);
    copyFileSync(path.join(sample, 'Cargo.lock'), path.join(project, 'Cargo.lock'));
    const base = run(['scan', '.', '--format', 'json', '--output', path.join(dir, 'base.json')], project);
    assert.equal(base.code, 1);
    run(['scan', '.', '--format', 'sarif', '--output', path.join(dir, 'base.sarif')], project);
    // the change: the web front end with pure-JS crypto
    mkdirSync(path.join(project, 'web'));
    copyFileSync(path.join(sample, 'web/package.json'), path.join(project, 'web/package.json'));
    copyFileSync(path.join(sample, 'web/package-lock.json'), path.join(project, 'web/package-lock.json'));

    for (const b of ['base.json', 'base.sarif']) {
      const r = run(['scan', '.', '--format', 'json', '--baseline', path.join(dir, b)], project);
      assert.equal(r.code, 1, r.stderr);
      const findings = (JSON.parse(r.stdout) as { targets: Array<{ findings: Array<{ location: { path: string } }> }> }).targets[0]!.findings;
      assert.ok(findings.length >= 3);
      for (const f of findings) assert.equal(f.location.path, 'web/package-lock.json');
    }
    // SARIF keeps everything, marked
    const sarif = JSON.parse(run(['scan', '.', '--format', 'sarif', '--baseline', path.join(dir, 'base.json')], project).stdout) as {
      runs: Array<{ results: Array<{ baselineState: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }>;
    };
    for (const r of sarif.runs[0]!.results) {
      assert.equal(r.baselineState, r.locations[0]!.physicalLocation.artifactLocation.uri === 'Cargo.lock' ? 'unchanged' : 'new');
    }
    assert.ok(sarif.runs[0]!.results.some((r) => r.baselineState === 'unchanged'));
    // a baseline of the head itself: nothing new, exit 0
    writeFileSync(path.join(dir, 'head.json'), run(['scan', '.', '--format', 'json'], project).stdout);
    const none = run(['scan', '.', '--baseline', path.join(dir, 'head.json')], project);
    assert.equal(none.code, 0, none.stdout);
    assert.match(none.stdout, /No findings/);
  });

  test('an unreadable baseline is an input error naming the file (exit 2)', () => {
    const r = run(['scan', sample, '--baseline', path.join(dir, 'missing.sarif')], repoRoot);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing\.sarif: cannot read baseline: ENOENT/);
    writeFileSync(path.join(dir, 'lock.json'), readFileSync(path.join(sample, 'web/package-lock.json')));
    const bad = run(['scan', sample, '--baseline', path.join(dir, 'lock.json')], repoRoot);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /lock\.json: neither a SARIF log/);
  });
});
