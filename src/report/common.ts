import path from 'node:path';
import type { Evidence, Finding, Level, Scope } from '../model/types.js';
import type { TargetResult } from '../model/result.js';
import { compareStrings } from '../util/compare.js';

/**
 * Helpers every reporter shares, so SARIF, JSON and text name the same file the same way and order findings
 * the same way. Nothing here decides policy: levels and findings come from the engine as they are.
 */

const LEVEL_RANK: Record<Level, number> = { error: 0, warning: 1, note: 2 };

export function levelRank(level: Level): number {
  return LEVEL_RANK[level];
}


/**
 * The engine already sorts findings (level, rule id, purl, evidence path); sorting again here costs nothing
 * and keeps the output byte-identical even if a caller assembled the ScanResult by hand in another order.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      levelRank(a.level) - levelRank(b.level) ||
      compareStrings(a.ruleId, b.ruleId) ||
      compareStrings(a.component.purl, b.component.purl) ||
      compareStrings(primaryEvidence(a)?.path ?? '', primaryEvidence(b)?.path ?? '') ||
      compareStrings(a.fingerprint, b.fingerprint),
  );
}

/** The evidence a finding is located at: the first accepted one, else the component's own first one. */
export function primaryEvidence(f: Finding): Evidence | undefined {
  return f.evidence[0] ?? f.component.evidence[0];
}

/** 2-space JSON with a trailing newline: the one serialisation every machine format uses. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** A copy with keys in code-point order, so an engine that fills captures in another order changes nothing. */
export function sortedRecord<T>(rec: Record<string, T> | undefined): Record<string, T> | undefined {
  if (!rec) return undefined;
  const keys = Object.keys(rec).sort(compareStrings);
  if (keys.length === 0) return undefined;
  const out: Record<string, T> = {};
  for (const k of keys) out[k] = rec[k]!;
  return out;
}

/** Scope with only the flags the lockfile set, in a fixed key order; undefined when it set none. */
export function normaliseScope(scope: Scope | undefined): Scope | undefined {
  if (!scope) return undefined;
  const out: Scope = {};
  if (scope.dev !== undefined) out.dev = scope.dev;
  if (scope.optional !== undefined) out.optional = scope.optional;
  if (scope.peer !== undefined) out.peer = scope.peer;
  return Object.keys(out).length ? out : undefined;
}

/** Evidence in a fixed key order, optional keys left out when absent. */
export function normaliseEvidence(ev: Evidence): Evidence {
  // undefined values vanish in JSON.stringify; the literal fixes the key order
  return { kind: ev.kind, path: ev.path, line: ev.line, layer: ev.layer, layerCreatedBy: ev.layerCreatedBy, removedIn: ev.removedIn, detail: ev.detail };
}

/** Longest Dockerfile instruction shown in a human report; the JSON and SARIF keep it whole. */
const MAX_INSTRUCTION = 72;

/**
 * The history entry that made an image layer as the Dockerfile instruction, for a human report: one line, without
 * the classic builder's `/bin/sh -c #(nop) ` (its RUN lines are a bare `/bin/sh -c …`) and BuildKit's
 * `RUN /bin/sh -c … # buildkit` wrapping, shortened with '…'.
 */
export function instructionLabel(createdBy: string): string {
  const s = createdBy
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/ # buildkit$/, '')
    .replace(/^\/bin\/sh -c #\(nop\) */, '')
    .replace(/^(?:RUN )?\/bin\/sh -c /, 'RUN ');
  return s.length > MAX_INSTRUCTION ? `${s.slice(0, MAX_INSTRUCTION - 1)}…` : s;
}

/** Forward slashes, no leading './' or '/', no trailing '/'. */
function cleanPosix(p: string): string {
  const n = path.posix.normalize(p.replace(/\\/g, '/'));
  return n.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');
}

/**
 * True when a target's displayRoot is not under the working directory ('../x', '/abs', 'C:/x'): such a
 * prefix would put a machine-specific (often temporary) path into URIs and fingerprint-adjacent fields.
 */
export function isOutsideCwd(displayRoot: string): boolean {
  const r = displayRoot.replace(/\\/g, '/');
  return r === '..' || r.startsWith('../') || r.startsWith('/') || /^[A-Za-z]:/.test(r);
}

export interface FileRef {
  /** posix path relative to the working directory, or to the target root when `relativeToTarget` */
  path: string;
  relativeToTarget: boolean;
}

/** Where a file of a target is, as a person or GitHub (repository-relative paths) wants to see it. */
export function fileRef(target: TargetResult, evPath: string): FileRef {
  // displayRoot is the root the walk ran over (for a single-file target: its folder), so evidence paths join it
  const base = target.displayRoot.replace(/\\/g, '/');
  if (isOutsideCwd(base)) return { path: cleanPosix(evPath), relativeToTarget: true };
  return { path: cleanPosix(path.posix.join(base, evPath)), relativeToTarget: false };
}

/**
 * A path as a SARIF URI reference: every segment percent-encoded except RFC 3986 pchars, and ':' encoded as
 * well because GitHub rejects URIs with a colon (snyk/cli get-sarif-result.ts) and a first-segment colon
 * would read as a scheme.
 */
export function toUri(p: string): string {
  return p
    .split('/')
    .map((seg) => seg.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=@]/gu, (c) => encodeURIComponent(c)))
    .join('/');
}

/**
 * A short stable name for a target inside the working directory, for SARIF automationDetails.id: the
 * displayRoot with separators and anything outside [A-Za-z0-9._-] replaced, 'root' for the working directory.
 */
export function targetSlug(displayRoot: string): string {
  const r = cleanPosix(displayRoot);
  if (r === '' || r === '.') return 'root';
  const s = r.split('/').join('-').replace(/[^A-Za-z0-9._-]/g, '_');
  return /^\.+$/.test(s) ? 'root' : s;
}

/**
 * Slugs for all targets, unique in target order ('x', 'x-2', …) so two runs never share a category. A target
 * outside the working directory is 'outside-N' (N counts such targets in command-line order): its path is
 * machine-specific, often a fresh temp dir, and a category must not change between CI runs.
 */
export function targetSlugs(targets: readonly TargetResult[]): string[] {
  const used = new Set<string>();
  let outside = 0;
  return targets.map((t) => {
    const base = isOutsideCwd(t.displayRoot) ? `outside-${++outside}` : targetSlug(t.displayRoot);
    let slug = base;
    for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
    used.add(slug);
    return slug;
  });
}

/**
 * "What to do" in one line: the first sentence of the first non-empty line of a Markdown text, cut at a word
 * boundary when still long (rules write remediation as a paragraph; the full text is in JSON and SARIF help).
 */
export function whatToDo(markdown: string): string {
  const line = markdown.split(/\r?\n/).map((l) => l.trim()).find(Boolean) ?? '';
  // a sentence ends at . ! ? before a capital letter or the end, so 'e.g. `reqwest`' does not end one
  return /^.*?[.!?](?=\s+[A-Z]|$)/.exec(line)?.[0] ?? line;
}

export interface LevelCounts {
  error: number;
  warning: number;
  note: number;
}

export function countLevels(findings: readonly Finding[]): LevelCounts {
  const c: LevelCounts = { error: 0, warning: 0, note: 0 };
  for (const f of findings) c[f.level]++;
  return c;
}

/**
 * Plain text for a table cell: Markdown punctuation and HTML-significant characters escaped, line breaks
 * flattened (a newline ends a table row), so a package name or message can never become markup.
 */
export function escapeCell(s: string): string {
  return s
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~])/g, '\\$1');
}
