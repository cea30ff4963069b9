import type * as sarif from 'sarif';
import { containingFile } from '../util/paths.js';
import type { Rule } from '../engine/types.js';
import type { ScanResult, TargetResult } from '../model/result.js';
import type { Finding, Level, ScanError } from '../model/types.js';
import {
  fileRef,
  normaliseEvidence,
  normaliseScope,
  primaryEvidence,
  sortFindings,
  sortedRecord,
  targetSlugs,
  toJson,
  toUri,
  type FileRef,
} from './common.js';
import { compareStrings } from '../util/compare.js';

/**
 * SARIF 2.1.0 as GitHub code scanning ingests it (knowledge/sarif-action-cbom-tui.md §1, §7.3, §8.1):
 * one run per target with its own automationDetails.id, every enabled rule in every run, one location per
 * result, our own fingerprint under a versioned key.
 */

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Versioned key (SARIF convention `name/vN`); GitHub computes primaryLocationLineHash itself. */
export const FINGERPRINT_KEY = 'cryptauditFinding/v1';
/** uriBaseId for targets outside the working directory, whose location we must not write into the log. */
export const TARGET_ROOT_BASE_ID = 'TARGETROOT';

/** GitHub shows only the first 10 tags of a rule (sarif-limits: 20 max, 10 included). */
const MAX_TAGS = 10;
/** GitHub's limit for shortDescription / fullDescription text. */
const MAX_DESCRIPTION = 1024;

export function renderSarif(result: ScanResult): string {
  return toJson(buildSarif(result));
}

export function buildSarif(result: ScanResult): sarif.Log {
  const rules = [...result.rules].sort((a, b) => compareStrings(a.rule.id, b.rule.id));
  const ruleIndex = new Map(rules.map((r, i) => [r.rule.id, i]));
  const descriptors = rules.map(({ rule, level }) => reportingDescriptor(rule, level));
  const slugs = targetSlugs(result.targets);
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: result.targets.map((t, i) => buildRun(result, t, slugs[i]!, descriptors, ruleIndex)),
  };
}

function buildRun(
  result: ScanResult,
  target: TargetResult,
  slug: string,
  // the same descriptor objects in every run: JSON.stringify writes them out per run
  rules: sarif.ReportingDescriptor[],
  ruleIndex: Map<string, number>,
): sarif.Run {
  let outside = false;
  const located = (ref: FileRef): sarif.ArtifactLocation => {
    if (!ref.relativeToTarget) return { uri: toUri(ref.path) };
    outside = true;
    return { uri: toUri(ref.path), uriBaseId: TARGET_ROOT_BASE_ID };
  };

  const results = codeScanningFindings(target).map((f) => buildResult(target, f, ruleIndex, located));
  const notifications = [...target.errors]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : (a.line ?? 0) - (b.line ?? 0)))
    .map((e) => notification(target, e, located));
  // "every file failed": files were wanted and none parsed; a scan that found no files did not fail
  const executionSuccessful = !(target.filesExtracted > 0 && target.filesParsed === 0);

  const invocation: sarif.Invocation = { executionSuccessful };
  if (notifications.length) invocation.toolExecutionNotifications = notifications;

  const run: sarif.Run = {
    tool: {
      driver: {
        name: result.tool.name,
        semanticVersion: result.tool.version,
        rules,
      },
    },
    automationDetails: { id: `cryptaudit/${result.policy.id}/${slug}/` },
  };
  if (outside) {
    // The target's real location is machine-specific (often a temp dir), so it is described, not written.
    run.originalUriBaseIds = {
      [TARGET_ROOT_BASE_ID]: {
        description: { text: 'The root of the scan target, which lies outside the working directory.' },
      },
    };
  }
  run.invocations = [invocation];
  run.results = results;
  run.properties = { policy: result.policy.id, failOn: result.failOn };
  return run;
}

/**
 * The findings that go to code scanning. GitHub ignores SARIF `suppressions` and would show suppressed
 * results as open alerts (knowledge §1.9), so suppressed findings are left out HERE, not marked: scan()
 * already keeps them in `target.suppressed`, and a finding still marked as suppressed in `findings` (a
 * hand-built result) is dropped too. Findings whose suppression expired are uploaded again.
 */
function codeScanningFindings(target: TargetResult): Finding[] {
  return sortFindings(target.findings.filter((f) => !f.suppression || f.suppression.expired));
}

