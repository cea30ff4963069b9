// rpm databases on real data written by rpm 4.18 itself (scripts/make-binary-fixtures.sh, step "rpm"): Debian
// crypto packages converted by alien into rpmdb.sqlite, the same headers in a BerkeleyDB `Packages` written by
// Berkeley DB's db5.3_load (read back by rpm's bdb_ro), and an Oracle Linux 9.2 package set rebuilt from go-rpmdb's
// recorded metadata. Ground truth: `<case>.rpm-qa`, what `rpm -qa` printed for each database.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { extractors } from '../../../src/extractors/index.js';
import { bdbHashValues } from '../../../src/extractors/os/rpm-bdb.js';
import { RpmHeader, RpmHeaderError, rpmPackageOf, RPMTAG } from '../../../src/extractors/os/rpm-header.js';
import { MAX_DB_BYTES } from '../../../src/extractors/os/rpm.js';
import type { Component } from '../../../src/model/types.js';
import { DirVfs } from '../../../src/sources/dir.js';
import { openTarget } from '../../../src/sources/index.js';
import { walkAndExtract } from '../../../src/walk.js';
import { cliPath } from '../../helpers.js';
import { CACHE_MISSING, target } from '../binary/helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-rpm-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const extract = (dir: string) => walkAndExtract(new DirVfs(dir), extractors);

interface QaRow {
  instance: number;
  name: string;
  epoch?: number;
  version: string;
  release: string;
  arch: string;
  sourceRpm: string;
  vendor?: string;
}
/** `rpm -qa --qf '%{DBINSTANCE}\t%{NAME}\t%{EPOCH}\t…'` as the fixture script saved it; "(none)" is absent. */
function rpmQa(file: string): QaRow[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [instance, name, epoch, version, release, arch, sourceRpm, vendor] = l.split('\t') as string[];
      return {
        instance: Number(instance),
        name: name!,
        ...(epoch !== '(none)' ? { epoch: Number(epoch) } : {}),
        version: version!,
        release: release!,
        arch: arch!,
        sourceRpm: sourceRpm!,
        ...(vendor !== '(none)' ? { vendor } : {}),
      };
    });
}
const evr = (r: QaRow) => `${r.epoch !== undefined ? `${r.epoch}:` : ''}${r.version}-${r.release}`;

/** The header blobs as rpm stored them, read with sql.js directly (not through the extractor's reader). */
async function sqliteBlobs(file: string): Promise<Map<number, Uint8Array>> {
  const init = createRequire(import.meta.url)('sql.js/dist/sql-wasm-inline.js') as () => Promise<{
    Database: new (b: Uint8Array) => { exec(sql: string): { values: unknown[][] }[]; close(): void };
  }>;
  const SQL = await init();
  const db = new SQL.Database(readFileSync(file));
  try {
    return new Map(db.exec('SELECT hnum, blob FROM Packages')[0]!.values.map(([n, b]) => [Number(n), b as Uint8Array]));
  } finally {
    db.close();
  }
}

/** What the extractor must say for each row rpm printed. */
function assertMatchesRpm(components: Component[], rows: QaRow[], dbPath: string): void {
  assert.deepEqual(
    components.map((c) => `${c.name} ${c.version}`).sort(),
    rows.map((r) => `${r.name} ${evr(r)}`).sort(),
  );
  for (const r of rows) {
    const c = components.find((x) => x.name === r.name)!;
    assert.equal(c.ecosystem, 'rpm');
    assert.ok(c.purl.includes(`/${r.name}@${encodeURIComponent(`${r.version}-${r.release}`)}?`), c.purl);
    assert.ok(c.purl.includes(`arch=${r.arch}`), c.purl);
    assert.ok(c.purl.includes(`upstream=${encodeURIComponent(r.sourceRpm)}`), c.purl);
    assert.equal(c.purl.includes('epoch='), r.epoch !== undefined, c.purl);
    assert.equal(c.properties?.vendor, r.vendor);
    assert.deepEqual(c.evidence, [
      { kind: 'installed', path: dbPath, detail: `rpm ${path.posix.basename(dbPath)} header instance ${r.instance}: ${r.name} ${evr(r)} (${r.arch})` },
    ]);
  }
}

