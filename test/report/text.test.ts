import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { renderText } from '../../src/report/text.js';
import { instructionLabel, whatToDo } from '../../src/report/common.js';
import { repoRoot, sharedRoot, SHARED_MISSING } from '../helpers.js';
import { LOCKFILES, sampleResult, type Sample } from './sample.js';

/**
 * Two real lockfiles: boringtun (ring 0.17.14, reached as boringtun → ring) and the jellyfin-rpc cut in
 * test/fixtures/cargo/rules (ring 0.17.5, below the RUSTSEC-2025-0009 fix), so the policy yields errors and
 * warnings; plus the truncated lockfile for the unreadable-file section.
 */
describe('text reporter', { skip: LOCKFILES ? false : SHARED_MISSING }, () => {
  let sample: Sample;
  let out: string;

  before(async () => {
    const cwd = path.dirname(repoRoot);
    sample = await sampleResult({
      cwd,
      targets: [
        path.relative(cwd, path.join(sharedRoot, 'fixtures', 'lockfiles', 'cargo-ring-boringtun')),
        path.relative(cwd, path.join(repoRoot, 'test', 'fixtures', 'cargo', 'rules', 'jellyfin-rpc-ring-0.17.5')),
      ],
      brokenTarget: true,
    });
    out = renderText(sample.result);
  });
  after(async () => sample?.cleanup());

  const lines = () => out.split('\n');

  test('header names the policy and every target', () => {
    const { id, title } = sample.result.policy;
    assert.ok(lines()[0]!.endsWith(`policy ${id} (${title}), fail on error`), lines()[0]);
    for (const t of sample.result.targets) assert.ok(out.includes(`target ${t.displayRoot} (${t.kind})`), t.displayRoot);
  });

  test('findings are grouped by level, errors before warnings', (t) => {
    const levels = sample.result.targets.flatMap((x) => x.findings.map((f) => f.level));
    if (!levels.includes('warning')) return t.skip('the policy raises no warning on these lockfiles');
    const errorsAt = lines().findIndex((l) => /^ERRORS \(\d+\)$/.test(l));
    const warningsAt = lines().findIndex((l) => /^WARNINGS \(\d+\)$/.test(l));
    assert.ok(errorsAt > 0 && warningsAt > errorsAt, `ERRORS at ${errorsAt}, WARNINGS at ${warningsAt}`);
    assert.equal(lines()[errorsAt], `ERRORS (${levels.filter((l) => l === 'error').length})`);
    // every finding line sits in its own level's group
    const firstWarning = lines().findIndex((l) => l.startsWith('  warning '));
    const lastError = lines().findLastIndex((l) => l.startsWith('  error '));
    assert.ok(lastError < warningsAt && firstWarning > warningsAt);
  });

  test('each finding: rule, name@version, file:line, dependency path, what to do', () => {
    const ring = sample.result.targets[0]!.findings.find((f) => f.component.name === 'ring')!;
    assert.ok(ring);
    const at = lines().findIndex((l) => l.includes(ring.ruleId) && l.endsWith('ring@0.17.14'));
    assert.ok(at > 0, 'finding line');
    const end = lines().findIndex((l, i) => i > at && l === '');
    const block = lines().slice(at, end).join('\n');
    const ev = ring.evidence[0]!;
    assert.ok(block.includes(`at    ${path.posix.join(sample.result.targets[0]!.displayRoot, ev.path)}:${ev.line}`), block);
    assert.ok(block.includes('via   boringtun → ring'), block);
    const rule = sample.result.rules.find((r) => r.rule.id === ring.ruleId)!.rule;
    // the fix sentence is wrapped at 100 columns with a hanging indent; unwrapped it is the whole sentence
    assert.ok(block.replace(/\n {10}/g, ' ').includes(`fix   ${whatToDo(rule.remediation)}`), block);
    // every line fits 100 columns unless it is one unbreakable word after its label
    assert.ok(block.split('\n').every((l) => l.length <= 100 || !l.trim().slice(6).includes(' ')), block);
  });

  test('unreadable files are listed, and the closing line counts everything', () => {
    const err = sample.result.targets[2]!.errors[0]!;
    const at = lines().findIndex((l) => /^COULD NOT BE READ \(1\)$/.test(l));
    assert.ok(at > 0);
    assert.equal(lines()[at + 1], `  ${sample.tempDir}/Cargo.lock:${err.line}: ${err.message}`);
    const all = sample.result.targets.flatMap((t) => t.findings);
    const n = (l: string) => all.filter((f) => f.level === l).length;
    const comps = sample.result.targets.reduce((k, t) => k + t.components.length, 0);
    const last = lines().at(-2)!;
    assert.ok(last.startsWith(`${n('error')} error${n('error') === 1 ? '' : 's'}, ${n('warning')} warning`), last);
    assert.ok(last.includes(`in ${comps} components (3 targets); 1 file could not be read.`), last);
    assert.equal(out.at(-1), '\n');
  });

  test('colour only when asked: plain ANSI codes around the same text', () => {
    assert.doesNotMatch(out, /\x1b\[/);
    const coloured = renderText(sample.result, { color: true });
    assert.match(coloured, /\x1b\[31m/);
    assert.equal(coloured.replace(/\x1b\[\d+m/g, ''), out);
  });

  test('dev and optional scope is shown next to the component', () => {
    const result = structuredClone(sample.result);
    const f = result.targets[0]!.findings[0]!;
    f.component.scope = { dev: true, optional: true };
    assert.match(renderText(result), new RegExp(`${f.ruleId}  ${f.component.name}@${f.component.version!.replace(/[.+]/g, '\\$&')} \\(dev, optional\\)`));
  });

  test('"what to do" is the remediation\'s first sentence, not cut at "e.g.", at most 160 characters', (t) => {
    const rules = sample.result.rules.map((r) => r.rule);
    const eg = rules.find((r) => r.remediation.includes('e.g. '));
    if (!eg) return t.skip('no enabled rule writes "e.g." in its remediation');
    for (const r of rules) {
      const w = whatToDo(r.remediation);
      assert.ok(w.length > 0, w);
      assert.ok(r.remediation.trim().startsWith(w), w);
      assert.doesNotMatch(w, /e\.g\.$/);
    }
  });
});

test('image layers are named by the instruction that made them, as docker history records it', () => {
  // created_by values from public images' configs (debian and redis from Docker Hub; classic builder and BuildKit)
  const cases: Array<[string, string]> = [
    ['/bin/sh -c #(nop) ADD file:a82014afc29e7b364ac95223b22ebafad46cc9318951a85027a49f9ce1a99461 in / ', 'ADD file:a82014afc29e7b364ac95223b22ebafad46cc9318951a85027a49f9ce1a994…'],
    ['/bin/sh -c #(nop)  CMD ["bash"]', 'CMD ["bash"]'],
    ['/bin/sh -c groupadd -r redis && useradd -r -g redis redis', 'RUN groupadd -r redis && useradd -r -g redis redis'],
    ['RUN /bin/sh -c set -eux; \tgroupadd -r -g 999 redis; \tuseradd -r -g redis -u 999 redis # buildkit', 'RUN set -eux; groupadd -r -g 999 redis; useradd -r -g redis -u 999 redis'],
    ['COPY app /app', 'COPY app /app'],
  ];
  for (const [createdBy, shown] of cases) assert.equal(instructionLabel(createdBy), shown, createdBy);
  assert.ok(cases.every(([c]) => instructionLabel(c).length <= 72));
});
