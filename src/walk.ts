import type { Component, ScanError } from './model/types.js';
import type { Extractor } from './extractors/types.js';
import { ParseError } from './extractors/types.js';
import type { Vfs, WalkOptions } from './sources/vfs.js';

export interface WalkResult {
  components: Component[];
  errors: ScanError[];
  /** files some extractor wanted */
  filesExtracted: number;
  /** of those, how many were read without error */
  filesParsed: number;
}

const NODE_MODULES = /(^|\/)node_modules\//;

/** The one walk: every file once, each extractor asked by name first, so unrelated files are never read. */
export async function walkAndExtract(vfs: Vfs, extractors: readonly Extractor[], options: WalkOptions = {}): Promise<WalkResult> {
  const components: Component[] = [];
  const errors: ScanError[] = [];
  let filesExtracted = 0;
  let filesParsed = 0;
  for await (const entry of vfs.walk(options)) {
    const inNodeModules = NODE_MODULES.test(entry.path);
    const wanted = extractors.filter((e) => (!inNodeModules || e.insideNodeModules) && e.fileRequired(entry.path));
    if (wanted.length === 0) continue;
    filesExtracted++;
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
    if (ok) filesParsed++;
  }
  return { components, errors, filesExtracted, filesParsed };
}

function toScanError(path: string, err: unknown): ScanError {
  if (err instanceof ParseError) return { path, line: err.line, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { path, message };
}
