import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { keyLines, keyLinesWithVisit, parseNpmLockfile } from '../../src/extractors/npm-lock-json.js';
import { createNpmLockExtractor, npmLockExtractor, npmLockPlainExtractor } from '../../src/extractors/npm-lock.js';
import { ParseError, type Extractor } from '../../src/extractors/types.js';
import type { Component } from '../../src/model/types.js';
import { DirVfs } from '../../src/sources/dir.js';
import { walkAndExtract } from '../../src/walk.js';
import { repoRoot, SHARED_MISSING, sharedFixture } from '../helpers.js';

const npmFixtures = path.join(repoRoot, 'test/fixtures/npm');
const badFixtures = path.join(repoRoot, 'test/fixtures/bad');

/** Lockfile folders: generated ones in the repo, real project lockfiles from ../shared (absent → skipped). */
const FIXTURES: { name: string; dir: string | undefined }[] = [
  { name: 'lockfile-v3 (npm 11)', dir: path.join(npmFixtures, 'lockfile-v3') },
  { name: 'lockfile-v2 (npm 8)', dir: path.join(npmFixtures, 'lockfile-v2') },
  { name: 'lockfile-v1 (npm 6)', dir: path.join(npmFixtures, 'lockfile-v1') },
  { name: 'lockfile-shrinkwrap', dir: path.join(npmFixtures, 'lockfile-shrinkwrap') },
  { name: 'shared npm-lockfile-v1-mitmproxy-web', dir: sharedFixture('fixtures/lockfiles/npm-lockfile-v1-mitmproxy-web') },
  { name: 'shared npm-lockfile-v3-cyberchef', dir: sharedFixture('fixtures/lockfiles/npm-lockfile-v3-cyberchef') },
];

async function scan(dir: string, extractor: Extractor = npmLockPlainExtractor) {
  return walkAndExtract(new DirVfs(dir), [extractor]);
}

async function components(dir: string, extractor: Extractor = npmLockPlainExtractor): Promise<Component[]> {
  const r = await scan(dir, extractor);
  assert.deepEqual(r.errors, []);
  return r.components;
}

function find(cs: Component[], name: string, version?: string): Component {
  const hits = cs.filter((c) => c.name === name && (version === undefined || c.version === version));
  assert.equal(hits.length, 1, `exactly one ${name}@${version ?? '*'} (found ${hits.map((c) => c.version).join(', ')})`);
  return hits[0]!;
}

describe('npm lockfile extractor: which files', () => {
  test('lockfile names outside node_modules only', () => {
    const cases: [string, boolean][] = [
      ['package-lock.json', true],
      ['npm-shrinkwrap.json', true],
      ['web/app/package-lock.json', true],
      ['my_node_modules/package-lock.json', true],
      ['node_modules/left-pad/package-lock.json', false],
      ['app/node_modules/@s/x/npm-shrinkwrap.json', false],
      ['package-lock.json.orig', false],
      ['package.json', false],
      ['yarn.lock', false],
    ];
    for (const [p, want] of cases) assert.equal(npmLockExtractor.fileRequired(p), want, p);
    assert.equal(npmLockExtractor.name, 'npm/package-lock');
    assert.equal(npmLockExtractor.version, 1);
  });
});

