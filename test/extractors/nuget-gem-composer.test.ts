import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseNugetLock, nugetLockExtractor } from '../../src/extractors/nuget-lock.js';
import { parseGemfileLock } from '../../src/extractors/gemfile-lock.js';
import { parseComposerLock } from '../../src/extractors/composer-lock.js';
import { ParseError } from '../../src/extractors/types.js';
import { DirVfs } from '../../src/sources/dir.js';
import { walkAndExtract } from '../../src/walk.js';
import { sharedFixture, SHARED_MISSING } from '../helpers.js';

// Facts asserted here are checked by hand against the files (grep -n) and /work/shared/fixtures/lockfiles/SOURCES.md.

function shared(rel: string): string | undefined {
  const p = sharedFixture(`fixtures/lockfiles/${rel}`);
  return p && readFileSync(p, 'utf8');
}

test('packages.lock.json (testcontainers): BouncyCastle.Cryptography via SSH.NET, line, path, direct', (t) => {
  const text = shared('nuget-packages-lock-testcontainers/packages.lock.json');
  if (!text) return t.skip(SHARED_MISSING);
  const comps = parseNugetLock(text, 'src/WeatherForecast/packages.lock.json', { project: 'WeatherForecast' });
  const bc = comps.find((c) => c.name === 'BouncyCastle.Cryptography')!;
  assert.equal(bc.version, '2.6.2');
  assert.equal(bc.purl, 'pkg:nuget/BouncyCastle.Cryptography@2.6.2');
  assert.deepEqual(bc.evidence.map((e) => [e.kind, e.path, e.line]), [['declared', 'src/WeatherForecast/packages.lock.json', 37]]);
  assert.deepEqual(bc.dependencyPath, ['WeatherForecast', 'Testcontainers.PostgreSql', 'Testcontainers', 'SSH.NET', 'BouncyCastle.Cryptography']);
  assert.equal(bc.direct, false);
  const pg = comps.find((c) => c.name === 'Testcontainers.PostgreSql')!;
  assert.equal(pg.direct, true);
  assert.equal(pg.evidence[0]!.line, 28);
  assert.deepEqual(comps.find((c) => c.name === 'SSH.NET')!.dependencies?.includes('BouncyCastle.Cryptography'), true);
  // one component per package id, whatever the number of target frameworks
  assert.equal(new Set(comps.map((c) => c.name.toLowerCase())).size, comps.length);
});

test('Gemfile.lock (campfire): openssl via web-push, GIT sections, DEPENDENCIES as roots', (t) => {
  const text = shared('gemfile-lock-campfire/Gemfile.lock');
  if (!text) return t.skip(SHARED_MISSING);
  const comps = parseGemfileLock(text, 'Gemfile.lock', { project: 'campfire' });
  const openssl = comps.find((c) => c.name === 'openssl')!;
  assert.equal(openssl.purl, 'pkg:gem/openssl@3.3.0');
  assert.equal(openssl.evidence[0]!.line, 251);
  assert.deepEqual(openssl.dependencyPath, ['campfire', 'web-push', 'openssl']);
  assert.equal(openssl.direct, false);
  const webPush = comps.find((c) => c.name === 'web-push')!;
  assert.equal(webPush.direct, true);
  assert.deepEqual(webPush.dependencies, ['jwt', 'openssl']);
  // a gem from a GIT source (line 5: surfguard 0.1.0)
  const surfguard = comps.find((c) => c.name === 'surfguard')!;
  assert.equal(surfguard.evidence[0]!.line, 5);
  assert.match(surfguard.evidence[0]!.detail, /github\.com\/basecamp\/surfguard/);
  // CRLF line endings give the same components
  assert.deepEqual(parseGemfileLock(text.replace(/\n/g, '\r\n'), 'Gemfile.lock', { project: 'campfire' }), comps);
});

test('composer.lock (firefly-iii): phpseclib via laravel/passport; platform requirements are not packages', (t) => {
  const text = shared('composer-lock-firefly-iii/composer.lock');
  if (!text) return t.skip(SHARED_MISSING);
  const comps = parseComposerLock(text, 'composer.lock', { project: 'firefly-iii' });
  const seclib = comps.find((c) => c.name === 'phpseclib/phpseclib')!;
  assert.equal(seclib.purl, 'pkg:composer/phpseclib/phpseclib@3.0.55');
  assert.equal(seclib.evidence[0]!.line, 4722);
  assert.deepEqual(seclib.dependencyPath, ['firefly-iii', 'laravel/passport', 'phpseclib/phpseclib']);
  assert.deepEqual(seclib.dependencies, ['paragonie/constant_time_encoding', 'paragonie/random_compat']);
  assert.ok(!comps.some((c) => c.name === 'php' || c.name.startsWith('ext-')));
  const devCount = (JSON.parse(text) as { 'packages-dev': unknown[] })['packages-dev'].length;
  assert.equal(comps.filter((c) => c.scope?.dev).length, devCount);
});

test('composer.json beside the lockfile decides which packages are direct', (t) => {
  const text = shared('composer-lock-firefly-iii/composer.lock');
  if (!text) return t.skip(SHARED_MISSING);
  const comps = parseComposerLock(text, 'composer.lock', { composerJson: { require: { 'laravel/passport': '^13' } } });
  assert.deepEqual(comps.filter((c) => c.direct).map((c) => c.name), ['laravel/passport']);
});

test('broken files: a clear error with the line, and the walk goes on with the others', async (t) => {
  const nuget = shared('nuget-packages-lock-testcontainers/packages.lock.json');
  const gem = shared('gemfile-lock-campfire/Gemfile.lock');
  if (!nuget || !gem) return t.skip(SHARED_MISSING);
  // the real lockfile cut short in the middle of an entry
  const cut = nuget.slice(0, nuget.indexOf('"SSH.NET": {') + 20);
  assert.throws(() => parseNugetLock(cut, 'packages.lock.json'), (e: unknown) => e instanceof ParseError && /not valid JSON: unexpected end of file at line 84/.test(e.message) && e.line === 84);
  assert.throws(() => parseNugetLock(nuget.replace('"version": 2', '"version": 7'), 'packages.lock.json'), (e: unknown) => e instanceof ParseError && /unsupported packages\.lock\.json version 7/.test(e.message));
  // a gem spec line that lost its closing parenthesis
  const broken = gem.replace('    openssl (3.3.0)', '    openssl (3.3.0');
  assert.throws(() => parseGemfileLock(broken, 'Gemfile.lock'), (e: unknown) => e instanceof ParseError && e.line === 251);
});

test('empty lockfiles are valid and hold nothing', () => {
  assert.deepEqual(parseNugetLock('{"version": 1, "dependencies": {}}', 'packages.lock.json'), []);
  assert.deepEqual(parseGemfileLock('', 'Gemfile.lock'), []);
  assert.deepEqual(parseComposerLock('{"packages": [], "packages-dev": []}', 'composer.lock'), []);
});

test('through the walk, the project name comes from the folder on disk', async (t) => {
  const dir = sharedFixture('fixtures/lockfiles/nuget-packages-lock-testcontainers');
  if (!dir) return t.skip(SHARED_MISSING);
  const { components, errors } = await walkAndExtract(new DirVfs(dir), [nugetLockExtractor]);
  assert.deepEqual(errors, []);
  assert.equal(components.find((c) => c.name === 'BouncyCastle.Cryptography')!.dependencyPath![0], path.basename(dir));
});
