import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRange, RangeSyntaxError, satisfies } from '../../src/engine/versions.js';

// Version strings are real releases: OpenSSL tags, openssl-src crate versions from the shared Cargo.lock
// fixtures (300.6.1+3.6.3) and the knowledge base (111.25.0+1.1.1t), npm versions from advisories.

test('OpenSSL ordering: letter suffixes sort after the bare release and in alphabet order', () => {
  assert.ok(satisfies('1.1.1w', '>1.1.1', 'openssl'));
  assert.ok(satisfies('1.1.1k', '<1.1.1w', 'openssl'));
  assert.ok(satisfies('1.1.1t', '<3.0.0', 'openssl'));
  assert.ok(satisfies('1.0.2u', '<1.1.0', 'openssl'));
  assert.ok(!satisfies('1.1.1w', '<1.1.1', 'openssl'));
});

test('OpenSSL ordering: pre-releases come before the release', () => {
  assert.ok(satisfies('3.0.0-alpha17', '<3.0.0', 'openssl'));
  assert.ok(satisfies('3.0.0-beta2', '>3.0.0-alpha17', 'openssl'));
  assert.ok(satisfies('3.5.0', '>3.5.0-beta1', 'openssl'));
});

test('OpenSSL 3.5.0 is where ML-KEM key exchange became the default', () => {
  assert.ok(satisfies('3.3.2', '<3.5.0', 'openssl'));
  assert.ok(!satisfies('3.6.3', '<3.5.0', 'openssl'));
  assert.ok(!satisfies('3.5.0', '<3.5.0', 'openssl'));
});

test('cargo versions: build metadata (openssl-src) is ignored in ordering, prereleases order before release', () => {
  assert.ok(satisfies('300.6.1+3.6.3', '>=300.0.0', 'cargo'));
  assert.ok(satisfies('111.25.0+1.1.1t', '<300.0.0', 'cargo'));
  assert.ok(satisfies('0.24.0-dev.1', '>=0.23.27', 'cargo'));
  assert.ok(satisfies('0.23.0-alpha.1', '<0.23.0', 'cargo'));
  assert.ok(satisfies('0.16.20', '<0.17', 'cargo'));
  assert.ok(!satisfies('0.17.14', '<0.17.12', 'cargo'));
});

test('npm ranges with several comparator sets (openpgp CVE-2025-47934: <5.11.3 || >=6.0.0 <6.1.1)', () => {
  const range = '<5.11.3 || >=6.0.0 <6.1.1';
  assert.ok(satisfies('5.11.2', range, 'npm'));
  assert.ok(!satisfies('5.11.3', range, 'npm'));
  assert.ok(satisfies('6.1.0', range, 'npm'));
  assert.ok(!satisfies('6.1.1', range, 'npm'));
});

test('a version that cannot be ordered (a git commit in a lockfile) never matches', () => {
  assert.ok(!satisfies('git+ssh://git@github.com/digitalbazaar/forge.git#a3a9f2a', '<1.3.2', 'npm'));
  assert.ok(!satisfies('OpenSSL_1_1_1w', '<3.0.0', 'openssl'));
});

test('range syntax errors name the bad part', () => {
  assert.throws(() => parseRange('1.2.3', 'npm'), (e: unknown) => e instanceof RangeSyntaxError && /needs an operator/.test(e.message));
  assert.throws(() => parseRange('<abc', 'npm'), (e: unknown) => e instanceof RangeSyntaxError && /'abc' is not a npm version/.test(e.message));
  assert.throws(() => parseRange('<1.0.0', 'no-such-scheme'), (e: unknown) => e instanceof RangeSyntaxError && /no version ordering/.test(e.message));
  assert.throws(() => parseRange('<1.0.0 || ', 'npm'), RangeSyntaxError);
});
