import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePep440, pep440Compare } from '../../src/engine/versions/pep440.js';
import { comparatorFor, parseRange, RangeSyntaxError, satisfies } from '../../src/engine/versions.js';

// The ordering example in PEP 440 ("Summary of permitted suffixes and relative ordering"), in its order.
const PEP440_EXAMPLE = [
  '1.dev0',
  '1.0.dev456',
  '1.0a1',
  '1.0a2.dev456',
  '1.0a12.dev456',
  '1.0a12',
  '1.0b1.dev456',
  '1.0b2',
  '1.0b2.post345.dev456',
  '1.0b2.post345',
  '1.0rc1.dev456',
  '1.0rc1',
  '1.0',
  '1.0+abc.5',
  '1.0+abc.7',
  '1.0+5',
  '1.0.post456.dev34',
  '1.0.post456',
  '1.0.15',
  '1.1.dev1',
];

test('PEP 440 example list sorts in the order the PEP gives', () => {
  for (let i = 0; i < PEP440_EXAMPLE.length; i++) {
    for (let j = 0; j < PEP440_EXAMPLE.length; j++) {
      const want = Math.sign(i - j);
      assert.equal(pep440Compare(PEP440_EXAMPLE[i]!, PEP440_EXAMPLE[j]!), want, `${PEP440_EXAMPLE[i]} vs ${PEP440_EXAMPLE[j]}`);
    }
  }
});

test('epochs win over release numbers; trailing zeros do not count', () => {
  assert.equal(pep440Compare('1!0.1', '2024.10'), 1);
  assert.equal(pep440Compare('0!1.0', '1.0'), 0);
  assert.equal(pep440Compare('1.0', '1.0.0'), 0);
  assert.equal(pep440Compare('41.0.6', '41.0.10'), -1); // numeric, not lexical
});

test('alternative spellings normalise (PEP 440 "Normalization")', () => {
  assert.equal(pep440Compare('1.0-alpha.1', '1.0a1'), 0);
  assert.equal(pep440Compare('1.0c1', '1.0rc1'), 0);
  assert.equal(pep440Compare('1.0-1', '1.0.post1'), 0);
  assert.equal(pep440Compare('1.0.rev1', '1.0.post1'), 0);
  assert.equal(pep440Compare('v1.0', '1.0'), 0);
  assert.equal(pep440Compare('1.0.DEV', '1.0.dev0'), 0);
  assert.deepEqual(parsePep440('1!2.3rc4.post5.dev6+ubuntu.7'), { epoch: 1, release: [2, 3], pre: ['rc', 4], post: 5, dev: 6, local: ['ubuntu', 7] });
});

test('local labels: after the public version, numbers after strings', () => {
  assert.equal(pep440Compare('1.0+ubuntu1', '1.0'), 1);
  assert.equal(pep440Compare('1.0+1', '1.0+ubuntu'), 1);
  assert.equal(pep440Compare('1.0+abc', '1.0+abc.1'), -1);
});

test('not PEP 440 (legacy versions, commits, env placeholders): no ordering, so no range matches', () => {
  for (const v of ['${CRYPTO_VERSION}', 'a3a9f2a', '1.0-foo', '', 'dev']) {
    assert.equal(parsePep440(v), undefined, v);
    assert.ok(!satisfies(v, '<99', 'pypi'), v);
  }
});

test("registered for the 'pypi' ecosystem and as the 'pep440' scheme", () => {
  assert.equal(comparatorFor('pypi'), pep440Compare);
  assert.equal(comparatorFor('pep440'), pep440Compare);
  // advisory ranges of the PyPI rules, on versions from the real lockfiles
  assert.ok(satisfies('2.8', '>=0.5 <=40.0.2', 'pypi'));
  assert.ok(!satisfies('41.0.7', '>=0.5 <=40.0.2', 'pypi'));
  assert.ok(satisfies('41.0.7', '<42.0.4', 'pypi'));
  assert.ok(!satisfies('43.0.1', '<42.0.4', 'pypi'));
  assert.ok(satisfies('42.0.4rc1', '<42.0.4', 'pypi'), 'a pre-release of the fix is still before the fix');
  assert.ok(!satisfies('42.0.4.post1', '<42.0.4', 'pypi'));
  assert.throws(() => parseRange('<4x', 'pypi'), (e: unknown) => e instanceof RangeSyntaxError && /'4x' is not a pypi version/.test(e.message));
});
