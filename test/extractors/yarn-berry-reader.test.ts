import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isBerry, lastBerryReader, parseYarnLock } from '../../src/extractors/yarn-lock.js';
import { DirVfs } from '../../src/sources/dir.js';
import { repoRoot, SHARED_MISSING, sharedFixture } from '../helpers.js';

/** Berry yarn.lock files are read from the yaml Parser's CST when plain; the composed reading must agree. */
function berryLockfiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...berryLockfiles(p));
    else if (name === 'yarn.lock' && isBerry(readFileSync(p, 'utf8'))) out.push(p);
  }
  return out;
}

async function both(text: string, dir: string) {
  const input = { path: 'yarn.lock', size: text.length, vfs: new DirVfs(dir), readText: async () => text };
  const run = async (reader?: 'composed') => {
    try {
      return await parseYarnLock(text, input, reader ? { reader } : {});
    } catch (e) {
      return { error: (e as Error).message, line: (e as { line?: number }).line };
    }
  };
  const fast = await run();
  const reader = lastBerryReader;
  return { fast, composed: await run('composed'), reader };
}

test('berry yarn.lock: the plain CST reading and the composed one agree on every fixture; real lockfiles take the plain one', async (t) => {
  const shared = sharedFixture('fixtures/lockfiles');
  if (!shared) t.diagnostic(SHARED_MISSING);
  const files = [...berryLockfiles(path.join(repoRoot, 'test/fixtures')), ...(shared ? berryLockfiles(shared) : [])];
  assert.ok(files.length >= 2);
  let packages = 0;
  for (const f of files) {
    const r = await both(readFileSync(f, 'utf8'), path.dirname(f));
    assert.deepEqual(r.fast, r.composed, f);
    if (Array.isArray(r.composed)) {
      packages += r.composed.length;
      if (!f.includes(`${path.sep}bad${path.sep}`)) assert.equal(r.reader, 'plain', f);
    }
  }
  assert.ok(packages > (shared ? 500 : 5), `${packages} packages`);
});

test('berry yarn.lock the plain reading declines (aliases, duplicate keys, two documents) reads the same through the composer', async (t) => {
  const shared = sharedFixture('fixtures/lockfiles/yarn-berry-eth-sig-util');
  if (!shared) return t.skip(SHARED_MISSING);
  const real = readFileSync(path.join(shared, 'yarn.lock'), 'utf8');
  const cases: Array<[string, string, 'plain' | 'composed']> = [
    ['as written', real, 'plain'],
    ['an anchor and an alias', real.replace(/^ {2}cacheKey: (\S+)$/m, '  cacheKey: &c $1\n  other: *c'), 'composed'],
    ['a duplicate entry', `${real}\n__metadata:\n  version: 6\n`, 'composed'],
    ['two documents', `${real}\n---\n${real}`, 'composed'],
  ];
  for (const [label, text, reader] of cases) {
    assert.ok(label === 'as written' || text !== real, label);
    const r = await both(text, shared);
    assert.deepEqual(r.fast, r.composed, label);
    assert.equal(r.reader, reader, label);
  }
});
