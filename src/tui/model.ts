/**
 * The triage UI's data, as plain functions over the JSON report (so `--from results.json` and a live scan
 * look the same): items, filtering, grouping, the rows of the list and the lines of the detail pane. No ink
 * here; views only lay these out.
 */
import type { JsonFinding, JsonReport } from '../report/json.js';
import type { Level } from '../model/types.js';
import { compareStrings } from '../util/compare.js';
import { instructionLabel } from '../report/common.js';

export interface TriageItem {
  /** unique within one session: target index + fingerprint */
  key: string;
  targetIndex: number;
  /** the target's root as the report names it (relative to cwd, or absolute) */
  displayRoot: string;
  finding: JsonFinding;
}

export type GroupBy = 'severity' | 'rule' | 'component' | 'file';
export const GROUPINGS: readonly GroupBy[] = ['severity', 'rule', 'component', 'file'];

export interface Group {
  label: string;
  items: TriageItem[];
}

export type Row = { kind: 'group'; label: string; count: number } | { kind: 'item'; item: TriageItem };

const LEVEL_RANK: Record<Level, number> = { error: 0, warning: 1, note: 2 };
const SEVERITY_WORDS: Record<string, Level> = { error: 'error', err: 'error', warning: 'warning', warn: 'warning', note: 'note' };

export function itemsFromReport(report: JsonReport): TriageItem[] {
  return report.targets.flatMap((t, i) =>
    t.findings.map((f) => ({ key: `${i}\0${f.fingerprint}\0${f.ruleId}`, targetIndex: i, displayRoot: t.displayRoot, finding: f })),
  );
}

export interface Filter {
  words: string[];
  severities: Level[];
  ecosystems: string[];
}

/**
 * `/` filter syntax: words match rule id, package, purl, message and file (all words must match,
 * case-insensitive); `sev:error` / `severity:warning,note` and `eco:npm` / `ecosystem:cargo` narrow by field.
 */
export function parseFilter(query: string): Filter {
  const f: Filter = { words: [], severities: [], ecosystems: [] };
  for (const token of query.toLowerCase().split(/\s+/).filter(Boolean)) {
    const m = /^(sev|severity|level|eco|ecosystem):(.*)$/.exec(token);
    if (!m) {
      f.words.push(token);
      continue;
    }
    const values = m[2]!.split(',').filter(Boolean);
    if (m[1]!.startsWith('eco')) f.ecosystems.push(...values);
    else for (const v of values) f.severities.push(SEVERITY_WORDS[v] ?? (v as Level));
  }
  return f;
}

export function matchesFilter(item: TriageItem, filter: Filter): boolean {
  const f = item.finding;
  if (filter.severities.length && !filter.severities.includes(f.level)) return false;
  if (filter.ecosystems.length && !filter.ecosystems.includes(f.ecosystem)) return false;
  if (!filter.words.length) return true;
  const hay = [f.ruleId, f.name, f.version ?? '', f.purl, f.message, fileOf(item), ...(f.dependencyPath ?? [])].join('\n').toLowerCase();
  return filter.words.every((w) => hay.includes(w));
}

/** The file a finding points at, as a person would type it (target root in front when not '.'). */
export function fileOf(item: TriageItem): string {
  const p = item.finding.location?.path ?? item.finding.evidence[0]?.path ?? '';
  return p;
}

export function componentLabel(f: JsonFinding): string {
  return f.version !== undefined ? `${f.name}@${f.version}` : f.name;
}


export function groupItems(items: readonly TriageItem[], by: GroupBy): Group[] {
  const keyOf = (it: TriageItem): string => {
    const f = it.finding;
    switch (by) {
      case 'severity':
        return f.level;
      case 'rule':
        return f.ruleId;
      case 'component':
        return componentLabel(f);
      case 'file': {
        const layer = f.evidence[0]?.layer;
        return layer ? `${fileOf(it)} (layer ${layer.slice(0, 19)})` : fileOf(it);
      }
    }
  };
  const groups = new Map<string, TriageItem[]>();
  for (const it of items) {
    const k = keyOf(it);
    const list = groups.get(k);
    if (list) list.push(it);
    else groups.set(k, [it]);
  }
  const sorted = [...groups.entries()].sort(([a], [b]) =>
    by === 'severity' ? LEVEL_RANK[a as Level] - LEVEL_RANK[b as Level] : compareStrings(a, b),
  );
  return sorted.map(([k, list]) => ({ label: by === 'severity' ? k.toUpperCase() : k, items: list }));
}