describe('RPM header parser', () => {
  it('reads every header rpm wrote as rpm -qa reads it', async (t) => {
    const db = target('rpm/ol9/var/lib/rpm/rpmdb.sqlite');
    if (!db) return t.skip(CACHE_MISSING);
    const rows = rpmQa(target('rpm/ol9.rpm-qa')!);
    const blobs = await sqliteBlobs(db);
    assert.equal(blobs.size, rows.length);
    for (const r of rows) {
      const p = rpmPackageOf(RpmHeader.parse(blobs.get(r.instance)!));
      assert.deepEqual(p, {
        name: r.name,
        version: r.version,
        release: r.release,
        ...(r.epoch !== undefined ? { epoch: r.epoch } : {}),
        arch: r.arch,
        sourceRpm: r.sourceRpm,
        vendor: r.vendor,
        license: p.license,
      });
    }
    // a real License tag from the recorded metadata (go-rpmdb oraclelinux9-plain: openssl-libs "ASL 2.0")
    const ssl = rows.find((r) => r.name === 'openssl-libs')!;
    assert.equal(rpmPackageOf(RpmHeader.parse(blobs.get(ssl.instance)!)).license, 'ASL 2.0');
  });

  it('gives a clear error for truncated or lying headers, never a crash or a huge allocation', async (t) => {
    const db = target('rpm/debian-alien/var/lib/rpm/rpmdb.sqlite');
    if (!db) return t.skip(CACHE_MISSING);
    const blob = Buffer.from([...(await sqliteBlobs(db)).values()][0]!);
    const il = blob.readUInt32BE(0);
    const dl = blob.readUInt32BE(4);
    const bad = (mutate: (b: Buffer) => Buffer, re: RegExp) => {
      const b = mutate(Buffer.from(blob));
      assert.throws(() => rpmPackageOf(RpmHeader.parse(b)), (e: Error) => e instanceof RpmHeaderError && re.test(e.message));
    };
    bad((b) => b.subarray(0, 5), /shorter than its 8-byte preamble/);
    bad((b) => b.subarray(0, b.length - 100), new RegExp(`claims ${il} index entries and ${dl} data bytes, but the blob is only`));
    bad((b) => (b.writeUInt32BE(0xffffffff, 0), b), /claims 4294967295 index entries/);
    bad((b) => (b.writeUInt32BE(0x7fffffff, 4), b), /claims 2147483647 bytes of data/);
    // the NAME entry's offset, then its type and the data store's end (a string with no NUL before it)
    const entryOf = (b: Buffer, tag: number) => {
      for (let i = 0; i < il; i++) if (b.readUInt32BE(8 + i * 16) === tag) return 8 + i * 16;
      throw new Error(`no tag ${tag}`);
    };
    bad((b) => (b.writeUInt32BE(dl + 10, entryOf(b, RPMTAG.NAME) + 8), b), /tag 1000 points at offset \d+, past the \d+-byte data store/);
    bad((b) => (b.writeUInt32BE(4, entryOf(b, RPMTAG.NAME) + 4), b), /tag 1000 has type 4, expected 6 or 9/);
    bad((b) => (b.writeUInt32BE(dl - 1, entryOf(b, RPMTAG.VERSION) + 8), b.fill(0x41, 8 + il * 16 + dl - 1, 8 + il * 16 + dl), b), /runs past the data store/);
    const lyingCount = Buffer.from(blob);
    lyingCount.writeUInt32BE(0x7fffffff, entryOf(lyingCount, RPMTAG.BASENAMES) + 12);
    assert.throws(() => RpmHeader.parse(lyingCount).stringArray(RPMTAG.BASENAMES), /tag 1117 claims 2147483647 values, more than its data can hold/);
    // no NAME at all
    bad((b) => (b.writeUInt32BE(999999, entryOf(b, RPMTAG.NAME)), b), /no NAME tag/);
  });
});

