#!/usr/bin/env node
// Benchmark (not a test): the whole `cryptaudit scan` of a large real package-lock.json against a bare
// `node -e` that only reads and JSON.parses the same file. Target: scan ≤ 3× the bare parse.
// The lockfile is built from the npm registry by the real npm client (thousands of packages) and cached
// in .cache/bench/ so later runs need no network. Usage: node bench/npm-lockfile.mjs [--runs N]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(repo, '.cache/bench/large-npm');
const lock = path.join(dir, 'package-lock.json');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

// Big, real dependency trees; pinned majors so the size stays comparable between runs.
const manifest = {
  name: 'cryptaudit-bench-large',
  version: '1.0.0',
  private: true,
  dependencies: {
    'react-scripts': '5.0.1',
    gatsby: '^5',
    '@angular/cli': '^18',
    'firebase-tools': '^13',
    'aws-cdk': '^2',
    webpack: '^5',
    jest: '^29',
    eslint: '^8',
    next: '^14',
    '@nestjs/cli': '^10',
    '@vue/cli': '^5',
    '@storybook/react-webpack5': '^8',
    'aws-sdk': '^2',
    googleapis: '^140',
    'react-native': '^0.74',
    '@expo/cli': '^0.18',
    typeorm: '^0.3',
    puppeteer: '^22',
    electron: '^31',
    'electron-builder': '^24',
    'node-forge': '1.3.1',
    'crypto-js': '4.1.1',
  },
};

if (!existsSync(lock)) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  process.stderr.write('building the lockfile from the npm registry (once)…\n');
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--legacy-peer-deps'], {
    cwd: dir,
    // keep `resolved` URLs as a real project's lockfile has them, whatever the machine's npmrc says
    env: { ...process.env, npm_config_omit_lockfile_registry_resolved: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
const cli = path.join(repo, 'dist/bin/cli.js');
if (!existsSync(cli)) throw new Error('build first: npm run build');
const packages = Object.keys(JSON.parse(readFileSync(lock, 'utf8')).packages ?? {}).length;

function time(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const bare = [];
const full = [];
for (let i = 0; i < runs; i++) {
  bare.push(time(process.execPath, ['-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(lock)}, 'utf8'))`]));
  full.push(time(process.execPath, [cli, 'scan', dir, '--format', 'json', '--output', '/dev/null', '--fail-on', 'none']));
}
const ratio = median(full) / median(bare);
console.log(`lockfile: ${path.relative(repo, lock)} (${(statSync(lock).size / 1e6).toFixed(1)} MB, ${packages} packages)`);
console.log(`bare node -e JSON.parse: median ${median(bare).toFixed(0)} ms over ${runs} runs`);
console.log(`cryptaudit scan:         median ${median(full).toFixed(0)} ms over ${runs} runs`);
console.log(`ratio: ${ratio.toFixed(2)}× (target ≤ 3×) ${ratio <= 3 ? 'OK' : 'OVER TARGET'}`);
