import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { bunLockExtractor } from '../../src/extractors/bun-lock.js';
import { lineIndex, normalizeInside, versionFromTarballUrl } from '../../src/extractors/js-lock-common.js';
import { npmLockPlainExtractor } from '../../src/extractors/npm-lock.js';
import { pnpmLockExtractor } from '../../src/extractors/pnpm-lock.js';
import { yarnLockExtractor } from '../../src/extractors/yarn-lock.js';
import type { Component } from '../../src/model/types.js';
import { components, jsFixtures } from './js-lock-helpers.js';

const ALL = [npmLockPlainExtractor, yarnLockExtractor, pnpmLockExtractor, bunLockExtractor];
const TOOLS = ['npm', 'yarn-v1', 'yarn-berry', 'pnpm-v5', 'pnpm-v6', 'pnpm-v9', 'bun'];

/** What must not depend on the package manager: the package, its scope, whether the project asks for it. */
const facts = (cs: Component[]) => cs.map((c) => `${c.name}@${c.version} ${c.purl} ${JSON.stringify(c.scope ?? {})} ${c.direct ? 'direct' : ''}`);

describe('one dependency set, every package manager: the same components', () => {
  for (const set of ['main', 'edge']) {
    test(`${set}: npm, yarn classic, yarn berry, pnpm 5.4/6.0/9.0 and bun agree (modulo lines)`, async () => {
      const byTool = new Map<string, Component[]>();
      for (const tool of TOOLS) byTool.set(tool, await components(path.join(jsFixtures, set, tool), ALL));
      const npm = byTool.get('npm')!;
      assert.ok(npm.length >= 7, `${npm.length} components`);
      for (const tool of TOOLS) {
        let cs = byTool.get(tool)!;
        assert.ok(cs.every((c) => c.evidence[0]!.line !== undefined), `${tool}: every component has a line`);
        // yarn berry adds node-gyp to packages that ship a binding.gyp; its subtree exists in no other lockfile
        if (tool === 'yarn-berry') cs = cs.filter((c) => !c.dependencyPath!.includes('node-gyp'));
        assert.deepEqual(facts(cs), facts(npm), tool);
        // paths may pick another parent of equal length where the trees differ (npm nests, pnpm does not)
        assert.deepEqual(cs.map((c) => c.dependencyPath!.length), npm.map((c) => c.dependencyPath!.length), `${tool} path lengths`);
      }
      if (set === 'main') {
        const extra = byTool.get('yarn-berry')!.filter((c) => c.dependencyPath!.includes('node-gyp'));
        assert.ok(extra.some((c) => c.name === 'node-gyp') && extra.every((c) => c.scope?.dev), 'berry extras are node-gyp\'s dev subtree');
      }
    });
  }
});

describe('shared helpers', () => {
  test('lineIndex', () => {
    const at = lineIndex('a\nbc\r\n\nd');
    assert.deepEqual([0, 1, 2, 4, 5, 6, 7].map(at), [1, 1, 2, 2, 2, 3, 4]);
  });

  test('normalizeInside never leaves the folder', () => {
    assert.equal(normalizeInside('./packages/../packages/signer/'), 'packages/signer');
    assert.equal(normalizeInside('.'), '');
    assert.equal(normalizeInside('../lib'), undefined);
    assert.equal(normalizeInside('a/../../b'), undefined);
  });

  test('versionFromTarballUrl', () => {
    assert.equal(versionFromTarballUrl('tweetnacl', 'https://registry.npmjs.org/tweetnacl/-/tweetnacl-1.0.3.tgz'), '1.0.3');
    assert.equal(versionFromTarballUrl('@noble/curves', 'https://registry.npmjs.org/@noble/curves/-/curves-1.2.0.tgz'), '1.2.0');
    assert.equal(versionFromTarballUrl('x', 'https://example.test/archive.tgz'), undefined);
  });
});
