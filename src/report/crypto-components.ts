import type { ScanResult, TargetResult } from '../model/result.js';
import type { Component, Finding } from '../model/types.js';
import { levelRank } from './common.js';
import { factsFor, loadFacts, type ComponentFacts, type Facts } from './facts.js';
import { compareStrings } from '../util/compare.js';

/**
 * The crypto components of a scan, as the CBOM and the assessor report list them: every component with at least
 * one finding under the policy (under `inventory` every crypto library the rules identify). The same set SARIF
 * and JSON report, so the three formats agree on what was found.
 */
export interface CryptoComponent {
  target: TargetResult;
  component: Component;
  /** this component's findings, most severe first */
  findings: Finding[];
  facts: ComponentFacts;
}


/** Identity of one found component: purl plus where it was found (the same purl can sit in two lockfiles). */
function componentKey(c: Component): string {
  return `${c.purl}\0${c.evidence.map((e) => `${e.path}\0${e.line ?? ''}\0${e.layer ?? ''}`).join('\0')}`;
}

export function cryptoComponents(t: TargetResult, facts: Facts = loadFacts()): CryptoComponent[] {
  const byKey = new Map<string, CryptoComponent>();
  for (const f of t.findings) {
    const key = componentKey(f.component);
    let cc = byKey.get(key);
    if (!cc) {
      cc = { target: t, component: f.component, findings: [], facts: factsFor(f.component, t, facts) };
      byKey.set(key, cc);
    }
    cc.findings.push(f);
  }
  for (const cc of byKey.values()) {
    cc.findings.sort((a, b) => levelRank(a.level) - levelRank(b.level) || compareStrings(a.ruleId, b.ruleId) || compareStrings(a.fingerprint, b.fingerprint));
  }
  return [...byKey.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, cc]) => cc);
}

export function allCryptoComponents(result: ScanResult, facts: Facts = loadFacts()): CryptoComponent[] {
  return result.targets.flatMap((t) => cryptoComponents(t, facts));
}

/** Rule tags that mean "this library carries its own crypto": it bypasses the platform's validated module. */
export const BYPASS_TAGS: readonly string[] = ['non-validated', 'pure-js', 'static-link', 'vendored'];
