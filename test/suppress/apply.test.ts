import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan, ScanInputError } from '../../src/index.js';
import { buildSarif } from '../../src/report/sarif.js';
import { buildJson } from '../../src/report/json.js';
import { renderText } from '../../src/report/text.js';
import { repoRoot } from '../helpers.js';
import { jsonReportValidator } from '../report/validators.js';

const NOW = new Date('2026-01-15T09:00:00Z');
const cargo = (name: string) => path.join(repoRoot, 'test/fixtures/cargo', name, 'Cargo.lock');
const sample = path.join(repoRoot, 'examples/payments-service');

function target(files: Record<string, string>, config?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-apply-'));
  for (const [rel, from] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    copyFileSync(from, path.join(dir, rel));
  }
  if (config !== undefined) writeFileSync(path.join(dir, '.cryptaudit.yml'), config);
  return dir;
}

function entry(rule: string, purl: string, extra = ''): string {
  return `  - rule: ${rule}\n    purl: ${purl}\n    reason: accepted in ADR-7\n    expires: 2026-03-01\n    created: 2026-01-10\n${extra}`;
}

test('suppressed findings leave findings, the exit code and SARIF; JSON and text list them with the reason', async () => {
  const dir = target(
    { 'web/package-lock.json': path.join(sample, 'web/package-lock.json'), 'web/package.json': path.join(sample, 'web/package.json') },
    'fail-on: error\n',
  );
  const before = await scan({ targets: [dir], cwd: dir, now: NOW });
  assert.equal(before.exitCode, 1);
  const errors = before.targets[0]!.findings;
  // suppress every finding by the fingerprint the report shows
  const list = errors.map((f) => entry(f.ruleId, f.component.purl.replace(/@[^@]*$/, ''), `    fingerprint: ${f.fingerprint}\n`)).join('');
  writeFileSync(path.join(dir, '.cryptaudit.yml'), `fail-on: error\nsuppressions:\n${list}`);

  const after = await scan({ targets: [dir], cwd: dir, now: NOW });
  const t = after.targets[0]!;
  assert.equal(t.findings.length, 0);
  assert.equal(t.suppressed!.length, errors.length);
  assert.equal(after.exitCode, 0);
  assert.deepEqual(after.suppressions, { files: ['.cryptaudit.yml'], unused: [], expired: [] });
  assert.equal(t.suppressed![0]!.suppression!.reason, 'accepted in ADR-7');
  assert.equal(t.suppressed![0]!.suppression!.line, 3);

  assert.equal(buildSarif(after).runs[0]!.results!.length, 0);
  const json = buildJson(after);
  const validate = jsonReportValidator();
  assert.ok(validate(json), JSON.stringify(validate.errors));
  assert.equal(json.targets[0]!.suppressed!.length, errors.length);
  assert.equal(json.summary.suppressed, errors.length);
  assert.equal(json.summary.findings, 0);
  const text = renderText(after);
  assert.match(text, new RegExp(`SUPPRESSED \\(${errors.length}\\)`));
  assert.match(text, /until 2026-03-01 {2}accepted in ADR-7/);
  assert.match(text, /; 7 suppressed\.\n$/);

  // --suppressions off (library option): everything counts again
  assert.equal((await scan({ targets: [dir], cwd: dir, now: NOW, suppressions: false })).exitCode, 1);
});

test('expired entries bring the finding back with a note; entries matching nothing are unused', async () => {
  const dir = target(
    { 'Cargo.lock': cargo('v4-duplicates-vaultwarden') },
    'suppressions:\n' +
      `  - rule: cargo-ring\n    purl: pkg:cargo/ring\n    reason: old decision\n    expires: 2026-01-15\n    created: 2025-10-01\n` +
      entry('npm-node-forge', 'pkg:npm/node-forge'),
  );
  const r = await scan({ targets: [dir], cwd: dir, now: NOW });
  const ring = r.targets[0]!.findings.find((f) => f.ruleId === 'cargo-ring')!;
  // expires 2026-01-15 = today: no longer in force
  assert.deepEqual(ring.suppression, { reason: 'old decision', expires: '2026-01-15', created: '2025-10-01', file: '.cryptaudit.yml', line: 2, expired: true });
  assert.equal(r.exitCode, 1);
  assert.deepEqual(r.suppressions!.expired.map((e) => e.rule), ['cargo-ring']);
  assert.deepEqual(r.suppressions!.unused.map((e) => [e.rule, e.line]), [['npm-node-forge', 7]]);
  // the expired finding is uploaded again
  assert.ok(buildSarif(r).runs[0]!.results!.some((x) => x.ruleId === 'cargo-ring'));
  const text = renderText(r);
  assert.match(text, /note {2}suppression expired on 2026-01-15 \(\.cryptaudit\.yml:2\): old decision/);
  assert.match(text, /UNUSED SUPPRESSIONS \(1\)\n {2}\.cryptaudit\.yml:7: npm-node-forge pkg:npm\/node-forge — accepted in ADR-7/);
  assert.match(text, /EXPIRED SUPPRESSIONS \(1\)/);
  assert.ok(jsonReportValidator()(buildJson(r)));
});

