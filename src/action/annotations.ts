import type { ScanResult, TargetResult } from '../model/result.js';
import type { Finding, Level } from '../model/types.js';
import { fileRef, primaryEvidence, sortFindings, whatToDo } from '../report/common.js';

/**
 * Annotations for the top findings. GitHub shows at most 10 error and 10 warning annotations per step
 * (knowledge/sarif-action-cbom-tui.md §2.5); notices are capped the same way. Lockfile findings carry the
 * file and the line of the package entry, so the annotation sits on the line in the pull request's diff.
 */

export const ANNOTATIONS_PER_LEVEL = 10;

export interface Annotation {
  level: Level;
  message: string;
  title: string;
  /** repository-relative file, absent for image findings (a path inside an image is no file of the repository) */
  file?: string;
  startLine?: number;
}

export interface AnnotationPlan {
  annotations: Annotation[];
  /** findings per level that did not get one */
  omitted: Record<Level, number>;
}

function annotation(result: ScanResult, t: TargetResult, f: Finding): Annotation {
  const c = f.component;
  const ev = primaryEvidence(f);
  const fix = whatToDo(result.rules.find((r) => r.rule.id === f.ruleId)?.rule.remediation ?? '');
  const via = c.dependencyPath && c.dependencyPath.length > 1 ? ` Via ${c.dependencyPath.join(' → ')}.` : '';
  const a: Annotation = {
    level: f.level,
    title: `${f.ruleId}: ${c.version !== undefined ? `${c.name}@${c.version}` : c.name}`,
    message: `${f.message}${via}${fix ? ` What to do: ${fix}` : ''}`,
  };
  if (ev && ev.layer === undefined) {
    const ref = fileRef(t, ev.path);
    // a target outside the workspace has no repository path to point at
    if (!ref.relativeToTarget) {
      a.file = ref.path;
      if (ev.line !== undefined) a.startLine = ev.line;
    }
  }
  return a;
}

export function planAnnotations(result: ScanResult, perLevel = ANNOTATIONS_PER_LEVEL): AnnotationPlan {
  const annotations: Annotation[] = [];
  const used: Record<Level, number> = { error: 0, warning: 0, note: 0 };
  const omitted: Record<Level, number> = { error: 0, warning: 0, note: 0 };
  const all = result.targets.flatMap((t) => sortFindings(t.findings).map((f) => ({ t, f })));
  // most severe first (rule security severity breaks ties within a level), stable otherwise
  const severity = new Map(result.rules.map((r) => [r.rule.id, r.rule.severity]));
  all.sort((a, b) => rank(a.f.level) - rank(b.f.level) || (severity.get(b.f.ruleId) ?? 0) - (severity.get(a.f.ruleId) ?? 0));
  for (const { t, f } of all) {
    if (used[f.level] >= perLevel) {
      omitted[f.level]++;
      continue;
    }
    used[f.level]++;
    annotations.push(annotation(result, t, f));
  }
  return { annotations, omitted };
}

function rank(l: Level): number {
  return l === 'error' ? 0 : l === 'warning' ? 1 : 2;
}
