#!/usr/bin/env node
// Bundle the GitHub Action (src/action/main.ts) into one ESM file, dist-action/index.mjs, committed to the
// repository so the runner starts it without `npm install` (the dist/ pattern of actions/typescript-action and
// anchore/scan-action; knowledge/sarif-action-cbom-tui.md §2.4, §8.2). rules/, schema/ and package.json are read
// at run time from beside it (src/util/paths.ts). esbuild output is deterministic for the same inputs and
// esbuild version, so CI rebuilds into a temp file and compares bytes (test/action/bundle.test.ts, .ci/run).
//
//   node scripts/build-action.mjs                 write dist-action/index.mjs
//   node scripts/build-action.mjs --outfile F     write F instead (staleness check)
import * as esbuild from 'esbuild';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lazyRequire, REQUIRE_BANNER } from './esbuild-common.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outfile: { type: 'string' } } });
const outfile = path.resolve(values.outfile ?? path.join(root, 'dist-action', 'index.mjs'));

// Never in the Action: the TUI (ink/React) and Arborist (the Action reads package-lock.json with the plain
// lockfile reader; Arborist and its dependency tree would only be dead weight in the committed bundle).
const EXTERNAL = ['@npmcli/arborist'];
const FORBIDDEN = /(^|\/)node_modules\/(ink|react|react-reconciler|react-dom|@npmcli\/arborist)\//;

const result = await esbuild.build({
  absWorkingDir: root,
  // module paths in the output's comments stay `node_modules/…` even when node_modules is a symlink
  preserveSymlinks: true,
  entryPoints: ['src/action/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  conditions: ['import'],
  external: EXTERNAL,
  banner: { js: REQUIRE_BANNER },
  legalComments: 'eof',
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
  plugins: [lazyRequire],
});

const inputs = Object.keys(result.metafile.inputs);
const bad = inputs.filter((p) => FORBIDDEN.test(p));
if (bad.length) {
  console.error(`build-action: the bundle must not contain these (reached from src/action/main.ts):\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
const size = (await fs.stat(outfile)).size;
console.error(`build-action: ${path.relative(root, outfile)} (${(size / 1024).toFixed(0)} KiB, ${inputs.length} inputs)`);
