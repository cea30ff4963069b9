// OS package databases and FIPS posture on real data: dpkg stanzas cut from a debootstrap-built Debian 12 image,
// the same stanzas as a distroless status.d, syft's apk fixture, and an empty rpmdb.sqlite written by rpm itself
// (rpm databases with packages: rpm.test.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { DirVfs } from '../../../src/sources/dir.js';
import { extractors } from '../../../src/extractors/index.js';
import { parseDpkgStanzas } from '../../../src/extractors/os/dpkg.js';
import { readFipsPosture, parseOpensslConf } from '../../../src/extractors/os/fips-posture.js';
import { walkAndExtract } from '../../../src/walk.js';
import { repoRoot } from '../../helpers.js';
import { imageFixture, IMAGES_MISSING } from '../../sources/image/helpers.js';

const fixtures = path.join(repoRoot, 'test/fixtures/os');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-os-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const extract = (dir: string) => walkAndExtract(new DirVfs(dir), extractors);

describe('dpkg', () => {
  const base = path.join(fixtures, 'debian-12-base');
  const statusText = readFileSync(path.join(base, 'var/lib/dpkg/status'), 'utf8');
  const lineOf = (pkg: string) => statusText.split('\n').indexOf(`Package: ${pkg}`) + 1;

  it('reads installed packages with syft-style purls and the stanza line', async () => {
    const r = await extract(base);
    assert.deepEqual(r.errors, []);
    const byName = new Map(r.components.map((c) => [c.name, c]));
    assert.deepEqual([...byName.keys()].sort(), ['libc6', 'libgcrypt20', 'libgnutls30', 'libhogweed6', 'libnettle8', 'libsodium23', 'libssl3', 'openssl', 'zlib1g']);
    const ssl = byName.get('libssl3')!;
    assert.equal(ssl.purl, 'pkg:deb/debian/libssl3@3.0.22-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl');
    assert.deepEqual(ssl.evidence, [
      { kind: 'installed', path: 'var/lib/dpkg/status', line: lineOf('libssl3'), detail: 'dpkg status: libssl3 3.0.22-1~deb12u2 (amd64)' },
    ]);
    assert.deepEqual(ssl.properties, { sourcePackage: 'openssl', osFipsPosture: 'not-configured' });
    // an epoch is part of the version; ':' is percent-encoded in the purl
    assert.equal(byName.get('zlib1g')!.version, '1:1.2.13.dfsg-1');
    assert.match(byName.get('zlib1g')!.purl, /^pkg:deb\/debian\/zlib1g@1%3A1\.2\.13\.dfsg-1\?/);
    // the posture is only on the system OpenSSL packages
    assert.equal(byName.get('libgnutls30')!.properties?.osFipsPosture, undefined);
  });

  it('skips packages dpkg does not call installed, and reads distroless status.d', async () => {
    const stanzas = statusText.trim().split('\n\n');
    const root = path.join(tmp, 'distroless');
    mkdirSync(path.join(root, 'var/lib/dpkg/status.d'), { recursive: true });
    for (const s of stanzas) {
      const name = /^Package: (.*)$/m.exec(s)![1]!;
      // distroless writes one stanza per file, without Status, and md5sums beside it
      writeFileSync(path.join(root, 'var/lib/dpkg/status.d', name), s.replace(/^Status: .*\n/m, '') + '\n');
      writeFileSync(path.join(root, 'var/lib/dpkg/status.d', `${name}.md5sums`), 'd41d8cd98f00b204e9800998ecf8427e  usr/share/doc/x\n');
    }
    const r = await extract(root);
    assert.deepEqual(r.errors, []);
    assert.equal(r.components.length, stanzas.length);
    const ssl = r.components.find((c) => c.name === 'libssl3')!;
    assert.equal(ssl.evidence[0]!.path, 'var/lib/dpkg/status.d/libssl3');
    assert.equal(ssl.evidence[0]!.line, 1);
    // no os-release here: namespace defaults to debian, no distro qualifier
    assert.equal(ssl.purl, 'pkg:deb/debian/libssl3@3.0.22-1~deb12u2?arch=amd64&upstream=openssl');

    const removed = path.join(tmp, 'removed');
    mkdirSync(path.join(removed, 'var/lib/dpkg'), { recursive: true });
    writeFileSync(path.join(removed, 'var/lib/dpkg/status'), statusText.replace(/(Package: libsodium23\nStatus: )install ok installed/, '$1deinstall ok config-files'));
    const names = (await extract(removed)).components.map((c) => c.name);
    assert.ok(names.includes('libssl3'));
    assert.ok(!names.includes('libsodium23'), 'config-files only: not installed');
  });

  it('names file and line of a broken stanza', () => {
    assert.throws(() => parseDpkgStanzas('Package: a\nVersion: 1\n\nthis is not a field\n', 'var/lib/dpkg/status'), (e: Error & { line?: number }) => {
      assert.match(e.message, /var\/lib\/dpkg\/status: expected 'Field: value'/);
      assert.equal(e.line, 4);
      return true;
    });
  });
});

