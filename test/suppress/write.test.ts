import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { addSuppressions, insertSuppressions, type NewSuppression } from '../../src/suppress/write.js';
import { SuppressionError } from '../../src/suppress/load.js';

/** A config as a team would keep it: header comments, custom key order, comments between and after entries,
 * an unindented list, a folded block scalar, a flow mapping and trailing comments. */
const CONFIG = `# cryptaudit configuration for payments-service
# owner: platform-security@example.com   (see SECURITY.md)

fail-on: error   # CI gate: only errors block a merge
policy: fips-140-3

suppressions:
# reviewed 2025-10-31 by the security guild
- rule: npm-elliptic        # dev only: test harness
  purl: 'pkg:npm/elliptic'
  reason: >-
    Only used by the test harness to produce
    fixtures; never shipped.
  expires: 2026-01-31
  created: "2025-10-31"

exclude:
  - "third_party/**"   # vendored code, audited upstream
rules: {cargo-rustcrypto: off}
# end of file
`;

const ENTRY: NewSuppression = {
  rule: 'cargo-ring',
  purl: 'pkg:cargo/ring',
  fingerprint: 'cc9475d6'.repeat(8),
  reason: 'TLS to the card network goes through the HSM proxy: ring only verifies webhook signatures',
  expires: '2026-04-15',
  created: '2026-01-15',
};

test('a commented config survives unchanged except for the new entry, placed at the end of the list', () => {
  const out = insertSuppressions(CONFIG, [ENTRY]);
  const cut = CONFIG.indexOf('\nexclude:');
  const added = out.slice(cut, out.length - (CONFIG.length - cut));
  // every byte before and after the insertion point is the original
  assert.equal(out.slice(0, cut), CONFIG.slice(0, cut));
  assert.equal(out.slice(cut + added.length), CONFIG.slice(cut));
  // the new entry follows the list's own indentation (unindented dashes here)
  assert.equal(
    added,
    '- rule: cargo-ring\n  purl: pkg:cargo/ring\n  fingerprint: ' +
      ENTRY.fingerprint +
      '\n  reason: "TLS to the card network goes through the HSM proxy: ring only verifies webhook signatures"\n  expires: 2026-04-15\n  created: 2026-01-15\n',
  );
  const parsed = parse(out) as { suppressions: Array<Record<string, string>>; rules: unknown };
  assert.equal(parsed.suppressions.length, 2);
  assert.deepEqual(parsed.suppressions[1], { ...ENTRY });
  assert.equal(parsed.suppressions[0]!['reason'], 'Only used by the test harness to produce fixtures; never shipped.');
  assert.deepEqual(parsed.rules, { 'cargo-rustcrypto': 'off' });
});

test('two rounds append in order; an indented list keeps its indentation', () => {
  const indented = 'policy: pqc\nsuppressions:\n  - rule: a\n    purl: pkg:npm/a\n    reason: |\n      two\n      lines\n    expires: 2026-02-01\n  # keep me\nfail-on: none\n';
  const once = insertSuppressions(indented, [ENTRY]);
  const twice = insertSuppressions(once, [{ ...ENTRY, rule: 'cargo-ring-unmaintained' }]);
  const list = (parse(twice) as { suppressions: Array<{ rule: string }> }).suppressions.map((s) => s.rule);
  assert.deepEqual(list, ['a', 'cargo-ring', 'cargo-ring-unmaintained']);
  assert.match(twice, /\n {2}- rule: cargo-ring\n {4}purl: pkg:cargo\/ring\n/);
  assert.ok(twice.endsWith('  # keep me\nfail-on: none\n'));
  assert.ok(twice.includes('    reason: |\n      two\n      lines\n'));
});

test('no list yet: empty file, a config without the key, `suppressions:` alone and `suppressions: []`', () => {
  assert.deepEqual((parse(insertSuppressions('', [ENTRY])) as { suppressions: unknown[] }).suppressions, [ENTRY]);
  const noKey = '# only a policy\npolicy: pqc';
  const out = insertSuppressions(noKey, [ENTRY]);
  assert.ok(out.startsWith('# only a policy\npolicy: pqc\nsuppressions:\n  - rule: cargo-ring\n'));
  const bare = 'suppressions:   # none yet\nfail-on: none\n';
  assert.equal(insertSuppressions(bare, [ENTRY]).split('\n')[0], 'suppressions:   # none yet');
  assert.equal((parse(insertSuppressions(bare, [ENTRY])) as { 'fail-on': string })['fail-on'], 'none');
  const flow = 'policy: pqc\nsuppressions: []  # none yet\nfail-on: none\n';
  const fromFlow = insertSuppressions(flow, [ENTRY]);
  assert.deepEqual(parse(fromFlow), { policy: 'pqc', suppressions: [ENTRY], 'fail-on': 'none' });
  assert.ok(fromFlow.startsWith('policy: pqc\nsuppressions:  # none yet\n  - rule: cargo-ring'));
});

test('CRLF files get CRLF lines', () => {
  const crlf = CONFIG.replace(/\n/g, '\r\n');
  const out = insertSuppressions(crlf, [ENTRY]);
  assert.doesNotMatch(out.replace(/\r\n/g, ''), /\n/);
  assert.equal((parse(out) as { suppressions: unknown[] }).suppressions.length, 2);
});

test('what cannot be extended is an error naming the file and line, never a rewrite', () => {
  assert.throws(() => insertSuppressions('policy: pqc\nsuppressions: yes\n', [ENTRY], 'c.yml'), (e: unknown) => e instanceof SuppressionError && /c\.yml:2: 'suppressions' must be a list/.test(e.message));
  assert.throws(() => insertSuppressions('- a\n- b\n', [ENTRY], 'c.yml'), /c\.yml:1: the top level must be a block mapping/);
  assert.throws(() => insertSuppressions('policy: [\n', [ENTRY], 'c.yml'), /c\.yml:\d+: not valid YAML/);
});

test('addSuppressions creates a missing file and writes atomically (no temp file left behind)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-suppress-'));
  const file = path.join(dir, '.cryptaudit.yml');
  await addSuppressions(file, [ENTRY]);
  await addSuppressions(file, [{ ...ENTRY, rule: 'cargo-ring-unmaintained' }]);
  assert.deepEqual(
    (parse(readFileSync(file, 'utf8')) as { suppressions: Array<{ rule: string }> }).suppressions.map((s) => s.rule),
    ['cargo-ring', 'cargo-ring-unmaintained'],
  );
  assert.deepEqual(readdirSync(dir), ['.cryptaudit.yml']);
  writeFileSync(file, CONFIG);
  await addSuppressions(file, [ENTRY]);
  assert.equal(readFileSync(file, 'utf8'), insertSuppressions(CONFIG, [ENTRY]));
});
