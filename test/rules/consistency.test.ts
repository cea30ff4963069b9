// The built-in rule set as a whole: every rule schema-valid, tested, traceable to the fact base and used by a
// policy; and the three policies giving the different verdicts they exist for, on a real lockfile.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import fg from 'fast-glob';
import { parse as parseYaml } from 'yaml';
import { builtinRulesDir, loadRuleSet } from '../../src/engine/load.js';
import { evaluate } from '../../src/engine/evaluate.js';
import type { RuleSet } from '../../src/engine/types.js';
import { extractors } from '../../src/extractors/index.js';
import { openTarget } from '../../src/sources/index.js';
import { ourSchema } from '../../src/util/schema.js';
import { walkAndExtract } from '../../src/walk.js';
import { repoRoot, sharedFixture, sharedRoot, SHARED_MISSING } from '../helpers.js';

const KNOWLEDGE_FILES = ['ecosystem-packages.md', 'binary-signatures.md', 'sarif-action-cbom-tui.md'];
const PROFILES = ['fips-140-3', 'pqc', 'inventory'];

const ruleFiles = fg.sync(['*/*.yml'], { cwd: builtinRulesDir, ignore: ['**/*.test.yml', 'profiles/**', 'schema/**', 'facts/**'] }).sort();
const testFiles = fg.sync(['*/*.test.yml'], { cwd: builtinRulesDir }).sort();
const readYaml = (rel: string) => parseYaml(readFileSync(path.join(builtinRulesDir, rel), 'utf8')) as Record<string, unknown>;

let ruleSet: RuleSet;
before(async () => {
  ruleSet = await loadRuleSet([builtinRulesDir]);
});

describe('rule files', () => {
  it('exist', () => assert.ok(ruleFiles.length > 0));

  it('each validate against rule.schema.json (the loader enforces it; this documents it)', () => {
    const validate = ourSchema('rules/schema/rule.schema.json');
    for (const rel of ruleFiles) assert.ok(validate(readYaml(rel)), `${rel}: ${JSON.stringify(validate.errors)}`);
  });

  it('hold one rule each, in rules/<ecosystem>/<id>.yml with the ecosystem as id prefix', () => {
    for (const rel of ruleFiles) {
      const rule = readYaml(rel) as { id: string; match: { ecosystem: string } };
      assert.equal(rel, `${rule.match.ecosystem}/${rule.id}.yml`);
      assert.ok(rule.id.startsWith(`${rule.match.ecosystem}-`), `${rule.id}: id must start with '${rule.match.ecosystem}-'`);
      assert.doesNotMatch(rule.id, /\d+-\d+|v\d/, `${rule.id}: no versions in ids`);
    }
    assert.equal(ruleSet.rules.size, ruleFiles.length);
  });

  it('each have a test file with at least one fires and one silent case', () => {
    for (const id of ruleSet.rules.keys()) {
      const rule = ruleSet.rules.get(id)!;
      const rel = `${rule.match.ecosystem}/${id}.test.yml`;
      assert.ok(testFiles.includes(rel), `${id}: missing ${rel}`);
      const spec = readYaml(rel) as { rule: string; fires?: unknown[]; silent?: unknown[] };
      assert.equal(spec.rule, id, `${rel} names rule '${spec.rule}'`);
      assert.ok((spec.fires?.length ?? 0) >= 1, `${rel}: no fires case`);
      assert.ok((spec.silent?.length ?? 0) >= 1, `${rel}: no silent case`);
    }
    for (const rel of testFiles) assert.ok(ruleFiles.includes(rel.replace(/\.test\.yml$/, '.yml')), `${rel} has no rule file`);
  });

  it('cite the fact base: a knowledge file and a section heading that exists in it', (t) => {
    const haveKnowledge = existsSync(path.join(sharedRoot, 'knowledge'));
    const headings = new Map<string, string[]>();
    for (const f of KNOWLEDGE_FILES) {
      const p = path.join(sharedRoot, 'knowledge', f);
      headings.set(f, existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter((l) => l.startsWith('#')) : []);
    }
    for (const rule of ruleSet.rules.values()) {
      for (const ref of rule.references) {
        const m = /^knowledge\/([a-z-]+\.md) §((?:\d+|[A-Z])(?:\.\d+)?)$/.exec(ref.source ?? '');
        assert.ok(m, `${rule.id}: reference source '${ref.source}' is not 'knowledge/<file>.md §<section>'`);
        const [, file, section] = m;
        assert.ok(KNOWLEDGE_FILES.includes(file!), `${rule.id}: unknown knowledge file ${file}`);
        if (!haveKnowledge) continue;
        // "§A.3" → "### A.3 …", "§0" → "## 0. …", "§B" → "## Part B …"
        const esc = section!.replace('.', '\\.');
        const heading = new RegExp(`^#{2,4} (?:Part )?${esc}(?:[. ]|$)`);
        assert.ok(headings.get(file!)!.some((h) => heading.test(h)), `${rule.id}: ${file} has no section ${section}`);
      }
    }
    if (!haveKnowledge) t.diagnostic(`${SHARED_MISSING} (section headings not checked)`);
  });

  it('name every advisory they carry in a reference, description or message', () => {
    for (const rule of ruleSet.rules.values()) {
      const text = [rule.description, rule.message, ...rule.references.map((r) => `${r.title} ${r.url ?? ''}`)].join(' ');
      for (const adv of rule.advisories ?? []) assert.ok(text.includes(adv), `${rule.id}: advisory ${adv} is not explained`);
    }
  });
});

