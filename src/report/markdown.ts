import type { ScanResult, TargetResult } from '../model/result.js';
import type { Finding, Level } from '../model/types.js';
import { renderAssessorSection } from './assessor.js';
import { countLevels, escapeCell, fileRef, instructionLabel, primaryEvidence, sortFindings, whatToDo } from './common.js';

export { escapeCell };

/**
 * `--format markdown`: the GitHub job summary, also for other CI systems (GitLab merge request notes, Jenkins
 * Markdown publishers). Counts, then one table row per finding — component, where, why, what to do — and the
 * files that could not be read. GitHub accepts at most 1 MiB per step summary (knowledge/sarif-action-cbom-tui.md
 * §2.5), so rows stop before that size and a note says how many were left out.
 */

export interface MarkdownOptions {
  /** size limit of the whole document in UTF-8 bytes (default: GitHub's 1 MiB step-summary limit) */
  maxBytes?: number;
  /** heading text (default: 'cryptaudit') */
  title?: string;
  /** a paragraph under the counts, e.g. what the findings were compared with */
  note?: string;
  /** append the assessor evidence section (assessor.ts); `--format markdown` turns it on, the Action summary does not */
  assessor?: boolean;
}

/** GitHub's job summary limit per step: 1 MiB. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

const ORDER: readonly Level[] = ['error', 'warning', 'note'];

function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}


/** Markdown written by rule authors (remediation) in a table cell: kept as Markdown, only row-breaking characters neutralised. */
function markdownCell(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** Inline code for a cell; a backtick inside cannot occur in purls or paths we emit, but is dropped to be safe. */
function code(s: string): string {
  return '`' + s.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\r?\n/g, ' ') + '`';
}

function where(t: TargetResult, f: Finding): string {
  const ev = primaryEvidence(f);
  if (!ev) return '';
  const ref = fileRef(t, ev.path);
  const p = ref.relativeToTarget ? `${t.target.replace(/[\\/]+$/, '')}/${ref.path}` : ref.path;
  let s = code(ev.line !== undefined ? `${p}:${ev.line}` : p);
  if (ev.layer) {
    const made = ev.layerCreatedBy ? `, from ${code(instructionLabel(ev.layerCreatedBy))}` : '';
    s += ` (layer ${code(ev.layer.length > 19 ? ev.layer.slice(0, 19) + '…' : ev.layer)}${made})`;
  }
  return s;
}

function component(f: Finding): string {
  const c = f.component;
  let s = code(c.version !== undefined ? `${c.name}@${c.version}` : c.name);
  const scope = c.scope ? (['dev', 'optional', 'peer'] as const).filter((k) => c.scope![k]) : [];
  if (scope.length) s += ` (${scope.join(', ')})`;
  return s;
}

function why(f: Finding): string {
  let s = escapeCell(f.message);
  const dp = f.component.dependencyPath;
  if (dp && dp.length > 1) s += `<br>via ${escapeCell(dp.join(' → '))}`;
  return s;
}

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

export function renderMarkdown(result: ScanResult, options: MarkdownOptions = {}): string {
  const maxBytes = options.maxBytes ?? SUMMARY_LIMIT_BYTES;
  const all: Array<{ t: TargetResult; f: Finding }> = [];
  for (const t of result.targets) for (const f of sortFindings(t.findings)) all.push({ t, f });
  // errors first across targets; stable within a level (targets in order, engine order inside)
  all.sort((a, b) => ORDER.indexOf(a.f.level) - ORDER.indexOf(b.f.level));
  const counts = countLevels(all.map((x) => x.f));
  const components = result.targets.reduce((n, t) => n + t.components.length, 0);
  const readErrors = result.targets.flatMap((t) =>
    [...t.errors].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : (a.line ?? 0) - (b.line ?? 0))).map((e) => ({ t, e })),
  );
  const fixes = new Map(result.rules.map((r) => [r.rule.id, whatToDo(r.rule.remediation)]));

  const head: string[] = [];
  head.push(`## ${escapeCell(options.title ?? 'cryptaudit')}`, '');
  head.push(
    `**${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.note, 'note')}**` +
      ` in ${plural(components, 'component')} (${plural(result.targets.length, 'target')})` +
      (readErrors.length ? `; ${plural(readErrors.length, 'file')} could not be read` : '') +
      ` — policy \`${result.policy.id}\` (${escapeCell(result.policy.title)}), fails on ${result.failOn}, cryptaudit ${result.tool.version}`,
  );
  if (options.note) head.push('', options.note);
  head.push('');

  const tail: string[] = [];
  if (options.assessor) tail.push('', renderAssessorSection(result).trimEnd());
  if (readErrors.length) {
    tail.push('', `### Could not be read (${readErrors.length})`, '');
    for (const { t, e } of readErrors) {
      const ref = fileRef(t, e.path);
      const p = ref.relativeToTarget ? `${t.target.replace(/[\\/]+$/, '')}/${ref.path}` : ref.path;
      tail.push(`- ${code(e.line !== undefined ? `${p}:${e.line}` : p)}: ${escapeCell(e.message)}`);
    }
  }

  const rows: string[] = [];
  if (all.length) {
    rows.push('| Level | Component | Where | Why | What to do | Rule |', '|---|---|---|---|---|---|');
    for (const { t, f } of all) {
      rows.push(`| ${f.level === 'error' ? '**error**' : f.level} | ${component(f)} | ${where(t, f)} | ${why(f)} | ${markdownCell(fixes.get(f.ruleId) ?? '')} | ${code(f.ruleId)} |`);
    }
  } else {
    rows.push('No findings.');
  }

  const join = (body: string[]) => [...head, ...body, ...tail].join('\n') + '\n';
  const full = join(rows);
  if (utf8(full) <= maxBytes) return full;

  // Too big: keep the table header and as many rows as fit with the note; the tail (unreadable files) stays.
  let budget = maxBytes - utf8(join([]));
  const kept: string[] = [];
  const header = rows.slice(0, 2);
  budget -= utf8(header.join('\n')) + 1;
  const findingRows = rows.slice(2);
  const noteFor = (left: number) =>
    `\n_${plural(left, 'more finding')} not shown: the summary is limited to ${Math.floor(maxBytes / 1024)} KiB. The SARIF or JSON report has them all._`;
  for (let i = 0; i < findingRows.length; i++) {
    const row = findingRows[i]!;
    const cost = utf8(row) + 1;
    if (cost + utf8(noteFor(findingRows.length - i)) + 1 > budget) break;
    kept.push(row);
    budget -= cost;
  }
  const left = findingRows.length - kept.length;
  const body = kept.length ? [...header, ...kept, noteFor(left)] : [noteFor(left).trimStart()];
  return join(body);
}
