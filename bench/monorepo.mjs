#!/usr/bin/env node
// Benchmark (not a test): `cryptaudit scan` of a monorepo holding one lockfile of every kind cryptaudit reads
// (thousands of packages in total) against a bare `node` process that only reads the same files and parses each
// with the generic parser for its syntax (JSON.parse, jsonc, yaml, smol-toml, fast-xml-parser, line split).
// Target: scan ≤ 3× the bare parse. The lockfiles are the real ones in ../shared/fixtures/lockfiles plus the large
// npm lockfile bench/npm-lockfile.mjs builds from the registry; they are copied into .cache/bench/monorepo
// (never into the repository). Usage: node bench/monorepo.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(repo, '..', 'shared', 'fixtures', 'lockfiles');
const mono = path.join(repo, '.cache/bench/monorepo');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const cli = path.join(repo, 'dist/bin/cli.js');
if (!existsSync(cli)) throw new Error('build first: npm run build');
if (!existsSync(shared)) {
  console.log(`skipped: ${shared} is not present`);
  process.exit(0);
}
const largeNpm = path.join(repo, '.cache/bench/large-npm/package-lock.json');
if (!existsSync(largeNpm)) spawnSync(process.execPath, [path.join(repo, 'bench/npm-lockfile.mjs'), '--runs', '1'], { stdio: 'inherit' });

rmSync(mono, { recursive: true, force: true });
mkdirSync(mono, { recursive: true });
for (const c of readdirSync(shared)) {
  const src = path.join(shared, c);
  if (statSync(src).isDirectory()) cpSync(src, path.join(mono, c), { recursive: true });
}
mkdirSync(path.join(mono, 'large-npm'));
cpSync(largeNpm, path.join(mono, 'large-npm/package-lock.json'));

const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
})(mono);
files.sort();

// the bare baseline: read every file and parse it with the generic parser for its syntax
const bare = `
const fs = require('fs');
const { parse: toml } = require('smol-toml');
const yaml = require('yaml');
const jsonc = require('jsonc-parser');
const { XMLParser } = require('fast-xml-parser');
const xml = new XMLParser();
for (const f of ${JSON.stringify(files)}) {
  const t = fs.readFileSync(f, 'utf8');
  // composer.lock and Pipfile.lock are JSON under another name
  if (/\\.(json)$/.test(f) || /\\/(composer|Pipfile)\\.lock$/.test(f)) JSON.parse(t);
  else if (f.endsWith('bun.lock')) jsonc.parse(t);
  else if (/pnpm-lock\\.yaml$/.test(f) || (f.endsWith('yarn.lock') && t.includes('__metadata'))) yaml.parse(t);
  else if (/\\.(lock|toml)$/.test(f) && !f.endsWith('yarn.lock') && !f.endsWith('Gemfile.lock')) toml(t);
  else if (f.endsWith('.xml')) xml.parse(t);
  else t.split('\\n');
}`;

// both must exit 0: a baseline that dies on a file it mis-parses would skip the rest and look cheap
function time(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.slice(0, 3).join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const scanArgs = [cli, 'scan', mono, '--format', 'json', '--output', '/dev/null', '--fail-on', 'none'];
const count = spawnSync(process.execPath, [cli, 'scan', mono, '--policy', 'inventory', '--format', 'json', '--fail-on', 'none'], { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
const report = JSON.parse(count.stdout);
const b = [];
const s = [];
for (let i = 0; i < runs; i++) {
  b.push(time(['-e', bare]));
  s.push(time(scanArgs));
}
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
const ratio = median(s) / median(b);
console.log(`monorepo: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB, ${report.summary.components} packages, ${report.summary.errors} parse errors`);
console.log(`bare read + parse:  median ${median(b).toFixed(0)} ms over ${runs} runs`);
console.log(`cryptaudit scan:    median ${median(s).toFixed(0)} ms over ${runs} runs`);
console.log(`ratio: ${ratio.toFixed(2)}× (target ≤ 3×) ${ratio <= 3 ? 'OK' : 'OVER TARGET'}`);
