import type { Rule, RuleSet } from '../engine/types.js';

/** `cryptaudit rules list`: one line per rule with its level under the policy. */
export function renderRuleList(ruleSet: RuleSet, policy: string): string {
  const levels = ruleSet.profiles.get(policy)?.rules ?? {};
  const rules = [...ruleSet.rules.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const idWidth = Math.max(...rules.map((r) => r.id.length), 2);
  const lines = [`policy ${policy}: ${rules.filter((r) => (levels[r.id] ?? 'off') !== 'off').length} of ${rules.length} rules on`, ''];
  lines.push(`${'ID'.padEnd(idWidth)}  ${'LEVEL'.padEnd(7)}  TITLE`);
  for (const r of rules) lines.push(`${r.id.padEnd(idWidth)}  ${(levels[r.id] ?? 'off').padEnd(7)}  ${r.title}`);
  return lines.join('\n') + '\n';
}

/** `cryptaudit rules show ID`: everything the rule says, and where each policy puts it. */
export function renderRule(rule: Rule, ruleSet: RuleSet): string {
  const m = rule.match;
  const policies = [...ruleSet.profiles.values()]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((p) => `${p.id}=${p.rules[rule.id] ?? 'off'}`)
    .join(', ');
  const matchLines = [
    `ecosystem ${m.ecosystem}`,
    m.names ? `names ${m.names.join(', ')}` : undefined,
    m.namePattern ? `name pattern /${m.namePattern}/` : undefined,
    m.versions ? `versions ${m.versions}` : undefined,
    m.dependsOn ? `depends on ${m.dependsOn.join(', ')}` : undefined,
    m.notDependsOn ? `does not depend on ${m.notDependsOn.join(', ')}` : undefined,
    ...Object.entries(m.capture ?? {}).map(([k, re]) => `captures ${k} from the version with /${re}/`),
    ...Object.entries(m.captureVersions ?? {}).map(([k, v]) => `${k} in ${v.range} (${v.scheme} ordering)`),
    `evidence ${m.evidence.join(', ')}`,
  ].filter(Boolean);
  const out = [
    `${rule.id}: ${rule.title}`,
    '',
    rule.description.trim(),
    '',
    `Policies:  ${policies}`,
    `Severity:  ${rule.severity.toFixed(1)}   CWE: ${rule.cwe.map((c) => `CWE-${c}`).join(', ')}${rule.advisories?.length ? `   Advisories: ${rule.advisories.join(', ')}` : ''}`,
    `Matches:   ${matchLines.join('; ')}`,
    `Message:   ${rule.message.trim()}`,
    '',
    'What to do:',
    ...rule.remediation.trim().split('\n').map((l) => `  ${l}`),
    '',
    'References:',
    ...rule.references.map((r) => `  - ${r.title}${r.url ? ` <${r.url}>` : ''} [${r.source}]`),
    '',
    `Defined in ${rule.file}`,
  ];
  return out.join('\n') + '\n';
}
