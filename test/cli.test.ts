import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliPath, repoRoot } from './helpers.js';

const cli = cliPath;
const sample = path.join(repoRoot, 'examples/payments-service');

function run(args: string[], cwd = repoRoot, env: NodeJS.ProcessEnv = {}) {
  // colour settings of the machine running the tests must not leak in (FORCE_COLOR='' means "on" in Node)
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...base } = process.env;
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...base, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-cli-'));
}

/** A scan target holding real lockfiles copied from the shipped sample, plus whatever else a test adds. */
function sampleCopy(): string {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'web'));
  copyFileSync(path.join(sample, 'Cargo.lock'), path.join(dir, 'Cargo.lock'));
  copyFileSync(path.join(sample, 'web/package-lock.json'), path.join(dir, 'web/package-lock.json'));
  copyFileSync(path.join(sample, 'web/package.json'), path.join(dir, 'web/package.json'));
  return dir;
}

test('exit 1 when findings reach --fail-on, 0 when they do not', () => {
  assert.equal(run(['scan', sample]).code, 1);
  assert.equal(run(['scan', sample, '--fail-on', 'none']).code, 0);
  // inventory reports notes only: they fail the run only when asked to
  assert.equal(run(['scan', sample, '--policy', 'inventory']).code, 0);
  assert.equal(run(['scan', sample, '--policy', 'inventory', '--fail-on', 'note']).code, 1);
});

test('the text report shows where, why (dependency path) and what to do', () => {
  const { stdout } = run(['scan', sample]);
  assert.match(stdout, /cargo-ring\s+ring@0\.17\.14/);
  assert.match(stdout, /examples\/payments-service\/Cargo\.lock:\d+/);
  assert.match(stdout, /payments-service → reqwest → rustls → ring/);
  assert.match(stdout, /elliptic@6\.5\.4 \(dev\)/);
});

