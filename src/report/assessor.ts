import type { ScanResult, TargetResult } from '../model/result.js';
import type { EvidenceKind } from '../model/types.js';
import { moduleStatus } from './cbom.js';
import { escapeCell, fileRef } from './common.js';
import { BYPASS_TAGS, cryptoComponents, type CryptoComponent } from './crypto-components.js';
import { certificateLabel, loadFacts, type Facts, type ModuleFact } from './facts.js';
import { compareStrings } from '../util/compare.js';

/**
 * The assessor's evidence section of the Markdown report: per target, the crypto modules present, whether each is
 * a validated module (certificate numbers and their status), which libraries carry their own crypto and so bypass
 * the platform's validated module, which TLS libraries still default to quantum-vulnerable key exchange, and how
 * that maps to the controls assessors cite (NIST SP 800-53 SC-13 and SC-8, SP 800-171 3.13.11, NIST IR 8547).
 * Evidence only: it says plainly that it is not a certification, and what was not analysed.
 */


/** Plain text in a table cell or list item: the Markdown report's escaping. */
const text = escapeCell;

function code(s: string): string {
  return '`' + s.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\r?\n/g, ' ') + '`';
}

function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

const ANALYSED: Record<EvidenceKind, string> = {
  declared: 'package entries in lockfiles and manifests',
  installed: 'OS and language package databases',
  linked: 'dynamic-link records of binaries',
  embedded: 'code signatures and version banners inside binaries',
  buildinfo: 'build metadata embedded in binaries',
};

function label(cc: CryptoComponent): string {
  const c = cc.component;
  return c.version !== undefined ? `${c.name}@${c.version}` : c.name;
}

function foundIn(cc: CryptoComponent): string {
  const ev = cc.component.evidence[0];
  if (!ev) return '';
  const ref = fileRef(cc.target, ev.path);
  let s = code(ev.line !== undefined ? `${ref.path}:${ev.line}` : ref.path);
  if (ev.layer) s += ` (layer ${code(ev.layer.length > 19 ? ev.layer.slice(0, 19) + '…' : ev.layer)})`;
  if (cc.component.evidence.length > 1) s += ` +${cc.component.evidence.length - 1}`;
  return s;
}

function certificates(m: ModuleFact): string {
  return m.certificates.length ? m.certificates.map(certificateLabel).join(', ') : 'no certificate';
}

/** 'AWS-LC-FIPS 2.0: FIPS 140-3 #4816 (static), #5429 (dynamic), active' */
function moduleText(m: ModuleFact): string {
  return m.certificates.length ? `${text(m.name)}: ${m.standard} ${certificates(m)}, ${moduleStatus(m)}` : `${text(m.name)}: ${m.standard}, ${moduleStatus(m)}`;
}

function validation(cc: CryptoComponent, bypass: boolean): string {
  const m = cc.facts.module;
  if (m) {
    const s = moduleText(m.fact);
    return m.condition ? `${s} — only ${text(m.condition.replace(/^only /, ''))}` : s;
  }
  return bypass ? 'not a validated module' : 'no CMVP fact recorded';
}

function keyExchange(cc: CryptoComponent): string {
  const t = cc.facts.tls?.fact;
  if (!t) return '—';
  const groups = t.groups.length ? `${t.groups.join(', ')}${t.complete ? '' : ', …'}` : '';
  const pq = { preferred: 'hybrid ML-KEM preferred', offered: 'hybrid ML-KEM offered, not first', 'pre-standard': 'pre-standard Kyber draft', none: 'classical (quantum-vulnerable) groups only' }[
    t.postQuantum
  ];
  return groups ? `${pq}: ${text(groups)}` : pq;
}

function bypassRules(cc: CryptoComponent, tagsOf: Map<string, readonly string[]>): string[] {
  return [...new Set(cc.findings.filter((f) => (tagsOf.get(f.ruleId) ?? []).some((t) => BYPASS_TAGS.includes(t))).map((f) => f.ruleId))].sort(compareStrings);
}

