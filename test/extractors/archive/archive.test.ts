// The archive extractor on real archives: Debian 12's Bouncy Castle and netty-tcnative jars and pip wheel, and a WAR,
// a Spring Boot jar and an auditwheel-layout wheel assembled from real Debian files (scripts/make-archive-fixtures.sh;
// skipped with a message when absent). Bad input is cut or patched from those real archives.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openTarget } from '../../../src/sources/index.js';
import { DirVfs } from '../../../src/sources/dir.js';
import type { Vfs } from '../../../src/sources/vfs.js';
import { walkAndExtract } from '../../../src/walk.js';
import { targetOpenOptions } from '../../../src/sources/image/target-facts.js';
import { extractors } from '../../../src/extractors/index.js';
import { isArchiveCandidate } from '../../../src/extractors/archive/index.js';
import { manifestIdentity, parseManifestMain } from '../../../src/extractors/archive/archive.js';
import type { Component } from '../../../src/model/types.js';
import { cliPath, repoRoot } from '../../helpers.js';
import { dockerArchive, rawTar } from '../../sources/image/helpers.js';

const archives = path.join(repoRoot, '.cache', 'binary', 'archives');
const MISSING = '.cache/binary/archives is not built (run scripts/make-archive-fixtures.sh, as .ci/run does); skipping';
const temps: string[] = [];
/** A temp dir for one test, removed after the file's tests. */
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'cryptaudit-zip-test-'));
  temps.push(d);
  return d;
}
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
const fixture = (rel: string) => (existsSync(path.join(archives, rel)) ? path.join(archives, rel) : undefined);

/** As scan() opens targets: an image copies out the files extractors want (and is closed afterwards). */
async function scan(dir: string, vfs?: Vfs) {
  if (vfs) return walkAndExtract(vfs, extractors);
  const opened = await openTarget(dir, process.cwd(), targetOpenOptions(extractors));
  try {
    return await walkAndExtract(opened.vfs, extractors);
  } finally {
    await opened.image?.close();
  }
}
const byPurl = (cs: Component[], purl: string, evPath?: string) => cs.filter((c) => c.purl === purl && (!evPath || c.evidence[0]!.path === evPath));

/** A copy of a real archive in a temp dir, passed through `patch` (bytes) first. */
function patched(rel: string, name: string, patch: (b: Buffer) => Buffer): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, name), patch(Buffer.from(readFileSync(path.join(archives, rel)))));
  return dir;
}

/** The central directory record of `member` (PKZIP APPNOTE 4.3.12: signature 0x02014b50, name at +46). */
function cdRecord(zip: Buffer, member: string): number {
  const name = Buffer.from(member);
  for (let i = zip.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1')); i >= 0; i--) {
    if (zip.readUInt32LE(i) === 0x02014b50 && zip.readUInt16LE(i + 28) === name.length && zip.subarray(i + 46, i + 46 + name.length).equals(name)) return i;
  }
  throw new Error(`${member} not in the central directory`);
}

/** The OpenSSL banner version inside a real library file (the fixture's Debian version, whatever the mirror served). */
function bannerVersion(file: string): string {
  return /OpenSSL (3\.\d+\.\d+) /.exec(readFileSync(file).toString('latin1'))![1]!;
}

describe('fileRequired', () => {
  for (const p of ['lib/bcprov-jdk18on-1.78.jar', 'app.WAR', 'x/y.ear', 'dist/cryptography-44.0.0-cp39-abi3-manylinux_2_28_x86_64.whl']) it(`wants ${p}`, () => assert.equal(isArchiveCandidate(p), true));
  for (const p of ['src/Main.java', 'a.jar.sha1', 'jar', 'x.zip', 'pom.xml']) it(`leaves ${p}`, () => assert.equal(isArchiveCandidate(p), false));
});

