import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinRulesDir, loadRuleSet, RuleLoadError } from '../../src/engine/load.js';
import { repoRoot } from '../helpers.js';

// Broken rule files are made from a real built-in rule with one defect each, so the tests follow the format.
const ringRule = readFileSync(path.join(repoRoot, 'rules/cargo/cargo-ring.yml'), 'utf8');

function ruleDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-rules-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split('\n').length;
}

async function loadError(files: Record<string, string>): Promise<RuleLoadError> {
  const dir = ruleDir(files);
  try {
    await loadRuleSet([builtinRulesDir, dir]);
  } catch (e) {
    assert.ok(e instanceof RuleLoadError, `expected RuleLoadError, got ${String(e)}`);
    return e;
  }
  assert.fail('loading should have failed');
}

test('the built-in rules and the three policies load', async () => {
  const set = await loadRuleSet();
  assert.ok(set.rules.size >= 40, `only ${set.rules.size} rules`);
  assert.deepEqual([...set.profiles.keys()].sort(), ['fips-140-3', 'inventory', 'pqc']);
  assert.equal(set.rules.get('cargo-ring')?.file, path.relative(process.cwd(), path.join(repoRoot, 'rules/cargo/cargo-ring.yml')).split(path.sep).join('/'));
});

test('a rule file that is not YAML stops the run with its file and line', async () => {
  const broken = ringRule.replace('id: cargo-ring', 'id: my-ring').replace('names:\n    - ring', 'names:\n    - "ring');
  const err = await loadError({ 'custom/my-ring.yml': broken });
  assert.match(err.file, /custom\/my-ring\.yml$/);
  assert.ok(err.line && err.line >= lineOf(broken, '"ring'), `line ${err.line}`);
  assert.match(err.detail, /not valid YAML/);
});

test('a schema violation names the property and its line', async () => {
  const broken = ringRule.replace('id: cargo-ring', 'id: my-ring').replace('  ecosystem: cargo\n', '  ecosystem: cargo\n  version: "<0.17"\n');
  const err = await loadError({ 'my-ring.yml': broken });
  assert.equal(err.line, lineOf(broken, '  ecosystem: cargo'));
  assert.match(err.detail, /match: unknown property 'version'/);
});

test('a version range without an operator is rejected at its line', async () => {
  const broken = ringRule.replace('id: cargo-ring', 'id: my-ring').replace('  ecosystem: cargo\n', '  ecosystem: cargo\n  versions: "0.17.12"\n');
  const err = await loadError({ 'my-ring.yml': broken });
  assert.equal(err.line, lineOf(broken, '  versions:'));
  assert.match(err.detail, /needs an operator/);
});

test('a notProperties expression that is not a regular expression is rejected at its line', async () => {
  const broken = ringRule.replace('id: cargo-ring', 'id: my-ring').replace('  ecosystem: cargo\n', '  ecosystem: cargo\n  notProperties:\n    wheelPlatform: "(linux_"\n');
  const err = await loadError({ 'my-ring.yml': broken });
  assert.equal(err.line, lineOf(broken, '    wheelPlatform:'));
  assert.match(err.detail, /notProperties\.wheelPlatform is not a valid regular expression/);
});

test('a message placeholder that is neither a field nor a capture is rejected', async () => {
  const broken = ringRule.replace('id: cargo-ring', 'id: my-ring').replace('message: ring {version}', 'message: ring {openssl}');
  const err = await loadError({ 'my-ring.yml': broken });
  assert.equal(err.line, lineOf(broken, 'message:'));
  assert.match(err.detail, /\{openssl\}/);
});

test('a rule id defined twice names both files', async () => {
  const err = await loadError({ 'copy.yml': ringRule });
  assert.match(err.detail, /rule id 'cargo-ring' is already defined in .*rules\/cargo\/cargo-ring\.yml/);
});

test('a profile naming a rule that does not exist is rejected at that line', async () => {
  const profile = 'id: fips-140-3\ntitle: extra\ndescription: project additions\nrules:\n  my-missing-rule: error\n';
  const err = await loadError({ 'profiles/fips-140-3.yml': profile });
  assert.equal(err.line, 5);
  assert.match(err.detail, /my-missing-rule/);
});

test('a project rule directory adds rules and switches them on in a built-in policy', async () => {
  const mine = ringRule.replace('id: cargo-ring', 'id: my-ring');
  const dir = ruleDir({ 'my-ring.yml': mine, 'profiles/fips-140-3.yml': 'id: fips-140-3\ntitle: extra\ndescription: project additions\nrules:\n  my-ring: warning\n' });
  const set = await loadRuleSet([builtinRulesDir, dir]);
  const fips = set.profiles.get('fips-140-3')!;
  assert.equal(fips.rules['my-ring'], 'warning');
  assert.equal(fips.rules['cargo-ring'], 'error', 'built-in levels are kept');
});
