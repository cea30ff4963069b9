/**
 * The one place reporter tests get their ScanResults from, all real: the library API scan() (real source,
 * walk, extractors, engine and built-in rules/) over real Cargo.lock files (../shared fixtures and the
 * test/fixtures/cargo cuts). Tests assert the reporter contract against whatever the ScanResult holds, not
 * fixed strings, so they keep passing as rules evolve.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../../src/index.js';
import type { FailOn, ScanResult } from '../../src/model/result.js';
import { sharedFixture } from '../helpers.js';

export const LOCKFILES = sharedFixture('fixtures/lockfiles');
export const SARIF_SCHEMA = sharedFixture('schemas/sarif-schema-2.1.0.json');

export interface SampleOptions {
  /** working directory the targets are relative to (default: the shared lockfiles folder) */
  cwd?: string;
  targets?: string[];
  policy?: string;
  failOn?: FailOn;
  /** add a target outside cwd: a temp dir holding the boringtun Cargo.lock cut off mid-entry (a parse error) */
  brokenTarget?: boolean;
}

export interface Sample {
  result: ScanResult;
  /** the temp dir of the broken target, if any */
  tempDir?: string;
  cleanup(): Promise<void>;
}

/**
 * The real boringtun Cargo.lock cut 20 bytes into the ring entry's checksum line (line 963): an unterminated
 * string, as an interrupted download or a bad merge leaves it.
 */
async function truncatedBoringtunLock(): Promise<Buffer> {
  const real = await fs.readFile(path.join(LOCKFILES!, 'cargo-ring-boringtun', 'Cargo.lock'));
  const at = real.indexOf('checksum = "a4689e6c');
  if (at < 0) throw new Error('fixture changed: ring checksum not found in cargo-ring-boringtun/Cargo.lock');
  return real.subarray(0, at + 20);
}

export const DEFAULT_TARGETS = ['cargo-ring-boringtun', 'cargo-openssl-src-vaultwarden/Cargo.lock'];

export async function sampleResult(options: SampleOptions = {}): Promise<Sample> {
  if (!LOCKFILES) throw new Error('../shared/fixtures/lockfiles is missing (tests should have skipped)');
  const cwd = options.cwd ?? LOCKFILES;
  const targets = [...(options.targets ?? DEFAULT_TARGETS)];
  let tempDir: string | undefined;
  if (options.brokenTarget) {
    tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cryptaudit-report-'));
    await fs.writeFile(path.join(tempDir, 'Cargo.lock'), await truncatedBoringtunLock());
    targets.push(tempDir);
  }
  const result = await scan({
    targets,
    cwd,
    policy: options.policy ?? 'fips-140-3',
    failOn: options.failOn ?? 'error',
    discoverConfig: false,
  });
  return {
    result,
    tempDir,
    cleanup: async () => {
      if (tempDir) await fs.rm(tempDir, { recursive: true, force: true });
    },
  };
}

/** 1-based line range of the first `[[package]]` entry named `name` in a Cargo.lock (header to last line). */
export function packageBlock(lockText: string, name: string): { start: number; end: number } | undefined {
  const lines = lockText.split('\n');
  const nameAt = lines.findIndex((l) => l === `name = "${name}"`);
  if (nameAt < 0) return undefined;
  let start = nameAt;
  while (start > 0 && lines[start] !== '[[package]]') start--;
  let end = nameAt;
  while (end < lines.length - 1 && lines[end + 1] !== '') end++;
  return { start: start + 1, end: end + 1 };
}
