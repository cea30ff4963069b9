// match.lookup (a version range → values table) and PEP 503 name matching, on the built-in PyPI rules and real lockfiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinRulesDir, loadRuleSet, RuleLoadError } from '../../src/engine/load.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { extractRequirements } from '../../src/extractors/requirements-txt.js';
import { parsePoetryLock } from '../../src/extractors/poetry-lock.js';
import type { Component } from '../../src/model/types.js';
import { repoRoot, sharedFixture, SHARED_MISSING } from '../helpers.js';

const ruleSet = await loadRuleSet();
const bundledRule = 'pypi-cryptography-bundled-openssl';
const ruleText = readFileSync(path.join(repoRoot, 'rules/pypi', `${bundledRule}.yml`), 'utf8');

function withVersion(c: Component, version: string | undefined): Component {
  const copy: Component = { ...c, purl: `pkg:pypi/${c.name}${version ? `@${version}` : ''}` };
  if (version === undefined) delete copy.version;
  else copy.version = version;
  return copy;
}

test('lookup: the first row whose range holds the version gives the message its values (§B.6 table)', async (t) => {
  const file = sharedFixture('fixtures/lockfiles/poetry-redash/poetry.lock');
  if (!file) return t.skip(SHARED_MISSING);
  const crypto = parsePoetryLock(readFileSync(file, 'utf8'), 'poetry.lock').find((c) => c.name === 'cryptography')!;
  const bundled = (v: string | undefined) => evaluate([withVersion(crypto, v)], ruleSet, { [bundledRule]: 'error' })[0];
  assert.equal(bundled('43.0.1')!.captures!.bundledOpenssl, 'OpenSSL 3.3.2');
  assert.equal(bundled('3.4.7')!.captures!.bundledOpenssl, 'OpenSSL 1.1.1k');
  assert.equal(bundled('36.0.2')!.captures!.bundledOpenssl, 'OpenSSL 1.1.1 (a 1.1.1 letter release)');
  assert.equal(bundled('48.0.1')!.captures!.bundledOpenssl, 'OpenSSL 4.0.1');
  // a version the table does not record, and no version at all (an unpinned requirement): still reported, no number
  for (const v of ['43.0.2', undefined]) {
    const f = bundled(v)!;
    assert.ok(f, `fires for ${v}`);
    assert.doesNotMatch(f.message, /OpenSSL \d/, f.message);
    assert.match(f.message, /which release is not recorded/);
  }
  // the PQC rule's table has no catch-all row: unknown bundled release → silent; known and ≥ 3.5 → silent
  const pqc = (v: string) => evaluate([withVersion(crypto, v)], ruleSet, { 'pypi-cryptography-no-mlkem': 'warning' });
  assert.equal(pqc('44.0.1')[0]!.captures!.openssl, '3.4.1');
  assert.deepEqual(pqc('43.0.2'), []);
  assert.deepEqual(pqc('46.0.0'), []);
});

test('PyPI names match as PEP 503 says: case and runs of -_. are alike', () => {
  const base: Component = { ecosystem: 'pypi', name: 'pynacl', version: '1.5.0', purl: 'pkg:pypi/pynacl@1.5.0', evidence: [{ kind: 'declared', path: 'poetry.lock', detail: 'x' }] };
  for (const name of ['pynacl', 'PyNaCl', 'PYNACL']) {
    assert.equal(evaluate([{ ...base, name }], ruleSet, { 'pypi-pynacl': 'error' }).length, 1, name);
  }
  for (const name of ['psycopg2-binary', 'psycopg2_binary', 'Psycopg2.Binary', 'psycopg2__binary']) {
    assert.equal(evaluate([{ ...base, name }], ruleSet, { 'pypi-psycopg-binary': 'error' }).length, 1, name);
  }
  for (const name of ['py-nacl', 'pynacl2', 'psycopg2']) {
    assert.equal(evaluate([{ ...base, name }], ruleSet, { 'pypi-pynacl': 'error', 'pypi-psycopg-binary': 'error' }).length, 0, name);
  }
  // other ecosystems keep exact names
  assert.equal(evaluate([{ ...base, ecosystem: 'cargo', name: 'Ring', purl: 'pkg:cargo/Ring@0.17.14' }], ruleSet, { 'cargo-ring': 'error' }).length, 0);
});

test('an unpinned requirement (ansible/ansible requirements.txt) is still reported by name rules', async () => {
  const text = readFileSync(path.join(repoRoot, 'test/fixtures/python/requirements-ansible/requirements.txt'), 'utf8');
  const components = await extractRequirements(text, 'requirements.txt', undefined);
  const findings = evaluate(components, ruleSet, ruleSet.profiles.get('fips-140-3')!.rules);
  assert.deepEqual(
    findings.map((f) => [f.ruleId, f.component.name, f.component.version, f.evidence[0]!.line]),
    [[bundledRule, 'cryptography', undefined, 8]],
  );
  // version-range rules need a version
  assert.ok(!findings.some((f) => f.ruleId.endsWith('-dos')));
});

function loadErrorFor(text: string): Promise<RuleLoadError> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-lookup-'));
  mkdirSync(path.join(dir, 'pypi'));
  writeFileSync(path.join(dir, 'pypi', 'pypi-lookup-test.yml'), text.replace(`id: ${bundledRule}`, 'id: pypi-lookup-test'));
  return loadRuleSet([builtinRulesDir, dir]).then(
    () => assert.fail('loading should have failed'),
    (e: unknown) => {
      assert.ok(e instanceof RuleLoadError, String(e));
      return e;
    },
  );
}

test('lookup load checks: bad range, catch-all not last, rows with different names, unknown placeholder', async () => {
  let e = await loadErrorFor(ruleText.replace("versions: '=43.0.1'", "versions: '=43.0.x'"));
  assert.match(e.message, /'43\.0\.x' is not a pypi version/);
  assert.equal(e.line, ruleText.split('\n').findIndex((l) => l.includes("'=43.0.1'")) + 1);

  e = await loadErrorFor(ruleText.replace("- versions: '=3.4.7'\n      values:", '- values:'));
  assert.match(e.message, /lookup row 1 has no versions \(any version\), so the rows after it can never apply; put it last/);

  e = await loadErrorFor(ruleText.replace('bundledOpenssl: OpenSSL 3.3.2', 'opensslRelease: OpenSSL 3.3.2'));
  assert.match(e.message, /every row must give the same values \(bundledOpenssl\)/);

  e = await loadErrorFor(ruleText.replace('link {bundledOpenssl} statically', 'link {bundled} statically'));
  assert.match(e.message, /message uses \{bundled\}, which is neither a component field .* nor a capture, property or lookup value/);
});
