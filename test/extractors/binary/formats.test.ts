// Issue 4: the format paths of the binary extractor on real binaries from the npm registry and Debian, fetched by
// scripts/make-binary-fixtures.sh (step "binfmt"; skipped with a message when absent): Go's pre-1.18 pointer-format
// buildinfo in 64/32-bit, little/big-endian ELF, Mach-O and PE32; a Mach-O universal addon; thin Mach-O and PE
// addons; AWS-LC, BoringSSL and ring compiled into real programs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readNativeFacts } from '../../../src/extractors/binary/native.js';
import { parseGoBuildInfoAt } from '../../../src/extractors/binary/go-buildinfo.js';
import { sniffFormat } from '../../../src/extractors/binary/format.js';
import { openTarget } from '../../../src/sources/index.js';
import { walkAndExtract } from '../../../src/walk.js';
import { extractors } from '../../../src/extractors/index.js';
import type { Component } from '../../../src/model/types.js';
import { CACHE_MISSING, memorySource, readTarget, target, targetsDir } from './helpers.js';

async function scanDir(dir: string) {
  const { vfs } = await openTarget(dir);
  return walkAndExtract(vfs, extractors);
}
async function factsOf(rel: string) {
  const buf = readTarget(rel);
  const format = sniffFormat(buf.subarray(0, 64));
  assert.ok(format && format !== 'zip', `${rel} is not an executable`);
  return { buf, facts: await readNativeFacts(memorySource(buf, rel), format) };
}
const purls = (cs: Component[]) => cs.map((c) => c.purl);

/** A universal (0xcafebabe) x86_64 + arm64 file, read without problems: its facts and slices. */
async function universalFactsOf(rel: string) {
  const { buf, facts } = await factsOf(rel);
  assert.equal(buf.readUInt32BE(0), 0xcafebabe);
  assert.deepEqual(facts.problems, []);
  const slices = facts.info.slices ?? [];
  assert.deepEqual(
    slices.map((s) => s.arch),
    ['x86-64', 'arm64'],
  );
  return { buf, facts, slices };
}

/** `go version -m FILE` as Go 1.19 printed it when the fixture was made: the ground truth for buildinfo. */
function goVersionM(plat: string): { goVersion: string; lines: string[] } | undefined {
  const p = path.join(targetsDir, 'go-pointer', `${plat}.version-m.txt`);
  if (!existsSync(p)) return undefined;
  const [first, ...rest] = readFileSync(p, 'utf8').trimEnd().split('\n');
  return { goVersion: first!.slice(first!.lastIndexOf(': ') + 2), lines: rest.map((l) => l.replace(/^\t/, '').replace(/\t+$/, '')) };
}

