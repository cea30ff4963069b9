import type { ScanResult, TargetResult } from '../model/result.js';
import type { Finding, Level, Scope } from '../model/types.js';
import { countLevels, fileRef, instructionLabel, whatToDo, primaryEvidence, sortFindings, type LevelCounts } from './common.js';

/**
 * `--format text`: what a person reads in a terminal. Findings grouped by level (errors first), each with
 * where it is, how it got there and what to do. Colour only when the caller asks (the CLI decides from
 * TTY / NO_COLOR / FORCE_COLOR); plain ANSI SGR codes.
 */

export interface TextOptions {
  color?: boolean;
}

type Style = (s: string) => string;

interface Palette {
  error: Style;
  warning: Style;
  note: Style;
  bold: Style;
  dim: Style;
}

const sgr =
  (open: number, close: number): Style =>
  (s) =>
    `\x1b[${open}m${s}\x1b[${close}m`;
const plain: Style = (s) => s;

function palette(color: boolean): Palette {
  if (!color) return { error: plain, warning: plain, note: plain, bold: plain, dim: plain };
  return { error: sgr(31, 39), warning: sgr(33, 39), note: sgr(36, 39), bold: sgr(1, 22), dim: sgr(2, 22) };
}

const HEADINGS: Record<Level, string> = { error: 'ERRORS', warning: 'WARNINGS', note: 'NOTES' };
const ORDER: readonly Level[] = ['error', 'warning', 'note'];

function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

function scopeLabel(scope: Scope | undefined): string | undefined {
  if (!scope) return undefined;
  const parts = (['dev', 'optional', 'peer'] as const).filter((k) => scope[k]);
  return parts.length ? parts.join(', ') : undefined;
}

function where(t: TargetResult, path: string, line: number | undefined): string {
  const ref = fileRef(t, path);
  // a path relative to a target outside the cwd is shown with the target in front, as the user named it
  const p = ref.relativeToTarget ? `${t.target.replace(/[\\/]+$/, '')}/${ref.path}` : ref.path;
  return line !== undefined ? `${p}:${line}` : p;
}

export function renderText(result: ScanResult, options: TextOptions = {}): string {
  const c = palette(options.color ?? false);
  const out: string[] = [];

  out.push(`${c.bold('cryptaudit')} ${result.tool.version} — policy ${c.bold(result.policy.id)} (${result.policy.title}), fail on ${result.failOn}`);
  for (const t of result.targets) {
    out.push(
      `  target ${t.displayRoot} (${t.kind}): ${plural(t.components.length, 'component')} from ${plural(t.filesParsed, 'file')}` +
        (t.errors.length ? `, ${plural(t.errors.length, 'file')} could not be read` : ''),
    );
  }

  const all: Array<{ t: TargetResult; f: Finding }> = [];
  for (const t of result.targets) for (const f of sortFindings(t.findings)) all.push({ t, f });

  for (const level of ORDER) {
    const group = all.filter((x) => x.f.level === level);
    if (group.length === 0) continue;
    out.push('', c[level](c.bold(`${HEADINGS[level]} (${group.length})`)));
    for (const { t, f } of group) {
      const comp = f.component;
      const id = comp.version !== undefined ? `${comp.name}@${comp.version}` : comp.name;
      const scope = scopeLabel(comp.scope);
      out.push('', `  ${c[level](level)} ${c.bold(f.ruleId)}  ${id}${scope ? c.dim(` (${scope})`) : ''}`);
      out.push(`    ${wrap(f.message, WIDTH - 4).join('\n    ')}`);
      const ev = primaryEvidence(f);
      if (ev) {
        const made = ev.layerCreatedBy ? `, from ${instructionLabel(ev.layerCreatedBy)}` : '';
        out.push(`    ${c.dim('at')}    ${where(t, ev.path, ev.line)}${ev.layer ? c.dim(` (layer ${ev.layer}${made})`) : ''}`);
      }
      if (comp.dependencyPath && comp.dependencyPath.length) out.push(`    ${c.dim('via')}   ${comp.dependencyPath.join(' → ')}`);
      const rule = result.rules.find((r) => r.rule.id === f.ruleId)?.rule;
      const fix = rule ? whatToDo(rule.remediation) : '';
      if (fix) out.push(`    ${c.dim('fix')}   ${wrap(fix, WIDTH - 10).join(`\n${' '.repeat(10)}`)}`);
      const s = f.suppression;
      if (s?.expired) {
        const note = `suppression expired on ${s.expires} (${entryPlace(s)}): ${s.reason}`;
        out.push(`    ${c.warning('note')}  ${wrap(note, WIDTH - 10).join(`\n${' '.repeat(10)}`)}`);
      }
    }
  }

  // suppressed findings: listed with the reason, left out of the counts and the exit code
  const suppressed = result.targets.flatMap((t) => sortFindings(t.suppressed ?? []).map((f) => ({ t, f })));
  if (suppressed.length) {
    out.push('', c.dim(c.bold(`SUPPRESSED (${suppressed.length})`)));
    for (const { t, f } of suppressed) {
      const comp = f.component;
      const id = comp.version !== undefined ? `${comp.name}@${comp.version}` : comp.name;
      const ev = primaryEvidence(f);
      const s = f.suppression!;
      out.push(`  ${f.level} ${f.ruleId}  ${id}${ev ? c.dim(`  ${where(t, ev.path, ev.line)}`) : ''}`);
      out.push(`    ${c.dim('until')} ${s.expires}  ${wrap(s.reason, WIDTH - 21).join(`\n${' '.repeat(21)}`)}`);
    }
  }
  const stale = result.suppressions;
  for (const [heading, list] of [
    ['UNUSED SUPPRESSIONS', stale?.unused ?? []],
    ['EXPIRED SUPPRESSIONS', stale?.expired ?? []],
  ] as const) {
    if (!list.length) continue;
    out.push('', c.warning(c.bold(`${heading} (${list.length})`)));
    for (const e of list) out.push(`  ${entryPlace(e)}: ${e.rule} ${e.purl}${heading.startsWith('EXPIRED') ? ` (expired ${e.expires})` : ''} — ${e.reason}`);
  }

  const errors = result.targets.flatMap((t) =>
    [...t.errors]
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : (a.line ?? 0) - (b.line ?? 0)))
      .map((e) => ({ t, e })),
  );
  if (errors.length) {
    out.push('', c.error(c.bold(`COULD NOT BE READ (${errors.length})`)));
    for (const { t, e } of errors) out.push(`  ${where(t, e.path, e.line)}: ${e.message}`);
  }

  const counts: LevelCounts = countLevels(all.map((x) => x.f));
  const components = result.targets.reduce((n, t) => n + t.components.length, 0);
  const summary =
    `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.note, 'note')}` +
    ` in ${plural(components, 'component')} (${plural(result.targets.length, 'target')})` +
    (errors.length ? `; ${plural(errors.length, 'file')} could not be read` : '') +
    (suppressed.length ? `; ${suppressed.length} suppressed` : '');
  out.push('', all.length === 0 && errors.length === 0 ? `No findings: ${summary}.` : `${summary}.`);
  return out.join('\n') + '\n';
}

function entryPlace(e: { file: string; line?: number }): string {
  return e.line !== undefined ? `${e.file}:${e.line}` : e.file;
}

/** Text width for wrapped lines: the whole sentence of what to do is worth more than one short line. */
const WIDTH = 100;

/** Greedy word wrap; a word longer than the width stays whole on its own line. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
