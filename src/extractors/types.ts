import type { Component, ScanError } from '../model/types.js';
import type { Vfs } from '../sources/vfs.js';

/** What an extractor is handed for one file. It never opens files itself: it reads through this. */
export interface ExtractInput {
  /** posix path relative to the source root */
  path: string;
  size: number;
  layer?: string;
  /** the file as text (bounded; see Vfs.readText) */
  readText(): Promise<string>;
  /** the source, for sibling files (e.g. npm-shrinkwrap.json next to package-lock.json) */
  vfs: Vfs;
}

/**
 * osv-scalibr's shape: a cheap name test, then extraction. "Not my format" is an empty result; a file that
 * is this format but broken throws ParseError (with the line where the parser knows it).
 */
export interface Extractor {
  readonly name: string;
  readonly version: number;
  /**
   * Also run on files inside node_modules. Installed dependencies ship binaries there (prebuilt `.node` addons),
   * but lockfiles there are the dependencies' own, not the project's (design.md), so lockfile extractors leave it.
   */
  readonly insideNodeModules?: boolean;
  /**
   * extract() reads nothing but its own file (no siblings, no other path of the source), so an image can run it
   * during its layer pass on the file's bytes in memory instead of copying them out first (sources/image/layers.ts).
   */
  readonly readsOnlyItsFile?: boolean;
  fileRequired(path: string): boolean;
  /**
   * Files extract() may read beside the ones it is given (package.json beside a lockfile, go.sum beside go.mod): an
   * image copies them out in its one layer pass and keeps them until the scan ends, instead of re-reading a layer
   * for each such read.
   */
  alsoReads?(path: string): boolean;
  extract(input: ExtractInput): Promise<Component[]>;
}

/** What the extractors made of one file. */
export interface FileResult {
  components: Component[];
  errors: ScanError[];
  /** every extractor read it without error */
  ok: boolean;
}

/** What the parse functions of lockfile formats without a project node take besides the text. */
export interface ParseOptions {
  /** image layer of the file */
  layer?: string;
  /** the project's name as the first element of dependency paths */
  project?: string;
}

export class ParseError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    /** what could still be read from the rest of the file (e.g. requirements.txt around one bad line): kept, and the error reported */
    readonly partial?: Component[],
  ) {
    super(message);
  }
}

/** posix basename */
export function baseName(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? p : p.slice(i + 1);
}

/** posix dirname ('' for the root) */
export function dirName(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? '' : p.slice(0, i);
}