describe('Go pre-1.18 buildinfo: two pointers to Go string headers (esbuild 0.13/0.14 npm binaries)', () => {
  // [folder, file, format, arch, pointer size, big-endian, Go]
  const cases: Array<[string, string, string, string, number, boolean, string]> = [
    ['linux-64', 'esbuild', 'elf', 'x86-64', 8, false, 'go1.17.2'],
    ['linux-32', 'esbuild', 'elf', 'x86', 4, false, 'go1.17.2'],
    ['linux-s390x', 'esbuild', 'elf', 's390x', 8, true, 'go1.17.5'],
    ['darwin-arm64', 'esbuild', 'macho', 'arm64', 8, false, 'go1.17.2'],
    ['windows-32', 'esbuild.exe', 'pe', 'x86', 4, false, 'go1.17.2'],
  ];
  for (const [plat, file, format, arch, ptr, bigEndian, goVersion] of cases) {
    it(`${plat}: ${goVersion}, ${arch}, ${ptr}-byte ${bigEndian ? 'big' : 'little'}-endian pointers`, async (t) => {
      const rel = `go-pointer/${plat}/${file}`;
      if (!target(rel)) return t.skip(CACHE_MISSING);
      const { buf, facts } = await factsOf(rel);
      assert.deepEqual(facts.problems, []);
      assert.equal(facts.info.format, format);
      assert.equal(facts.info.arch, arch);
      const go = facts.go!;
      assert.ok(go, 'no Go buildinfo');
      assert.equal(go.layout, 'pointer');
      // the header itself says which path was taken: byte 14 pointer size, byte 15 flags (bit 0 big-endian, bit 1 clear)
      assert.equal(buf.toString('latin1', go.offset, go.offset + 14), '\xff Go buildinf:');
      assert.equal(buf[go.offset + 14], ptr);
      assert.equal(buf[go.offset + 15], bigEndian ? 1 : 0);
      assert.equal(go.goVersion, goVersion);
      assert.equal(go.path, 'github.com/evanw/esbuild/cmd/esbuild');
      assert.deepEqual(go.main, { path: 'github.com/evanw/esbuild', version: '(devel)' });
      // Go 1.17 wrote no build settings (they came with 1.18)
      assert.deepEqual(go.settings, []);
      const xsys = { path: 'golang.org/x/sys', version: 'v0.0.0-20210908233432-aa78b53d3365', sum: 'h1:6wSTsvPddg9gc/mVEEyk9oOAoxn+bT4Z9q1zx+4RwA4=' };
      // the Windows build imports no golang.org/x/sys package, so `go version -m` lists no dep there either
      assert.deepEqual(go.deps, plat === 'windows-32' ? [] : [xsys]);
      // and every line agrees with Go's own reader
      const truth = goVersionM(plat);
      if (truth) {
        assert.equal(go.goVersion, truth.goVersion);
        const ours = [`path\t${go.path}`, `mod\t${go.main!.path}\t${go.main!.version}`, ...go.deps.map((d) => `dep\t${d.path}\t${d.version}\t${d.sum}`)];
        assert.deepEqual(ours, truth.lines);
      }
    });
  }

  it('universal: esbuild darwin-64 + darwin-arm64 joined by llvm-lipo, buildinfo read through each slice at its offset', async (t) => {
    const rel = 'go-fat/bin/esbuild';
    if (!target(rel)) return t.skip(CACHE_MISSING);
    const { buf, facts, slices } = await universalFactsOf(rel);
    // both slices link the same three dylibs (llvm-objdump --macho --dylibs-used on the thin files): listed once
    assert.deepEqual(facts.info.needed, ['/usr/lib/libSystem.B.dylib', '/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation', '/System/Library/Frameworks/Security.framework/Versions/A/Security']);
    // the file's buildinfo is the first slice's; the second slice's section and pointers resolve from its own base
    assert.equal(facts.go?.layout, 'pointer');
    assert.equal(facts.go?.goVersion, 'go1.17.2');
    const second = slices[1]!;
    const go2 = await parseGoBuildInfoAt(memorySource(buf), second.goBuildinfo!.offset, second.toOffset);
    assert.ok(second.goBuildinfo!.offset > slices[0]!.goBuildinfo!.offset);
    assert.deepEqual({ ...go2, offset: 0 }, { ...facts.go!, offset: 0 });
  });

  it('components: pkg:golang/stdlib from the pointer-format header, the dep, no (devel) main module', async (t) => {
    const dir = target('go-pointer');
    if (!dir) return t.skip(CACHE_MISSING);
    const r = await scanDir(dir);
    assert.deepEqual(r.errors, []);
    const byFile = (f: string) => purls(r.components.filter((c) => c.evidence[0]!.path === f));
    assert.deepEqual(byFile('linux-s390x/esbuild'), ['pkg:golang/golang.org/x/sys@v0.0.0-20210908233432-aa78b53d3365', 'pkg:golang/stdlib@1.17.5']);
    assert.deepEqual(byFile('windows-32/esbuild.exe'), ['pkg:golang/stdlib@1.17.2']);
    const std = r.components.find((c) => c.evidence[0]!.path === 'linux-32/esbuild' && c.name === 'stdlib')!;
    assert.equal(std.evidence[0]!.kind, 'buildinfo');
    assert.equal(std.properties?.['goFipsMode'], 'none');
  });
});