describe('npm lockfile extractor: Arborist and the plain reader agree', () => {
  for (const { name, dir } of FIXTURES) {
    test(name, async (t) => {
      if (!dir) return t.skip(SHARED_MISSING);
      const viaArborist = await components(dir, npmLockExtractor);
      const viaText = await components(dir, npmLockPlainExtractor);
      assert.ok(viaText.length > 10, `${viaText.length} components`);
      assert.deepEqual(viaArborist, viaText);
      // and the exported function gives the same from the text alone (no package.json here: v1 guesses roots)
      const lockName = viaText[0]!.evidence[0]!.path;
      const text = readFileSync(path.join(dir, lockName), 'utf8');
      let pkg: Record<string, unknown> | undefined;
      try {
        pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      } catch {
        pkg = undefined;
      }
      assert.deepEqual(parseNpmLockfile(text, { path: lockName, rootPackageJson: pkg, folderName: path.basename(dir) }), viaText);
    });
  }

  test('the fast key-line pass finds the same lines as jsonc-parser visit', async (t) => {
    const files: string[] = [path.join(badFixtures, 'npm-lockfile-v4/package-lock.json')];
    for (const { dir } of FIXTURES) {
      if (!dir) continue;
      files.push(path.join(dir, dir.endsWith('shrinkwrap') ? 'npm-shrinkwrap.json' : 'package-lock.json'));
    }
    if (files.length < FIXTURES.length + 1) t.diagnostic(SHARED_MISSING);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const fast = keyLines(text);
      const ref = keyLinesWithVisit(text);
      assert.ok(fast.packages.size + fast.deps.size > 10, f);
      assert.deepEqual(fast.packages, ref.packages, f);
      assert.deepEqual(fast.deps, ref.deps, f);
      assert.equal(fast.versionLine, ref.versionLine, f);
    }
    // escaped quotes and backslashes inside strings, keys split from their colon by a newline, minified input
    const tricky = '{"lockfileVersion":3,"packages":{"":{"name":"a\\\\"},"node_modules/q\\"x"\n:{"version":"1.0.0\\\\"},\n"node_modules/z":{"bin":{"z":"a\\\\\\"b"}}}}';
    JSON.parse(tricky);
    assert.deepEqual(keyLines(tricky).packages, keyLinesWithVisit(tricky).packages);
    assert.deepEqual([...keyLines(tricky).packages], [['', 1], ['node_modules/q"x', 1], ['node_modules/z', 3]]);
  });

  test('output is sorted by name, version, line and has one component per name@version', async () => {
    const cs = await components(path.join(npmFixtures, 'lockfile-v3'));
    const keys = cs.map((c) => `${c.name}@${c.version}`);
    assert.equal(new Set(keys).size, keys.length);
    const sorted = [...cs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version! < b.version! ? -1 : a.version! > b.version! ? 1 : 0));
    assert.deepEqual(cs, sorted);
  });
});

