import { createRequire } from 'node:module';
import type { Component, Evidence } from '../../model/types.js';
import { makePurl } from '../../model/purl.js';
import { baseName, dirName, ParseError, type ExtractInput, type Extractor } from '../types.js';
import { annotatePosture, fipsPostureOf } from './fips-posture.js';
import { distroQualifier, layerOf, osRelease, qualifiers, type OsRelease } from './os-release.js';
import { bdbHashValues } from './rpm-bdb.js';
import { RpmHeader, rpmEvr, rpmFiles, rpmPackageOf, type RpmPackage } from './rpm-header.js';
import { compareStrings } from '../../util/compare.js';
import { readStreamRange } from '../../util/streams.js';

/**
 * rpm databases (knowledge/binary-signatures.md §10; syft `**\/{var/lib,usr/share,usr/lib/sysimage}/rpm/
 * {Packages,Packages.db,rpmdb.sqlite}`): `rpmdb.sqlite` (Fedora 33+, RHEL 9+; read with sql.js, SQLite compiled
 * to WebAssembly) and the BerkeleyDB hash `Packages` (RHEL/CentOS ≤ 8; read by rpm-bdb.ts). Each record is an RPM
 * header (rpm-header.ts). SUSE's ndb `Packages.db` ("RpmP") is recognised and reported as not readable yet. Where an
 * rpmdb.sqlite sits beside an older database, only the sqlite one is read (sqliteBeside).
 * Both readers need the whole file in memory, so databases above MAX_DB_BYTES are reported, not read.
 */

const DIRS = ['var/lib/rpm', 'usr/share/rpm', 'usr/lib/sysimage/rpm'];
const FILES = new Set(['Packages', 'Packages.db', 'rpmdb.sqlite']);

/** Largest database read (a full Fedora workstation's rpmdb.sqlite is ~100–200 MiB; a UBI image's a few MiB). */
export const MAX_DB_BYTES = 256 * 1024 * 1024;
/** rpm's own limit on one header's data (hdrchkData) plus its index: bigger values are not headers. */
const MAX_HEADER_BYTES = 32 * 1024 * 1024;
/** How many of a package's files are tried to find the image layer that installed it. */
const LAYER_PROBE_FILES = 32;

export function rpmDbFormat(head: Buffer): 'sqlite' | 'bdb' | 'ndb' | undefined {
  if (head.toString('latin1', 0, 16) === 'SQLite format 3\0') return 'sqlite';
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'RpmP') return 'ndb';
  // BerkeleyDB hash metadata page: magic at offset 12, either byte order
  if (head.length >= 16) {
    const le = head.readUInt32LE(12);
    if (le === 0x00061561 || head.readUInt32BE(12) === 0x00061561) return 'bdb';
  }
  return undefined;
}

/** The first `limit` bytes of the file (or of `path` beside it); the caller has checked the size already. */
function readBytes(input: ExtractInput, limit: number, path = input.path): Promise<Buffer> {
  return readStreamRange(input.vfs.createReadStream(path), 0, limit);
}

/** One record of a database: its key (hnum / BDB page) for messages, and the header blob. */
type DbRecord = { where: string; blob: Uint8Array; error?: undefined } | { where: string; blob?: undefined; error: string };

interface SqlJsStatement {
  step(): boolean;
  get(): unknown[];
  free(): void;
}
interface SqlJsDatabase {
  prepare(sql: string): SqlJsStatement;
  close(): void;
}
type SqlJs = { Database: new (data: Uint8Array) => SqlJsDatabase };

const requireCjs = createRequire(import.meta.url);
let sqlJs: Promise<SqlJs> | undefined;
/** sql.js with its WebAssembly inlined: nothing to locate beside a bundle, loaded on the first rpmdb.sqlite only. */
function loadSqlJs(): Promise<SqlJs> {
  sqlJs ??= (requireCjs('sql.js/dist/sql-wasm-inline.js') as () => Promise<SqlJs>)();
  return sqlJs;
}

async function sqliteRecords(bytes: Buffer, path: string): Promise<DbRecord[]> {
  const SQL = await loadSqlJs();
  let db: SqlJsDatabase;
  try {
    db = new SQL.Database(bytes);
  } catch (err) {
    throw new ParseError(`${path}: not a readable SQLite database (${(err as Error).message})`);
  }
  const out: DbRecord[] = [];
  try {
    // rpm's schema (lib/backend/sqlite.c): Packages(hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL)
    const st = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum');
    try {
      while (st.step()) {
        const [hnum, blob] = st.get();
        if (!(blob instanceof Uint8Array)) throw new ParseError(`${path}: Packages row ${String(hnum)} has no header blob`);
        out.push({ where: `header instance ${String(hnum)}`, blob });
      }
    } finally {
      st.free();
    }
  } catch (err) {
    if (err instanceof ParseError) throw err;
    throw new ParseError(`${path}: no rpm Packages table (${(err as Error).message})`);
  } finally {
    db.close();
  }
  return out;
}

function bdbRecords(bytes: Buffer, path: string): DbRecord[] {
  const out: DbRecord[] = [];
  try {
    for (const v of bdbHashValues(bytes, MAX_HEADER_BYTES)) {
      const where = v.key !== undefined ? `header instance ${v.key}` : `BerkeleyDB page ${v.page}`;
      // rpm keeps a 4-byte counter (the next header instance) under key 0: not a header
      if (v.value && v.value.length <= 8) continue;
      out.push(v.value ? { where, blob: v.value } : { where, error: v.error ?? 'unreadable value' });
    }
  } catch (err) {
    throw new ParseError(`${path}: ${(err as Error).message}`);
  }
  return out;
}

