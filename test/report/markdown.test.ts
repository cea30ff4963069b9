/**
 * `--format markdown` (also the Action's job summary) on real scans of the shipped sample: counts, one row per
 * finding with component, where, why and what to do, the 1 MiB cut with its note, and the CLI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { scan } from '../../src/index.js';
import type { ScanResult } from '../../src/model/result.js';
import { countLevels, whatToDo } from '../../src/report/common.js';
import { escapeCell, renderMarkdown, SUMMARY_LIMIT_BYTES } from '../../src/report/markdown.js';
import { repoRoot, cliPath } from '../helpers.js';

const SAMPLE = 'examples/payments-service';
const rowsOf = (md: string) => md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Level '));

describe('renderMarkdown', () => {
  let result: ScanResult;
  before(async () => {
    result = await scan({ targets: [SAMPLE], cwd: repoRoot, discoverConfig: false });
  });

  test('counts, then one row per finding: level, component, where, why, what to do, rule', () => {
    const md = renderMarkdown(result);
    const findings = result.targets.flatMap((t) => t.findings);
    assert.ok(findings.length >= 5);
    const c = countLevels(findings);
    assert.match(md, new RegExp(`^\\*\\*${c.error} errors?, ${c.warning} warnings?, ${c.note} notes?\\*\\* in ${result.targets[0]!.components.length} components`, 'm'));
    assert.match(md, /policy `fips-140-3`/);
    const rows = rowsOf(md);
    assert.equal(rows.length, findings.length);
    for (const f of findings) {
      const ev = f.evidence[0]!;
      const rule = result.rules.find((r) => r.rule.id === f.ruleId)!.rule;
      const row = rows.find((r) => r.includes(`\`${f.ruleId}\``) && r.includes(`\`${f.component.name}@${f.component.version}\``));
      assert.ok(row, `row for ${f.ruleId} ${f.component.purl}`);
      assert.ok(row.includes(`\`${SAMPLE}/${ev.path}:${ev.line}\``), row);
      assert.ok(row.includes(whatToDo(rule.remediation).replace(/\|/g, '\\|')), 'what to do');
      assert.ok(row.includes(escapeCell(f.message)), 'why');
      if (f.component.dependencyPath) assert.ok(row.includes(`via ${escapeCell(f.component.dependencyPath.join(' → '))}`));
      // a table row stays one line with six cells
      assert.equal(row.split(/(?<!\\)\|/).length, 8, row);
    }
    // errors come first
    assert.match(rows[0]!, /^\| \*\*error\*\* \|/);
    assert.equal(renderMarkdown(result), md, 'deterministic');
  });

  test('cells cannot turn into markup or break the row', () => {
    assert.equal(escapeCell('a|b\nc <img src=x> *d* `e` [f](g) & h_i'), 'a\\|b c &lt;img src=x&gt; \\*d\\* \\`e\\` \\[f\\](g) &amp; h\\_i');
  });

  test('no findings says so', async () => {
    const none = await scan({ targets: [SAMPLE], cwd: repoRoot, discoverConfig: false, policy: 'inventory', exclude: ['**'] });
    assert.match(renderMarkdown(none), /\*\*0 errors, 0 warnings, 0 notes\*\*[^\n]*\n\nNo findings\.\n$/);
  });

  test('over the limit: as many rows as fit, in order, and a note with how many were left out', () => {
    const full = renderMarkdown(result);
    const rows = rowsOf(full);
    const limit = Buffer.byteLength(full) - Buffer.byteLength(rows.at(-1)!) - 50;
    const cut = renderMarkdown(result, { maxBytes: limit });
    assert.ok(Buffer.byteLength(cut) <= limit);
    const kept = rowsOf(cut);
    assert.ok(kept.length > 0 && kept.length < rows.length);
    assert.deepEqual(kept, rows.slice(0, kept.length));
    assert.match(cut, new RegExp(`_${rows.length - kept.length} more findings? not shown: the summary is limited to`));
  });

  test("GitHub's 1 MiB step-summary limit holds for a scan with thousands of findings", () => {
    // the sample's real findings, as if 500 services in a monorepo each had them
    const t = result.targets[0]!;
    const big: ScanResult = { ...result, targets: Array.from({ length: 500 }, (_, i) => ({ ...t, target: `svc${i}`, displayRoot: `svc${i}` })) };
    const md = renderMarkdown(big);
    assert.ok(Buffer.byteLength(md) <= SUMMARY_LIMIT_BYTES);
    assert.ok(rowsOf(md).length > 500);
    assert.match(md, /more findings not shown: the summary is limited to 1024 KiB/);
  });
});

test('cryptaudit scan --format markdown prints the same report and keeps the exit code', async () => {
  const r = spawnSync(process.execPath, [cliPath, 'scan', SAMPLE, '--format', 'markdown'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  // --format markdown also carries the assessor evidence section (the Action's job summary does not)
  const expected = renderMarkdown(await scan({ targets: [SAMPLE], cwd: repoRoot }), { assessor: true });
  assert.equal(r.stdout, expected);
  assert.match(r.stdout, /^## cryptaudit\n/);
  assert.match(r.stdout, /\n### Assessor evidence: cryptographic modules\n/);
});
