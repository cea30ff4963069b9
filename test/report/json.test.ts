import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { JSON_SCHEMA_VERSION, renderJson, type JsonReport } from '../../src/report/json.js';
import { SHARED_MISSING } from '../helpers.js';
import { LOCKFILES, sampleResult, type Sample } from './sample.js';
import { errorsText, jsonReportValidator } from './validators.js';

describe('JSON reporter', { skip: LOCKFILES ? false : SHARED_MISSING }, () => {
  let sample: Sample;
  let text: string;
  let doc: JsonReport;

  before(async () => {
    sample = await sampleResult({ brokenTarget: true });
    text = renderJson(sample.result);
    doc = JSON.parse(text) as JsonReport;
  });
  after(async () => sample?.cleanup());

  test('validates against schema/cryptaudit-result.schema.json, which rejects what it does not describe', async () => {
    const validate = jsonReportValidator();
    assert.ok(validate(doc), errorsText(validate));
    const dot = await sampleResult({ cwd: path.join(LOCKFILES!, 'cargo-ring-boringtun'), targets: ['.'], policy: 'inventory', failOn: 'none' });
    assert.ok(validate(JSON.parse(renderJson(dot.result))), errorsText(validate));

    const wrongLevel = structuredClone(doc);
    (wrongLevel.targets[0]!.findings[0] as { level: string }).level = 'fatal';
    assert.equal(validate(wrongLevel), false);
    const undocumented = structuredClone(doc) as unknown as { targets: Array<{ findings: Array<Record<string, unknown>> }> };
    undocumented.targets[0]!.findings[0]!['severity'] = 7;
    assert.equal(validate(undocumented), false);
  });

  test('2-space JSON with a trailing newline, byte-identical across renders', () => {
    assert.equal(text, JSON.stringify(doc, null, 2) + '\n');
    assert.equal(renderJson(sample.result), text);
    // optional fields are absent, never null (checked on values: a package may well have 'null' in its name)
    const nulls: string[] = [];
    JSON.parse(text, function (key, value) {
      if (value === null) nulls.push(key);
      return value;
    });
    assert.deepEqual(nulls, [], 'optional fields are absent, never null');
  });

  test('top level: schema version, tool, policy, exit code and totals that add up', () => {
    const r = sample.result;
    assert.equal(doc.schemaVersion, JSON_SCHEMA_VERSION);
    assert.deepEqual(doc.tool, r.tool);
    assert.deepEqual(doc.policy, r.policy);
    assert.equal(doc.failOn, r.failOn);
    assert.equal(doc.exitCode, r.exitCode);
    const all = r.targets.flatMap((t) => t.findings);
    assert.equal(doc.summary.findings, all.length);
    assert.equal(doc.summary.error, all.filter((f) => f.level === 'error').length);
    assert.equal(doc.summary.warning, all.filter((f) => f.level === 'warning').length);
    assert.equal(doc.summary.note, all.filter((f) => f.level === 'note').length);
    assert.equal(doc.summary.components, r.targets.reduce((n, t) => n + t.components.length, 0));
    assert.equal(doc.summary.errors, 1);
    assert.equal(doc.summary.targets, 3);
    assert.deepEqual(
      doc.rules.map((x) => [x.id, x.level]),
      r.rules.map((x) => [x.rule.id, x.level]),
    );
  });

  test('findings carry component, location, evidence, fingerprint and what to do', () => {
    let n = 0;
    doc.targets.forEach((jt, i) => {
      const t = sample.result.targets[i]!;
      assert.equal(jt.displayRoot, t.displayRoot);
      assert.equal(jt.findings.length, t.findings.length);
      for (const jf of jt.findings) {
        const f = t.findings.find((x) => x.fingerprint === jf.fingerprint && x.ruleId === jf.ruleId)!;
        const rule = sample.result.rules.find((x) => x.rule.id === f.ruleId)!.rule;
        assert.equal(jf.purl, f.component.purl);
        assert.equal(jf.name, f.component.name);
        assert.equal(jf.version, f.component.version);
        assert.equal(jf.ecosystem, f.component.ecosystem);
        assert.deepEqual(jf.dependencyPath, f.component.dependencyPath);
        assert.deepEqual(jf.evidence, JSON.parse(JSON.stringify(f.evidence)));
        const where = { path: path.posix.join(t.displayRoot, f.evidence[0]!.path), relativeTo: 'cwd', line: f.evidence[0]!.line };
        assert.deepEqual(jf.location, JSON.parse(JSON.stringify(where)));
        assert.equal(jf.remediation, rule.remediation);
        assert.deepEqual(jf.references, JSON.parse(JSON.stringify(rule.references)));
        n++;
      }
    });
    assert.ok(n >= 2);
  });

  test('components: only those with findings, with the rules that matched; all are counted', () => {
    const vw = doc.targets[1]!;
    const t = sample.result.targets[1]!;
    assert.ok(t.components.length > 100, 'vaultwarden has hundreds of crates');
    assert.equal(vw.summary.components, t.components.length);
    const withFindings = new Set(t.findings.map((f) => f.component.purl));
    assert.deepEqual(new Set(vw.components.map((c) => c.purl)), withFindings);
    for (const c of vw.components) {
      assert.deepEqual(c.rules, [...new Set(t.findings.filter((f) => f.component.purl === c.purl).map((f) => f.ruleId))].sort());
    }
  });

  test('unreadable files are listed with where they are relative to their target', () => {
    const broken = doc.targets[2]!;
    assert.equal(broken.kind, 'directory');
    assert.equal(broken.summary.filesExtracted, 1);
    assert.equal(broken.summary.filesParsed, 0);
    assert.deepEqual(broken.errors, JSON.parse(JSON.stringify([
      {
        path: 'Cargo.lock',
        location: { path: 'Cargo.lock', relativeTo: 'target', line: sample.result.targets[2]!.errors[0]!.line },
        message: sample.result.targets[2]!.errors[0]!.message,
      },
    ])));
  });
});
