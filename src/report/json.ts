import type { Rule } from '../engine/types.js';
import type { FailOn, ScanResult, TargetResult } from '../model/result.js';
import type { Finding } from '../model/types.js';
import type { Ecosystem, Evidence, FindingSuppression, Level, Reference, Scope, SuppressionEntry } from '../model/types.js';
import {
  countLevels,
  fileRef,
  normaliseEvidence,
  normaliseScope,
  primaryEvidence,
  sortFindings,
  sortedRecord,
  toJson,
  type LevelCounts,
} from './common.js';
import { compareStrings } from '../util/compare.js';

/**
 * `--format json`: a stable, documented shape for scripts (schema/cryptaudit-result.schema.json). Bump
 * JSON_SCHEMA_VERSION on any change that could break a reader (renamed/removed field, changed meaning);
 * adding an optional field is not such a change.
 */
export const JSON_SCHEMA_VERSION = 1;

export interface JsonLocation {
  /** posix path relative to the working directory, or to the target root when `relativeTo` is 'target' */
  path: string;
  relativeTo: 'cwd' | 'target';
  line?: number;
}

export interface JsonFinding {
  ruleId: string;
  level: Level;
  message: string;
  purl: string;
  name: string;
  version?: string;
  ecosystem: Ecosystem;
  scope?: Scope;
  direct?: boolean;
  dependencyPath?: string[];
  location?: JsonLocation;
  evidence: Evidence[];
  fingerprint: string;
  captures?: Record<string, string>;
  remediation?: string;
  references?: Reference[];
  /** the suppressions entry that matched: in `suppressed`, or (expired: true) a finding again */
  suppression?: FindingSuppression;
}

/** A suppressions entry to clean up (unused or expired). */
export type JsonSuppressionEntry = SuppressionEntry;

export interface JsonComponent {
  purl: string;
  name: string;
  version?: string;
  ecosystem: Ecosystem;
  /** rule ids that matched this component, sorted */
  rules: string[];
}

export interface JsonSummary extends LevelCounts {
  findings: number;
  components: number;
  filesExtracted: number;
  filesParsed: number;
  errors: number;
  /** findings left out by suppressions in force (not counted in findings/error/warning/note) */
  suppressed?: number;
}

export interface JsonTarget {
  target: string;
  displayRoot: string;
  kind: TargetResult['kind'];
  /** image targets: name, digest, platform, layers with history, files deleted by later layers */
  image?: TargetResult['image'];
  /** OS FIPS configuration (images and OS root directories) */
  osFips?: TargetResult['osFips'];
  summary: JsonSummary;
  findings: JsonFinding[];
  /** findings suppressions in force leave out, with the entry's reason; only when there are some */
  suppressed?: JsonFinding[];
  components: JsonComponent[];
  errors: Array<{ path: string; location: JsonLocation; message: string }>;
}

export interface JsonRule {
  id: string;
  level: Level;
  title: string;
  severity: number;
  precision: NonNullable<Rule['precision']>;
  cwe: number[];
  tags: string[];
  advisories: string[];
}

export interface JsonReport {
  schemaVersion: typeof JSON_SCHEMA_VERSION;
  tool: ScanResult['tool'];
  policy: ScanResult['policy'];
  failOn: FailOn;
  exitCode: ScanResult['exitCode'];
  summary: JsonSummary & { targets: number };
  targets: JsonTarget[];
  rules: JsonRule[];
  /** when suppressions were read: the files, and entries that match nothing or have expired */
  suppressions?: { files: string[]; unused: JsonSuppressionEntry[]; expired: JsonSuppressionEntry[] };
}

export function renderJson(result: ScanResult): string {
  return toJson(buildJson(result));
}

