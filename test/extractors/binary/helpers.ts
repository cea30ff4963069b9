import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ByteSource } from '../../../src/extractors/binary/source.js';
import { repoRoot } from '../../helpers.js';

/** Real binaries fetched/built by scripts/make-binary-fixtures.sh (absent until it ran). */
export const targetsDir = path.join(repoRoot, '.cache', 'binary', 'targets');
export const CACHE_MISSING = '.cache/binary/targets is not built (run scripts/make-binary-fixtures.sh, as .ci/run does); skipping';
export function target(rel: string): string | undefined {
  const p = path.join(targetsDir, rel);
  return existsSync(p) ? p : undefined;
}

export const snippetsDir = path.join(repoRoot, 'test', 'fixtures', 'binary', 'snippets');

/** A ByteSource over bytes in memory (fuzzing without temp files). */
export function memorySource(buf: Buffer, name = 'mem'): ByteSource {
  return {
    path: name,
    size: buf.length,
    readAt: async (offset, length) => (offset < 0 || offset >= buf.length || length <= 0 ? Buffer.alloc(0) : buf.subarray(offset, offset + Math.min(length, 16 << 20))),
    stream: () => Readable.from([buf]),
    close: async () => {},
  };
}

export const readTarget = (rel: string): Buffer => readFileSync(path.join(targetsDir, rel));
