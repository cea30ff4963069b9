import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Component } from '../../src/model/types.js';
import { cargoLockExtractor, parseCargoLock } from '../../src/extractors/cargo-lock.js';
import { extractors } from '../../src/extractors/index.js';
import { ParseError, type ExtractInput } from '../../src/extractors/types.js';
import { DirVfs } from '../../src/sources/dir.js';
import { walkAndExtract } from '../../src/walk.js';
import { repoRoot, sharedFixture, SHARED_MISSING } from '../helpers.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures');
const CRATES_IO = 'registry+https://github.com/rust-lang/crates.io-index';

function extractFile(abs: string, rel = 'Cargo.lock'): Promise<Component[]> {
  const text = readFileSync(abs, 'utf8');
  const input: ExtractInput = {
    path: rel,
    size: text.length,
    readText: async () => text,
    vfs: new DirVfs(path.dirname(abs)),
  };
  return cargoLockExtractor.extract(input);
}

const fixture = (rel: string) => extractFile(path.join(fixtures, 'cargo', rel, 'Cargo.lock'));

function one(components: Component[], name: string, version?: string): Component {
  const found = components.filter((c) => c.name === name && (version === undefined || c.version === version));
  assert.equal(found.length, 1, `expected one ${name} ${version ?? ''}, found ${found.length}`);
  return found[0]!;
}

/** names of the components that list `name` among their dependencies */
function dependents(components: Component[], name: string): string[] {
  return components.filter((c) => c.dependencies?.includes(name)).map((c) => `${c.name} ${c.version}`);
}

/** every evidence line must point at `name = "<name>"` followed by `version = "<version>"` in the file */
function assertLinesPointAtEntries(text: string, components: Component[]): void {
  const lines = text.split('\n');
  for (const c of components) {
    const line = c.evidence[0]!.line!;
    assert.ok(line > 0, `${c.name} has a line`);
    assert.equal(lines[line - 1], `name = "${c.name}"`, `line ${line} for ${c.name}`);
    assert.equal(lines[line], `version = "${c.version}"`, `line ${line + 1} for ${c.name} ${c.version}`);
  }
}

describe('cargo/Cargo.lock: fileRequired', () => {
  it('wants Cargo.lock by exact basename, anywhere in the tree', () => {
    assert.equal(cargoLockExtractor.name, 'cargo/Cargo.lock');
    assert.equal(cargoLockExtractor.version, 1);
    for (const p of ['Cargo.lock', 'crates/fuzz/Cargo.lock', 'a/b/c/Cargo.lock']) assert.ok(cargoLockExtractor.fileRequired(p), p);
    for (const p of ['Cargo.toml', 'cargo.lock', 'Cargo.lock.orig', 'xCargo.lock', 'Cargo.lock/readme', 'poetry.lock']) {
      assert.ok(!cargoLockExtractor.fileRequired(p), p);
    }
  });

  it('is registered in the extractor list', () => {
    assert.ok(extractors.includes(cargoLockExtractor));
  });
});

