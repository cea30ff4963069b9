/** Test helpers shared by the yarn, pnpm and bun lockfile tests. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Extractor } from '../../src/extractors/types.js';
import type { Component } from '../../src/model/types.js';
import { DirVfs } from '../../src/sources/dir.js';
import { walkAndExtract } from '../../src/walk.js';
import { repoRoot } from '../helpers.js';

export const jsFixtures = path.join(repoRoot, 'test/fixtures/js');
export const badFixtures = path.join(repoRoot, 'test/fixtures/bad');

export async function scan(dir: string, extractors: Extractor[]) {
  return walkAndExtract(new DirVfs(dir), extractors);
}

export async function components(dir: string, extractors: Extractor[]): Promise<Component[]> {
  const r = await scan(dir, extractors);
  assert.deepEqual(r.errors, []);
  return r.components;
}

export function find(cs: Component[], name: string, version?: string): Component {
  const hits = cs.filter((c) => c.name === name && (version === undefined || c.version === version));
  assert.equal(hits.length, 1, `exactly one ${name}@${version ?? '*'} (found ${hits.map((c) => c.version).join(', ')})`);
  return hits[0]!;
}

/** The lockfile key quoted in an evidence detail: `pnpm-lock.yaml packages["/a@1.0.0"]` → `/a@1.0.0`. */
function keyOfDetail(detail: string): string {
  const m = /\[("(?:[^"\\]|\\.)*")\]$/.exec(detail) ?? /^\S+ ("(?:[^"\\]|\\.)*")$/.exec(detail);
  assert.ok(m, `detail ${detail}`);
  return JSON.parse(m[1]!) as string;
}

/**
 * Every component's evidence line really is the line of its entry: the text there holds the key the detail
 * names (for yarn, the first descriptor of the header). Checks lines independently of how the extractor found them.
 */
export function assertLinesHoldKeys(dir: string, cs: Component[]): void {
  const texts = new Map<string, string[]>();
  for (const c of cs) {
    const ev = c.evidence[0]!;
    let lines = texts.get(ev.path);
    if (!lines) texts.set(ev.path, (lines = readFileSync(path.join(dir, ev.path), 'utf8').split('\n')));
    const key = keyOfDetail(ev.detail).split(', ')[0]!;
    assert.ok(ev.line !== undefined, `${c.purl} has a line`);
    const text = lines[ev.line - 1]!;
    assert.ok(text.includes(key) || text.includes(key.replace(/'/g, "''")), `${ev.path}:${ev.line} ${JSON.stringify(text.slice(0, 80))} holds ${key}`);
  }
}

/** Deterministic order: name, version, then line; one component per name@version. */
export function assertSortedAndUnique(cs: Component[]): void {
  const keys = cs.map((c) => `${c.name}@${c.version ?? ''}`);
  assert.equal(new Set(keys).size, keys.length, 'one component per name@version');
  for (let i = 1; i < cs.length; i++) {
    const a = cs[i - 1]!;
    const b = cs[i]!;
    assert.ok(a.name < b.name || (a.name === b.name && (a.version ?? '') < (b.version ?? '')), `${keys[i - 1]} before ${keys[i]}`);
  }
}
