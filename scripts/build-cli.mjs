#!/usr/bin/env node
// Bundle the CLI (src/cli.ts) into dist/bin/ with esbuild: start-up is a large part of a CI scan, and loading one
// file instead of ~100 modules saves a third of it. Dynamic imports (the TUI, reporters) stay separate chunks;
// ink, React and Arborist stay in node_modules (loaded only by `triage` / `--npm-reader arborist`), and so do the
// parsers extractors load lazily through createRequire (the CLI runs beside its node_modules, unlike the Action).
import * as esbuild from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REQUIRE_BANNER } from './esbuild-common.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// chunk names carry content hashes: without this, every rebuild would leave the previous build's chunks behind
rmSync(path.join(root, 'dist/bin'), { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['src/cli.ts'],
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // ESM builds of dependencies: jsonc-parser's CJS entry is a UMD whose internal requires a bundle cannot follow
  conditions: ['import'],
  mainFields: ['module', 'main'],
  // the parsers extractors and reporters load on demand stay in node_modules too: bundled, yaml's ESM build
  // lost its Parser export inside a split chunk ("Y.Parser is not a constructor" on every pnpm/berry lockfile)
  external: ['@npmcli/arborist', 'ink', 'react', 'react/jsx-runtime', 'yaml', 'ajv', 'fast-xml-parser', 'smol-toml', 'jsonc-parser', 'sql.js'],
  banner: { js: REQUIRE_BANNER },
  logLevel: 'warning',
});
