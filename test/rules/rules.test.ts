// Runs every rules/<ecosystem>/<id>.test.yml: real extraction of real fixture targets, then only that rule
// evaluated (at level error), so a case tests exactly one rule's match logic against real lockfile data.
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
import type { Component } from '../../src/model/types.js';
import { openTarget } from '../../src/sources/index.js';
import { ourSchema } from '../../src/util/schema.js';
import { walkAndExtract } from '../../src/walk.js';
import { repoRoot, sharedFixture, SHARED_MISSING } from '../helpers.js';

interface FiresCase {
  target: string;
  component: string;
  message?: string;
}
interface SilentCase {
  target: string;
  component?: string;
}
interface RuleTest {
  rule: string;
  fires: FiresCase[];
  silent: SilentCase[];
}

const CACHE_MISSING = '.cache/binary is not built (run scripts/make-binary-fixtures.sh, as .ci/run does); skipping';

const testFiles = fg.sync('rules/**/*.test.yml', { cwd: repoRoot }).sort();

/** 'test/…' is repo-relative, 'shared:…' is under ../shared (undefined when that folder is absent). */
function resolveTarget(target: string): string | undefined {
  if (target.startsWith('shared:')) return sharedFixture(target.slice('shared:'.length));
  // 'cache:…' is under .cache/binary/, built by scripts/make-binary-fixtures.sh (real binaries too big to commit)
  if (target.startsWith('cache:')) {
    const p = path.join(repoRoot, '.cache', 'binary', target.slice('cache:'.length));
    return existsSync(p) ? p : undefined;
  }
  return path.join(repoRoot, target);
}

// one extraction per target for the whole run: many rules share the same lockfiles
const extracted = new Map<string, Promise<Component[]>>();
function componentsOf(abs: string): Promise<Component[]> {
  let p = extracted.get(abs);
  if (!p) {
    p = (async () => {
      const { vfs } = await openTarget(abs);
      const result = await walkAndExtract(vfs, extractors);
      // a fixture that does not parse cleanly would make every "silent" case meaningless
      assert.deepEqual(result.errors, [], `extraction errors in ${abs}`);
      assert.ok(result.components.length > 0, `no components extracted from ${abs}`);
      return result.components;
    })();
    extracted.set(abs, p);
  }
  return p;
}

/** "name@version"; scoped npm names start with '@', so split at the last '@'. */
function parseId(id: string): { name: string; version: string } {
  const at = id.lastIndexOf('@');
  assert.ok(at > 0, `component '${id}' must be name@version`);
  return { name: id.slice(0, at), version: id.slice(at + 1) };
}
// "name@" names a component without a version (a library found by its symbols, a dynamic link); a version ending in
// ".*" matches that release series: fixtures from Debian's mirror carry whatever point release it serves that day
const isComponent = (c: Component, id: { name: string; version: string }) =>
  c.name === id.name &&
  (id.version.endsWith('.*') ? (c.version ?? '').startsWith(id.version.slice(0, -1)) : (c.version ?? '') === id.version);

let ruleSet: RuleSet;
before(async () => {
  ruleSet = await loadRuleSet([builtinRulesDir]);
});

it('finds rule test files', () => {
  assert.ok(testFiles.length > 0, 'no rules/**/*.test.yml found');
});

for (const file of testFiles) {
  const spec = parseYaml(readFileSync(path.join(repoRoot, file), 'utf8')) as RuleTest;
  describe(file, () => {
    it('matches rule-test.schema.json and names a loaded rule', () => {
      const validate = ourSchema('rules/schema/rule-test.schema.json');
      assert.ok(validate(spec), JSON.stringify(validate.errors));
      assert.ok(ruleSet.rules.has(spec.rule), `rule '${spec.rule}' is not defined`);
    });

    for (const c of spec.fires ?? []) {
      it(`fires on ${c.component} in ${c.target}`, async (t) => {
        const abs = resolveTarget(c.target);
        if (!abs) return t.skip(c.target.startsWith('cache:') ? CACHE_MISSING : SHARED_MISSING);
        const id = parseId(c.component);
        const components = await componentsOf(abs);
        const findings = evaluate(components, ruleSet, { [spec.rule]: 'error' });
        const hit = findings.find((f) => isComponent(f.component, id));
        assert.ok(hit, `${spec.rule} did not report ${c.component}; it reported: ${findings.map((f) => `${f.component.name}@${f.component.version}`).join(', ') || 'nothing'}`);
        assert.equal(hit.ruleId, spec.rule);
        if (c.message) assert.ok(hit.message.includes(c.message), `message '${hit.message}' lacks '${c.message}'`);
        // no placeholder may survive rendering
        assert.doesNotMatch(hit.message, /\{[a-zA-Z]+\}/);
      });
    }

    for (const c of spec.silent ?? []) {
      it(`stays silent on ${c.component ?? 'everything'} in ${c.target}`, async (t) => {
        const abs = resolveTarget(c.target);
        if (!abs) return t.skip(c.target.startsWith('cache:') ? CACHE_MISSING : SHARED_MISSING);
        const components = await componentsOf(abs);
        const findings = evaluate(components, ruleSet, { [spec.rule]: 'error' });
        if (c.component) {
          const id = parseId(c.component);
          // the component must be there, or "silent" would pass for the wrong reason
          assert.ok(components.some((x) => isComponent(x, id)), `${c.component} is not in ${c.target}`);
          assert.equal(findings.filter((f) => isComponent(f.component, id)).length, 0, `${spec.rule} reported ${c.component}`);
        } else {
          assert.deepEqual(findings.map((f) => f.component.purl), []);
        }
      });
    }
  });
}
