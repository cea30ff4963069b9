/**
 * Baselines: which findings are new. A finding is known when its fingerprint (rule id, purl without version,
 * evidence path — src/model/fingerprint.ts) is in the baseline, so a version bump of a package that was
 * already there is not new, while a package added anywhere else is. Shared by `cryptaudit scan --baseline`
 * and the Action's `only-new`.
 */
import { promises as fs } from 'node:fs';
import type * as sarif from 'sarif';
import type { ScanResult } from './model/result.js';
import type { Finding } from './model/types.js';
import { exitCodeFor } from './index.js';
import { buildSarif, FINGERPRINT_KEY } from './report/sarif.js';
import { toJson } from './report/common.js';

/** A baseline file that cannot be used; the message names the file. */
export class BaselineError extends Error {}

export interface Baseline {
  /** where the fingerprints came from, for messages */
  source: string;
  fingerprints: ReadonlySet<string>;
}

/**
 * Fingerprints from a previous report: cryptaudit JSON (`targets[].findings[].fingerprint`) or SARIF
 * (`runs[].results[].partialFingerprints["cryptauditFinding/v1"]`, results of other tools are ignored).
 */
export function parseBaseline(text: string, source: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`${source}: not JSON (${(e as Error).message}); --baseline takes a cryptaudit JSON or SARIF report`);
  }
  const fingerprints = new Set<string>();
  const o = doc as { runs?: unknown; targets?: unknown; version?: unknown };
  if (o && typeof o === 'object' && Array.isArray(o.runs)) {
    for (const run of o.runs as sarif.Run[]) {
      for (const r of run?.results ?? []) {
        const fp = r?.partialFingerprints?.[FINGERPRINT_KEY];
        if (typeof fp === 'string') fingerprints.add(fp);
      }
    }
    return { source, fingerprints };
  }
  if (o && typeof o === 'object' && Array.isArray(o.targets)) {
    for (const t of o.targets as Array<{ findings?: Array<{ fingerprint?: unknown }> }>) {
      for (const f of t?.findings ?? []) if (typeof f?.fingerprint === 'string') fingerprints.add(f.fingerprint);
    }
    return { source, fingerprints };
  }
  throw new BaselineError(`${source}: neither a SARIF log (runs[]) nor a cryptaudit JSON report (targets[])`);
}

export async function readBaseline(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new BaselineError(`${file}: cannot read baseline: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseBaseline(text, file);
}

/** Fingerprints of every finding of a scan (a baseline made in-process, e.g. from the base commit). */
export function baselineOf(result: ScanResult, source: string): Baseline {
  return { source, fingerprints: new Set(result.targets.flatMap((t) => t.findings.map((f) => f.fingerprint))) };
}

export function isNew(f: Finding, baseline: Baseline): boolean {
  return !baseline.fingerprints.has(f.fingerprint);
}

/**
 * The result with only the findings that are not in the baseline, and the exit code recomputed from them:
 * what text, JSON and Markdown report and what fails the run.
 */
export function onlyNew(result: ScanResult, baseline: Baseline): ScanResult {
  const targets = result.targets.map((t) => ({ ...t, findings: t.findings.filter((f) => isNew(f, baseline)) }));
  return { ...result, targets, exitCode: exitCodeFor(targets, result.failOn) };
}

/**
 * SARIF keeps every result and marks each `baselineState` 'new' or 'unchanged': code scanning compares
 * analyses itself, and results left out of an upload would close their alerts as fixed (knowledge §1.7).
 */
export function markBaselineState(log: sarif.Log, baseline: Baseline): sarif.Log {
  for (const run of log.runs) {
    for (const r of run.results ?? []) {
      const fp = r.partialFingerprints?.[FINGERPRINT_KEY];
      r.baselineState = fp !== undefined && baseline.fingerprints.has(fp) ? 'unchanged' : 'new';
    }
  }
  return log;
}

/** `--format sarif --baseline`: every result, each marked new or unchanged. */
export function renderSarifWithBaseline(result: ScanResult, baseline: Baseline): string {
  return toJson(markBaselineState(buildSarif(result), baseline));
}