describe('cargo/Cargo.lock: real lockfiles (../shared)', () => {
  it('boringtun: ring 0.17.14 required by the boringtun crate; workspace members are not components', async (t) => {
    const file = sharedFixture('fixtures/lockfiles/cargo-ring-boringtun/Cargo.lock');
    if (!file) return t.skip(SHARED_MISSING);
    const components = await extractFile(file);
    // 177 [[package]] entries, two of them (boringtun, boringtun-cli) without source
    assert.equal(components.length, 175);
    assert.ok(!components.some((c) => c.name === 'boringtun' || c.name === 'boringtun-cli'));
    const ring = one(components, 'ring');
    assert.deepEqual(ring, {
      ecosystem: 'cargo',
      name: 'ring',
      version: '0.17.14',
      purl: 'pkg:cargo/ring@0.17.14',
      evidence: [{ kind: 'declared', path: 'Cargo.lock', line: 960, detail: 'Cargo.lock [[package]] ring 0.17.14' }],
      direct: true,
      dependencyPath: ['boringtun', 'ring'],
      dependencies: ['cc', 'cfg-if', 'getrandom', 'libc', 'untrusted', 'windows-sys'],
    });
    assert.equal(ring.scope, undefined);
    assertLinesPointAtEntries(readFileSync(file, 'utf8'), components);
  });

  it('vaultwarden: vendored OpenSSL via openssl-sys; two rustls versions each with their own dependencies', async (t) => {
    const file = sharedFixture('fixtures/lockfiles/cargo-openssl-src-vaultwarden/Cargo.lock');
    if (!file) return t.skip(SHARED_MISSING);
    const components = await extractFile(file);
    assert.equal(components.length, 621); // 623 entries; vaultwarden and macros are local
    const src = one(components, 'openssl-src');
    assert.equal(src.version, '300.6.1+3.6.3');
    assert.equal(src.purl, 'pkg:cargo/openssl-src@300.6.1%2B3.6.3');
    assert.equal(src.evidence[0]!.line, 3562);
    assert.equal(src.direct, false);
    // vaultwarden → openssl → openssl-sys → openssl-src (checked by hand in the file)
    assert.deepEqual(src.dependencyPath, ['vaultwarden', 'openssl', 'openssl-sys', 'openssl-src']);
    assert.deepEqual(dependents(components, 'openssl-src'), ['openssl-sys 0.9.117']);

    const old = one(components, 'rustls', '0.21.12');
    assert.equal(old.evidence[0]!.line, 4590);
    assert.deepEqual(old.dependencies, ['log', 'ring', 'rustls-webpki', 'sct']);
    assert.equal(old.direct, false);
    assert.deepEqual(old.dependencyPath, ['vaultwarden', 'rocket', 'rocket_http', 'rustls']);
    const cur = one(components, 'rustls', '0.23.43');
    assert.equal(cur.evidence[0]!.line, 4602);
    assert.deepEqual(cur.dependencies, ['log', 'once_cell', 'ring', 'rustls-pki-types', 'rustls-webpki', 'subtle', 'zeroize']);
    assert.equal(cur.direct, true); // vaultwarden lists "rustls 0.23.43"
    assert.deepEqual(cur.dependencyPath, ['vaultwarden', 'rustls']);
    // "rustls-webpki" resolves per rustls version: 0.101.7 sits under the old rustls, 0.103.13 under the new
    assert.deepEqual(one(components, 'rustls-webpki', '0.101.7').dependencyPath, ['vaultwarden', 'rocket', 'rocket_http', 'rustls', 'rustls-webpki']);
    assert.deepEqual(one(components, 'rustls-webpki', '0.103.13').dependencyPath, ['vaultwarden', 'rustls', 'rustls-webpki']);
    assert.deepEqual(one(components, 'ring').dependencyPath, ['vaultwarden', 'ring']);
    assertLinesPointAtEntries(readFileSync(file, 'utf8'), components);
  });

  it('rustup: rustls 0.23.41 uses aws-lc-rs, not ring; ring arrives through rustls-webpki', async (t) => {
    const file = sharedFixture('fixtures/lockfiles/cargo-aws-lc-rs-rustup/Cargo.lock');
    if (!file) return t.skip(SHARED_MISSING);
    const components = await extractFile(file);
    assert.equal(components.length, 345);
    const rustls = one(components, 'rustls');
    assert.equal(rustls.version, '0.23.41');
    assert.equal(rustls.evidence[0]!.line, 1968);
    assert.ok(rustls.dependencies!.includes('aws-lc-rs'));
    assert.ok(!rustls.dependencies!.includes('ring'));
    assert.equal(rustls.direct, true);
    assert.deepEqual(one(components, 'aws-lc-rs').dependencyPath, ['rustup', 'rustls', 'aws-lc-rs']);
    assert.deepEqual(one(components, 'ring').dependencyPath, ['rustup', 'rustls-webpki', 'ring']);
    assert.deepEqual(dependents(components, 'ring'), ['rustls-webpki 0.103.13']);
    const src = one(components, 'openssl-src');
    assert.equal(src.evidence[0]!.line, 1481);
    assert.deepEqual(src.dependencyPath, ['rustup', 'openssl', 'openssl-sys', 'openssl-src']);
    assert.deepEqual(dependents(components, 'openssl-src'), ['openssl-sys 0.9.117']);
    assertLinesPointAtEntries(readFileSync(file, 'utf8'), components);
  });

  it('rustls workspace: aws-lc-fips-sys 0.14.1; the workspace rustls 0.24.0-dev.1 is the project, not a component', async (t) => {
    const file = sharedFixture('fixtures/lockfiles/cargo-aws-lc-fips-sys-rustls/Cargo.lock');
    if (!file) return t.skip(SHARED_MISSING);
    const components = await extractFile(file);
    assert.equal(components.length, 284); // 298 entries, 14 workspace members
    const fips = one(components, 'aws-lc-fips-sys');
    assert.equal(fips.version, '0.14.1');
    assert.equal(fips.evidence[0]!.line, 184);
    assert.deepEqual(fips.dependencyPath, ['rustls-aws-lc-rs', 'aws-lc-rs', 'aws-lc-fips-sys']);
    assert.deepEqual(dependents(components, 'aws-lc-fips-sys'), ['aws-lc-rs 1.18.0']);
    assert.deepEqual(components.filter((c) => c.name === 'rustls').map((c) => c.version), ['0.23.43']);
    assert.equal(one(components, 'aws-lc-rs').direct, true); // rustls-aws-lc-rs (a member) depends on it
    assertLinesPointAtEntries(readFileSync(file, 'utf8'), components);
  });

  it('extracts vaultwarden (161 KB) quickly and deterministically', async (t) => {
    const file = sharedFixture('fixtures/lockfiles/cargo-openssl-src-vaultwarden/Cargo.lock');
    if (!file) return t.skip(SHARED_MISSING);
    const text = readFileSync(file, 'utf8');
    const first = parseCargoLock(text, 'Cargo.lock');
    const t0 = performance.now();
    const runs = 10;
    for (let i = 0; i < runs; i++) assert.deepEqual(parseCargoLock(text, 'Cargo.lock'), first);
    const ms = (performance.now() - t0) / runs;
    t.diagnostic(`vaultwarden Cargo.lock: ${first.length} components, ${ms.toFixed(1)} ms per extraction (incl. deepEqual)`);
    const names = first.map((c) => `${c.name}\u0000${c.version}`);
    assert.deepEqual(names, [...names].sort(cmpNameThenVersion)); // sorted by name, then version
  });
});