test('colour only when forced (no TTY here); NO_COLOR wins over a terminal but not over FORCE_COLOR', () => {
  assert.doesNotMatch(run(['scan', sample]).stdout, /\x1b\[/);
  assert.match(run(['scan', sample], repoRoot, { FORCE_COLOR: '1' }).stdout, /\x1b\[31m/);
  assert.doesNotMatch(run(['scan', sample], repoRoot, { FORCE_COLOR: '0' }).stdout, /\x1b\[/);
});

test('--output writes the report to a file and nothing to stdout', () => {
  const out = path.join(tempDir(), 'report.sarif');
  const r = run(['scan', sample, '--format', 'sarif', '--output', out]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const sarif = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  assert.ok(sarif.runs[0].results.some((x: { ruleId: string }) => x.ruleId === 'cargo-ring'));
});

test('same input, byte-identical SARIF and JSON', () => {
  for (const format of ['sarif', 'json']) {
    const a = run(['scan', sample, 'examples/payments-service/web', '--format', format]).stdout;
    const b = run(['scan', sample, 'examples/payments-service/web', '--format', format]).stdout;
    assert.ok(a.length > 1000);
    assert.equal(a, b, `${format} differs between runs`);
  }
});

test('usage errors exit 2 with one line naming the problem', () => {
  for (const [args, pattern] of [
    [['scan', sample, '--policy', 'fips-140-2'], /unknown policy 'fips-140-2' \(known: fips-140-3, inventory, pqc\)/],
    [['scan', sample, '--format', 'xml'], /--format must be one of/],
    [['scan', sample, '--fail-on', 'critical'], /--fail-on must be one of/],
    [['scan', 'no/such/dir'], /no\/such\/dir: no such file or directory/],
    [['scan', sample, '--bogus'], /bogus/],
    [['rules', 'show', 'no-such-rule'], /no rule 'no-such-rule'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ] as const) {
    const r = run([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('a broken lockfile is reported with file and line; the scan goes on and findings decide', () => {
  const dir = sampleCopy();
  // a real lockfile cut short (the fixture's README says which)
  mkdirSync(path.join(dir, 'broken'));
  copyFileSync(path.join(repoRoot, 'test/fixtures/bad/cargo-truncated/Cargo.lock'), path.join(dir, 'broken/Cargo.lock'));
  const r = run(['scan', dir, '--format', 'sarif']);
  assert.equal(r.code, 1, 'findings in the good lockfiles decide the exit code');
  assert.match(r.stderr, /broken\/Cargo\.lock:\d+: Cargo\.lock is not valid TOML/);
  const sarif = JSON.parse(r.stdout);
  const notes = sarif.runs[0].invocations[0].toolExecutionNotifications;
  assert.equal(notes.length, 1);
  assert.match(notes[0].message.text, /not valid TOML/);
  assert.ok(sarif.runs[0].results.length > 0);
});

test('exit 2 when every lockfile found is broken (nothing could be scanned)', () => {
  const dir = tempDir();
  copyFileSync(path.join(repoRoot, 'test/fixtures/bad/npm-truncated/package-lock.json'), path.join(dir, 'package-lock.json'));
  const r = run(['scan', dir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /package-lock\.json:\d+: .*not valid JSON/);
});

test('.cryptaudit.yml found upward from the target sets policy and fail-on; flags win', () => {
  const dir = sampleCopy();
  writeFileSync(path.join(dir, '.cryptaudit.yml'), '# team policy\npolicy: inventory\nfail-on: note\n');
  const fromConfig = run(['scan', path.join(dir, 'web'), '--format', 'json']);
  const json = JSON.parse(fromConfig.stdout);
  assert.equal(json.policy.id, 'inventory');
  assert.equal(fromConfig.code, 1, 'fail-on: note from the config');
  const flagged = run(['scan', path.join(dir, 'web'), '--format', 'json', '--policy', 'fips-140-3', '--fail-on', 'none']);
  assert.equal(JSON.parse(flagged.stdout).policy.id, 'fips-140-3');
  assert.equal(flagged.code, 0);
});

test('config exclude globs and per-rule overrides apply', () => {
  const dir = sampleCopy();
  writeFileSync(path.join(dir, '.cryptaudit.yml'), 'exclude:\n  - "web/**"\nrules:\n  cargo-ring: off\n');
  const json = JSON.parse(run(['scan', dir, '--format', 'json']).stdout);
  const rules = new Set(json.targets[0].findings.map((f: { ruleId: string }) => f.ruleId));
  assert.ok(!rules.has('cargo-ring'));
  assert.ok(rules.has('cargo-openssl-src'));
  assert.ok(![...rules].some((r) => String(r).startsWith('npm-')), 'web/ was excluded');
});

test('a broken config file is an input error naming the file and line', () => {
  const dir = sampleCopy();
  writeFileSync(path.join(dir, '.cryptaudit.yml'), 'policy: pqc\nfail-on: sometimes\n');
  const r = run(['scan', dir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\.cryptaudit\.yml:2: fail-on: must be one of error, warning, note, none/);
});

test('rules list shows levels per policy; rules show prints remediation and references', () => {
  const fips = run(['rules', 'list']).stdout;
  const pqc = run(['rules', 'list', '--policy', 'pqc']).stdout;
  assert.match(fips, /^cargo-ring\s+error\s/m);
  assert.match(pqc, /^cargo-ring\s+off\s/m);
  const show = run(['rules', 'show', 'cargo-openssl-src']);
  assert.equal(show.code, 0);
  assert.match(show.stdout, /Policies:\s+fips-140-3=error, inventory=note, pqc=off/);
  assert.match(show.stdout, /What to do:/);
  assert.match(show.stdout, /knowledge\/ecosystem-packages\.md/);
});

test('--npm-reader arborist (loadVirtual) and the default lockfile reader give the same report', () => {
  const web = 'examples/payments-service/web';
  const plain = run(['scan', web, '--format', 'json', '--fail-on', 'none']);
  const arborist = run(['scan', web, '--format', 'json', '--fail-on', 'none', '--npm-reader', 'arborist']);
  assert.equal(arborist.code, 0, arborist.stderr);
  assert.ok(JSON.parse(plain.stdout).targets[0].findings.length > 0);
  assert.equal(arborist.stdout, plain.stdout);
});

test('a reader that stops early (| head) ends the scan quietly, with no EPIPE crash', async () => {
  const { spawn } = await import('node:child_process');
  // ~240 KB of SARIF: more than a pipe holds, so the CLI is still writing when the reader goes away
  const child = spawn(process.execPath, [cli, 'scan', sample, '--format', 'sarif', '--policy', 'inventory'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // read the first chunk, then close the pipe as `head -c` would
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
  assert.ok(code === 0 || code === 1, `exit ${code}`);
});

test('the shipped CLI reads every lockfile format as the library does (no format breaks in the bundle)', async () => {
  const { scan } = await import('../src/index.js');
  // one fixture folder per format family: npm/yarn/pnpm/bun, Python, Go, Maven, NuGet/Ruby/PHP via the sample
  const targets = ['test/fixtures/js/main', 'test/fixtures/python', 'test/fixtures/go', 'examples/payments-service'].filter((t) => existsSync(path.join(repoRoot, t)));
  const lib = await scan({ targets, policy: 'inventory', failOn: 'none', cwd: repoRoot, discoverConfig: false });
  const r = run(['scan', ...targets, '--policy', 'inventory', '--format', 'json', '--fail-on', 'none']);
  const json = JSON.parse(r.stdout) as { targets: Array<{ summary: { components: number; errors: number } }> };
  assert.deepEqual(
    json.targets.map((t) => [t.summary.components, t.summary.errors]),
    lib.targets.map((t) => [t.components.length, t.errors.length]),
    r.stderr,
  );
  assert.ok(lib.targets.every((t) => t.components.length > 0));
});
