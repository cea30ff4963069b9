import { test } from 'node:test';
import assert from 'node:assert/strict';
import { satisfies } from '../../src/engine/versions.js';

// Versions as they appear in the shared lockfiles and the fact base (§A.6): NuGet 2.6.2 / 2025.1.0 /
// 1.0.0-beta.16 / 3.7.100.14, RubyGems 8.2.0.alpha / 3.3.0, Composer v2.4.0 / 3.0.55 / v9.99.100.

test('NuGet: four-part versions, pre-releases below the release, case-insensitive labels', () => {
  assert.ok(satisfies('2.2.1', '<2.3.1', 'nuget'));
  assert.ok(!satisfies('2.6.2', '<2.3.1', 'nuget'));
  assert.ok(satisfies('3.7.100.14', '>3.7.100', 'nuget'));
  assert.ok(satisfies('1.0.0-beta.16', '<1.0.0', 'nuget'));
  assert.ok(satisfies('1.0.0-BETA.2', '<1.0.0-beta.16', 'nuget'));
  assert.ok(!satisfies('[1.0.0, )', '<2.0.0', 'nuget'));
});

test('RubyGems: a letter segment is a pre-release; trailing zeros do not count', () => {
  assert.ok(satisfies('8.2.0.alpha', '<8.2.0', 'gem'));
  assert.ok(satisfies('8.2.0.alpha', '>8.1.9', 'gem'));
  assert.ok(satisfies('3.3.0', '=3.3', 'gem'));
  assert.ok(satisfies('1.0.0.rc1', '<1.0.0', 'gem'));
  assert.ok(satisfies('1.0.0.rc1', '>1.0.0.beta2', 'gem'));
});

test('Composer: optional v prefix, stability suffixes, branches unordered', () => {
  assert.ok(satisfies('v2.4.0', '>=2.0.0 <2.0.47 || >=2.4.0', 'composer'));
  assert.ok(satisfies('3.0.35', '>=3.0.0 <3.0.36', 'composer'));
  assert.ok(!satisfies('3.0.55', '>=3.0.0 <3.0.36', 'composer'));
  assert.ok(satisfies('3.0.0-beta2', '<3.0.0', 'composer'));
  assert.ok(satisfies('3.0.0-RC1', '>3.0.0-beta2', 'composer'));
  assert.ok(!satisfies('dev-main', '<99', 'composer'));
});