describe('profiles', () => {
  it('are the three policies', () => {
    assert.deepEqual([...ruleSet.profiles.keys()].sort(), [...PROFILES].sort());
  });

  it('name only existing rules', () => {
    for (const p of ruleSet.profiles.values()) {
      for (const id of Object.keys(p.rules)) assert.ok(ruleSet.rules.has(id), `${p.id} names unknown rule ${id}`);
    }
  });

  it('switch every rule on somewhere', () => {
    for (const id of ruleSet.rules.keys()) {
      const used = [...ruleSet.profiles.values()].some((p) => p.rules[id] && p.rules[id] !== 'off');
      assert.ok(used, `${id} is not used by any profile`);
    }
  });

  it('inventory reports only notes, pqc has no errors, fips-140-3 does not list the validated AWS-LC-FIPS module', () => {
    assert.ok(Object.values(ruleSet.profiles.get('inventory')!.rules).every((l) => l === 'note'));
    assert.ok(Object.values(ruleSet.profiles.get('pqc')!.rules).every((l) => l !== 'error'));
    assert.equal(ruleSet.profiles.get('fips-140-3')!.rules['cargo-aws-lc-fips-sys'], undefined);
  });
});

describe('verdicts on the rustls workspace lockfile (ring next to aws-lc-fips-sys)', () => {
  const rel = 'fixtures/lockfiles/cargo-aws-lc-fips-sys-rustls';
  const levelsOf = (id: string) => ruleSet.profiles.get(id)!.rules;
  const run = async (profile: string) => {
    const { vfs } = await openTarget(sharedFixture(rel)!);
    const { components, errors } = await walkAndExtract(vfs, extractors);
    assert.deepEqual(errors, []);
    return evaluate(components, ruleSet, levelsOf(profile));
  };

  it('fips-140-3: ring is an error, aws-lc-fips-sys has no finding', async (t) => {
    if (!sharedFixture(rel)) return t.skip(SHARED_MISSING);
    const findings = await run('fips-140-3');
    const ring = findings.filter((f) => f.component.name === 'ring');
    assert.ok(ring.some((f) => f.ruleId === 'cargo-ring' && f.level === 'error'), 'ring is not an error');
    assert.deepEqual(findings.filter((f) => f.component.name === 'aws-lc-fips-sys'), []);
  });

  it('inventory: every finding is a note, and the validated module is listed too', async (t) => {
    if (!sharedFixture(rel)) return t.skip(SHARED_MISSING);
    const findings = await run('inventory');
    assert.ok(findings.length > 0);
    assert.deepEqual([...new Set(findings.map((f) => f.level))], ['note']);
    assert.ok(findings.some((f) => f.component.name === 'aws-lc-fips-sys'));
    assert.ok(findings.some((f) => f.component.name === 'ring'));
  });

  it('pqc: no error anywhere and nothing about aws-lc-fips-sys', async (t) => {
    if (!sharedFixture(rel)) return t.skip(SHARED_MISSING);
    const findings = await run('pqc');
    assert.deepEqual(findings.filter((f) => f.level === 'error'), []);
    assert.deepEqual(findings.filter((f) => f.component.name === 'aws-lc-fips-sys'), []);
  });

  it('the same component gets different verdicts per profile', async (t) => {
    if (!sharedFixture(rel)) return t.skip(SHARED_MISSING);
    const ringLevels = await Promise.all(
      PROFILES.map(async (p) => (await run(p)).filter((f) => f.component.name === 'ring').map((f) => f.level)),
    );
    assert.deepEqual(ringLevels.map((ls) => [...new Set(ls)].sort()), [['error'], [], ['note']]);
  });
});