describe('JAR manifest', () => {
  it('reads the main section only: a per-entry section cannot rename the jar (knowledge/binary-signatures.md §7)', () => {
    // Debian's bcprov-1.72.jar manifest head (continuation line kept), then a per-entry section as signed jars have
    const mf = parseManifestMain(
      'Manifest-Version: 1.0\r\nClass-Path: /usr/share/java/javax.mail.jar /usr/share/java/jakarta-mail-\r\n api.jar\r\nImplementation-Vendor-Id: org.bouncycastle\r\n\r\nName: org/x/A.class\r\nBundle-SymbolicName: bc-fips\r\n',
    );
    assert.equal(mf.get('Class-Path'), '/usr/share/java/javax.mail.jar /usr/share/java/jakarta-mail-api.jar');
    assert.equal(mf.get('Implementation-Vendor-Id'), 'org.bouncycastle');
    assert.equal(mf.has('Bundle-SymbolicName'), false);
  });
});

describe('jar identity from the manifest (no real bc-fips jar is reachable: the values are knowledge/binary-signatures.md §7)', () => {
  // BC's own jars carry no pom.properties; Bundle-SymbolicName names the line: bcprov, bcprov-lts8on, bc-fips
  it('a renamed bc-fips jar: artifact and version from Bundle-SymbolicName / Bundle-Version, group from the FIPS provider class', () => {
    const mf = new Map([['Bundle-SymbolicName', 'bc-fips'], ['Bundle-Version', '2.1.0']]);
    assert.deepEqual(manifestIdentity(mf, 'bc-fips.jar', 'org.bouncycastle'), {
      group: 'org.bouncycastle',
      artifact: 'bc-fips',
      version: '2.1.0',
      from: 'group from the provider class, Bundle-SymbolicName bc-fips, Bundle-Version 2.1.0',
    });
  });
  it('the file name wins where it carries a version (it is the Maven artifact: bcprov-jdk18on, not bcprov)', () => {
    const mf = new Map([['Bundle-SymbolicName', 'bcprov'], ['Bundle-Version', '1.81']]);
    assert.equal(manifestIdentity(mf, 'bcprov-jdk18on-1.81.jar', 'org.bouncycastle')?.artifact, 'bcprov-jdk18on');
  });
  it('no group (no Implementation-Vendor-Id, no provider class): no component', () => {
    assert.equal(manifestIdentity(new Map([['Bundle-SymbolicName', 'bcprov-lts8on']]), 'x.jar'), undefined);
  });
});