/** syft's namespace: the distribution id, with RHEL as `redhat` and every openSUSE flavour as `opensuse`. */
function namespaceOf(os: OsRelease): string | undefined {
  if (!os.id) return undefined;
  if (os.id === 'rhel') return 'redhat';
  if (os.id.startsWith('opensuse')) return 'opensuse';
  return os.id;
}

/** The layer that installed the package: the first of its files an image layer supplied (rpmdb is rewritten by every install). */
function packageLayer(input: ExtractInput, header: RpmHeader): string | undefined {
  // only image sources know layers; a file list that does not parse just leaves the database's layer
  if (typeof (input.vfs as { layerOf?: unknown }).layerOf !== 'function') return undefined;
  try {
    for (const f of rpmFiles(header, LAYER_PROBE_FILES)) {
      const l = layerOf(input.vfs, f);
      if (l) return l;
    }
  } catch {
    // fall through
  }
  return undefined;
}

export function rpmComponent(p: RpmPackage, input: Pick<ExtractInput, 'path'>, os: OsRelease, where: string, layer: string | undefined): Component {
  const evr = rpmEvr(p);
  // purl spec (rpm type) and syft: version is version-release, the epoch a qualifier, upstream the source rpm
  const q = qualifiers({
    arch: p.arch,
    distro: distroQualifier(os),
    epoch: p.epoch !== undefined ? String(p.epoch) : undefined,
    upstream: p.sourceRpm,
  });
  const source = p.sourceRpm && /^(.+)-[^-]+-[^-]+\.(?:no)?src\.rpm$/.exec(p.sourceRpm)?.[1];
  const evidence: Evidence = {
    kind: 'installed',
    path: input.path,
    ...(layer ? { layer } : {}),
    detail: `rpm ${baseName(input.path)} ${where}: ${p.name} ${evr}${p.arch ? ` (${p.arch})` : ''}`,
  };
  const properties: Record<string, string> = {};
  if (source && source !== p.name) properties.sourcePackage = source;
  if (p.vendor) properties.vendor = p.vendor;
  return {
    ecosystem: 'rpm',
    name: p.name,
    version: evr,
    purl: makePurl('rpm', p.name, `${p.version}-${p.release}`, namespaceOf(os)) + q,
    evidence: [evidence],
    ...(Object.keys(properties).length ? { properties } : {}),
  };
}

/** Bytes not yet checkpointed from rpmdb.sqlite-wal into the database: rpm keeps committed pages there until then. */
async function walBytes(input: ExtractInput): Promise<number> {
  const wal = `${input.path}-wal`;
  if (!(await input.vfs.exists(wal))) return 0;
  for await (const c of input.vfs.createReadStream(wal) as AsyncIterable<Buffer>) if (c.length > 0) return c.length;
  return 0;
}

/**
 * An rpmdb.sqlite in the same folder: rpm 4.16+ reads that one, and an older `Packages` / `Packages.db` beside it is
 * left over from before the database was converted (listing both would count every package twice).
 */
async function sqliteBeside(input: ExtractInput): Promise<boolean> {
  const sqlite = `${dirName(input.path)}/rpmdb.sqlite`;
  if (!(await input.vfs.exists(sqlite))) return false;
  return rpmDbFormat(await readBytes(input, 64, sqlite)) === 'sqlite';
}

export const rpmDbExtractor: Extractor = {
  name: 'os/rpmdb',
  version: 3,
  fileRequired(p: string): boolean {
    if (!FILES.has(baseName(p))) return false;
    const d = dirName(p);
    return DIRS.some((x) => d === x || d.endsWith(`/${x}`));
  },
  async extract(input: ExtractInput): Promise<Component[]> {
    const format = rpmDbFormat(await readBytes(input, 64));
    if (!format) return [];
    if (format !== 'sqlite' && (await sqliteBeside(input))) return [];
    if (format === 'ndb') {
      throw new ParseError(`${input.path} is an rpm ndb database (SUSE); reading ndb is not supported yet, so the image's rpm packages are not listed`);
    }
    if (input.size > MAX_DB_BYTES) {
      throw new ParseError(`${input.path}: the rpm database is ${input.size} bytes, more than the ${MAX_DB_BYTES}-byte limit for reading it; its packages are not listed`);
    }
    const bytes = await readBytes(input, MAX_DB_BYTES);
    const records = format === 'sqlite' ? await sqliteRecords(bytes, input.path) : bdbRecords(bytes, input.path);
    const os = await osRelease(input.vfs);
    const components: Component[] = [];
    const problems: string[] = [];
    for (const r of records) {
      try {
        if (r.error !== undefined) throw new Error(r.error);
        const header = RpmHeader.parse(r.blob);
        const pkg = rpmPackageOf(header);
        // imported signing keys are records too (rpm -qa lists gpg-pubkey); they are not installed software
        if (pkg.name === 'gpg-pubkey') continue;
        components.push(rpmComponent(pkg, input, os, r.where, packageLayer(input, header) ?? input.layer));
      } catch (err) {
        problems.push(`${r.where}: ${(err as Error).message}`);
      }
    }
    // deterministic whatever the storage order (BerkeleyDB hash order follows the keys' hashes)
    components.sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.purl, b.purl));
    annotatePosture(components, await fipsPostureOf(input.vfs));
    const messages: string[] = [];
    if (problems.length) {
      const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
      messages.push(`${problems.length} of ${records.length} records could not be read: ${problems.slice(0, 3).join('; ')}${more}`);
    }
    if (format === 'sqlite' && (await walBytes(input)) > 0) {
      messages.push(`${baseName(input.path)}-wal holds changes not yet written into the database; packages recorded only there are not listed`);
    }
    // what could be read is kept; the problems are reported beside it
    if (messages.length) throw new ParseError(`${input.path}: ${messages.join('; ')}`, undefined, components);
    return components;
  },
};
