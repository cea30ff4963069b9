import { spawn, spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { x as untar } from 'tar';

/**
 * The base commit of a pull request, for `only-new`: which commit, and its files in a temporary directory.
 * git does the reading (`git archive` of the commit, unpacked by the tar library), so nothing of the base is
 * checked out into the workspace and nothing in it runs. The default actions/checkout fetches only the merge
 * commit, so a missing base commit is fetched by sha (depth 1) from the `origin` checkout configured.
 */

export interface BaseRef {
  sha: string;
  /** what the event calls it, for messages: 'pull request #12 base (main)' */
  label: string;
}

/** The base commit named by a pull_request / pull_request_target / merge_group event payload, if any. */
export function baseFromEvent(eventPath: string | undefined): BaseRef | undefined {
  if (!eventPath) return undefined;
  let event: {
    pull_request?: { number?: number; base?: { sha?: string; ref?: string } };
    merge_group?: { base_sha?: string; base_ref?: string };
  };
  try {
    event = JSON.parse(readFileSync(eventPath, 'utf8'));
  } catch {
    return undefined;
  }
  const pr = event.pull_request;
  if (pr?.base?.sha && isSha(pr.base.sha)) {
    return { sha: pr.base.sha, label: `the base of pull request #${pr.number ?? '?'} (${pr.base.ref ?? pr.base.sha.slice(0, 12)})` };
  }
  const mg = event.merge_group;
  if (mg?.base_sha && isSha(mg.base_sha)) return { sha: mg.base_sha, label: `the merge group base (${mg.base_ref ?? mg.base_sha.slice(0, 12)})` };
  return undefined;
}

function isSha(s: string): boolean {
  return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(s);
}

export class BaseError extends Error {}

function git(cwd: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  // container jobs run as another user than the one owning the checkout; git then refuses it ("dubious
  // ownership") unless told it is safe; -c applies to this one command, on the checkout this step runs in
  const r = spawnSync('git', ['-c', 'safe.directory=*', ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  if (r.error) throw new BaseError(`git could not be run: ${r.error.message}`);
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr.trim() };
}

/** Make sure the commit is in the local repository: a shallow checkout lacks it, so fetch it by sha. */
export function ensureCommit(repo: string, sha: string): 'present' | 'fetched' {
  if (git(repo, ['cat-file', '-e', `${sha}^{commit}`]).ok) return 'present';
  const f = git(repo, ['fetch', '--no-tags', '--no-recurse-submodules', '--depth=1', 'origin', sha]);
  if (!f.ok || !git(repo, ['cat-file', '-e', `${sha}^{commit}`]).ok) {
    throw new BaseError(`commit ${sha} is not in the checkout and could not be fetched from origin (${f.stderr.split('\n').pop() || 'no message'}); use actions/checkout with fetch-depth: 0`);
  }
  return 'fetched';
}

/**
 * Unpack the given workspace-relative paths of the commit into `dest`. Returns the paths that exist in the
 * commit (a directory the pull request adds has no base).
 */
export async function extractCommit(repo: string, sha: string, paths: readonly string[], dest: string): Promise<string[]> {
  // `<sha>:./path` and git archive both work relative to the current directory, so a workspace that is a
  // subdirectory of the repository works too
  const present = paths.filter((p) => p === '.' || git(repo, ['cat-file', '-e', `${sha}:./${p}`]).ok);
  if (present.length === 0) return [];
  await fs.mkdir(dest, { recursive: true });
  const spec = present.includes('.') ? [] : ['--', ...present];
  const child = spawn('git', ['-c', 'safe.directory=*', 'archive', '--format=tar', sha, ...spec], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  // the tar library refuses absolute paths and '..' entries by default; symlinks stay links (the walk never follows them)
  await pipeline(child.stdout, untar({ cwd: dest, strict: true }));
  const code = await exited;
  if (code !== 0) throw new BaseError(`git archive ${sha} failed: ${stderr.trim() || `exit ${code}`}`);
  return present;
}

/** A workspace path as a repository-relative posix path, or undefined when it is outside the repository. */
export function repoRelative(workspace: string, p: string): string | undefined {
  const rel = path.relative(workspace, path.resolve(workspace, p));
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}
