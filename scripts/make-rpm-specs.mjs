#!/usr/bin/env node
// rpm spec files that rebuild, with Debian's rpmbuild, the package metadata an rpm database recorded in a real
// image: go-rpmdb's packages.csv rows (epoch¶name¶version¶release¶arch¶sourcerpm¶size¶license¶vendor¶summary¶md5).
// One spec per source rpm, its binary packages as subpackages, so NAME, EPOCH, VERSION, RELEASE, ARCH, SOURCERPM,
// VENDOR, LICENSE and SUMMARY in the headers rpm writes are the distribution's own. The payload is empty: the
// fixtures install with --justdb (the database is what is under test, not the files).
//   node scripts/make-rpm-specs.mjs packages.csv OUTDIR     → OUTDIR/<source>.spec
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [csv, out] = process.argv.slice(2);
if (!csv || !out) {
  console.error('usage: make-rpm-specs.mjs packages.csv OUTDIR');
  process.exit(2);
}
const bySource = new Map();
for (const line of readFileSync(csv, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const [epoch, name, version, release, arch, sourceRpm, , license, vendor, summary] = line.split('¶');
  const m = /^(.+)-([^-]+)-([^-]+)\.src\.rpm$/.exec(sourceRpm);
  if (!m) throw new Error(`${csv}: no source rpm in '${line}'`);
  const [, src, srcVersion, srcRelease] = m;
  if (srcVersion !== version || srcRelease !== release) throw new Error(`${csv}: ${name} ${version}-${release} is not built from ${sourceRpm}`);
  if (!bySource.has(src)) bySource.set(src, []);
  bySource.get(src).push({ epoch, name, version, release, arch, license, vendor, summary });
}
mkdirSync(out, { recursive: true });
for (const [src, pkgs] of bySource) {
  const first = pkgs[0];
  const main = pkgs.find((p) => p.name === src);
  const head = main ?? first;
  const lines = [
    `Name: ${src}`,
    ...(first.epoch ? [`Epoch: ${first.epoch}`] : []),
    `Version: ${first.version}`,
    `Release: ${first.release}`,
    `License: ${head.license}`,
    `Vendor: ${first.vendor}`,
    `Summary: ${head.summary}`,
    ...(pkgs.every((p) => p.arch === 'noarch') ? ['BuildArch: noarch'] : []),
    '',
    '%description',
    head.summary,
    '',
  ];
  for (const p of pkgs) {
    if (p.name === src) {
      lines.push('%files', '');
      continue;
    }
    lines.push(`%package -n ${p.name}`, `Summary: ${p.summary}`, `License: ${p.license}`, '', `%description -n ${p.name}`, p.summary, '', `%files -n ${p.name}`, '');
  }
  writeFileSync(path.join(out, `${src}.spec`), lines.join('\n'));
}