describe('npm lockfile extractor: lockfileVersion 3 (generated by npm 11)', () => {
  const dir = path.join(npmFixtures, 'lockfile-v3');

  test('direct crypto dependencies with lines of their packages[] keys', async () => {
    const cs = await components(dir);
    const forge = find(cs, 'node-forge', '1.3.1');
    assert.equal(forge.purl, 'pkg:npm/node-forge@1.3.1');
    assert.deepEqual(forge.evidence, [
      { kind: 'declared', path: 'package-lock.json', line: 891, detail: 'package-lock.json packages["node_modules/node-forge"]' },
    ]);
    assert.equal(forge.direct, true);
    assert.deepEqual(forge.dependencyPath, ['crypto-app', 'node-forge']);
    assert.equal(forge.scope, undefined);
    const cjs = find(cs, 'crypto-js');
    assert.equal(cjs.version, '4.1.1');
    assert.equal(cjs.direct, true);
  });

  test('an npm: alias is reported under the real package name', async () => {
    const cs = await components(dir);
    const alias = find(cs, 'node-forge', '1.3.2');
    assert.equal(alias.purl, 'pkg:npm/node-forge@1.3.2');
    assert.equal(alias.evidence[0]!.line, 523);
    assert.equal(alias.evidence[0]!.detail, 'package-lock.json packages["node_modules/forge-alias"]');
    assert.equal(alias.direct, true);
    assert.equal(cs.filter((c) => c.name === 'forge-alias').length, 0);
  });

  test('transitive chain jsonwebtoken → jws → jwa → ecdsa-sig-formatter', async () => {
    const cs = await components(dir);
    const f = find(cs, 'ecdsa-sig-formatter');
    assert.equal(f.direct, false);
    assert.deepEqual(f.dependencyPath, ['crypto-app', 'jsonwebtoken', 'jws', 'jwa', 'ecdsa-sig-formatter']);
    assert.deepEqual(find(cs, 'jwa').dependencies, ['buffer-equal-constant-time', 'ecdsa-sig-formatter', 'safe-buffer']);
  });

  test('dev, optional and scoped packages', async () => {
    const cs = await components(dir);
    const elliptic = find(cs, 'elliptic');
    assert.deepEqual(elliptic.scope, { dev: true });
    assert.equal(elliptic.evidence[0]!.line, 440);
    assert.deepEqual(elliptic.dependencyPath, ['crypto-app', 'crypto-browserify', 'browserify-sign', 'elliptic']);
    const curves = find(cs, '@noble/curves');
    assert.equal(curves.purl, 'pkg:npm/%40noble/curves@1.2.0');
    assert.deepEqual(curves.scope, { optional: true });
    assert.equal(curves.direct, true);
    const hashes = find(cs, '@noble/hashes');
    assert.deepEqual(hashes.scope, { optional: true });
    assert.deepEqual(hashes.dependencyPath, ['crypto-app', '@noble/curves', '@noble/hashes']);
  });

  test('workspace members are roots, not components', async () => {
    const cs = await components(dir);
    assert.equal(cs.filter((c) => c.name === 'signer' || c.name === 'crypto-app').length, 0);
    const nacl = find(cs, 'tweetnacl');
    assert.equal(nacl.version, '1.0.3');
    assert.equal(nacl.direct, true);
    assert.deepEqual(nacl.dependencyPath, ['signer', 'tweetnacl']);
    assert.equal(nacl.evidence[0]!.line, 1162);
  });

  test('a package installed at several paths is one component at its first line', async () => {
    const cs = await components(dir);
    // bn.js@4.12.5 sits under asn1.js (line 64), create-ecdh, diffie-hellman, elliptic, miller-rabin, public-encrypt
    const bn4 = find(cs, 'bn.js', '4.12.5');
    assert.equal(bn4.evidence[0]!.line, 64);
    assert.equal(bn4.evidence[0]!.detail, 'package-lock.json packages["node_modules/asn1.js/node_modules/bn.js"]');
    assert.equal(bn4.dependencyPath!.length, 4);
    assert.deepEqual(find(cs, 'bn.js', '5.2.5').evidence[0]!.line, 107);
  });
});

describe('npm lockfile extractor: lockfileVersion 2 and 1 read like 3', () => {
  // the three folders were generated from the same dependencies (v1 without the workspace, with tweetnacl as a
  // tarball URL instead); everything but lines, details and the root's name must come out the same
  const comparable = (cs: Component[]) =>
    cs.map((c) => ({ name: c.name, version: c.version, purl: c.purl, scope: c.scope, direct: c.direct, path: c.dependencyPath?.slice(1), deps: c.dependencies }));

  test('v2 (npm 8) = v3 (npm 11)', async () => {
    const v3 = await components(path.join(npmFixtures, 'lockfile-v3'));
    const v2 = await components(path.join(npmFixtures, 'lockfile-v2'));
    assert.deepEqual(comparable(v2), comparable(v3));
    // v2 carries both sections; lines come from "packages"
    assert.equal(find(v2, 'node-forge', '1.3.1').evidence[0]!.detail, 'package-lock.json packages["node_modules/node-forge"]');
  });

  test('v1 (npm 6) = v3 (npm 11)', async () => {
    const v3 = await components(path.join(npmFixtures, 'lockfile-v3'));
    const v1 = await components(path.join(npmFixtures, 'lockfile-v1'));
    assert.deepEqual(comparable(v1), comparable(v3));
  });

  test('v1 lines, nested entries, alias and tarball URL', async () => {
    const cs = await components(path.join(npmFixtures, 'lockfile-v1'));
    const forge = find(cs, 'node-forge', '1.3.1');
    assert.deepEqual(forge.evidence[0], { kind: 'declared', path: 'package-lock.json', line: 659, detail: 'package-lock.json dependencies["node-forge"]' });
    assert.deepEqual(forge.dependencyPath, ['crypto-app-v1', 'node-forge']);
    const alias = find(cs, 'node-forge', '1.3.2');
    assert.equal(alias.evidence[0]!.detail, 'package-lock.json dependencies["forge-alias"]');
    assert.equal(alias.evidence[0]!.line, 391);
    // "version": "https://registry.npmjs.org/tweetnacl/-/tweetnacl-1.0.3.tgz": the version is the tarball's, as npm reads it
    const nacl = find(cs, 'tweetnacl');
    assert.equal(nacl.version, '1.0.3');
    assert.equal(nacl.purl, 'pkg:npm/tweetnacl@1.0.3');
    assert.equal(nacl.evidence[0]!.line, 860);
    const bn4 = find(cs, 'bn.js', '4.12.5');
    assert.deepEqual(bn4.evidence[0], { kind: 'declared', path: 'package-lock.json', line: 33, detail: 'package-lock.json dependencies["asn1.js"].dependencies["bn.js"]' });
  });
});