describe('Mach-O and PE from the registry', () => {
  it('fsevents 2.3.3: a universal (0xcafebabe) x86_64 + arm64 addon, every slice parsed, dylibs merged once', async (t) => {
    if (!target('fsevents/fsevents.node')) return t.skip(CACHE_MISSING);
    const { facts, slices } = await universalFactsOf('fsevents/fsevents.node');
    // llvm-objdump --macho --dylibs-used --arch=all lists these four for each slice
    const dylibs = ['/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation', '/System/Library/Frameworks/CoreServices.framework/Versions/A/CoreServices', '/usr/lib/libc++.1.dylib', '/usr/lib/libSystem.B.dylib'];
    for (const s of slices) assert.deepEqual(s.needed, dylibs);
    assert.deepEqual(facts.info.needed, dylibs);
    assert.equal(facts.info.arch, 'x86-64+arm64');
  });

  it('aws-crt 1.33.2 darwin-arm64: a thin Mach-O dylib, its LC_ID_DYLIB and load commands', async (t) => {
    const rel = 'aws-crt/dist/bin/darwin-arm64-cruntime/aws-crt-nodejs.node';
    if (!target(rel)) return t.skip(CACHE_MISSING);
    const { facts } = await factsOf(rel);
    assert.deepEqual(facts.problems, []);
    assert.equal(facts.info.slices, undefined);
    assert.equal(facts.info.soname, '@rpath/aws-crt-nodejs.node');
    // llvm-objdump --macho --dylibs-used, less the first line (the dylib's own id)
    assert.deepEqual(facts.info.needed, ['/System/Library/Frameworks/Security.framework/Versions/A/Security', '/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation', '/usr/lib/libSystem.B.dylib', '/System/Library/Frameworks/Network.framework/Versions/A/Network', '/usr/lib/libnetwork.dylib']);
  });

  it('aws-crt 1.33.2 win32-x64: PE32+ imports in file order, then the delay-loaded node.exe', async (t) => {
    const rel = 'aws-crt/dist/bin/win32-x64-cruntime/aws-crt-nodejs.node';
    if (!target(rel)) return t.skip(CACHE_MISSING);
    const { facts } = await factsOf(rel);
    assert.deepEqual(facts.problems, []);
    assert.equal(facts.info.arch, 'x86-64');
    // objdump -p "DLL Name" lines, then llvm-readobj --coff-imports' DelayImport
    const crt = ['stdio', 'string', 'convert', 'utility', 'heap', 'math', 'runtime', 'time', 'environment'].map((n) => `api-ms-win-crt-${n}-l1-1-0.dll`);
    assert.deepEqual(facts.info.needed, ['ncrypt.dll', 'Secur32.dll', 'CRYPT32.dll', 'bcrypt.dll', 'KERNEL32.dll', 'WS2_32.dll', 'ADVAPI32.dll', 'VCRUNTIME140.dll', ...crt, 'node.exe']);
    // the Windows build uses the OS's CNG/SChannel: no AWS-LC in it
    assert.deepEqual(
      facts.hits.filter((h) => h.sig.library === 'aws-lc'),
      [],
    );
  });
});

