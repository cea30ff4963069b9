#!/usr/bin/env node
// Regenerates the yarn / pnpm / bun (and one npm) lockfile fixtures under test/fixtures/js from the npm registry
// with the real package managers, run through npx. Each fixture folder holds fixture.json naming its tool:
//   {"tool": "yarn", "version": "1"}      yarn classic   → yarn.lock (# yarn lockfile v1)
//   {"tool": "yarn", "version": "4"}      yarn berry     → yarn.lock (__metadata), nodeLinker node-modules
//   {"tool": "pnpm", "version": "7"|"8"|"9"}             → pnpm-lock.yaml 5.4 | '6.0' | '9.0'
//   {"tool": "bun"}                       bun ≥ 1.2      → bun.lock (JSONC)
//   {"tool": "bun", "binary": true}       bun            → bun.lockb (the older binary format, via bunfig.toml)
//   {"tool": "npm"}                       npm on PATH    → package-lock.json v3 (for the cross-tool comparison)
// The tool runs in a temporary copy of the folder (so no node_modules or cache lands in the repository), never
// runs install scripts, and only the lockfile is copied back.
// Usage: node scripts/make-js-fixtures.mjs [folder ...]   (default: every folder with a fixture.json)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const base = path.join(repo, 'test/fixtures/js');
const REGISTRY = 'https://registry.npmjs.org/';

function fixtureDirs(dir) {
  const out = [];
  if (existsSync(path.join(dir, 'fixture.json'))) return [dir];
  for (const name of readdirSync(dir).sort()) {
    const sub = path.join(dir, name);
    if (name !== 'node_modules' && statSync(sub).isDirectory()) out.push(...fixtureDirs(sub));
  }
  return out;
}

/** [command, args, lockfile name] per tool */
function plan(opts) {
  const v = String(opts.version ?? '');
  switch (opts.tool) {
    case 'yarn':
      if (v === '1') return [['npx', ['--yes', 'yarn@1', 'install', '--ignore-scripts', '--ignore-engines', '--non-interactive', '--no-progress', '--registry', REGISTRY]], 'yarn.lock'];
      return [['npx', ['--yes', `@yarnpkg/cli-dist@${v}`, 'install', '--mode', 'update-lockfile']], 'yarn.lock'];
    case 'pnpm':
      return [['npx', ['--yes', `pnpm@${v}`, 'install', '--lockfile-only', '--ignore-scripts', '--registry', REGISTRY]], 'pnpm-lock.yaml'];
    case 'bun':
      return [['npx', ['--yes', `bun@${v || '1'}`, 'install', '--lockfile-only', '--ignore-scripts', '--registry', REGISTRY]], opts.binary ? 'bun.lockb' : 'bun.lock'];
    case 'npm':
      return [['npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund']], 'package-lock.json'];
    default:
      throw new Error(`unknown tool ${opts.tool}`);
  }
}

const dirs = process.argv.length > 2 ? process.argv.slice(2).map((d) => path.resolve(d)) : fixtureDirs(base);
for (const dir of dirs) {
  const opts = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8'));
  const [[cmd, args], lockName] = plan(opts);
  const work = mkdtempSync(path.join(tmpdir(), 'cryptaudit-js-fixture-'));
  try {
    cpSync(dir, work, { recursive: true, filter: (src) => path.basename(src) !== lockName && path.basename(src) !== 'README.md' });
    if (opts.tool === 'yarn' && opts.version !== '1') {
      // berry: no Plug'n'Play files, no global cache in the home folder, an (empty) lockfile marks the project root
      writeFileSync(path.join(work, '.yarnrc.yml'), 'nodeLinker: node-modules\nenableGlobalCache: false\nenableTelemetry: false\n');
      writeFileSync(path.join(work, 'yarn.lock'), '');
    }
    if (opts.tool === 'bun' && opts.binary) writeFileSync(path.join(work, 'bunfig.toml'), '[install]\nsaveTextLockfile = false\n');
    process.stderr.write(`${path.relative(repo, dir)}: ${cmd} ${args.join(' ')}\n`);
    // keep `resolved` URLs as a real project's npm lockfile has them, whatever the machine's npmrc says
    const env = { ...process.env, npm_config_omit_lockfile_registry_resolved: 'false', YARN_ENABLE_TELEMETRY: '0', CI: '1' };
    execFileSync(cmd, args, { cwd: work, env, stdio: ['ignore', 'ignore', 'inherit'] });
    // pnpm 7 and bun write no lockfile for a project without dependencies
    if (!existsSync(path.join(work, lockName))) throw new Error(`${path.relative(repo, dir)}: ${opts.tool} wrote no ${lockName}`);
    cpSync(path.join(work, lockName), path.join(dir, lockName));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
