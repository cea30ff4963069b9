/**
 * The triage UI as a pure reducer: one state, one key at a time. Keys are applied through functional
 * updates so fast typing (a paste, tmux send-keys) never works on a stale state.
 */
import type { Key } from 'ink';
import { addDays, daysBetween, isRealDay } from '../suppress/dates.js';
import { GROUPINGS, groupItems, matchesFilter, orderedItems, parseFilter, type GroupBy, type TriageItem } from './model.js';

export type Mode = 'list' | 'detail' | 'filter' | 'help' | 'reason' | 'expiry' | 'saving';

export interface TriageState {
  mode: Mode;
  /** findings still open (suppressed ones leave the list) */
  items: TriageItem[];
  groupBy: GroupBy;
  query: string;
  /** the query before `/` was pressed: esc in the filter line goes back to it */
  queryBefore: string;
  /** key of the item under the cursor; kept across regrouping and filtering */
  cursor?: string;
  selected: string[];
  detailScroll: number;
  /** suppress dialog */
  targets: string[];
  reason: string;
  expiry: string;
  /** set when the dialog is confirmed; the view performs the write and reports back */
  pending?: { keys: string[]; reason: string; expires: string };
  message?: { text: string; error: boolean };
  suppressedCount: number;
  quit: boolean;
  today: string;
  maxDays: number;
  defaultDays: number;
}

export type Action =
  | { type: 'key'; input: string; key: Partial<Key>; view: { detailMax: number; page: number } }
  | { type: 'saved'; keys: string[]; text: string }
  | { type: 'failed'; text: string };

export function initialState(items: TriageItem[], env: { today: string; maxDays: number; defaultDays: number }): TriageState {
  return {
    mode: 'list',
    items,
    groupBy: 'severity',
    query: '',
    queryBefore: '',
    cursor: undefined,
    selected: [],
    detailScroll: 0,
    targets: [],
    reason: '',
    expiry: '',
    suppressedCount: 0,
    quit: false,
    ...env,
  };
}

/** The items shown, in display order (filtered, grouped). */
export function visibleItems(s: TriageState): TriageItem[] {
  const filter = parseFilter(s.query);
  return orderedItems(groupItems(s.items.filter((i) => matchesFilter(i, filter)), s.groupBy));
}

export function cursorIndex(s: TriageState, visible: readonly TriageItem[] = visibleItems(s)): number {
  const i = s.cursor === undefined ? -1 : visible.findIndex((v) => v.key === s.cursor);
  return i === -1 ? 0 : i;
}

export function currentItem(s: TriageState): TriageItem | undefined {
  const v = visibleItems(s);
  return v[cursorIndex(s, v)];
}

function moveTo(s: TriageState, index: number): TriageState {
  const v = visibleItems(s);
  if (!v.length) return s;
  const i = Math.max(0, Math.min(v.length - 1, index));
  return { ...s, cursor: v[i]!.key, detailScroll: 0 };
}

/** Text typed into a one-line field: printable characters append, backspace/delete remove, ctrl-u clears. */
function edit(value: string, input: string, key: Partial<Key>): string {
  if (key.backspace || key.delete) return value.slice(0, -1);
  if (key.ctrl && input === 'u') return '';
  if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return value;
  // a chunk may hold several keys (fast typing, paste): DEL/BS remove, other control characters are dropped
  let out = value;
  for (const ch of input) {
    if (ch === '\x7f' || ch === '\b') out = out.slice(0, -1);
    else if (ch >= ' ') out += ch;
  }
  return out;
}

export function reduce(s: TriageState, a: Action): TriageState {
  if (a.type === 'saved') {
    const gone = new Set(a.keys);
    const v = visibleItems(s);
    const at = cursorIndex(s, v);
    // keep the cursor near where it was: the next open item after the suppressed ones
    const next = v.slice(at).find((i) => !gone.has(i.key)) ?? [...v.slice(0, at)].reverse().find((i) => !gone.has(i.key));
    return {
      ...s,
      mode: 'list',
      items: s.items.filter((i) => !gone.has(i.key)),
      selected: s.selected.filter((k) => !gone.has(k)),
      cursor: next?.key,
      pending: undefined,
      targets: [],
      suppressedCount: s.suppressedCount + a.keys.length,
      message: { text: a.text, error: false },
    };
  }
  if (a.type === 'failed') return { ...s, mode: 'expiry', pending: undefined, message: { text: a.text, error: true } };

  const { input, key, view } = a;
  // browse keys may arrive several in one chunk ("jjj"); text fields take the chunk whole
  if (input.length > 1 && (s.mode === 'list' || s.mode === 'detail' || s.mode === 'help') && !key.ctrl && !key.meta) {
    let out = s;
    for (const ch of input) out = reduce(out, { ...a, input: ch });
    return out;
  }
  const cleared = s.message && s.mode !== 'saving' ? { ...s, message: undefined } : s;
  switch (s.mode) {
    case 'saving':
      return s;
    case 'help':
      return { ...cleared, mode: 'list' };
    case 'filter':
      if (key.return) return { ...cleared, mode: 'list' };
      if (key.escape) return moveTo({ ...cleared, mode: 'list', query: s.queryBefore }, cursorIndex(s));
      return moveTo({ ...cleared, query: edit(s.query, input, key) }, 0);
    case 'reason':
      if (key.escape) return { ...cleared, mode: 'list', targets: [] };
      if (key.return) {
        if (!s.reason.trim()) return { ...s, message: { text: 'A reason is required.', error: true } };
        return { ...cleared, mode: 'expiry' };
      }
      return { ...cleared, reason: edit(s.reason, input, key) };
    case 'expiry':
      if (key.escape) return { ...cleared, mode: 'list', targets: [] };
      if (key.return) {
        const problem = expiryProblem(s.expiry.trim(), s.today, s.maxDays);
        if (problem) return { ...s, message: { text: problem, error: true } };
        return { ...cleared, mode: 'saving', pending: { keys: s.targets, reason: s.reason.trim(), expires: s.expiry.trim() } };
      }
      return { ...cleared, expiry: edit(s.expiry, input, key) };
    case 'list':
    case 'detail':
      return browse(cleared, input, key, view);
  }
}

