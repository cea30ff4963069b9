import { createRequire } from 'node:module';
import type { Component } from '../model/types.js';
import { isTable, lineAt, toComponents, type PyPackage } from './python-common.js';
import { stripBom } from './toml.js';
import { baseName, ParseError, type ExtractInput, type Extractor } from './types.js';

/**
 * Pipfile.lock (pipenv, `_meta.pipfile-spec` 6): JSON `default` (run time) and `develop` (dev) sections mapping a
 * name to `{version: "==x", hashes, markers, index}`; git/path/editable entries have no version. The file records
 * no edges, so components carry no dependency path. A name in both sections is one component in each.
 */
export const pipfileLockExtractor: Extractor = {
  name: 'python/Pipfile.lock',
  version: 1,
  fileRequired: (path) => baseName(path) === 'Pipfile.lock',
  async extract(input: ExtractInput): Promise<Component[]> {
    return parsePipfileLock(await input.readText(), input.path, input.layer);
  },
};

const requireCjs = createRequire(import.meta.url);
let jsoncParser: typeof import('jsonc-parser') | undefined;
const jsonc = () => (jsoncParser ??= requireCjs('jsonc-parser') as typeof import('jsonc-parser'));

const SECTIONS = ['default', 'develop'] as const;

export function parsePipfileLock(rawText: string, path: string, layer?: string): Component[] {
  const text = stripBom(rawText);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    let first: { what: string; line: number } | undefined;
    jsonc().visit(
      text,
      {
        onError(code, offset, _length, startLine) {
          const what = offset >= text.length ? 'unexpected end of file' : jsonc().printParseErrorCode(code).replace(/(?<!^)([A-Z])/g, ' $1').toLowerCase();
          first ??= { what, line: startLine + 1 };
        },
      },
      { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
    );
    if (first) throw new ParseError(`Pipfile.lock is not valid JSON: ${first.what} at line ${first.line}`, first.line);
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? lineAt(text, Number(pos[1])) : undefined;
    throw new ParseError(`Pipfile.lock is not valid JSON: ${msg}`, line);
  }
  if (!isTable(doc)) throw new ParseError('Pipfile.lock is not a pipenv lockfile: the top-level value is not an object', 1);

  // lines of the package keys, one visit (a Pipfile.lock is small)
  const lines = new Map<string, number>();
  jsonc().visit(text, {
    onObjectProperty(property, _offset, _length, startLine, _startCharacter, pathSupplier) {
      const at = pathSupplier();
      if (at.length === 1 && (at[0] === 'default' || at[0] === 'develop')) lines.set(`${at[0]}\0${property}`, startLine + 1);
    },
  });

  const packages: PyPackage[] = [];
  for (const section of SECTIONS) {
    const entries = doc[section];
    if (entries === undefined) continue;
    if (!isTable(entries)) throw new ParseError(`Pipfile.lock "${section}" is not an object`, lines.get(section));
    for (const [name, entry] of Object.entries(entries)) {
      const line = lines.get(`${section}\0${name}`);
      if (!isTable(entry)) throw new ParseError(`Pipfile.lock ${section} "${name}" is not an object (line ${line})`, line);
      const pinned = typeof entry.version === 'string' ? /^===?\s*(.+)$/.exec(entry.version.trim())?.[1] : undefined;
      let detail = `Pipfile.lock ${section} ${name}${pinned ? ` ${pinned}` : ''}`;
      if (typeof entry.git === 'string') detail += ` (git ${entry.git})`;
      else if (typeof entry.path === 'string') detail += ` (path ${entry.path})`;
      else if (typeof entry.file === 'string') detail += ` (file ${entry.file})`;
      const properties: Record<string, string> = {};
      if (typeof entry.markers === 'string') properties.marker = entry.markers;
      packages.push({ name, version: pinned, line, detail, deps: [], scope: section === 'develop' ? { dev: true } : {}, properties, direct: undefined });
    }
  }
  // no edges: every package is its own root, which would make all of them "direct"; the file does not say that
  return toComponents(packages, path, layer, undefined).map((c) => {
    delete c.direct;
    delete c.dependencyPath;
    delete c.dependencies;
    return c;
  });
}