export function rowsOf(groups: readonly Group[]): Row[] {
  return groups.flatMap((g): Row[] => [{ kind: 'group', label: g.label, count: g.items.length }, ...g.items.map((item) => ({ kind: 'item' as const, item }))]);
}

/** Items in display order (the order j/k walk). */
export function orderedItems(groups: readonly Group[]): TriageItem[] {
  return groups.flatMap((g) => g.items);
}

export type LineStyle = 'title' | 'heading' | 'dim' | 'plain' | 'warn' | Level;
export interface Line {
  text: string;
  style: LineStyle;
}

/** Greedy word wrap; words longer than the width are cut. */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(8, width);
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (let word of para.split(/\s+/).filter(Boolean)) {
      while (word.length > w) {
        if (line) {
          out.push(line);
          line = '';
        }
        out.push(word.slice(0, w));
        word = word.slice(w);
      }
      if (line && line.length + 1 + word.length > w) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out;
}

function where(item: TriageItem, path: string, line: number | undefined): string {
  const root = item.displayRoot === '.' ? '' : `${item.displayRoot.replace(/\/+$/, '')}/`;
  return `${root}${path}${line !== undefined ? `:${line}` : ''}`;
}

/** Everything about one finding, wrapped to `width` columns. */
export function detailLines(item: TriageItem, width: number): Line[] {
  const f = item.finding;
  const out: Line[] = [];
  const push = (text: string, style: LineStyle, indent = 0) => {
    for (const l of wrap(text, width - indent)) out.push({ text: ' '.repeat(indent) + l, style });
  };
  push(`${f.level.toUpperCase()}  ${f.ruleId}`, f.level);
  push(`${componentLabel(f)}  ${f.purl}${f.scope?.dev ? '  (dev)' : ''}`, 'title');
  out.push({ text: '', style: 'plain' });
  push(f.message, 'plain');
  if (f.suppression?.expired) {
    out.push({ text: '', style: 'plain' });
    push(`Suppression expired on ${f.suppression.expires} (${f.suppression.file}${f.suppression.line ? `:${f.suppression.line}` : ''}): ${f.suppression.reason}`, 'warn');
  }
  out.push({ text: '', style: 'plain' });
  out.push({ text: 'Evidence', style: 'heading' });
  for (const e of f.evidence) {
    const made = e.layerCreatedBy ? `, from ${instructionLabel(e.layerCreatedBy)}` : '';
    push(`${e.kind}  ${where(item, e.path, e.line)}${e.layer ? `  layer ${e.layer}${made}` : ''}`, 'plain', 2);
    push(e.detail, 'dim', 4);
  }
  if (f.dependencyPath?.length) {
    out.push({ text: 'Dependency path', style: 'heading' });
    push(f.dependencyPath.join(' → '), 'plain', 2);
  }
  if (f.remediation) {
    out.push({ text: 'What to do', style: 'heading' });
    for (const para of f.remediation.trim().split(/\n\s*\n/)) push(para.replace(/\s*\n\s*/g, ' '), 'plain', 2);
  }
  if (f.references?.length) {
    out.push({ text: 'References', style: 'heading' });
    for (const r of f.references) {
      push(`• ${r.title}`, 'plain', 2);
      if (r.url) push(r.url, 'dim', 4);
      if (r.source) push(r.source, 'dim', 4);
    }
  }
  out.push({ text: 'Fingerprint', style: 'heading' });
  push(f.fingerprint, 'dim', 2);
  return out;
}

/** Fit a string into `width` columns (an ellipsis marks the cut). */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + '…';
}
