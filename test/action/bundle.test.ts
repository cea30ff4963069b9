/**
 * The committed Action bundle: current (rebuilt into a temp file, compared byte for byte — esbuild output is
 * deterministic), free of the TUI (ink/React) and Arborist, and the file action.yml starts with node24.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { repoRoot } from '../helpers.js';
import { BUNDLE } from './run-action.js';

const committed = path.join(repoRoot, BUNDLE);

test('the committed bundle is what scripts/build-action.mjs builds from the sources now', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-bundle-'));
  try {
    const fresh = path.join(dir, 'index.mjs');
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build-action.mjs'), '--outfile', fresh], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const same = readFileSync(fresh).equals(readFileSync(committed));
    assert.ok(same, `${BUNDLE} is stale: run \`node scripts/build-action.mjs\` and commit ${BUNDLE}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bundle holds no ink, React or Arborist code', () => {
  const text = readFileSync(committed, 'utf8');
  // esbuild marks each bundled module with a `// node_modules/<pkg>/…` comment
  for (const pkg of ['ink', 'react', 'react-reconciler', 'yoga-layout', '@npmcli/arborist']) {
    assert.ok(!text.includes(`// node_modules/${pkg}/`), `${pkg} is bundled`);
  }
  assert.doesNotMatch(text, /from ["']ink["']|import\(["']ink["']\)|require\(["']react["']\)/);
  // the only trace of Arborist is the lazy import the Action never reaches (it uses the lockfile reader)
  assert.equal(text.match(/@npmcli\/arborist/g)?.length, 1);
  // the parsers extractors load lazily through createRequire are inside, not resolved from node_modules at run time
  for (const pkg of ['smol-toml', 'jsonc-parser', 'yaml', 'ajv']) assert.ok(text.includes(`// node_modules/${pkg}/`), `${pkg} is not bundled`);
});

test('action.yml runs the bundle on node24, with an allowed branding icon', () => {
  const action = parse(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as {
    runs: { using: string; main: string };
    branding: { icon: string; color: string };
    inputs: Record<string, { description: string }>;
  };
  assert.equal(action.runs.using, 'node24');
  assert.equal(action.runs.main, BUNDLE);
  assert.equal(action.branding.icon, 'shield');
  for (const [id, input] of Object.entries(action.inputs)) assert.ok(input.description, `input ${id} has a description`);
});
