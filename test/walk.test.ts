import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractors } from '../src/extractors/index.js';
import { DirVfs } from '../src/sources/dir.js';
import { walkAndExtract } from '../src/walk.js';
import { repoRoot } from './helpers.js';

const lockfile = path.join(repoRoot, 'examples/payments-service/web/package-lock.json');
// built by scripts/make-binary-fixtures.sh from the sodium-native package on the npm registry
const sodiumDir = path.join(repoRoot, '.cache/binary/targets/sodium-native/prebuilds/linux-x64');

test('node_modules: lockfiles there are not the project\'s, prebuilt addons there are scanned', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-walk-'));
  copyFileSync(lockfile, path.join(dir, 'package-lock.json'));
  mkdirSync(path.join(dir, 'node_modules/node-forge'), { recursive: true });
  copyFileSync(lockfile, path.join(dir, 'node_modules/node-forge/package-lock.json'));
  const addon = existsSync(sodiumDir) ? readdirSync(sodiumDir).find((f) => f.endsWith('.node')) : undefined;
  if (addon) {
    mkdirSync(path.join(dir, 'node_modules/sodium-native/prebuilds/linux-x64'), { recursive: true });
    copyFileSync(path.join(sodiumDir, addon), path.join(dir, 'node_modules/sodium-native/prebuilds/linux-x64', addon));
  }
  const { components, errors } = await walkAndExtract(new DirVfs(dir), extractors);
  assert.deepEqual(errors, []);
  const npm = components.filter((c) => c.ecosystem === 'npm');
  assert.ok(npm.length > 0);
  assert.ok(npm.every((c) => c.evidence.every((e) => e.path === 'package-lock.json')), 'the copy inside node_modules is not read');
  if (!addon) return t.skip('sodium-native prebuild not built (scripts/make-binary-fixtures.sh)');
  const sodium = components.find((c) => c.name === 'libsodium');
  assert.ok(sodium, 'libsodium inside the prebuilt addon');
  assert.match(sodium.evidence[0]!.path, /^node_modules\/sodium-native\/prebuilds\/linux-x64\//);
});