interface TargetEvidence {
  t: TargetResult;
  rows: string[];
  validated: CryptoComponent[];
  conditional: CryptoComponent[];
  inProcess: CryptoComponent[];
  historical: CryptoComponent[];
  bypass: CryptoComponent[];
  quantumVulnerableTls: CryptoComponent[];
  pqTls: CryptoComponent[];
}

function targetEvidence(t: TargetResult, facts: Facts, tagsOf: Map<string, readonly string[]>): TargetEvidence {
  const ccs = cryptoComponents(t, facts);
  const ev: TargetEvidence = { t, rows: [], validated: [], conditional: [], inProcess: [], historical: [], bypass: [], quantumVulnerableTls: [], pqTls: [] };
  for (const cc of ccs) {
    const rules = bypassRules(cc, tagsOf);
    const m = cc.facts.module;
    if (m && m.condition) ev.conditional.push(cc);
    else if (m && m.fact.status === 'in-process') ev.inProcess.push(cc);
    else if (m) (m.fact.status === 'historical' ? ev.historical : ev.validated).push(cc);
    if (rules.length) ev.bypass.push(cc);
    const pq = cc.facts.tls?.fact.postQuantum;
    if (pq === 'none' || pq === 'pre-standard' || pq === 'offered') ev.quantumVulnerableTls.push(cc);
    if (pq === 'preferred') ev.pqTls.push(cc);
    ev.rows.push(
      `| ${code(label(cc))} | ${foundIn(cc)} | ${validation(cc, rules.length > 0)} | ${rules.length ? `yes (${rules.map(code).join(', ')})` : 'no finding says so'} | ${keyExchange(cc)} |`,
    );
  }
  return ev;
}

function list(ccs: CryptoComponent[], what: (cc: CryptoComponent) => string = (cc) => code(label(cc))): string {
  return ccs.map(what).join('; ');
}