function cmpNameThenVersion(a: string, b: string): number {
  const [an, av] = a.split('\u0000') as [string, string];
  const [bn, bv] = b.split('\u0000') as [string, string];
  return an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0;
}

describe('cargo/Cargo.lock: formats (fixtures cut from real lockfiles, test/fixtures/cargo/README.md)', () => {
  it('v1 (no version key, "name version (source)" dependencies, [metadata] checksums)', async () => {
    const components = await fixture('v1-rustnote');
    assert.equal(components.length, 10); // 11 entries; guessing_game is the project
    assert.ok(!components.some((c) => c.name === 'guessing_game'));
    const direct = one(components, 'rand', '0.3.23');
    assert.equal(direct.evidence[0]!.line, 21);
    assert.equal(direct.direct, true);
    assert.deepEqual(direct.dependencyPath, ['guessing_game', 'rand']);
    assert.deepEqual(direct.dependencies, ['libc', 'rand']);
    const inner = one(components, 'rand', '0.4.6');
    assert.equal(inner.evidence[0]!.line, 30);
    assert.equal(inner.direct, false);
    assert.deepEqual(inner.dependencyPath, ['guessing_game', 'rand', 'rand']);
    // "rand_core 0.3.1 (…)" → "rand_core 0.4.0 (…)": versioned v1 strings pick the right duplicate
    assert.deepEqual(one(components, 'rand_core', '0.4.0').dependencyPath, ['guessing_game', 'rand', 'rand', 'rand_core', 'rand_core']);
    assert.equal(one(components, 'rand_core', '0.4.0').evidence[0]!.line, 50);
    assertLinesPointAtEntries(readFileSync(path.join(fixtures, 'cargo', 'v1-rustnote', 'Cargo.lock'), 'utf8'), components);
  });

  it('v1 with the root package in [root] (cargo lockfile_compat "oldest lockfile")', async () => {
    const components = await fixture('v1-root-table');
    assert.deepEqual(components, [
      {
        ecosystem: 'cargo',
        name: 'bar',
        version: '0.1.0',
        purl: 'pkg:cargo/bar@0.1.0',
        evidence: [{ kind: 'declared', path: 'Cargo.lock', line: 10, detail: 'Cargo.lock [[package]] bar 0.1.0' }],
        direct: true,
        dependencyPath: ['foo', 'bar'],
        dependencies: [],
      },
    ]);
  });

  it('v2 with git sources and versioned dependency strings (bitwarden_rs)', async () => {
    const components = await fixture('v2-git-bitwarden_rs');
    assert.equal(components.length, 22); // 23 entries; bitwarden_rs is the project
    const cookie = one(components, 'cookie');
    assert.equal(cookie.version, '0.15.0-dev');
    assert.equal(cookie.purl, 'pkg:cargo/cookie@0.15.0-dev');
    assert.equal(cookie.evidence[0]!.line, 91);
    assert.equal(
      cookie.evidence[0]!.detail,
      'Cargo.lock [[package]] cookie 0.15.0-dev (git+https://github.com/SergioBenitez/cookie-rs.git?rev=1c3ca83#1c3ca838543b60a4448d279dc4b903cc7a2bc22a)',
    );
    assert.deepEqual(cookie.dependencyPath, ['bitwarden_rs', 'rocket', 'rocket_http', 'cookie']);
    // the root lists "bytes 1.0.1"; u2f lists "bytes 0.4.12"
    assert.equal(one(components, 'bytes', '1.0.1').direct, true);
    assert.deepEqual(one(components, 'bytes', '0.4.12').dependencyPath, ['bitwarden_rs', 'u2f', 'bytes']);
    assert.equal(one(components, 'bytes', '0.4.12').direct, false);
    const ring = one(components, 'ring');
    assert.equal(ring.version, '0.16.20');
    assert.equal(ring.direct, true);
    assert.equal(ring.evidence[0]!.detail, 'Cargo.lock [[package]] ring 0.16.20');
    assert.deepEqual(one(components, 'rustls').dependencyPath, ['bitwarden_rs', 'rocket', 'rocket_http', 'tokio-rustls', 'rustls']);
    assert.deepEqual(dependents(components, 'ring').sort(), ['rustls 0.19.0', 'sct 0.6.0', 'webpki 0.21.4']);
    // base64 is locked three times: only the versioned strings reach each copy
    assert.deepEqual(dependents(components, 'base64'), ['rustls 0.19.0', 'u2f 0.2.0']);
    assert.equal(one(components, 'base64', '0.12.3').dependencyPath, undefined); // nothing in this cut uses it
    assertLinesPointAtEntries(readFileSync(path.join(fixtures, 'cargo', 'v2-git-bitwarden_rs', 'Cargo.lock'), 'utf8'), components);
  });

  it('v2 with a path crate and a registry crate of the same name and version (cargo lockfile_compat)', async () => {
    const components = await fixture('v2-path-and-registry');
    // the path crate a 0.2.0 is local; both registry copies are reported, each as a direct dependency of foo
    assert.deepEqual(
      components.map((c) => [c.name, c.version, c.evidence[0]!.line, c.direct, c.dependencyPath]),
      [
        ['a', '0.1.0', 4, true, ['foo', 'a']],
        ['a', '0.2.0', 14, true, ['foo', 'a']],
      ],
    );
  });

  it('v3 header', async () => {
    const components = await fixture('v3-boringtun-ring');
    assert.deepEqual(
      components.map((c) => `${c.name} ${c.version} @${c.evidence[0]!.line} ${c.dependencyPath!.join('>')}`),
      [
        'cc 1.2.61 @36 boringtun>ring>cc',
        'cfg-if 1.0.4 @46 boringtun>ring>cfg-if',
        'getrandom 0.2.17 @52 boringtun>ring>getrandom',
        'libc 0.2.186 @63 boringtun>libc',
        'ring 0.17.14 @69 boringtun>ring',
        'untrusted 0.9.0 @83 boringtun>untrusted',
      ],
    );
  });

  it('a lockfile with only the project in it yields nothing (osv-scanner testdata, v3)', async () => {
    assert.deepEqual(await fixture('v3-local-only'), []);
  });

  it('v4 workspace: members are roots, not components; an unreached package has no path', async () => {
    const components = await fixture('v4-workspace-boringtun');
    assert.ok(!components.some((c) => c.name.startsWith('boringtun')));
    assert.deepEqual(one(components, 'ring').dependencyPath, ['boringtun', 'ring']);
    assert.equal(one(components, 'ring').evidence[0]!.line, 87);
    // ring lists "windows-sys 0.52.0"; windows-sys 0.61.2's users are not in this cut
    assert.deepEqual(one(components, 'windows-sys', '0.52.0').dependencyPath, ['boringtun', 'ring', 'windows-sys']);
    assert.equal(one(components, 'windows-sys', '0.61.2').dependencyPath, undefined);
    assert.equal(one(components, 'windows-sys', '0.61.2').direct, false);
    assertLinesPointAtEntries(readFileSync(path.join(fixtures, 'cargo', 'v4-workspace-boringtun', 'Cargo.lock'), 'utf8'), components);
  });

  it('v4 duplicates cut from vaultwarden: "rustls-webpki 0.103.13" reaches that copy only', async () => {
    const components = await fixture('v4-duplicates-vaultwarden');
    // in this cut vaultwarden lists "rustls 0.23.43"; rustls 0.21.12 (and its rustls-webpki 0.101.7) hang off
    // rocket_http, which the cut leaves out, so they have no path
    assert.deepEqual(
      components
        .filter((c) => c.name === 'rustls' || c.name === 'rustls-webpki')
        .map((c) => `${c.name} ${c.version} ${c.dependencyPath?.join('>') ?? '-'} ${c.dependencies!.join(',')}`),
      [
        'rustls 0.21.12 - log,ring,rustls-webpki,sct',
        'rustls 0.23.43 vaultwarden>rustls log,once_cell,ring,rustls-pki-types,rustls-webpki,subtle,zeroize',
        'rustls-webpki 0.101.7 - ring,untrusted',
        'rustls-webpki 0.103.13 vaultwarden>rustls>rustls-webpki ring,rustls-pki-types,untrusted',
      ],
    );
    assert.deepEqual(one(components, 'openssl-src').dependencyPath, ['vaultwarden', 'openssl', 'openssl-sys', 'openssl-src']);
  });
});