describe('rpm databases', () => {
  it('rpmdb.sqlite: every package rpm -qa lists, with syft-style purls, vendor and the FIPS posture', async (t) => {
    const root = target('rpm/ol9');
    if (!root) return t.skip(CACHE_MISSING);
    const r = await extract(root);
    assert.deepEqual(r.errors, []);
    assertMatchesRpm(r.components, rpmQa(target('rpm/ol9.rpm-qa')!), 'var/lib/rpm/rpmdb.sqlite');
    const byName = new Map(r.components.map((c) => [c.name, c]));
    const ssl = byName.get('openssl-libs')!;
    // purl spec rpm type / syft: namespace = os-release ID, version = version-release, epoch as a qualifier
    assert.equal(
      ssl.purl,
      'pkg:rpm/ol/openssl-libs@3.0.7-17.0.1.el9_2?arch=x86_64&distro=ol-9.2&epoch=1&upstream=openssl-3.0.7-17.0.1.el9_2.src.rpm',
    );
    assert.equal(ssl.version, '1:3.0.7-17.0.1.el9_2');
    assert.deepEqual(ssl.properties, { sourcePackage: 'openssl', vendor: 'Oracle America', osFipsPosture: 'not-configured' });
    // the posture is only on the system OpenSSL packages
    assert.equal(byName.get('gnutls')!.properties?.osFipsPosture, undefined);
    // components come out sorted by name, whatever the database order
    assert.deepEqual(
      r.components.map((c) => c.name),
      [...r.components.map((c) => c.name)].sort(),
    );

    const fips = await extract(target('rpm/ol9-fips')!);
    assert.equal(fips.components.find((c) => c.name === 'openssl-libs')!.properties?.osFipsPosture, 'enabled');
  });

  it('alien-converted Debian packages: no vendor, no epoch, no distro namespace without os-release; keys are not packages', async (t) => {
    const root = target('rpm/debian-alien');
    if (!root) return t.skip(CACHE_MISSING);
    const r = await extract(root);
    assert.deepEqual(r.errors, []);
    const all = rpmQa(target('rpm/debian-alien.rpm-qa')!);
    // rpm -qa lists the imported Debian archive key as gpg-pubkey; it is no installed software
    const rows = all.filter((x) => x.name !== 'gpg-pubkey');
    if (all.length === rows.length) t.diagnostic('no gpg-pubkey record in this fixture (gpg or the Debian keyring was missing when it was built)');
    assertMatchesRpm(r.components, rows, 'var/lib/rpm/rpmdb.sqlite');
    const ssl = rows.find((x) => x.name === 'libssl3')!;
    assert.equal(
      r.components.find((c) => c.name === 'libssl3')!.purl,
      `pkg:rpm/libssl3@${encodeURIComponent(`${ssl.version}-${ssl.release}`)}?arch=x86_64&upstream=${encodeURIComponent(ssl.sourceRpm)}`,
    );
  });

  it('BerkeleyDB Packages: the same packages as the rpmdb.sqlite it was loaded from, as rpm bdb_ro reads them', async (t) => {
    const root = target('rpm/debian-alien-bdb');
    if (!root) return t.skip(CACHE_MISSING);
    const r = await extract(root);
    assert.deepEqual(r.errors, []);
    assertMatchesRpm(
      r.components,
      rpmQa(target('rpm/debian-alien-bdb.rpm-qa')!).filter((x) => x.name !== 'gpg-pubkey'),
      'var/lib/rpm/Packages',
    );
    const sqlite = await extract(target('rpm/debian-alien')!);
    assert.deepEqual(
      r.components.map((c) => c.purl),
      sqlite.components.map((c) => c.purl),
    );
  });

  it('a BerkeleyDB Packages left beside an rpmdb.sqlite is not read: rpm reads the sqlite one, and nothing is listed twice', async (t) => {
    const sqliteRoot = target('rpm/ol9');
    const bdb = target('rpm/amzn2/var/lib/rpm/Packages');
    if (!sqliteRoot || !bdb) return t.skip(CACHE_MISSING);
    const root = path.join(tmp, 'both');
    cpSync(sqliteRoot, root, { recursive: true });
    cpSync(bdb, path.join(root, 'var/lib/rpm/Packages'));
    const r = await extract(root);
    assert.deepEqual(r.errors, []);
    assertMatchesRpm(r.components, rpmQa(target('rpm/ol9.rpm-qa')!), 'var/lib/rpm/rpmdb.sqlite');
    // alone, the same Packages file is read
    const alone = path.join(tmp, 'bdb-alone');
    mkdirSync(path.join(alone, 'var/lib/rpm'), { recursive: true });
    cpSync(bdb, path.join(alone, 'var/lib/rpm/Packages'));
    assert.ok((await extract(alone)).components.length > 0);
  });

  it('BerkeleyDB: a looping or out-of-file overflow chain is an error naming the page; other records are kept', async (t) => {
    const file = target('rpm/debian-alien-bdb/var/lib/rpm/Packages');
    if (!file) return t.skip(CACHE_MISSING);
    const db = readFileSync(file);
    const pageSize = db.readUInt32LE(20);
    // the first overflow page (type 7 at byte 25) whose chain continues: point its "next" (offset 16) at itself
    let victim = -1;
    for (let p = 1; p * pageSize < db.length; p++) {
      if (db[p * pageSize + 25] === 7 && db.readUInt32LE(p * pageSize + 16) !== 0) {
        victim = p;
        break;
      }
    }
    assert.ok(victim > 0, 'the fixture has a multi-page overflow chain');
    const loop = Buffer.from(db);
    loop.writeUInt32LE(victim, victim * pageSize + 16);
    const errorsOf = (b: Buffer) => [...bdbHashValues(b, 1 << 24)].filter((v) => v.error).map((v) => v.error);
    assert.equal(errorsOf(db).length, 0);
    assert.match(errorsOf(loop).join('\n'), /^overflow chain from hash page \d+ reaches page \d+, a loop$/);
    const out = Buffer.from(db);
    out.writeUInt32LE(0x7fffffff, victim * pageSize + 16);
    assert.match(errorsOf(out).join('\n'), /^overflow chain from hash page \d+ reaches page 2147483647, past the last page$/);
    // a value bigger than the reader accepts
    assert.ok(errorsOf(db.subarray(0)).length === 0 && [...bdbHashValues(db, 100)].some((v) => /claims \d+ bytes \(at most 100 read\)/.test(v.error ?? '')));
    // through the extractor: the file is named, and the error is reported rather than thrown away
    const root = path.join(tmp, 'bdb-loop');
    mkdirSync(path.join(root, 'var/lib/rpm'), { recursive: true });
    writeFileSync(path.join(root, 'var/lib/rpm/Packages'), loop);
    const r = await extract(root);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!.message, /^var\/lib\/rpm\/Packages: 1 of \d records could not be read: header instance \d: overflow chain from hash page \d+ reaches page \d+, a loop/);
    assert.equal(r.components.length, (await extract(target('rpm/debian-alien-bdb')!)).components.length - 1);
  });

  it('reports what it cannot read, naming the file: ndb, corrupt SQLite, an oversized database, a lying header, a pending WAL', async (t) => {
    const root = path.join(tmp, 'problems');
    const put = (rel: string, data: Buffer | string) => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), data);
    };
    // SUSE ndb: header magic "RpmP" (knowledge/binary-signatures.md §10)
    put('ndb/usr/lib/sysimage/rpm/Packages.db', Buffer.concat([Buffer.from('RpmP'), Buffer.alloc(4092)]));
    put('corrupt/var/lib/rpm/rpmdb.sqlite', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0xab)]));
    put('huge/var/lib/rpm/rpmdb.sqlite', 'SQLite format 3\0');
    truncateSync(path.join(root, 'huge/var/lib/rpm/rpmdb.sqlite'), MAX_DB_BYTES + 1); // sparse: no disk used
    const r = await extract(root);
    const byPath = new Map(r.errors.map((e) => [e.path, e.message]));
    assert.match(byPath.get('ndb/usr/lib/sysimage/rpm/Packages.db')!, /is an rpm ndb database \(SUSE\); reading ndb is not supported yet/);
    assert.match(byPath.get('corrupt/var/lib/rpm/rpmdb.sqlite')!, /^corrupt\/var\/lib\/rpm\/rpmdb\.sqlite: (not a readable SQLite database|no rpm Packages table)/);
    assert.match(byPath.get('huge/var/lib/rpm/rpmdb.sqlite')!, /the rpm database is 268435457 bytes, more than the 268435456-byte limit/);
    assert.equal(r.errors.length, 3);

    const ol9 = target('rpm/ol9');
    if (!ol9) return t.skip(CACHE_MISSING);
    // one header in the database made to lie (via rpm's own sqlite3 schema), and a WAL file with pending changes
    const lying = path.join(tmp, 'lying');
    cpSync(ol9, lying, { recursive: true });
    const dbFile = path.join(lying, 'var/lib/rpm/rpmdb.sqlite');
    const sqlite = spawnSync('sqlite3', [dbFile, "UPDATE Packages SET blob = substr(blob, 1, 40) WHERE hnum = 3; PRAGMA journal_mode=DELETE;"], { encoding: 'utf8' });
    if (sqlite.status !== 0) return t.skip('sqlite3 is not installed (scripts/make-binary-fixtures.sh installs it)');
    writeFileSync(`${dbFile}-wal`, Buffer.alloc(32, 1));
    const l = await extract(lying);
    assert.equal(l.errors.length, 1);
    assert.match(
      l.errors[0]!.message,
      /^var\/lib\/rpm\/rpmdb\.sqlite: 1 of 7 records could not be read: header instance 3: header claims \d+ index entries and \d+ data bytes, but the blob is only 40 bytes; rpmdb\.sqlite-wal holds changes not yet written/,
    );
    // the six good packages are still reported
    assert.equal(l.components.length, 6);
    assert.ok(!l.components.some((c) => c.name === 'openssl'));
  });
});