test('an entry keeps matching after a real upgrade (bitwarden_rs 2021 → vaultwarden) and covers both rustls versions (":2")', async () => {
  const dir = target({ 'Cargo.lock': cargo('v2-git-bitwarden_rs') });
  const old = await scan({ targets: [dir], cwd: dir, now: NOW, discoverConfig: false });
  const pick = (rule: string) => old.targets[0]!.findings.find((f) => f.ruleId === rule)!;
  assert.equal(pick('cargo-ring').component.version, '0.16.20');
  assert.equal(pick('cargo-rustls-ring-provider').component.version, '0.19.0');
  const fp = (rule: string) => `    fingerprint: ${pick(rule).fingerprint}\n`;
  writeFileSync(
    path.join(dir, '.cryptaudit.yml'),
    'suppressions:\n' + entry('cargo-ring', 'pkg:cargo/ring', fp('cargo-ring')) + entry('cargo-rustls-ring-provider', 'pkg:cargo/rustls', fp('cargo-rustls-ring-provider')),
  );
  copyFileSync(cargo('v4-duplicates-vaultwarden'), path.join(dir, 'Cargo.lock'));
  const r = await scan({ targets: [dir], cwd: dir, now: NOW });
  const t = r.targets[0]!;
  const suppressed = t.suppressed!.map((f) => `${f.ruleId} ${f.component.version} ${f.fingerprint.slice(64)}`).sort();
  assert.deepEqual(suppressed, ['cargo-ring 0.17.14 ', 'cargo-rustls-ring-provider 0.21.12 ', 'cargo-rustls-ring-provider 0.23.43 :2']);
  assert.deepEqual(t.findings.map((f) => f.ruleId), ['cargo-openssl-src']);
  assert.deepEqual(r.suppressions!.unused, []);
});

test('the config-relative fingerprint matches whichever folder is scanned', async () => {
  const root = target({ 'services/web/package-lock.json': path.join(sample, 'web/package-lock.json') });
  const whole = await scan({ targets: [root], cwd: root, now: NOW, discoverConfig: false });
  const forge = whole.targets[0]!.findings.find((f) => f.ruleId === 'npm-node-forge')!;
  writeFileSync(path.join(root, '.cryptaudit.yml'), 'suppressions:\n' + entry('npm-node-forge', 'pkg:npm/node-forge', `    fingerprint: ${forge.fingerprint}\n`));
  // scanning the subfolder names the lockfile 'package-lock.json', so its own fingerprint differs
  const sub = await scan({ targets: [path.join(root, 'services/web')], cwd: root, now: NOW });
  const inSub = sub.targets[0]!.suppressed!.map((f) => f.ruleId);
  assert.deepEqual(inSub, ['npm-node-forge']);
  assert.notEqual(sub.targets[0]!.suppressed![0]!.fingerprint, forge.fingerprint);
  // a fingerprint of another file does not match
  writeFileSync(path.join(root, '.cryptaudit.yml'), 'suppressions:\n' + entry('npm-node-forge', 'pkg:npm/node-forge', `    fingerprint: ${'f'.repeat(64)}\n`));
  const none = await scan({ targets: [root], cwd: root, now: NOW });
  assert.equal(none.targets[0]!.suppressed!.length, 0);
  assert.equal(none.suppressions!.unused.length, 1);
});

test('a separate suppressions-file is read; broken entries stop the scan naming file and line', async () => {
  const dir = target({ 'Cargo.lock': cargo('v4-duplicates-vaultwarden') }, '# policy only\nsuppressions-file: security/accepted.yml\nmax-suppression-days: 30\n');
  mkdirSync(path.join(dir, 'security'));
  writeFileSync(path.join(dir, 'security/accepted.yml'), '# accepted risks\nsuppressions:\n  - rule: cargo-ring\n    purl: pkg:cargo/ring\n    reason: r\n    expires: 2026-02-01\n    created: 2026-01-10\n');
  const r = await scan({ targets: [dir], cwd: dir, now: NOW });
  assert.deepEqual(r.suppressions!.files, ['security/accepted.yml']);
  assert.deepEqual(r.targets[0]!.suppressed!.map((f) => f.ruleId), ['cargo-ring']);

  const bad = async (body: string) => {
    writeFileSync(path.join(dir, 'security/accepted.yml'), body);
    return scan({ targets: [dir], cwd: dir, now: NOW }).then(
      () => assert.fail('expected an error'),
      (e: unknown) => (assert.ok(e instanceof ScanInputError), (e as Error).message),
    );
  };
  const head = 'suppressions:\n  - rule: cargo-ring\n    purl: pkg:cargo/ring\n';
  assert.match(await bad(head + '    expires: 2026-02-01\n'), /accepted\.yml:2: suppressions\.0: missing required property 'reason'/);
  assert.match(await bad(head + '    reason: "  "\n    expires: 2026-02-01\n'), /accepted\.yml:4: suppressions\.0\.reason: must match pattern/);
  assert.match(await bad(head + '    reason: r\n    expires: 2026-02-30\n'), /accepted\.yml:2: suppression expires '2026-02-30' is not a calendar day/);
  assert.match(await bad(head + '    reason: r\n    expires: 2026-03-01\n    created: 2026-01-10\n'), /more than 30 days after it was created \(2026-01-10\); the latest allowed is 2026-02-09/);
  assert.match(await bad(head.replace('pkg:cargo/ring', 'pkg:cargo/ring@0.17.14') + '    reason: r\n    expires: 2026-02-01\n'), /accepted\.yml:3: suppressions\.0\.purl: must match pattern/);
  assert.match(await bad('policy: pqc\n'), /accepted\.yml:1: unknown property 'policy'/);
});
