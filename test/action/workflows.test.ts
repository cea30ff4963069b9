/**
 * action.yml and the example workflows pass action-validator (scripts/validate-action.mjs), the validator
 * rejects what GitHub rejects, and the README shows the example workflows exactly as they are validated.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers.js';

const validator = path.join(repoRoot, 'scripts/validate-action.mjs');
const workflowsDir = path.join(repoRoot, 'examples/workflows');
const workflows = readdirSync(workflowsDir).filter((f) => f.endsWith('.yml')).sort();

function validate(...files: string[]) {
  return spawnSync(process.execPath, [validator, ...files], { cwd: repoRoot, encoding: 'utf8' });
}

test('action.yml and every example workflow are valid', () => {
  assert.ok(workflows.length >= 2);
  const r = validate();
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /action\.yml: valid action/);
  for (const w of workflows) assert.match(r.stdout, new RegExp(`${w.replace('.', '\\.')}: valid workflow`));
});

test('the validator rejects what GitHub rejects: the key icon, an unknown runtime, a bad permission', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-validate-'));
  try {
    const action = readFileSync(path.join(repoRoot, 'action.yml'), 'utf8');
    writeFileSync(path.join(dir, 'action.yml'), action.replace('icon: shield', 'icon: key'));
    let r = validate(path.join(dir, 'action.yml'));
    assert.equal(r.status, 1);
    assert.match(r.stdout, /\/branding\/icon/);
    writeFileSync(path.join(dir, 'action.yml'), action.replace('using: node24', 'using: node22'));
    r = validate(path.join(dir, 'action.yml'));
    assert.equal(r.status, 1);
    assert.match(r.stdout, /must be one of node20, node24 .*got node22/);
    const wf = readFileSync(path.join(workflowsDir, workflows[0]!), 'utf8');
    writeFileSync(path.join(dir, 'wf.yml'), wf.replace('security-events: write', 'security-events: writ'));
    r = validate(path.join(dir, 'wf.yml'));
    assert.equal(r.status, 1);
    assert.match(r.stdout, /\/permissions/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the README shows each example workflow verbatim', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  for (const w of workflows) {
    const text = readFileSync(path.join(workflowsDir, w), 'utf8');
    assert.ok(blocks.includes(text), `README.md has no \`\`\`yaml block identical to examples/workflows/${w}`);
  }
});