describe('npm lockfile extractor: a file: dependency outside the folder', () => {
  test('the linked folder is a root, not a component, and nothing outside the scan root is read', async () => {
    const app = path.join(npmFixtures, 'lockfile-file-dep/app');
    // Arborist would read ../lib/package.json; the extractor falls back to the text and must agree with it
    const viaArborist = await components(app, npmLockExtractor);
    const viaText = await components(app, npmLockPlainExtractor);
    assert.deepEqual(viaArborist, viaText);
    assert.deepEqual(
      viaText.map((c) => [c.name, c.version, c.direct, c.dependencyPath, c.evidence[0]!.line]),
      [['node-forge', '1.3.1', true, ['file-dep-app', 'node-forge'], 26]],
    );
    // scanning both folders: lib's own lockfile brings tweetnacl, rooted at crypto-lib
    const both = await components(path.join(npmFixtures, 'lockfile-file-dep'));
    assert.deepEqual(find(both, 'tweetnacl').dependencyPath, ['crypto-lib', 'tweetnacl']);
    assert.equal(find(both, 'tweetnacl').evidence[0]!.path, 'lib/package-lock.json');
  });
});

describe('npm lockfile extractor: npm-shrinkwrap.json', () => {
  test('read like a package-lock.json', async () => {
    const cs = await components(path.join(npmFixtures, 'lockfile-shrinkwrap'));
    const forge = find(cs, 'node-forge');
    assert.equal(forge.evidence[0]!.path, 'npm-shrinkwrap.json');
    assert.match(forge.evidence[0]!.detail, /^npm-shrinkwrap\.json packages\["node_modules\/node-forge"\]$/);
    assert.deepEqual(find(cs, 'ecdsa-sig-formatter').dependencyPath, ['shrinkwrapped-cli', 'jsonwebtoken', 'jws', 'jwa', 'ecdsa-sig-formatter']);
  });

  test('wins over a package-lock.json beside it, as in npm', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'cryptaudit-npm-'));
    try {
      copyFileSync(path.join(npmFixtures, 'lockfile-shrinkwrap/npm-shrinkwrap.json'), path.join(tmp, 'npm-shrinkwrap.json'));
      copyFileSync(path.join(npmFixtures, 'lockfile-shrinkwrap/package.json'), path.join(tmp, 'package.json'));
      copyFileSync(path.join(npmFixtures, 'lockfile-v3/package-lock.json'), path.join(tmp, 'package-lock.json'));
      for (const ex of [npmLockExtractor, npmLockPlainExtractor]) {
        const r = await scan(tmp, ex);
        assert.deepEqual(r.errors, []);
        assert.equal(r.filesExtracted, 2);
        assert.deepEqual(new Set(r.components.map((c) => c.evidence[0]!.path)), new Set(['npm-shrinkwrap.json']));
        // crypto-js is only in the package-lock.json, which npm ignores here
        assert.equal(r.components.filter((c) => c.name === 'crypto-js').length, 0);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('npm lockfile extractor: real project lockfiles', () => {
  test('CyberChef v3: crypto packages, lines and the path to elliptic', async (t) => {
    const dir = sharedFixture('fixtures/lockfiles/npm-lockfile-v3-cyberchef');
    if (!dir) return t.skip(SHARED_MISSING);
    const cs = await components(dir);
    // SOURCES.md: (root) -> crypto-browserify@3.12.0 -> browserify-sign@4.2.1 -> elliptic@6.5.4
    const elliptic = find(cs, 'elliptic', '6.5.4');
    assert.deepEqual(elliptic.dependencyPath, ['cyberchef', 'crypto-browserify', 'browserify-sign', 'elliptic']);
    assert.equal(elliptic.evidence[0]!.line, 6304);
    assert.equal(find(cs, 'browserify-sign').version, '4.2.1');
    assert.equal(find(cs, 'crypto-browserify').version, '3.12.0');
    const forge = find(cs, 'node-forge', '1.3.1');
    assert.equal(forge.direct, true);
    assert.equal(forge.evidence[0]!.line, 11077);
    const nacl = find(cs, 'tweetnacl', '0.13.3');
    assert.deepEqual(nacl.dependencyPath, ['cyberchef', 'kbpgp', 'tweetnacl']);
    assert.equal(nacl.evidence[0]!.line, 14041);
    assert.equal(find(cs, 'crypto-js').version, '4.2.0');
    assert.equal(find(cs, 'jsrsasign').version, '11.1.0');
    // "peer": true on node_modules/@astronautlabs/amf/node_modules/reflect-metadata (line 226) only
    assert.deepEqual(find(cs, 'reflect-metadata', '0.1.14').scope, { peer: true });
    assert.equal(find(cs, 'reflect-metadata', '0.1.14').evidence[0]!.line, 226);
  });

  test('CyberChef v3: one component per distinct name@version of its packages', async (t) => {
    const dir = sharedFixture('fixtures/lockfiles/npm-lockfile-v3-cyberchef');
    if (!dir) return t.skip(SHARED_MISSING);
    const lock = JSON.parse(readFileSync(path.join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { name?: string; version?: string; link?: boolean }> };
    const distinct = new Set<string>();
    for (const [loc, e] of Object.entries(lock.packages)) {
      if (loc === '' || e.link) continue;
      distinct.add(`${e.name ?? loc.slice(loc.lastIndexOf('node_modules/') + 13)}@${e.version}`);
    }
    const cs = await components(dir);
    assert.deepEqual(new Set(cs.map((c) => `${c.name}@${c.version}`)), distinct);
  });

  test('mitmproxy v1: the deep dev chain to tweetnacl', async (t) => {
    const dir = sharedFixture('fixtures/lockfiles/npm-lockfile-v1-mitmproxy-web');
    if (!dir) return t.skip(SHARED_MISSING);
    const cs = await components(dir);
    const nacl = find(cs, 'tweetnacl', '0.14.5');
    // SOURCES.md: gulp-less@4.0.1 -> less@3.10.3 -> request@2.88.2 -> http-signature@1.2.0 -> sshpk@1.16.1 -> tweetnacl
    assert.deepEqual(nacl.dependencyPath, ['mitmproxy', 'gulp-less', 'less', 'request', 'http-signature', 'sshpk', 'tweetnacl']);
    assert.equal(nacl.evidence[0]!.line, 9072);
    assert.equal(nacl.evidence[0]!.detail, 'package-lock.json dependencies["tweetnacl"]');
    assert.equal(nacl.scope?.dev, true);
    assert.deepEqual(find(cs, 'sshpk').dependencies, ['asn1', 'assert-plus', 'bcrypt-pbkdf', 'dashdash', 'ecc-jsbn', 'getpass', 'jsbn', 'safer-buffer', 'tweetnacl']);
  });
});

describe('npm lockfile extractor: broken input', () => {
  for (const ex of [npmLockExtractor, npmLockPlainExtractor]) {
    test(`truncated lockfile → invalid JSON at its last line (${ex === npmLockExtractor ? 'auto' : 'plain'})`, async () => {
      const r = await scan(path.join(badFixtures, 'npm-truncated'), ex);
      assert.deepEqual(r.components, []);
      assert.equal(r.errors.length, 1);
      assert.equal(r.errors[0]!.path, 'package-lock.json');
      assert.equal(r.errors[0]!.line, 556);
      assert.match(r.errors[0]!.message, /^package-lock\.json is not valid JSON: unexpected end of file at line 556$/);
    });

    test(`lockfileVersion 4 is refused (${ex === npmLockExtractor ? 'auto' : 'plain'})`, async () => {
      const r = await scan(path.join(badFixtures, 'npm-lockfile-v4'), ex);
      assert.deepEqual(r.components, []);
      assert.deepEqual(r.errors, [{ path: 'package-lock.json', line: 4, message: 'unsupported lockfileVersion 4; cryptaudit reads 1, 2 and 3' }]);
    });
  }

  test('not JSON, not an object, no version', () => {
    const parse = (text: string) => () => parseNpmLockfile(text, { path: 'app/package-lock.json' });
    assert.throws(parse(''), (e: unknown) => e instanceof ParseError && e.line === 1 && /not valid JSON/.test(e.message));
    assert.throws(parse('{\n  "lockfileVersion": 3,\n  "packages": {},\n}\n'), (e: unknown) => e instanceof ParseError && e.line === 4);
    assert.throws(parse('[]'), (e: unknown) => e instanceof ParseError && /not an npm lockfile/.test(e.message));
    assert.throws(parse('{"name": "x"}'), (e: unknown) => e instanceof ParseError && /unsupported lockfileVersion \(missing\)/.test(e.message));
  });

  test("'arborist' reader refuses a file that is not on disk", async () => {
    const vfs = new DirVfs(path.join(npmFixtures, 'lockfile-v3'));
    const noDisk = Object.assign(Object.create(vfs) as DirVfs, { diskPath: undefined });
    const ex = createNpmLockExtractor({ reader: 'arborist' });
    await assert.rejects(
      ex.extract({ path: 'package-lock.json', size: 0, vfs: noDisk, readText: () => vfs.readText('package-lock.json') }),
      /not on disk/,
    );
  });
});

describe('npm lockfile extractor: cost', () => {
  test('the plain reader never loads Arborist', () => {
    // a fresh process, so nothing else has imported Arborist yet
    const mod = pathToFileURL(path.join(repoRoot, 'dist/src/extractors/npm-lock.js')).href;
    const walk = pathToFileURL(path.join(repoRoot, 'dist/src/walk.js')).href;
    const dir = pathToFileURL(path.join(repoRoot, 'dist/src/sources/dir.js')).href;
    const script = `
      import { createRequire } from 'node:module';
      const { npmLockPlainExtractor, npmLockExtractor } = await import(${JSON.stringify(mod)});
      const { walkAndExtract } = await import(${JSON.stringify(walk)});
      const { DirVfs } = await import(${JSON.stringify(dir)});
      const count = () => Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@npmcli/arborist')).length;
      const r = await walkAndExtract(new DirVfs(process.argv[1]), [npmLockPlainExtractor]);
      const before = count();
      await walkAndExtract(new DirVfs(process.argv[1]), [npmLockExtractor]);
      console.log(JSON.stringify({ components: r.components.length, before, after: count() }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, path.join(npmFixtures, 'lockfile-v3')], { encoding: 'utf8' })) as {
      components: number;
      before: number;
      after: number;
    };
    assert.ok(out.components > 10);
    assert.equal(out.before, 0);
    assert.ok(out.after > 0, 'the auto extractor on disk does load it (so the check above can fail)');
  });
});
