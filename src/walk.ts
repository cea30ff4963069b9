import type { Component, ScanError } from './model/types.js';
import type { Extractor, FileResult } from './extractors/types.js';
import { ParseError } from './extractors/types.js';
import type { Vfs, VfsEntry, WalkOptions } from './sources/vfs.js';

export interface WalkResult {
  components: Component[];
  errors: ScanError[];
  /** files some extractor wanted */
  filesExtracted: number;
  /** of those, how many were read without error */
  filesParsed: number;
}

const NODE_MODULES = /(^|\/)node_modules\//;

/**
 * Files extracted at once. Most of a file's extraction is waiting on reads (each one a round trip through libuv's
 * threadpool): with a few files in flight the main thread scans one while the others' bytes arrive. Results are
 * kept in walk order, so the output does not depend on which file finishes first.
 */
const FILES_IN_FLIGHT = 4;

/** The extractors that read a path: those whose name test takes it, minus lockfile readers inside node_modules. */
export function extractorsFor(path: string, extractors: readonly Extractor[]): Extractor[] {
  const inNodeModules = NODE_MODULES.test(path);
  return extractors.filter((e) => (!inNodeModules || e.insideNodeModules) && e.fileRequired(path));
}

/**
 * The one walk: every file once, each extractor asked by name first, so unrelated files are never read. A file the
 * source already extracted (VfsEntry.extracted) is taken as it is. `onFile` sees each file's result while the entry
 * is still held (before its release).
 */
export async function walkAndExtract(
  vfs: Vfs,
  extractors: readonly Extractor[],
  options: WalkOptions = {},
  onFile?: (entry: VfsEntry, result: FileResult) => void,
): Promise<WalkResult> {
  const results: Array<Promise<FileResult>> = [];
  const inFlight = new Set<Promise<FileResult>>();
  for await (const entry of vfs.walk(options)) {
    const wanted = extractorsFor(entry.path, extractors);
    if (wanted.length === 0) {
      entry.release?.();
      continue;
    }
    const result = (entry.extracted ?? extractFile(vfs, entry, wanted))
      .then((r) => {
        onFile?.(entry, r);
        return r;
      })
      .finally(() => entry.release?.());
    results.push(result);
    inFlight.add(result);
    void result.finally(() => inFlight.delete(result));
    if (inFlight.size >= FILES_IN_FLIGHT) await Promise.race(inFlight);
  }
  const components: Component[] = [];
  const errors: ScanError[] = [];
  let filesParsed = 0;
  for (const r of await Promise.all(results)) {
    components.push(...r.components);
    errors.push(...r.errors);
    if (r.ok) filesParsed++;
  }
  return { components, errors, filesExtracted: results.length, filesParsed };
}

/** Run `wanted` over one file; an extractor's failure is the file's error, and what it could still read is kept. */
export async function extractFile(vfs: Vfs, entry: VfsEntry, wanted: readonly Extractor[]): Promise<FileResult> {
  const components: Component[] = [];
  const errors: ScanError[] = [];
  let text: Promise<string> | undefined;
  const input = {
    path: entry.path,
    size: entry.size,
    layer: entry.layer,
    vfs,
    readText: () => (text ??= vfs.readText(entry.path)),
  };
  let ok = true;
  for (const extractor of wanted) {
    try {
      components.push(...(await extractor.extract(input)));
    } catch (err) {
      ok = false;
      errors.push(toScanError(entry.path, err));
      if (err instanceof ParseError && err.partial) components.push(...err.partial);
    }
  }
  return { components, errors, ok };
}

function toScanError(path: string, err: unknown): ScanError {
  if (err instanceof ParseError) return { path, line: err.line, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { path, message };
}
