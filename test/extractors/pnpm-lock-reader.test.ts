import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { lastPnpmReader, parsePnpmLock } from '../../src/extractors/pnpm-lock.js';
import { DirVfs } from '../../src/sources/dir.js';
import { repoRoot, SHARED_MISSING, sharedFixture } from '../helpers.js';

/**
 * parsePnpmLock reads plain YAML from the `yaml` Parser's CST and leaves everything else (and every error) to the
 * composer. Both readings must give the same components, or the same error, on every pnpm lockfile we have.
 */
function lockfiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...lockfiles(p));
    else if (name === 'pnpm-lock.yaml') out.push(p);
  }
  return out;
}

async function both(text: string, dir: string): Promise<{ fast: unknown; composed: unknown; reader: typeof lastPnpmReader }> {
  const vfs = new DirVfs(dir);
  const input = { path: 'pnpm-lock.yaml', size: text.length, vfs, readText: async () => text };
  const run = async (reader?: 'composed') => {
    try {
      return await parsePnpmLock(text, input, reader ? { reader } : {});
    } catch (e) {
      return { error: (e as Error).message, line: (e as { line?: number }).line };
    }
  };
  const fast = await run();
  const reader = lastPnpmReader;
  return { fast, composed: await run('composed'), reader };
}

test('the plain CST reading and the composed one agree on every pnpm fixture; real lockfiles take the plain one', async (t) => {
  const shared = sharedFixture('fixtures/lockfiles');
  if (!shared) t.diagnostic(SHARED_MISSING);
  const files = [...lockfiles(path.join(repoRoot, 'test/fixtures')), ...(shared ? lockfiles(shared) : [])];
  assert.ok(files.length >= 10);
  let packages = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const r = await both(text, path.dirname(f));
    assert.deepEqual(r.fast, r.composed, f);
    const valid = Array.isArray(r.composed);
    if (valid) packages += (r.composed as unknown[]).length;
    // files pnpm wrote are plain YAML; the broken ones are left to the composer, which names the error
    if (valid && !f.includes(`${path.sep}bad${path.sep}`)) assert.equal(r.reader, 'plain', f);
  }
  assert.ok(packages > (shared ? 2000 : 20), `${packages} packages`);
});

test('YAML the plain reading does not take (aliases, tags, duplicate keys, tabs, a scalar document) goes to the composer with the same result', async () => {
  const dir = path.join(repoRoot, 'test/fixtures/js/main/pnpm-v9');
  const real = readFileSync(path.join(dir, 'pnpm-lock.yaml'), 'utf8');
  assert.ok(real.startsWith("lockfileVersion: '9.0'\n"));
  const cases: Array<[string, string, 'plain' | 'composed']> = [
    ['comments and explicit document markers', `# written by pnpm\n---\n${real}...\n`, 'plain'],
    ['a tag', real.replace("lockfileVersion: '9.0'", "lockfileVersion: !!str '9.0'"), 'composed'],
    ['an anchor and an alias', real.replace('  autoInstallPeers: true', '  autoInstallPeers: &t true\n  x: *t'), 'composed'],
    ['a duplicate top-level key', `${real}\nlockfileVersion: '9.0'\n`, 'composed'],
    ['a duplicate nested key', real.replace('  autoInstallPeers: true', '  autoInstallPeers: true\n  autoInstallPeers: false'), 'composed'],
    ['a tab in the indentation', real.replace('  autoInstallPeers: true', '\tautoInstallPeers: true'), 'composed'],
    ['a comment glued to a value', real.replace("lockfileVersion: '9.0'", "lockfileVersion: '9.0'#x"), 'composed'],
    ['a scalar document', 'just text\n', 'composed'],
    ['a directive', `%YAML 1.2\n---\n${real}`, 'composed'],
  ];
  for (const [label, text, reader] of cases) {
    const r = await both(text, dir);
    assert.deepEqual(r.fast, r.composed, label);
    assert.equal(r.reader, reader, label);
  }
});