describe('AWS-LC, BoringSSL and ring in real programs', () => {
  it('aws-crt 1.33.2: AWS-LC 5.9.0 banner in the ELF and Mach-O addons, non-FIPS though "AWS-LC FIPS" is in the file', async (t) => {
    const dir = target('aws-crt');
    if (!dir) return t.skip(CACHE_MISSING);
    const r = await scanDir(dir);
    assert.deepEqual(r.errors, []);
    const awslc = r.components.filter((c) => c.name === 'aws-lc');
    assert.deepEqual(awslc.map((c) => [c.evidence[0]!.path, c.purl]).sort(), [
      ['dist/bin/darwin-arm64-cruntime/aws-crt-nodejs.node', 'pkg:generic/aws-lc@5.9.0'],
      ['dist/bin/linux-x64-glibc/aws-crt-nodejs.node', 'pkg:generic/aws-lc@5.9.0'],
    ]);
    for (const c of awslc) {
      assert.deepEqual(
        c.evidence.map((e) => e.kind),
        ['embedded'],
      );
      assert.deepEqual(c.properties, { fipsModule: 'none', placement: 'vendored', signals: 'banner' });
    }
    // the bare "AWS-LC FIPS\0" (a name string next to "AWS-LC\0") is there and must not make the build FIPS
    assert.ok(readTarget('aws-crt/dist/bin/linux-x64-glibc/aws-crt-nodejs.node').includes('\0AWS-LC FIPS\0AWS-LC\0', 0, 'latin1'));
    // "OpenSSL 1.1.1 (compatible; AWS-LC …)" is not in this build: AWS-LC's banner is not an OpenSSL banner either
    assert.equal(r.components.filter((c) => c.name === 'openssl').length, 0);
  });

  it('moon 2.5.5 (Rust): aws-lc-sys 0.44.0 by its symbol prefix (non-FIPS), ring 0.17.14 by ring_core_, openssl-src OpenSSL 3.6.3', async (t) => {
    const dir = target('moon');
    if (!dir) return t.skip(CACHE_MISSING);
    const r = await scanDir(dir);
    assert.deepEqual(r.errors, []);
    const one = (purl: string) => {
      const c = r.components.find((x) => x.purl === purl);
      assert.ok(c, `${purl} not in ${purls(r.components).join(' ')}`);
      return c;
    };
    const sys = one('pkg:cargo/aws-lc-sys@0.44.0');
    assert.match(sys.evidence[0]!.detail, /^aws-lc-sys-prefix at offset \d+: aws_lc_0_44_0_/);
    assert.equal(r.components.filter((c) => c.name === 'aws-lc-fips-sys').length, 0);
    const ring = one('pkg:cargo/ring@0.17.14');
    assert.ok(ring.evidence.some((e) => /^ring-core-prefix at offset \d+: ring_core_0_17_14__/.test(e.detail)), JSON.stringify(ring.evidence));
    one('pkg:cargo/aws-lc-rs@1.18.0');
    one('pkg:cargo/rustls@0.23.43');
    assert.equal(one('pkg:generic/openssl@3.6.3').properties?.['placement'], 'vendored');
    // AWS-LC's banner is not in this file: the crate prefix is the evidence, and there is no pkg:generic/aws-lc
    assert.equal(readTarget('moon/moon').includes('(compatible; AWS-LC', 0, 'latin1'), false);
    assert.equal(r.components.filter((c) => c.name === 'aws-lc').length, 0);
  });

  it('BoringSSL: Debian android-libboringssl has no FIPS module, Go boringcrypto has BoringCrypto', async (t) => {
    const android = target('boringssl-android');
    const boring = target('go/boring');
    if (!android || !boring) return t.skip(CACHE_MISSING);
    const a = await scanDir(android);
    assert.deepEqual(a.errors, []);
    const bssl = a.components.filter((c) => c.name === 'boringssl');
    assert.deepEqual(
      bssl.map((c) => [c.evidence[0]!.path, c.purl, c.properties?.['fipsModule']]),
      [['usr/lib/x86_64-linux-gnu/android/libcrypto.so.0', 'pkg:generic/boringssl', 'none']],
    );
    const g = await scanDir(boring);
    assert.deepEqual(
      g.components.filter((c) => c.name === 'boringssl').map((c) => c.properties?.['fipsModule']),
      ['bcm'],
    );
  });
});