describe('Java archives (Debian 12 libbcprov-java, libbcpkix-java, libbcutil-java 1.72, libnetty-tcnative-java)', () => {
  it('Bouncy Castle jars without pom.properties: named from file name and manifest; the provider class marks bcprov', async (t) => {
    const dir = fixture('jars');
    if (!dir) return t.skip(MISSING);
    const r = await scan(dir);
    assert.deepEqual(r.errors, []);
    const [bcprov] = byPurl(r.components, 'pkg:maven/org.bouncycastle/bcprov@1.72');
    assert.ok(bcprov, r.components.map((c) => c.purl).join(', '));
    assert.equal(bcprov.name, 'org.bouncycastle:bcprov');
    assert.deepEqual(bcprov.properties, { javaProvider: 'BC' });
    assert.deepEqual(
      bcprov.evidence.map((e) => [e.kind, e.path, e.detail]),
      [
        ['embedded', 'bcprov-1.72.jar', 'META-INF/MANIFEST.MF main section (Implementation-Vendor-Id org.bouncycastle, Implementation-Version 1.72.0), file name bcprov-1.72.jar'],
        ['embedded', 'bcprov-1.72.jar', 'JCE provider class org/bouncycastle/jce/provider/BouncyCastleProvider.class (provider "BC")'],
      ],
    );
    const [pkix] = byPurl(r.components, 'pkg:maven/org.bouncycastle/bcpkix@1.72');
    assert.ok(pkix);
    assert.equal(pkix.properties, undefined, 'bcpkix carries no provider class');
    assert.ok(byPurl(r.components, 'pkg:maven/org.bouncycastle/bcutil@1.72')[0]);
    // pom.properties is the best evidence where the jar has one
    const [tcn] = byPurl(r.components, 'pkg:maven/io.netty/netty-tcnative@2.0.28.Final');
    assert.deepEqual(tcn?.evidence, [{ kind: 'embedded', path: 'netty-tcnative.jar', detail: 'META-INF/maven/io.netty/netty-tcnative/pom.properties: io.netty:netty-tcnative:2.0.28.Final' }]);
    assert.equal(r.components.length, 4);
  });

  for (const [rel, lib] of [
    ['webapp/shop.war', 'WEB-INF/lib'],
    ['boot/shop-boot.jar', 'BOOT-INF/lib'],
  ] as const) {
    it(`${rel}: the jars in ${lib}/ (${rel.endsWith('war') ? 'deflated' : 'stored, as Spring Boot writes them'}) are read one level deep`, async (t) => {
      const dir = fixture(path.dirname(rel));
      if (!dir) return t.skip(MISSING);
      const r = await scan(dir);
      assert.deepEqual(r.errors, []);
      const base = path.basename(rel);
      assert.deepEqual(
        r.components.map((c) => `${c.purl} ${c.evidence[0]!.path}`),
        [
          `pkg:maven/io.netty/netty-tcnative@2.0.28.Final ${base}!/${lib}/netty-tcnative.jar`,
          `pkg:maven/org.bouncycastle/bcpkix@1.72 ${base}!/${lib}/bcpkix-1.72.jar`,
          `pkg:maven/org.bouncycastle/bcprov@1.72 ${base}!/${lib}/bcprov-1.72.jar`,
        ],
      );
      assert.equal(byPurl(r.components, 'pkg:maven/org.bouncycastle/bcprov@1.72')[0]!.properties?.['javaProvider'], 'BC');
    });
  }

  it('the provider class alone (no manifest, no pom.properties, as in a shaded jar) still names Bouncy Castle', async (t) => {
    if (!fixture('jars/bcprov-1.72.jar')) return t.skip(MISSING);
    // Debian's bcprov-1.72.jar with its manifest renamed in the central directory: only the classes are left
    const dir = patched('jars/bcprov-1.72.jar', 'app-all.jar', (b) => {
      b.write('META-INF/MANIFEST.MX', cdRecord(b, 'META-INF/MANIFEST.MF') + 46, 'latin1');
      return b;
    });
    const r = await scan(dir);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.components.map((c) => [c.purl, c.properties, c.evidence.map((e) => e.detail)]),
      [['pkg:maven/org.bouncycastle/bcprov', { javaProvider: 'BC' }, ['JCE provider class org/bouncycastle/jce/provider/BouncyCastleProvider.class (provider "BC")']]],
    );
  });

  it('a source without disk paths (as image layers are) reads the same archives through its streams', async (t) => {
    const dir = fixture('webapp');
    if (!dir) return t.skip(MISSING);
    const disk = new DirVfs(dir, 'webapp');
    const streamsOnly: Vfs = {
      description: disk.description,
      walk: (o) => disk.walk(o),
      readText: (p, m) => disk.readText(p, m),
      createReadStream: (p) => disk.createReadStream(p),
      exists: (p) => disk.exists(p),
    };
    const a = await scan(dir);
    const b = await scan(dir, streamsOnly);
    assert.deepEqual(b.errors, []);
    assert.deepEqual(b.components, a.components);
  });
});

