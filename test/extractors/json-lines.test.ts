import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { propertyLines, propertyLinesFast, type JsonPath } from '../../src/extractors/json-lines.js';
import { repoRoot, SHARED_MISSING, sharedFixture } from '../helpers.js';

/** Every JSON file under a folder (lockfiles by any name: composer.lock and bun.lock's siblings are JSON too). */
function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsonFiles(p));
    else if (/\.json$|^composer\.lock$|^Pipfile\.lock$/.test(name)) {
      try {
        JSON.parse(readFileSync(p, 'utf8').replace(/^\uFEFF/, ''));
        out.push(p);
      } catch {
        // deliberately broken fixtures: propertyLinesFast is only ever run after JSON.parse succeeded
      }
    }
  }
  return out;
}

// what the extractors ask for (composer.lock, packages.lock.json) and a generic one that takes every shallow key
const QUESTIONS: Array<[string, (parent: JsonPath, key: string) => boolean, number]> = [
  ['composer', (parent, key) => parent.length === 2 && (parent[0] === 'packages' || parent[0] === 'packages-dev') && key === 'name', 2],
  ['nuget', (parent) => parent.length === 2 && parent[0] === 'dependencies', 2],
  ['all keys up to depth 3', (parent) => parent.length <= 3, 3],
];

test('propertyLinesFast finds the same lines as jsonc-parser visit on every JSON fixture', (t) => {
  const shared = sharedFixture('fixtures/lockfiles');
  if (!shared) t.diagnostic(SHARED_MISSING);
  const files = [...jsonFiles(path.join(repoRoot, 'test/fixtures')), ...(shared ? jsonFiles(shared) : [])];
  assert.ok(files.length > 5);
  let found = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const [label, wanted, depth] of QUESTIONS) {
      const fast = propertyLinesFast(text, wanted, depth);
      assert.deepEqual(fast, propertyLines(text, wanted), `${f} (${label})`);
      found += fast.size;
    }
  }
  assert.ok(found > 1000, `only ${found} lines found`);
  if (shared) {
    const composer = readFileSync(path.join(shared, 'composer-lock-firefly-iii/composer.lock'), 'utf8');
    const lines = propertyLinesFast(composer, QUESTIONS[0]![1], 2);
    assert.ok(lines.size > 100);
    // the line really holds that package's "name"
    const first = lines.get(['packages', 0, 'name'].join('\0'))!;
    const name = (JSON.parse(composer) as { packages: Array<{ name: string }> }).packages[0]!.name;
    assert.ok(composer.split('\n')[first - 1]!.includes(`"name": ${JSON.stringify(name)}`));
  }
});

test('propertyLinesFast: escapes, keys split from their colon by a newline, arrays of arrays, minified input', () => {
  const tricky = '{"packages":[{"name":"a\\\\"},{"x":[1,[2,"]",{"name":"deep"}]],"na\\"me"\n:"q\\\\\\"b",\n"name":"c"}],"p":{"q":{"r":1}}}';
  JSON.parse(tricky);
  const all = (parent: JsonPath) => parent.length <= 3;
  assert.deepEqual(propertyLinesFast(tricky, all, 3), propertyLines(tricky, all));
  const names = propertyLinesFast(tricky, (parent, key) => parent[0] === 'packages' && key === 'name', 2);
  assert.deepEqual([...names], [['packages\u00000\u0000name', 1], ['packages\u00001\u0000name', 3]]);
});
