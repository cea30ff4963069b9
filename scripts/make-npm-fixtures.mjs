#!/usr/bin/env node
// Regenerates the npm lockfile fixtures from the npm registry: every folder under test/fixtures/npm that holds
// a package.json gets a fresh package-lock.json from the real npm client, without running install scripts.
// A folder may hold fixture.json: {"npm": "8"} runs that npm major through npx (lockfileVersion 1 needs npm 6,
// 2 needs npm 7/8; the npm on PATH writes 3), {"shrinkwrap": true} renames the result to npm-shrinkwrap.json.
// Usage: node scripts/make-npm-fixtures.mjs [folder ...]   (default: all)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const base = path.join(repo, 'test/fixtures/npm');

function fixtureDirs(dir) {
  const out = [];
  if (existsSync(path.join(dir, 'package.json'))) out.push(dir);
  for (const name of readdirSync(dir)) {
    const sub = path.join(dir, name);
    if (name !== 'node_modules' && statSync(sub).isDirectory()) out.push(...fixtureDirs(sub));
  }
  return out;
}

const dirs = process.argv.length > 2 ? process.argv.slice(2).map((d) => path.resolve(d)) : fixtureDirs(base);
for (const dir of dirs) {
  const optsFile = path.join(dir, 'fixture.json');
  const opts = existsSync(optsFile) ? JSON.parse(readFileSync(optsFile, 'utf8')) : {};
  for (const f of ['package-lock.json', 'npm-shrinkwrap.json']) rmSync(path.join(dir, f), { force: true });
  const npmArgs = ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'];
  const [cmd, args] = opts.npm ? ['npx', ['--yes', `npm@${opts.npm}`, ...npmArgs]] : ['npm', npmArgs];
  process.stderr.write(`${path.relative(repo, dir)}: ${cmd} ${args.join(' ')}\n`);
  // keep `resolved` URLs as a real project's lockfile has them, whatever the machine's npmrc says
  const env = { ...process.env, npm_config_omit_lockfile_registry_resolved: 'false' };
  execFileSync(cmd, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (opts.shrinkwrap) renameSync(path.join(dir, 'package-lock.json'), path.join(dir, 'npm-shrinkwrap.json'));
  rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
}
