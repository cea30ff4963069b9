import type { Component, Finding, Level } from '../model/types.js';
import { fingerprint } from '../model/fingerprint.js';
import type { ProfileLevel, Rule, RuleSet } from './types.js';
import { satisfies } from './versions.js';
import { groupBy } from '../util/group.js';
import { compareStrings } from '../util/compare.js';

const LEVEL_ORDER: Record<Level, number> = { error: 0, warning: 1, note: 2 };

/** appended to the message of a finding in a file a later image layer deleted */
export const REMOVED_NOTE = 'The file was deleted by a later image layer: it is not in the final filesystem, but its bytes still ship in the layer that added it.';

/** Captured values when the rule matches the component, undefined when it does not. */
function matchRule(rule: Rule, c: Component, pattern: RegExp | undefined): Record<string, string> | undefined {
  const m = rule.match;
  if (m.ecosystem !== c.ecosystem) return undefined;
  if (m.names && !m.names.some((n) => nameKey(c.ecosystem, n) === nameKey(c.ecosystem, c.name))) return undefined;
  if (pattern && !pattern.test(c.name)) return undefined;
  if (m.versions && !(c.version && satisfies(c.version, m.versions, c.ecosystem))) return undefined;
  const deps = c.dependencies ?? [];
  if (m.dependsOn && !m.dependsOn.every((d) => deps.includes(d))) return undefined;
  if (m.notDependsOn && m.notDependsOn.some((d) => deps.includes(d))) return undefined;
  for (const [key, re] of Object.entries(m.notProperties ?? {})) {
    const value = c.properties?.[key];
    if (value !== undefined && new RegExp(re).test(value)) return undefined;
  }
  const captures: Record<string, string> = {};
  for (const [name, re] of Object.entries(m.capture ?? {})) {
    const value = c.version ? new RegExp(re).exec(c.version)?.[1] : undefined;
    if (value === undefined) return undefined;
    captures[name] = value;
  }
  for (const [key, re] of Object.entries(m.properties ?? {})) {
    const value = c.properties?.[key];
    const found = value === undefined ? null : new RegExp(re).exec(value);
    if (!found) return undefined;
    captures[key] = found[1] ?? found[0];
  }
  if (m.lookup) {
    const row = m.lookup.find((r) => r.versions === undefined || (c.version !== undefined && satisfies(c.version, r.versions, c.ecosystem)));
    if (!row) return undefined;
    Object.assign(captures, row.values);
  }
  for (const [name, { scheme, range }] of Object.entries(m.captureVersions ?? {})) {
    if (!satisfies(captures[name]!, range, scheme)) return undefined;
  }
  return captures;
}

/** PyPI names compare as PEP 503 says (case, and runs of -_. alike): `PyNaCl` in a rule is `pynacl` in poetry.lock. */
function nameKey(ecosystem: string, name: string): string {
  return ecosystem === 'pypi' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}

function render(template: string, c: Component, path: string, captures: Record<string, string>): string {
  const fields: Record<string, string> = {
    name: c.name,
    version: c.version ?? '(unknown version)',
    purl: c.purl,
    ecosystem: c.ecosystem,
    path,
    ...captures,
  };
  return template.replace(/\{([^{}]+)\}/g, (whole, key: string) => fields[key] ?? whole).trim();
}

/**
 * Judge components against the rules that `levels` switches on. A rule only sees the component's evidence
 * of the kinds it accepts; one finding per rule, component and evidence file, so the same package in two
 * lockfiles is two findings (two places to fix). Two versions of one package in one file share the
 * version-free fingerprint; the second and later (in version order) get a ":n" suffix, as GitHub's own
 * line hashes do, so neither is lost.
 */
export function evaluate(components: readonly Component[], ruleSet: RuleSet, levels: Readonly<Record<string, ProfileLevel>>): Finding[] {
  const active = [...ruleSet.rules.values()]
    .filter((r) => levels[r.id] && levels[r.id] !== 'off')
    .map((rule) => ({ rule, level: levels[rule.id] as Level, pattern: rule.match.namePattern ? new RegExp(rule.match.namePattern) : undefined }));
  // a lockfile holds thousands of packages and few are crypto: look rules up by ecosystem and exact name,
  // and test only the pattern rules against every name
  const byName = groupBy(
    active.flatMap((a) => (a.rule.match.names ?? []).map((name) => ({ key: `${a.rule.match.ecosystem}\0${nameKey(a.rule.match.ecosystem, name)}`, a }))),
    (x) => x.key,
  );
  const patternRules = groupBy(
    active.filter((a) => !a.rule.match.names),
    (a) => a.rule.match.ecosystem,
  );
  const findings = new Map<string, Finding>();
  for (const c of components) {
    const candidates = [...(byName.get(`${c.ecosystem}\0${nameKey(c.ecosystem, c.name)}`)?.map((x) => x.a) ?? []), ...(patternRules.get(c.ecosystem) ?? [])];
    for (const { rule, level, pattern } of candidates) {
      const evidence = c.evidence.filter((e) => rule.match.evidence.includes(e.kind));
      if (evidence.length === 0) continue;
      const captures = matchRule(rule, c, pattern);
      if (!captures) continue;
      // deleted by a later image layer (sources/image/removed.ts): still shipped, but not there at run time
      const removed = c.properties?.removedInLayer !== undefined;
      for (const [path, ev] of groupBy(evidence, (e) => e.path)) {
        const key = `${rule.id}\0${c.purl}\0${path}${removed ? '\0removed' : ''}`;
        if (findings.has(key)) continue;
        const message = render(rule.message, c, path, captures);
        findings.set(key, {
          ruleId: rule.id,
          level: removed ? 'note' : level,
          message: removed ? `${message} ${REMOVED_NOTE}` : message,
          component: c,
          evidence: ev,
          fingerprint: fingerprint(rule.id, c.purl, path, removed),
          ...(Object.keys(captures).length > 0 ? { captures } : {}),
        });
      }
    }
  }
  const sorted = [...findings.values()].sort(compareFindings);
  const seen = new Map<string, number>();
  for (const f of sorted) {
    const n = (seen.get(f.fingerprint) ?? 0) + 1;
    seen.set(f.fingerprint, n);
    if (n > 1) f.fingerprint = `${f.fingerprint}:${n}`;
  }
  return sorted;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.component.purl, b.component.purl) ||
    compareStrings(a.evidence[0]?.path ?? '', b.evidence[0]?.path ?? '') ||
    (a.evidence[0]?.line ?? 0) - (b.evidence[0]?.line ?? 0)
  );
}