describe('wheels', () => {
  it("pip's wheel (Debian python3-pip-whl 23.0.1): the dist-info METADATA names it", async (t) => {
    const dir = fixture('wheels');
    if (!dir) return t.skip(MISSING);
    const r = await scan(dir);
    assert.deepEqual(r.errors, []);
    const [pip] = byPurl(r.components, 'pkg:pypi/pip@23.0.1');
    assert.deepEqual(pip?.evidence, [{ kind: 'embedded', path: 'pip-23.0.1-py3-none-any.whl', detail: 'pip-23.0.1.dist-info/METADATA: Name pip, Version 23.0.1' }]);
  });

  it('auditwheel .libs/: the grafted libcrypto is a vendored OpenSSL with its version, libssl links it', async (t) => {
    const dir = fixture('wheels');
    const libs = path.join(repoRoot, '.cache', 'binary', 'targets', 'vendored', 'app.libs');
    if (!dir || !existsSync(libs)) return t.skip(MISSING);
    const whl = readdirSync(dir).find((f) => f.startsWith('vendoredcrypto-'));
    if (!whl) return t.skip(MISSING);
    const libcrypto = readdirSync(libs).find((f) => /^libcrypto-[0-9a-f]{8}\.so\.3$/.test(f))!;
    const libssl = readdirSync(libs).find((f) => /^libssl-[0-9a-f]{8}\.so\.3$/.test(f))!;
    const version = bannerVersion(path.join(libs, libcrypto));
    const r = await scan(dir);
    assert.deepEqual(r.errors, []);
    const [ossl] = byPurl(r.components, `pkg:generic/openssl@${version}`);
    assert.ok(ossl, r.components.map((c) => c.purl).join(', '));
    assert.equal(ossl.evidence[0]!.path, `${whl}!/vendoredcrypto.libs/${libcrypto}`);
    assert.deepEqual(ossl.evidence.map((e) => e.kind), ['embedded']);
    assert.equal(ossl.properties?.['placement'], 'vendored');
    const [linked] = byPurl(r.components, 'pkg:generic/openssl');
    assert.deepEqual(linked?.evidence.map((e) => [e.kind, e.path, e.detail]), [['linked', `${whl}!/vendoredcrypto.libs/${libssl}`, 'DT_NEEDED libcrypto.so.3']]);
    assert.ok(byPurl(r.components, 'pkg:pypi/vendoredcrypto@1.0')[0]);
  });
});

describe('bad input', () => {
  it('a truncated jar (the first 64 KiB of bcpkix-1.72.jar) is an error naming the file; the scan goes on', async (t) => {
    const bad = fixture('bad/truncated.jar');
    const jars = fixture('jars');
    if (!bad || !jars) return t.skip(MISSING);
    const dir = tempDir();
    cpSync(bad, path.join(dir, 'truncated.jar'));
    cpSync(path.join(jars, 'bcprov-1.72.jar'), path.join(dir, 'bcprov-1.72.jar'));
    const r = await scan(dir);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]!.path, 'truncated.jar');
    assert.match(r.errors[0]!.message, /^not a readable zip archive \(End of central directory record signature not found/);
    assert.deepEqual(r.components.map((c) => c.purl), ['pkg:maven/org.bouncycastle/bcprov@1.72']);
  });

  it('a corrupt jar inside a Spring Boot jar is reported by its member name; its siblings are still read', async (t) => {
    if (!fixture('boot/shop-boot.jar')) return t.skip(MISSING);
    const dir = patched('boot/shop-boot.jar', 'shop-boot.jar', (b) => {
      // the nested bcpkix-1.72.jar is stored: blank its own end-of-central-directory record (its last 22 bytes)
      const cd = cdRecord(b, 'BOOT-INF/lib/bcpkix-1.72.jar');
      const local = b.readUInt32LE(cd + 42);
      const start = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
      b.fill(0, start + b.readUInt32LE(cd + 20) - 22, start + b.readUInt32LE(cd + 20));
      return b;
    });
    const r = await scan(dir);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]!.path, 'shop-boot.jar');
    assert.match(r.errors[0]!.message, /^archive partly unreadable: BOOT-INF\/lib\/bcpkix-1\.72\.jar: not a readable zip archive/);
    assert.deepEqual(r.components.map((c) => c.purl), ['pkg:maven/io.netty/netty-tcnative@2.0.28.Final', 'pkg:maven/org.bouncycastle/bcprov@1.72']);
  });

  it('zip bomb bounds: a member declared past the per-member limit is not inflated; a lying size stops at the lie', async (t) => {
    const whl = fixture('wheels') && readdirSync(fixture('wheels')!).find((f) => f.startsWith('vendoredcrypto-'));
    if (!whl) return t.skip(MISSING);
    const rel = path.join('wheels', whl);
    const zip = readFileSync(path.join(archives, rel));
    const member = (re: RegExp) => zip.toString('latin1').match(re)![0];
    const crypto = member(/vendoredcrypto\.libs\/libcrypto-[0-9a-f]{8}\.so\.3/);
    const ssl = member(/vendoredcrypto\.libs\/libssl-[0-9a-f]{8}\.so\.3/);
    const dir = patched(rel, 'bomb.whl', (b) => {
      b.writeUInt32LE(600 * 1024 * 1024, cdRecord(b, crypto) + 24); // declared inflated size: 600 MiB
      b.writeUInt32LE(1000, cdRecord(b, ssl) + 24); // declared 1000 bytes, really 688 KB
      return b;
    });
    const r = await scan(dir);
    assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
    assert.equal(r.errors[0]!.path, 'bomb.whl');
    assert.match(r.errors[0]!.message, new RegExp(`${crypto.replace(/\./g, '\\.')}: 629145600 bytes inflated, more than the 536870912-byte limit`));
    assert.match(r.errors[0]!.message, new RegExp(`${ssl.replace(/\./g, '\\.')}: too many bytes in the stream`));
    // what could be read is kept: the wheel's own name
    assert.deepEqual(r.components.map((c) => c.purl), ['pkg:pypi/vendoredcrypto@1.0']);
  });

  it('member names that leave the archive are never reported, and the archive says it has them', async (t) => {
    const whl = fixture('wheels') && readdirSync(fixture('wheels')!).find((f) => f.startsWith('vendoredcrypto-'));
    if (!whl) return t.skip(MISSING);
    const rel = path.join('wheels', whl);
    const zip = readFileSync(path.join(archives, rel));
    const crypto = zip.toString('latin1').match(/vendoredcrypto\.libs\/libcrypto-[0-9a-f]{8}\.so\.3/)![0];
    const evil = ('../'.repeat(20) + 'x/libcrypto.so.3').slice(-crypto.length);
    assert.equal(evil.length, crypto.length);
    const dir = patched(rel, 'evil.whl', (b) => {
      const at = cdRecord(b, crypto) + 46;
      b.write(evil, at, 'latin1');
      return b;
    });
    const r = await scan(dir);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!.message, /1 member name\(s\) leave the archive or are absolute/);
    assert.equal(r.components.some((c) => c.evidence.some((e) => e.path.includes('..'))), false);
    assert.equal(r.components.some((c) => c.name === 'openssl' && c.version), false, 'the renamed libcrypto is not read');
  });
});

