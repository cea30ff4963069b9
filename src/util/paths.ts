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