/** The assessor section as Markdown (starts with a `###` heading, ends with a newline). */
export function renderAssessorSection(result: ScanResult, facts: Facts = loadFacts()): string {
  const tagsOf = new Map(result.rules.map((r) => [r.rule.id, r.rule.tags ?? []]));
  const kinds = new Set<EvidenceKind>();
  for (const t of result.targets) for (const c of t.components) for (const e of c.evidence) kinds.add(e.kind);
  const analysed = [...kinds].sort(compareStrings).map((k) => ANALYSED[k]);
  const bypassRulesOn = result.rules.some((r) => (r.rule.tags ?? []).some((t) => BYPASS_TAGS.includes(t)));
  const control = (id: string) => facts.controls.find((c) => c.id === id)!;
  const deadline = (id: string) => facts.deadlines.find((d) => d.id === id)!;

  const out: string[] = [];
  out.push('### Assessor evidence: cryptographic modules', '');
  out.push(
    '> **This is evidence for an assessment, not a certification.** A CMVP certificate covers a module built and operated ' +
      'per its security policy; whether this system does so is for the assessor to establish. Certificate statuses are ' +
      `those recorded in cryptaudit's fact base on ${facts.asOf}; check the current CMVP list.`,
    '',
  );
  out.push(
    `Analysed: ${analysed.length ? analysed.join('; ') : 'no supported files were found'}. ` +
      'Not analysed: source code and call sites, runtime configuration (FIPS mode, OpenSSL configuration, TLS settings), ' +
      'build features that lockfiles do not record. A library listed is present in what was scanned, not necessarily used. ' +
      `Policy \`${result.policy.id}\`${bypassRulesOn ? '' : ' (its rules do not identify libraries that carry their own crypto; run with `--policy fips-140-3` or `inventory` for that evidence)'}.`,
  );

  const evidence = result.targets.map((t) => targetEvidence(t, facts, tagsOf));
  for (const ev of evidence) {
    out.push('', `#### ${code(ev.t.target)}: ${plural(ev.rows.length, 'crypto library', 'crypto libraries')}`, '');
    if (ev.rows.length === 0) {
      out.push('No crypto libraries identified under this policy.');
      continue;
    }
    out.push('| Library | Found in | FIPS 140 validation | Own crypto, bypassing the platform module | Default TLS key exchange |', '|---|---|---|---|---|');
    out.push(...ev.rows, '');
    const validatedText = (cc: CryptoComponent) => {
      const m = cc.facts.module!.fact;
      return `${code(label(cc))} → ${moduleText(m)}`;
    };
    out.push(`- **Validated modules present:** ${ev.validated.length ? list(ev.validated, validatedText) : 'none identified'}.`);
    if (ev.historical.length) {
      const h = deadline('fips-140-2-historical');
      out.push(`- **FIPS 140-2 certificates (historical since ${h.date}):** ${list(ev.historical, validatedText)}; ${text(h.text)}.`);
    }
    if (ev.inProcess.length) out.push(`- **Modules in process, not yet validated:** ${list(ev.inProcess, validatedText)}.`);
    if (ev.conditional.length) {
      out.push(
        `- **Validation not determinable from these files:** ${list(ev.conditional, (cc) => `${code(label(cc))} → ${text(cc.facts.module!.fact.name)} ${certificates(cc.facts.module!.fact)} ${text(cc.facts.module!.condition!)}`)}.`,
      );
    }
    out.push(`- **Own crypto, bypassing the platform's validated module:** ${ev.bypass.length ? list(ev.bypass) : 'none identified'}.`);
    out.push(
      `- **Quantum-vulnerable key exchange still the default:** ${ev.quantumVulnerableTls.length ? list(ev.quantumVulnerableTls, (cc) => `${code(label(cc))} (${keyExchange(cc)})`) : 'none identified among the TLS libraries the fact base covers'}` +
        (ev.pqTls.length ? `; hybrid ML-KEM by default: ${list(ev.pqTls)}` : '') +
        '.',
    );
  }

  // controls: one row each, with what this scan shows across targets
  const all = (k: keyof Omit<TargetEvidence, 't' | 'rows'>) => evidence.flatMap((e) => e[k]);
  const names = (ccs: CryptoComponent[]) => [...new Set(ccs.map((cc) => code(label(cc))))].join(', ');
  const validatedAll = all('validated');
  const bypassAll = all('bypass');
  const qvAll = all('quantumVulnerableTls');
  const tlsAll = evidence.flatMap((e) => cryptoComponents(e.t, facts).filter((cc) => cc.facts.tls));
  const sc13 = `${plural(validatedAll.length, 'validated module')} identified${validatedAll.length ? ` (${names(validatedAll)})` : ''}; ${plural(bypassAll.length, 'library', 'libraries')} with their own crypto${bypassAll.length ? ` (${names(bypassAll)})` : ''}`;
  const sc8 = tlsAll.length ? `TLS libraries with a known default key exchange: ${names(tlsAll)}` : 'no TLS library the fact base covers was identified';
  const ir = qvAll.length ? `still quantum-vulnerable by default: ${names(qvAll)}` : 'no TLS library identified that defaults to quantum-vulnerable key exchange';
  const row = (id: string, shows: string) => {
    const c = control(id);
    return `| **${text(c.id)}** ${text(c.title)} (${text(c.framework)}) | ${text(c.text)} | ${shows} |`;
  };
  out.push('', '#### Controls', '', '| Control | What it asks | What this scan shows |', '|---|---|---|');
  out.push(row('SC-13', sc13), row('SC-8', sc8), row('3.13.11', sc13), row('IR-8547', `${ir}; deprecated after ${deadline('ir-8547-deprecated').date}, disallowed after ${deadline('ir-8547-disallowed').date}`));
  out.push('', `Dates: ${facts.deadlines.map((d) => `${d.date} ${text(d.text)}`).join('; ')}.`);
  return out.join('\n') + '\n';
}