export function expiryProblem(expires: string, today: string, maxDays: number): string | undefined {
  if (!isRealDay(expires)) return `Expiry must be a date written YYYY-MM-DD (got '${expires}').`;
  if (expires <= today) return `Expiry must be after today (${today}).`;
  if (daysBetween(today, expires) > maxDays) return `Expiry may be at most ${maxDays} days away (${addDays(today, maxDays)}); the config's max-suppression-days allows longer.`;
  return undefined;
}

function browse(s: TriageState, input: string, key: Partial<Key>, view: { detailMax: number; page: number }): TriageState {
  const v = visibleItems(s);
  const at = cursorIndex(s, v);
  if (input === 'q') return { ...s, quit: true };
  if (input === '?') return { ...s, mode: 'help' };
  if (input === '/') return { ...s, mode: 'filter', queryBefore: s.query };
  if (key.tab) return { ...s, mode: s.mode === 'list' ? 'detail' : 'list' };
  if (input === 's') {
    const targets = s.selected.length ? v.filter((i) => s.selected.includes(i.key)).map((i) => i.key) : v[at] ? [v[at]!.key] : [];
    if (!targets.length) return { ...s, message: { text: 'Nothing to suppress.', error: true } };
    return { ...s, mode: 'reason', targets, reason: '', expiry: addDays(s.today, Math.min(s.defaultDays, s.maxDays)) };
  }
  if (s.mode === 'detail') {
    if (key.escape || key.return) return { ...s, mode: 'list' };
    if (input === 'j' || key.downArrow) return { ...s, detailScroll: Math.min(view.detailMax, s.detailScroll + 1) };
    if (input === 'k' || key.upArrow) return { ...s, detailScroll: Math.max(0, s.detailScroll - 1) };
    if (key.pageDown || input === ' ') return { ...s, detailScroll: Math.min(view.detailMax, s.detailScroll + view.page) };
    if (key.pageUp) return { ...s, detailScroll: Math.max(0, s.detailScroll - view.page) };
    if (input === 'g') return { ...s, detailScroll: 0 };
    if (input === 'G') return { ...s, detailScroll: view.detailMax };
    return s;
  }
  if (key.return) return v.length ? { ...s, mode: 'detail', cursor: v[at]!.key, detailScroll: 0 } : s;
  if (key.escape) {
    if (s.selected.length) return { ...s, selected: [] };
    if (s.query) return moveTo({ ...s, query: '' }, 0);
    return s;
  }
  if (input === 'j' || key.downArrow) return moveTo(s, at + 1);
  if (input === 'k' || key.upArrow) return moveTo(s, at - 1);
  if (key.pageDown) return moveTo(s, at + view.page);
  if (key.pageUp) return moveTo(s, at - view.page);
  if (input === 'g' || key.home) return moveTo(s, 0);
  if (input === 'G' || key.end) return moveTo(s, v.length - 1);
  if (input === ' ' && v[at]) {
    const k = v[at]!.key;
    const selected = s.selected.includes(k) ? s.selected.filter((x) => x !== k) : [...s.selected, k];
    return moveTo({ ...s, selected }, at + 1);
  }
  if (input === 'a') {
    const keys = v.map((i) => i.key);
    const all = keys.length > 0 && keys.every((k) => s.selected.includes(k));
    return { ...s, selected: all ? s.selected.filter((k) => !keys.includes(k)) : [...new Set([...s.selected, ...keys])] };
  }
  const g = '1234'.indexOf(input);
  if (g !== -1) return { ...s, groupBy: GROUPINGS[g]!, cursor: v[at]?.key };
  return s;
}