export function buildJson(result: ScanResult): JsonReport {
  const ruleById = new Map(result.rules.map((r) => [r.rule.id, r.rule]));
  const targets = result.targets.map((t) => buildTarget(t, ruleById));
  const sum = (k: keyof JsonSummary) => targets.reduce((n, t) => n + (t.summary[k] ?? 0), 0);
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: result.tool.name, version: result.tool.version },
    policy: { id: result.policy.id, title: result.policy.title },
    failOn: result.failOn,
    exitCode: result.exitCode,
    summary: {
      error: sum('error'),
      warning: sum('warning'),
      note: sum('note'),
      findings: sum('findings'),
      components: sum('components'),
      filesExtracted: sum('filesExtracted'),
      filesParsed: sum('filesParsed'),
      errors: sum('errors'),
      suppressed: result.targets.some((t) => t.suppressed?.length) ? sum('suppressed') : undefined,
      targets: targets.length,
    },
    targets,
    rules: [...result.rules]
      .sort((a, b) => compareStrings(a.rule.id, b.rule.id))
      .map(({ rule, level }) => ({
        id: rule.id,
        level,
        title: rule.title,
        severity: rule.severity,
        precision: rule.precision ?? 'high',
        cwe: [...rule.cwe],
        tags: [...(rule.tags ?? [])],
        advisories: [...(rule.advisories ?? [])],
      })),
    suppressions: result.suppressions
      ? { files: [...result.suppressions.files], unused: result.suppressions.unused.map(jsonEntry), expired: result.suppressions.expired.map(jsonEntry) }
      : undefined,
  };
}

function jsonEntry(e: SuppressionEntry): JsonSuppressionEntry {
  // fixed key order; undefined values vanish in JSON.stringify
  return { rule: e.rule, purl: e.purl, fingerprint: e.fingerprint, reason: e.reason, expires: e.expires, created: e.created, by: e.by, file: e.file, line: e.line };
}

function jsonSuppression(s: FindingSuppression | undefined): FindingSuppression | undefined {
  if (!s) return undefined;
  return { reason: s.reason, expires: s.expires, created: s.created, by: s.by, file: s.file, line: s.line, expired: s.expired };
}

function location(t: TargetResult, path: string, line: number | undefined): JsonLocation {
  const ref = fileRef(t, path);
  return { path: ref.path, relativeTo: ref.relativeToTarget ? 'target' : 'cwd', line };
}

function buildTarget(t: TargetResult, ruleById: Map<string, Rule>): JsonTarget {
  // Optional fields are set to undefined rather than left out: JSON.stringify drops them, and the key order
  // stays the one written here.
  const toJsonFinding = (f: Finding): JsonFinding => {
    const c = f.component;
    const ev = primaryEvidence(f);
    const rule = ruleById.get(f.ruleId);
    return {
      ruleId: f.ruleId,
      level: f.level,
      message: f.message,
      purl: c.purl,
      name: c.name,
      version: c.version,
      ecosystem: c.ecosystem,
      scope: normaliseScope(c.scope),
      direct: c.direct,
      dependencyPath: c.dependencyPath ? [...c.dependencyPath] : undefined,
      location: ev ? location(t, ev.path, ev.line) : undefined,
      evidence: f.evidence.map(normaliseEvidence),
      fingerprint: f.fingerprint,
      captures: sortedRecord(f.captures),
      remediation: rule?.remediation,
      references: rule?.references.map((r) => ({ title: r.title, url: r.url, source: r.source })),
      suppression: jsonSuppression(f.suppression),
    };
  };
  const findings = sortFindings(t.findings).map(toJsonFinding);
  const suppressed = t.suppressed?.length ? sortFindings(t.suppressed).map(toJsonFinding) : undefined;

  // one entry per component with findings, keyed by purl + where it was found (the same purl can sit in two lockfiles)
  const byKey = new Map<string, JsonComponent>();
  for (const f of t.findings) {
    const c = f.component;
    const key = `${c.purl}\0${c.evidence.map((e) => e.path).join('\0')}`;
    let jc = byKey.get(key);
    if (!jc) {
      jc = { purl: c.purl, name: c.name, version: c.version, ecosystem: c.ecosystem, rules: [] };
      byKey.set(key, jc);
    }
    if (!jc.rules.includes(f.ruleId)) jc.rules.push(f.ruleId);
  }
  const components = [...byKey.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([, c]) => ({ ...c, rules: c.rules.sort() }));

  const errors = [...t.errors]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : (a.line ?? 0) - (b.line ?? 0)))
    .map((e) => ({ path: e.path, location: location(t, e.path, e.line), message: e.message }));

  const counts = countLevels(t.findings);
  return {
    target: t.target,
    displayRoot: t.displayRoot,
    kind: t.kind,
    image: t.image,
    osFips: t.osFips,
    summary: {
      ...counts,
      findings: t.findings.length,
      components: t.components.length,
      filesExtracted: t.filesExtracted,
      filesParsed: t.filesParsed,
      errors: t.errors.length,
      suppressed: suppressed?.length,
    },
    findings,
    suppressed,
    components,
    errors,
  };
}
