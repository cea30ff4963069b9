import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, cliPath } from '../helpers.js';

const cli = cliPath;

test('triage without a terminal (pipes, CI) says so and exits 2 instead of waiting for keys', () => {
  const r = spawnSync(process.execPath, [cli, 'triage', 'examples/payments-service'], { cwd: repoRoot, input: 'q', encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^cryptaudit: triage needs an interactive terminal \(stdin and stdout must be a TTY\)/);
});

test('ink and React are reached only through the dynamic import in triage: not from scan(), the CLI entry or the Action', () => {
  // follow the static import graph of the built modules (dynamic import() is what triage uses)
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
      else bare.add(spec.split('/')[0]!);
    }
  };
  const entries = ['dist/src/index.js', 'dist/src/cli.js', 'dist/src/action/main.js'].map((p) => path.join(repoRoot, p)).filter((p) => existsSync(p));
  for (const e of entries) visit(e);
  assert.ok(seen.size > 10, 'the graph was followed');
  assert.deepEqual([...seen].filter((f) => f.includes(`${path.sep}tui${path.sep}`)), []);
  assert.ok(!bare.has('ink') && !bare.has('react'), [...bare].join(', '));
  // and the TUI itself does import them (the check above would pass vacuously otherwise)
  assert.match(readFileSync(path.join(repoRoot, 'dist/src/tui/App.js'), 'utf8'), /from 'ink'/);
});
