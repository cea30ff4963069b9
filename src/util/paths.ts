import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (holds rules/ and schema/), from this module's place in src/ or dist/src/. */
export const packageRoot = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/util → ../..; dist/src/util → ../../..; the Action's single-file bundle dist-action/index.mjs → ..
  if (path.basename(here) === 'dist-action') return path.resolve(here, '..');
  // the CLI bundle dist/bin/cli.js (scripts/build-cli.mjs) → ../..
  if (path.basename(here) === 'bin' && path.basename(path.dirname(here)) === 'dist') return path.resolve(here, '../..');
  const up = path.basename(path.resolve(here, '../..')) === 'dist' ? '../../..' : '../..';
  return path.resolve(here, up);
})();

/** posix form of a relative path */
export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * Evidence paths of what sits inside an archive: `<archive>!/<member>` (nested: `a.war!/WEB-INF/lib/b.jar!/x.so`),
 * the notation of Java's jar: URLs. The file a report can point at is the outermost archive.
 */
export function memberPath(archive: string, member: string): string {
  return `${archive}!/${member}`;
}

/** Archives whose members the scan reads (extractors/archive): Java's jar, war, ear and Python's wheel. */
const ARCHIVE_EXT = '\\.(?:jar|war|ear|whl)';
export const ARCHIVE_NAME = new RegExp(`${ARCHIVE_EXT}$`, 'i');
const OUTERMOST_ARCHIVE = new RegExp(`^(.*?${ARCHIVE_EXT})!/`, 'i');

/** The file on disk (or in the image) an evidence path names: the outermost archive for a member path. */
export function containingFile(evidencePath: string): string {
  const m = OUTERMOST_ARCHIVE.exec(evidencePath);
  return m ? m[1]! : evidencePath;
}

/** Minimal glob → RegExp for --exclude over image paths (`**`, `*`, `?`), the subset fast-glob patterns use. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
