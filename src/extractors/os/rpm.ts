import type { Component } from '../../model/types.js';
import { baseName, dirName, ParseError, type ExtractInput, type Extractor } from '../types.js';

/**
 * rpm databases (knowledge/binary-signatures.md §10; syft `**\/{var/lib,usr/share,usr/lib/sysimage}/rpm/
 * {Packages,Packages.db,rpmdb.sqlite}`): BerkeleyDB hash `Packages` (magic 0x00061561), SUSE ndb `Packages.db`
 * ("RpmP"), and `rpmdb.sqlite`. None is parsed yet: each is recognised by its magic and reported as a file that
 * could not be read, so an rpm-based image never looks like one without OS packages.
 */

const DIRS = ['var/lib/rpm', 'usr/share/rpm', 'usr/lib/sysimage/rpm'];
const FILES = new Set(['Packages', 'Packages.db', 'rpmdb.sqlite']);

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

async function head(input: ExtractInput, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  for await (const c of input.vfs.createReadStream(input.path) as AsyncIterable<Buffer>) {
    chunks.push(c);
    got += c.length;
    if (got >= n) break;
  }
  return Buffer.concat(chunks).subarray(0, n);
}

export const rpmDbExtractor: Extractor = {
  name: 'os/rpmdb',
  version: 1,
  fileRequired(p: string): boolean {
    if (!FILES.has(baseName(p))) return false;
    const d = dirName(p);
    return DIRS.some((x) => d === x || d.endsWith(`/${x}`));
  },
  async extract(input: ExtractInput): Promise<Component[]> {
    const format = rpmDbFormat(await head(input, 64));
    if (!format) return [];
    const what = { sqlite: 'an rpm SQLite database', bdb: 'an rpm BerkeleyDB database', ndb: 'an rpm ndb database' }[format];
    throw new ParseError(`${input.path} is ${what}; reading rpm databases is not supported yet, so the image's rpm packages are not listed`);
  },
};