function buildResult(
  target: TargetResult,
  f: Finding,
  ruleIndex: Map<string, number>,
  located: (ref: FileRef) => sarif.ArtifactLocation,
): sarif.Result {
  const ev = primaryEvidence(f);
  let locations: sarif.Location[] | undefined;
  if (ev) {
    // an archive member (`app.war!/WEB-INF/lib/x.jar`) is located at the archive: the file code scanning can show
    const physicalLocation: sarif.PhysicalLocation = { artifactLocation: located(fileRef(target, containingFile(ev.path))) };
    if (ev.line !== undefined) physicalLocation.region = { startLine: ev.line };
    locations = [{ physicalLocation }];
  }
  const c = f.component;
  const image = ev?.layer !== undefined;
  // undefined values vanish in JSON.stringify; the literals fix the key order
  return {
    ruleId: f.ruleId,
    ruleIndex: ruleIndex.get(f.ruleId),
    level: f.level,
    message: { text: f.message },
    locations,
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties: {
      purl: c.purl,
      // evidence paths as the location names files (repo-relative); image evidence keeps its path in the image
      evidence: f.evidence.map((e) => (e.layer === undefined ? { ...normaliseEvidence(e), path: located(fileRef(target, e.path)).uri! } : normaliseEvidence(e))),
      dependencyPath: c.dependencyPath ? [...c.dependencyPath] : undefined,
      scope: normaliseScope(c.scope),
      direct: c.direct,
      captures: sortedRecord(f.captures),
      // image findings: the path inside the image and the layer that brought the file (design.md contract)
      imagePath: image ? containingFile(ev.path) : undefined,
      layer: image ? ev.layer : undefined,
      removedInLayer: image ? ev.removedIn : undefined,
    },
  };
}

function notification(
  target: TargetResult,
  e: ScanError,
  located: (ref: FileRef) => sarif.ArtifactLocation,
): sarif.Notification {
  const physicalLocation: sarif.PhysicalLocation = { artifactLocation: located(fileRef(target, e.path)) };
  if (e.line !== undefined) physicalLocation.region = { startLine: e.line };
  return { level: 'error', message: { text: e.message }, locations: [{ physicalLocation }] };
}

export function reportingDescriptor(rule: Rule, level: Level): sarif.ReportingDescriptor {
  const d: sarif.ReportingDescriptor = {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: truncate(rule.title, MAX_DESCRIPTION) },
    fullDescription: { text: truncate(rule.description, MAX_DESCRIPTION) },
  };
  const helpUri = rule.references.find((ref) => ref.url)?.url;
  if (helpUri) d.helpUri = helpUri;
  d.help = { text: helpText(rule), markdown: helpMarkdown(rule) };
  d.defaultConfiguration = { level };
  d.properties = {
    tags: ruleTags(rule),
    'security-severity': rule.severity.toFixed(1),
    precision: rule.precision ?? 'high',
  };
  return d;
}

/** 'cargo-ring-present' → 'CargoRingPresent' (the style of CodeQL/GitHub rule names). */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** 'security' makes GitHub treat results as security alerts; CWE tags follow CodeQL's `external/cwe/cwe-NNN`. */
export function ruleTags(rule: Rule): string[] {
  const tags = ['security', 'cryptography', ...rule.cwe.map((n) => `external/cwe/cwe-${n}`), ...(rule.tags ?? [])];
  return [...new Set(tags)].slice(0, MAX_TAGS);
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

function helpText(rule: Rule): string {
  const lines = [rule.remediation.trim(), '', 'References:'];
  for (const ref of rule.references) {
    let line = `- ${ref.title}`;
    if (ref.url) line += `: ${ref.url}`;
    if (ref.source) line += ` (source: ${ref.source})`;
    lines.push(line);
  }
  if (rule.advisories?.length) lines.push('', `Advisories: ${rule.advisories.join(', ')}`);
  return lines.join('\n');
}

function helpMarkdown(rule: Rule): string {
  const lines = [rule.remediation.trim(), '', '#### References', ''];
  for (const ref of rule.references) {
    let line = ref.url ? `- [${escapeMd(ref.title)}](${ref.url})` : `- ${escapeMd(ref.title)}`;
    if (ref.source) line += ` — source: \`${ref.source}\``;
    lines.push(line);
  }
  if (rule.advisories?.length) lines.push('', `Advisories: ${rule.advisories.join(', ')}`);
  return lines.join('\n');
}

function escapeMd(s: string): string {
  return s.replace(/([\\[\]])/g, '\\$1');
}
