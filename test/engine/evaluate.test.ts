import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadRuleSet } from '../../src/engine/load.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { cargoLockExtractor } from '../../src/extractors/cargo-lock.js';
import { DirVfs } from '../../src/sources/dir.js';
import { walkAndExtract } from '../../src/walk.js';
import { repoRoot, sharedFixture, SHARED_MISSING } from '../helpers.js';

async function cargoComponents(dir: string) {
  const walked = await walkAndExtract(new DirVfs(dir), [cargoLockExtractor]);
  assert.deepEqual(walked.errors, []);
  return walked.components;
}

const ruleSet = await loadRuleSet();
const levels = (policy: string) => ruleSet.profiles.get(policy)!.rules;

test('one lockfile, three policies, three verdicts (rustls workspace: ring, aws-lc-fips-sys)', async (t) => {
  const dir = sharedFixture('fixtures/lockfiles/cargo-aws-lc-fips-sys-rustls');
  if (!dir) return t.skip(SHARED_MISSING);
  const components = await cargoComponents(dir);
  const verdict = (policy: string, name: string) =>
    evaluate(components, ruleSet, levels(policy))
      .filter((f) => f.component.name === name)
      .map((f) => `${f.ruleId}:${f.level}`)
      .sort();
  assert.ok(verdict('fips-140-3', 'ring').includes('cargo-ring:error'));
  assert.deepEqual(verdict('fips-140-3', 'aws-lc-fips-sys'), []);
  assert.ok(verdict('inventory', 'ring').every((v) => v.endsWith(':note')) && verdict('inventory', 'ring').length > 0);
  assert.ok(verdict('inventory', 'aws-lc-fips-sys').length > 0);
  assert.ok(!verdict('pqc', 'ring').includes('cargo-ring:error'));
  assert.ok(evaluate(components, ruleSet, levels('inventory')).every((f) => f.level === 'note'));
});

test('the OpenSSL release an openssl-src crate vendors is captured into the message', async () => {
  const components = await cargoComponents(path.join(repoRoot, 'examples/payments-service'));
  const [finding] = evaluate(components, ruleSet, levels('fips-140-3')).filter((f) => f.ruleId === 'cargo-openssl-src');
  assert.equal(finding?.captures?.['openssl'] ?? Object.values(finding?.captures ?? {})[0], '3.6.3');
  assert.match(finding!.message, /OpenSSL 3\.6\.3/);
  assert.deepEqual(finding!.evidence.map((e) => [e.path, e.line]), [['Cargo.lock', 25]]);
});

test('two versions of one crate in one lockfile are two findings with distinct fingerprints', async () => {
  // namada's lockfile (cut, see test/fixtures/cargo/rules/README.md) holds ring 0.16.20 and 0.17.7
  const components = await cargoComponents(path.join(repoRoot, 'test/fixtures/cargo/rules/namada-ring-0.16'));
  const ring = evaluate(components, ruleSet, { 'cargo-ring': 'error' });
  assert.deepEqual(ring.map((f) => f.component.version).sort(), ['0.16.20', '0.17.7']);
  assert.equal(new Set(ring.map((f) => f.fingerprint)).size, 2);
  assert.ok(ring.some((f) => /^[0-9a-f]{64}$/.test(f.fingerprint)) && ring.some((f) => /^[0-9a-f]{64}:2$/.test(f.fingerprint)));
});

test('fingerprints ignore the version: an upgrade keeps the alert identity', async () => {
  const components = await cargoComponents(path.join(repoRoot, 'examples/payments-service'));
  const ring = components.find((c) => c.name === 'ring')!;
  const upgraded = { ...ring, version: '0.17.15', purl: ring.purl.replace('0.17.14', '0.17.15') };
  const before = evaluate([ring], ruleSet, { 'cargo-ring': 'error' })[0]!;
  const after = evaluate([upgraded], ruleSet, { 'cargo-ring': 'error' })[0]!;
  assert.equal(after.fingerprint, before.fingerprint);
});

test('a rule only sees the evidence kinds it accepts', async () => {
  const components = await cargoComponents(path.join(repoRoot, 'examples/payments-service'));
  const ring = components.find((c) => c.name === 'ring')!;
  const installedOnly = { ...ring, evidence: ring.evidence.map((e) => ({ ...e, kind: 'installed' as const })) };
  assert.equal(evaluate([installedOnly], ruleSet, { 'cargo-ring': 'error' }).length, 0);
});
