import type { TargetResult } from '../model/result.js';
import type { Finding, FindingSuppression, SuppressionEntry } from '../model/types.js';
import { purlWithoutVersion } from '../model/purl.js';
import { isoDay, isExpired } from './dates.js';
import { baseFingerprint, findingKeys } from './keys.js';
import type { SuppressionSet } from './load.js';

export interface SuppressionOutcome {
  /** entries in force that matched no finding in any target */
  unused: SuppressionEntry[];
  /** entries past their expiry, matched or not */
  expired: SuppressionEntry[];
}

/**
 * Mark findings that an entry matches. An entry matches by rule, purl without version and (when it names
 * one) fingerprint, so it survives upgrades and line moves. Findings under an entry in force move from
 * `findings` to `suppressed`; findings under only expired entries stay findings and carry the expired
 * entry, so reports can say why they are back. Entries are matched in file order; the first one in force wins.
 */
export function applySuppressions(targets: TargetResult[], set: SuppressionSet, options: { cwd: string; now: Date }): SuppressionOutcome {
  const today = isoDay(options.now);
  const byRulePurl = new Map<string, SuppressionEntry[]>();
  for (const e of set.entries) {
    const k = `${e.rule}\0${e.purl}`;
    byRulePurl.set(k, [...(byRulePurl.get(k) ?? []), e]);
  }
  const used = new Set<SuppressionEntry>();
  for (const t of targets) {
    const keep: Finding[] = [];
    const suppressed: Finding[] = t.suppressed ? [...t.suppressed] : [];
    for (const f of t.findings) {
      const candidates = byRulePurl.get(`${f.ruleId}\0${purlWithoutVersion(f.component.purl)}`);
      if (!candidates) {
        keep.push(f);
        continue;
      }
      const ev = f.evidence[0] ?? f.component.evidence[0];
      const keys = findingKeys(
        { ruleId: f.ruleId, purl: f.component.purl, fingerprint: f.fingerprint, evidencePath: ev?.path, layer: ev?.layer },
        { displayRoot: t.displayRoot, cwd: options.cwd, baseDir: set.baseDir },
      );
      const matching = candidates.filter((e) => e.fingerprint === undefined || keys.includes(baseFingerprint(e.fingerprint)));
      const active = matching.find((e) => !isExpired(e.expires, today));
      for (const e of matching) used.add(e);
      if (active) {
        f.suppression = mark(active, false);
        suppressed.push(f);
      } else {
        // the entry that expired last says best why the finding was accepted until now
        const last = [...matching].sort((a, b) => (a.expires < b.expires ? 1 : a.expires > b.expires ? -1 : 0))[0];
        if (last) f.suppression = mark(last, true);
        keep.push(f);
      }
    }
    t.findings = keep;
    t.suppressed = suppressed;
  }
  return {
    unused: set.entries.filter((e) => !used.has(e) && !isExpired(e.expires, today)),
    expired: set.entries.filter((e) => isExpired(e.expires, today)),
  };
}

function mark(e: SuppressionEntry, expired: boolean): FindingSuppression {
  const s: FindingSuppression = { reason: e.reason, expires: e.expires, file: e.file, expired };
  if (e.created !== undefined) s.created = e.created;
  if (e.by !== undefined) s.by = e.by;
  if (e.line !== undefined) s.line = e.line;
  return s;
}