describe('images', () => {
  it('a WAR and a wheel in an image layer: found with the layer, SARIF points at the archive in the image', async (t) => {
    const war = fixture('webapp/shop.war');
    const whl = fixture('wheels') && readdirSync(fixture('wheels')!).find((f) => f.startsWith('vendoredcrypto-'));
    const libs = path.join(repoRoot, '.cache', 'binary', 'targets', 'vendored', 'app.libs');
    if (!war || !whl || !existsSync(libs)) return t.skip(MISSING);
    const libcrypto = readdirSync(libs).find((f) => /^libcrypto-[0-9a-f]{8}\.so\.3$/.test(f))!;
    const layer = rawTar([
      { name: 'srv/', type: '5' },
      { name: 'srv/shop.war', data: readFileSync(war) },
      { name: 'opt/', type: '5' },
      { name: `opt/${whl}`, data: readFileSync(path.join(archives, 'wheels', whl)) },
    ]);
    const dir = tempDir();
    writeFileSync(path.join(dir, 'app.tar'), dockerArchive([layer], { tag: 'example.com/shop:1.0' }));
    const r = spawnSync(process.execPath, [cliPath, 'scan', 'docker-archive:app.tar', '--format', 'sarif'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const run = (JSON.parse(r.stdout) as { runs: Array<{ results: Array<{ ruleId: string; properties: { purl: string; imagePath: string; layer: string; evidence: Array<{ path: string }> } }> }> }).runs[0]!;
    const got = run.results
      .filter((x) => x.ruleId === 'maven-bouncycastle' || x.ruleId === 'generic-vendored-openssl')
      .map((x) => [x.ruleId, x.properties.imagePath, x.properties.evidence[0]!.path, /^sha256:[0-9a-f]{64}$/.test(x.properties.layer)])
      .sort();
    assert.deepEqual(got, [
      ['generic-vendored-openssl', `opt/${whl}`, `opt/${whl}!/vendoredcrypto.libs/${libcrypto}`, true],
      ['maven-bouncycastle', 'srv/shop.war', 'srv/shop.war!/WEB-INF/lib/bcpkix-1.72.jar', true],
      ['maven-bouncycastle', 'srv/shop.war', 'srv/shop.war!/WEB-INF/lib/bcprov-1.72.jar', true],
    ]);
  });
});

describe('real fat jar (npm vnu-jar@26.9.27: the shaded Nu Html Checker)', () => {
  it('every absorbed library with a pom.properties is a component; no Bouncy Castle in it', async (t) => {
    const dir = fixture('npm');
    if (!dir) return t.skip(MISSING);
    const r = await scan(dir);
    assert.deepEqual(r.errors, []);
    assert.equal(r.components.length, 38);
    assert.ok(r.components.every((c) => c.ecosystem === 'maven' && c.evidence.length === 1 && c.evidence[0]!.path === 'vnu.jar'));
    const [jetty] = byPurl(r.components, 'pkg:maven/org.eclipse.jetty/jetty-server@12.0.34');
    assert.equal(jetty?.evidence[0]!.detail, 'META-INF/maven/org.eclipse.jetty/jetty-server/pom.properties: org.eclipse.jetty:jetty-server:12.0.34');
    assert.ok(byPurl(r.components, 'pkg:maven/commons-codec/commons-codec@1.15')[0]);
    assert.equal(r.components.some((c) => c.name.startsWith('org.bouncycastle:')), false);
  });

  it('inside an image the archive is read through the layer copy with positioned reads (Vfs.localCopy)', async (t) => {
    const jar = fixture('npm/vnu.jar');
    if (!jar) return t.skip(MISSING);
    const bytes = readFileSync(jar);
    const dir = tempDir();
    writeFileSync(path.join(dir, 'vnu.tar'), dockerArchive([rawTar([{ name: 'opt/', type: '5' }, { name: 'opt/vnu.jar', data: bytes }])]));
    const { vfs, image } = await openTarget(path.join(dir, 'vnu.tar'), dir, { wanted: isArchiveCandidate });
    try {
      let copy: Buffer | undefined;
      for await (const e of vfs.walk()) if (e.path === 'opt/vnu.jar') copy = readFileSync(vfs.localCopy!(e.path)!);
      assert.ok(copy?.equals(bytes), 'the local copy holds the file');
    } finally {
      await image?.close();
    }
    const r = await scan(path.join(dir, 'vnu.tar'));
    assert.deepEqual(r.errors, []);
    assert.equal(r.components.length, 38);
    assert.ok(r.components.every((c) => c.evidence[0]!.path === 'opt/vnu.jar' && /^sha256:/.test(c.evidence[0]!.layer ?? '')));
  });
});

describe('CLI end to end', () => {
  it('a directory of jars: maven-bouncycastle fires on bcprov in the WAR and beside it; SARIF points at the archive', (t) => {
    const jars = fixture('jars');
    const war = fixture('webapp/shop.war');
    if (!jars || !war) return t.skip(MISSING);
    const dir = tempDir();
    cpSync(path.join(jars, 'bcprov-1.72.jar'), path.join(dir, 'lib', 'bcprov-1.72.jar'), { recursive: true });
    cpSync(war, path.join(dir, 'deploy', 'shop.war'), { recursive: true });
    const r = spawnSync(process.execPath, [cliPath, 'scan', '.', '--format', 'sarif'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const sarif = JSON.parse(r.stdout) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>; properties: { purl: string; evidence: Array<{ path: string }> } }> }> };
    const bc = sarif.runs[0]!.results.filter((x) => x.ruleId === 'maven-bouncycastle').map((x) => [x.properties.purl, x.locations[0]!.physicalLocation.artifactLocation.uri, x.properties.evidence[0]!.path]);
    assert.deepEqual(bc.sort(), [
      ['pkg:maven/org.bouncycastle/bcpkix@1.72', 'deploy/shop.war', 'deploy/shop.war!/WEB-INF/lib/bcpkix-1.72.jar'],
      ['pkg:maven/org.bouncycastle/bcprov@1.72', 'deploy/shop.war', 'deploy/shop.war!/WEB-INF/lib/bcprov-1.72.jar'],
      ['pkg:maven/org.bouncycastle/bcprov@1.72', 'lib/bcprov-1.72.jar', 'lib/bcprov-1.72.jar'],
    ]);
  });
});
