import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../../src/index.js';
import { buildJson } from '../../src/report/json.js';
import { itemsFromReport } from '../../src/tui/model.js';
import { suppressionEntries } from '../../src/tui/run.js';
import { fingerprint } from '../../src/model/fingerprint.js';
import { repoRoot } from '../helpers.js';

test('triage writes one entry per rule, package and file, keyed by the fingerprint relative to the config folder', async () => {
  // vaultwarden's real lockfile holds rustls 0.21.12 and 0.23.43: two findings, fingerprints X and X:2
  const root = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-entries-'));
  mkdirSync(path.join(root, 'server'));
  copyFileSync(path.join(repoRoot, 'test/fixtures/cargo/v4-duplicates-vaultwarden/Cargo.lock'), path.join(root, 'server/Cargo.lock'));
  // triage of the subfolder, config at the root
  const report = buildJson(await scan({ targets: ['server'], cwd: root, discoverConfig: false }));
  const rustls = itemsFromReport(report).filter((i) => i.finding.ruleId === 'cargo-rustls-ring-provider');
  assert.deepEqual(rustls.map((i) => i.finding.fingerprint.slice(64)), ['', ':2']);
  const entries = suppressionEntries(rustls, { reason: 'r', expires: '2026-03-01', created: '2026-01-15', cwd: root, baseDir: root });
  assert.deepEqual(entries, [
    {
      rule: 'cargo-rustls-ring-provider',
      purl: 'pkg:cargo/rustls',
      fingerprint: fingerprint('cargo-rustls-ring-provider', 'pkg:cargo/rustls', 'server/Cargo.lock'),
      reason: 'r',
      expires: '2026-03-01',
      created: '2026-01-15',
    },
  ]);
  // the finding's own fingerprint (relative to the scanned folder) is a different one
  assert.equal(rustls[0]!.finding.fingerprint, fingerprint('cargo-rustls-ring-provider', 'pkg:cargo/rustls', 'Cargo.lock'));
});