describe('rpm in images', () => {
  it('credits each package to the layer holding its files, not the last layer that rewrote the database', async (t) => {
    const img = target('rpm/debian-alien-image');
    if (!img) return t.skip(`${CACHE_MISSING} (the image also needs umoci)`);
    const opened = await openTarget(`oci:${img}`);
    try {
      const layers = opened.image!.image.layers.map((l) => [l.diffId, l.createdBy]);
      assert.deepEqual(
        layers.map((l) => l[1]),
        ['RUN rpm -i libssl3', 'RUN rpm -i libsodium23'],
      );
      const r = await walkAndExtract(opened.vfs, extractors);
      assert.deepEqual(r.errors, []);
      const rpm = r.components.filter((c) => c.ecosystem === 'rpm');
      assert.deepEqual(
        rpm.map((c) => [c.name, c.evidence[0]!.path, c.evidence[0]!.layer]),
        [
          ['libsodium23', 'var/lib/rpm/rpmdb.sqlite', layers[1]![0]],
          ['libssl3', 'var/lib/rpm/rpmdb.sqlite', layers[0]![0]],
        ],
      );
    } finally {
      await (opened.vfs as { close?: () => Promise<void> }).close?.();
    }
  });
});

describe('rpm through the CLI', () => {
  it('scans an Oracle Linux root: distribution OpenSSL under fips-140-3, told apart from the FIPS-enabled root', (t) => {
    const ol9 = target('rpm/ol9');
    const fips = target('rpm/ol9-fips');
    if (!ol9 || !fips) return t.skip(CACHE_MISSING);
    const run = (dir: string, policy: string) => {
      const r = spawnSync(process.execPath, [cliPath, 'scan', dir, '--policy', policy, '--format', 'json', '--fail-on', 'warning'], { encoding: 'utf8' });
      return { status: r.status, report: JSON.parse(r.stdout) as { targets: { findings: { ruleId: string; purl: string }[]; errors: unknown[] }[] } };
    };
    const plain = run(ol9, 'fips-140-3');
    assert.equal(plain.status, 1);
    assert.deepEqual(plain.report.targets[0]!.errors, []);
    const ids = (x: typeof plain) => x.report.targets[0]!.findings.map((f) => `${f.ruleId} ${f.purl.replace(/\?.*$/, '')}`).sort();
    assert.deepEqual(ids(plain), ['rpm-openssl-no-fips-provider pkg:rpm/ol/openssl-libs@3.0.7-17.0.1.el9_2']);
    const enabled = run(fips, 'fips-140-3');
    assert.equal(enabled.status, 0);
    assert.deepEqual(ids(enabled), []);
    // inventory: every crypto package of the distribution, each by its family rule
    assert.deepEqual(ids(run(ol9, 'inventory')), [
      'rpm-gnutls pkg:rpm/ol/gnutls@3.7.6-20.el9_2',
      'rpm-libgcrypt pkg:rpm/ol/libgcrypt@1.10.0-10.el9_2',
      'rpm-nettle pkg:rpm/ol/nettle@3.8-3.el9_0',
      'rpm-openssl pkg:rpm/ol/openssl-libs@3.0.7-17.0.1.el9_2',
      'rpm-openssl pkg:rpm/ol/openssl@3.0.7-17.0.1.el9_2',
      'rpm-openssl-no-fips-provider pkg:rpm/ol/openssl-libs@3.0.7-17.0.1.el9_2',
    ]);
  });

  it('scans the same root as an OCI image: SARIF points into the image, at the layer that wrote the database', (t) => {
    const img = target('rpm/ol9-image');
    if (!img) return t.skip(`${CACHE_MISSING} (the ol9 image also needs umoci)`);
    const r = spawnSync(process.execPath, [cliPath, 'scan', `oci:${img}`, '--format', 'sarif', '--fail-on', 'none'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; properties: Record<string, unknown> }[] }[] };
    const results = sarif.runs[0]!.results;
    assert.deepEqual(
      results.map((x) => x.ruleId),
      ['rpm-openssl-no-fips-provider'],
    );
    const p = results[0]!.properties;
    assert.equal(p.imagePath, 'var/lib/rpm/rpmdb.sqlite');
    assert.match(String(p.purl), /^pkg:rpm\/ol\/openssl-libs@3\.0\.7-17\.0\.1\.el9_2\?/);
    // the second layer (the database), not the first (os-release): evidence carries its diff id and Dockerfile line
    const ev = (p.evidence as { layer?: string; layerCreatedBy?: string }[])[0]!;
    assert.equal(ev.layer, p.layer);
    assert.equal(ev.layerCreatedBy, 'RUN dnf install -y openssl gnutls');
  });
});
