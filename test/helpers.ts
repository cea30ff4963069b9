import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: tests run from dist/test/…, sources live in test/…. */
export const repoRoot = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

/** ../shared beside the repository: real lockfiles and schemas kept outside the project. */
export const sharedRoot = path.resolve(repoRoot, '..', 'shared');

/** Absolute path of a file under ../shared, or undefined when the shared folder is absent (tests skip). */
export function sharedFixture(rel: string): string | undefined {
  const p = path.join(sharedRoot, rel);
  return existsSync(p) ? p : undefined;
}

export const SHARED_MISSING = `../shared is not present beside the repository (${sharedRoot}); skipping`;

/** The CLI as shipped (the bundle `npm run build` writes; package.json bin). */
export const cliPath = path.join(repoRoot, 'dist/bin/cli.js');
