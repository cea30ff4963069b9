import path from 'node:path';
import { fingerprint } from '../model/fingerprint.js';
import { toPosix } from '../util/paths.js';

/** The fingerprint without the ':n' that evaluate() appends for a second version of a package in one file. */
export function baseFingerprint(fp: string): string {
  const colon = fp.indexOf(':');
  return colon === -1 ? fp : fp.slice(0, colon);
}

export interface KeyInput {
  ruleId: string;
  purl: string;
  fingerprint: string;
  /** the evidence path the fingerprint was made from (relative to the target root) */
  evidencePath?: string;
  /** image evidence has no place on disk */
  layer?: string;
}

export interface KeyPlace {
  /** the target's root as the reports name it: relative to cwd, or absolute */
  displayRoot: string;
  cwd: string;
  /** the folder of the config file: evidence paths relative to it do not depend on the target typed */
  baseDir: string;
}

/**
 * The fingerprint made from the evidence path relative to the config's folder, when the file lies under
 * it. `scan .` and `triage services/api` name the same lockfile differently (their fingerprints differ);
 * this one is the same for both, so it is what triage writes, and what scan also accepts.
 */
export function stableFingerprint(f: KeyInput, where: KeyPlace): string | undefined {
  if (f.layer !== undefined || f.evidencePath === undefined) return undefined;
  const abs = path.resolve(where.cwd, where.displayRoot, f.evidencePath);
  const rel = path.relative(where.baseDir, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return fingerprint(f.ruleId, f.purl, toPosix(rel));
}

/** Every fingerprint an entry may name to match this finding (version suffixes dropped). */
export function findingKeys(f: KeyInput, where: KeyPlace): string[] {
  const keys = [baseFingerprint(f.fingerprint)];
  const stable = stableFingerprint(f, where);
  if (stable && stable !== keys[0]) keys.push(stable);
  return keys;
}

/** The fingerprint triage writes: the config-relative one where there is one. */
export function preferredFingerprint(f: KeyInput, where: KeyPlace): string {
  return stableFingerprint(f, where) ?? baseFingerprint(f.fingerprint);
}