describe('cargo/Cargo.lock: nested lockfiles through the walk', () => {
  it('reports components from both lockfiles, each with its own path', async () => {
    const result = await walkAndExtract(new DirVfs(path.join(fixtures, 'cargo', 'nested')), [cargoLockExtractor]);
    assert.deepEqual(result.errors, []);
    assert.equal(result.filesExtracted, 2);
    assert.equal(result.filesParsed, 2);
    const paths = new Set(result.components.map((c) => c.evidence[0]!.path));
    assert.deepEqual([...paths].sort(), ['Cargo.lock', 'tools/guessing_game/Cargo.lock']);
    const ring = one(result.components, 'ring');
    assert.deepEqual(ring.evidence, [{ kind: 'declared', path: 'Cargo.lock', line: 87, detail: 'Cargo.lock [[package]] ring 0.17.14' }]);
    const rand = one(result.components, 'rand', '0.3.23');
    assert.deepEqual(rand.evidence, [{ kind: 'declared', path: 'tools/guessing_game/Cargo.lock', line: 21, detail: 'Cargo.lock [[package]] rand 0.3.23' }]);
    assert.deepEqual(rand.dependencyPath, ['guessing_game', 'rand']);
  });
});

describe('cargo/Cargo.lock: bad input', () => {
  const bad = (name: string) => path.join(fixtures, 'bad', name, 'Cargo.lock');

  it('not TOML (vaultwarden cut off inside a checksum string): ParseError with the line', async () => {
    await assert.rejects(extractFile(bad('cargo-truncated')), (err: unknown) => {
      assert.ok(err instanceof ParseError);
      assert.equal(err.line, 15);
      assert.match(err.message, /^Cargo\.lock is not valid TOML: .+ \(line 15\)$/);
      return true;
    });
  });

  it('version = 9: unsupported', async () => {
    await assert.rejects(extractFile(bad('cargo-version-9')), (err: unknown) => {
      assert.ok(err instanceof ParseError);
      assert.equal(err.message, 'unsupported Cargo.lock version 9; cryptaudit reads 1–4');
      assert.equal(err.line, 3);
      return true;
    });
  });

  it('a [[package]] without version names the package and its line', async () => {
    await assert.rejects(extractFile(bad('cargo-no-version')), (err: unknown) => {
      assert.ok(err instanceof ParseError);
      assert.equal(err.message, 'Cargo.lock [[package]] ring at line 68 has no version');
      assert.equal(err.line, 68);
      return true;
    });
  });

  it('through the walk, each broken file becomes a ScanError with path and line, and the walk goes on', async () => {
    const result = await walkAndExtract(new DirVfs(path.join(fixtures, 'bad')), [cargoLockExtractor]);
    const cargoErrors = result.errors.filter((e) => e.path.startsWith('cargo-')).sort((a, b) => (a.path < b.path ? -1 : 1));
    assert.deepEqual(
      cargoErrors.map((e) => [e.path, e.line]),
      [
        ['cargo-no-version/Cargo.lock', 68],
        ['cargo-truncated/Cargo.lock', 15],
        ['cargo-version-9/Cargo.lock', 3],
      ],
    );
  });
});
