#!/usr/bin/env node
// Image scan benchmark: a real multi-layer image of more than 500 MB, built here from Debian and npm-registry
// packages (no Docker), scanned by the CLI and compared, in the same run, with a bare read of the same layers:
// `gzip -dc | tar -xOf - >/dev/null` (and zstd for the zstd copy). Targets: wall time within 2× of the bare
// read, peak RSS under 300 MB. Also shown: the same read with both digest checks done by native tools (openssl),
// since the bare read verifies nothing and the scan must.
//
//   layer 1  debootstrap --variant=minbase bookworm (from scripts/make-image-fixtures.sh's cache)
//   layer 2  golang-1.19-go, libllvm14 (real .debs, unpacked with dpkg-deb -x)
//   layer 3  this repository's node_modules (packages from the npm registry)
//
// Usage: node bench/image-scan.mjs   (needs scripts/make-image-fixtures.sh to have run; cached in .cache/bench-image)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = path.join(root, '.cache/bench-image');
const layout = path.join(cache, 'oci');
const zstdLayout = path.join(cache, 'oci-zstd');
const base = path.join(root, '.cache/images/rootfs-bookworm-minbase.tar');
const sh = (cmd, opts = {}) => execFileSync('bash', ['-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'], ...opts });

function build() {
  if (existsSync(path.join(cache, 'done'))) return;
  if (!existsSync(base)) throw new Error('run scripts/make-image-fixtures.sh first (it caches the Debian rootfs)');
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(path.join(cache, 'debs'), { recursive: true });
  const t0 = Date.now();
  sh(`cd ${cache}/debs && apt-get download golang-1.19-go libllvm14`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-bench-'));
  try {
    const b = path.join(work, 'bundle');
    sh(`umoci init --layout ${layout} && umoci new --image ${layout}:bench && umoci unpack --image ${layout}:bench ${b} >/dev/null`);
    sh(`tar -C ${b}/rootfs --numeric-owner -xf ${base}`);
    sh(`umoci repack --refresh-bundle --image ${layout}:bench --history.created_by 'debootstrap --variant=minbase bookworm' ${b}`);
    for (const deb of readdirSync(path.join(cache, 'debs'))) sh(`dpkg-deb -x ${cache}/debs/${deb} ${b}/rootfs`);
    sh(`umoci repack --refresh-bundle --image ${layout}:bench --history.created_by 'RUN apt-get install golang-1.19-go libllvm14' ${b}`);
    sh(`mkdir -p ${b}/rootfs/app && cp -r ${root}/node_modules ${root}/package.json ${root}/package-lock.json ${b}/rootfs/app/`);
    sh(`umoci repack --refresh-bundle --image ${layout}:bench --history.created_by 'COPY . /app (npm ci)' ${b}`);
    sh(`umoci gc --layout ${layout}`);
    sh(`skopeo copy -q --dest-compress-format zstd --dest-compress oci:${layout}:bench oci:${zstdLayout}:bench`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  sh(`touch ${cache}/done`);
  console.log(`built the bench image in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

function layers(dir) {
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8'));
  const blob = (d) => path.join(dir, 'blobs/sha256', d.slice('sha256:'.length));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8'));
  return manifest.layers.map((l) => ({ file: blob(l.digest), mediaType: l.mediaType, size: l.size }));
}

/** wall seconds and peak RSS (MB) of a command, via GNU time */
function timed(cmd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'bash', '-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  const kb = Number(r.stderr.trim().split('\n').pop());
  return { secs, rssMB: kb / 1024 };
}

function bench(label, dir) {
  const ls = layers(dir);
  const compressed = ls.reduce((n, l) => n + l.size, 0);
  const decomp = (l) => (l.mediaType.endsWith('zstd') ? `zstd -dc '${l.file}'` : `gzip -dc '${l.file}'`);
  const bare = timed(ls.map((l) => `${decomp(l)} | tar -xOf - >/dev/null`).join(' && '));
  // the bare read checks no digest; a scan must check both (the blob's and the diff id). The same read with both
  // checks done by native tools shows how much of the ratio verification alone costs on this machine.
  const verifying = haveOpenssl
    ? timed(ls.map((l) => `${decomp(l)} | tee >(openssl dgst -sha256 >/dev/null) | tar -xOf - >/dev/null && openssl dgst -sha256 '${l.file}' >/dev/null`).join(' && '))
    : undefined;
  const expanded = Number(execFileSync('bash', ['-c', ls.map((l) => `${decomp(l)} | wc -c`).join(';')], { encoding: 'utf8' }).trim().split('\n').reduce((n, x) => n + Number(x), 0));
  const scan = timed(`node ${root}/dist/bin/cli.js scan oci:${dir}:bench --format json --output /dev/null --fail-on none`);
  // the image source alone (one pass over every layer: decompress, digests, tar headers, whiteouts), no extractor
  const source = timed(
    `node --input-type=module -e "const { openTarget } = await import('${root}/dist/src/sources/index.js'); ` +
      `const o = await openTarget('oci:${dir}:bench', '.', { wanted: () => false }); await o.image.close();"`,
  );
  const ratio = scan.secs / bare.secs;
  console.log(
    `${label}: ${ls.length} layers, ${(compressed / 1e6).toFixed(0)} MB stored, ${(expanded / 1e6).toFixed(0)} MB expanded\n` +
      `  bare read (decompress | tar -xOf): ${bare.secs.toFixed(2)} s\n` +
      (verifying
        ? `  same read + both digests (openssl): ${verifying.secs.toFixed(2)} s  = ${(verifying.secs / bare.secs).toFixed(2)}× the bare read\n`
        : '  (no openssl: the verifying native read is skipped)\n') +
      `  image source alone (layer pass):   ${source.secs.toFixed(2)} s  = ${(source.secs / bare.secs).toFixed(2)}×, peak RSS ${source.rssMB.toFixed(0)} MB\n` +
      `  cryptaudit scan:                   ${scan.secs.toFixed(2)} s  = ${ratio.toFixed(2)}× (target ≤ 2×)` +
      (verifying ? `, ${(scan.secs / verifying.secs).toFixed(2)}× the verifying read\n` : '\n') +
      `  peak RSS of the scan:              ${scan.rssMB.toFixed(0)} MB (target < 300 MB)`,
  );
  return { ratio, rss: scan.rssMB, expanded };
}

const haveOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
build();
if (!existsSync(path.join(root, 'dist/bin/cli.js'))) throw new Error('npm run build first');
const results = [bench('gzip', layout), bench('zstd', zstdLayout)];
const ok = results.every((r) => r.ratio <= 2 && r.rss < 300 && r.expanded > 500e6);
console.log(ok ? 'targets met' : 'TARGETS MISSED');
process.exitCode = ok ? 0 : 1;