describe('apk', () => {
  it("reads syft's alpine fixture", async () => {
    const r = await extract(path.join(fixtures, 'alpine-syft-base'));
    assert.deepEqual(r.errors, []);
    assert.equal(r.components.length, 1);
    const c = r.components[0]!;
    assert.equal(c.purl, 'pkg:apk/alpine/alpine-baselayout@3.2.0-r6?arch=x86_64');
    assert.deepEqual(c.evidence, [{ kind: 'installed', path: 'lib/apk/db/installed', line: 1, detail: 'apk installed: alpine-baselayout 3.2.0-r6 (x86_64)' }]);
  });

  it('reads the OpenSSL records of a real Alpine 3.20 database, with the FIPS posture on the system OpenSSL', async () => {
    const root = path.join(fixtures, 'alpine-3.20-vaultwarden');
    const r = await extract(root);
    assert.deepEqual(r.errors, []);
    const byName = new Map(r.components.map((c) => [c.name, c]));
    assert.deepEqual([...byName.keys()].sort(), ['libcrypto3', 'libssl3', 'musl', 'openssl', 'ssl_client']);
    const crypto = byName.get('libcrypto3')!;
    assert.equal(crypto.purl, 'pkg:apk/alpine/libcrypto3@3.3.1-r3?arch=x86_64&upstream=openssl');
    assert.deepEqual(crypto.evidence, [{ kind: 'installed', path: 'lib/apk/db/installed', line: 1, detail: 'apk installed: libcrypto3 3.3.1-r3 (x86_64)' }]);
    assert.deepEqual(crypto.properties, { sourcePackage: 'openssl', osFipsPosture: 'not-configured' });
    const text = readFileSync(path.join(root, 'lib/apk/db/installed'), 'utf8').split('\n');
    assert.equal(byName.get('libssl3')!.evidence[0]!.line, text.indexOf('P:libssl3'));
    // the posture belongs to the system OpenSSL only, not to a program that happens to link it
    assert.equal(byName.get('ssl_client')!.properties?.osFipsPosture, undefined);
  });
});

describe('rpm databases', () => {
  it('reads an empty rpmdb.sqlite as rpm initialised it: no packages, no error', async (t) => {
    const root = imageFixture('rpm-root');
    if (!root) return t.skip(IMAGES_MISSING);
    const r = await extract(root);
    assert.equal(r.filesExtracted, 1);
    assert.equal(r.filesParsed, 1);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.components, []);
  });
});

describe('OS FIPS posture', () => {
  it('tells a stock config, a FIPS config without module, and one with the module apart', async () => {
    assert.equal((await readFipsPosture(new DirVfs(path.join(fixtures, 'debian-12-base')))).state, 'not-configured');
    const cfg = path.join(fixtures, 'debian-12-fips-config');
    const p = await readFipsPosture(new DirVfs(cfg));
    assert.equal(p.state, 'configured-module-missing');
    // with the provider module and the fipsmodule.cnf that `openssl fipsinstall` writes, the provider is active
    const full = path.join(tmp, 'fips-full');
    mkdirSync(path.join(full, 'etc/ssl'), { recursive: true });
    mkdirSync(path.join(full, 'usr/lib/ssl'), { recursive: true });
    mkdirSync(path.join(full, 'usr/lib/x86_64-linux-gnu/ossl-modules'), { recursive: true });
    writeFileSync(path.join(full, 'etc/ssl/openssl.cnf'), readFileSync(path.join(cfg, 'etc/ssl/openssl.cnf')));
    writeFileSync(path.join(full, 'usr/lib/ssl/fipsmodule.cnf'), '[fips_sect]\nactivate = 1\ninstall-version = 1\nconditional-errors = 1\nsecurity-checks = 1\n');
    writeFileSync(path.join(full, 'usr/lib/x86_64-linux-gnu/ossl-modules/fips.so'), '');
    const q = await readFipsPosture(new DirVfs(full));
    assert.equal(q.state, 'enabled');
    assert.deepEqual(q.fipsProviderModules, ['usr/lib/x86_64-linux-gnu/ossl-modules/fips.so']);
    assert.equal(q.opensslConfigs.find((c) => c.path === 'etc/ssl/openssl.cnf')!.activatesFipsProvider, true);
  });

  it('parses OpenSSL config includes and sections', () => {
    const { sections, includes } = parseOpensslConf('# c\nopenssl_conf = init\n.include = /x/fipsmodule.cnf\n[ init ]\nproviders = p # comment\n');
    assert.deepEqual(includes, ['/x/fipsmodule.cnf']);
    assert.equal(sections.get('init')!.get('providers'), 'p');
  });
});
