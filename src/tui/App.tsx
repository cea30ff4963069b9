/**
 * The triage screen: header, a findings list and a detail pane side by side, a prompt line and a status line
 * with the keys. Fits 80×24 and grows with the terminal. All behaviour is in state.ts; this file lays out.
 */
import { useEffect, useReducer, useState } from 'react';
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import type { JsonReport } from '../report/json.js';
import { componentLabel, detailLines, fit, wrap, groupItems, matchesFilter, parseFilter, rowsOf, type Line, type TriageItem } from './model.js';
import { cursorIndex, initialState, reduce, visibleItems, type TriageState } from './state.js';

export interface AppProps {
  report: JsonReport;
  items: TriageItem[];
  /** writes the entries; resolves to the status message, rejects with a message to show */
  onSuppress: (items: TriageItem[], reason: string, expires: string) => Promise<string>;
  /** where entries go, as shown to the user */
  writeTo: string;
  today: string;
  maxDays: number;
  defaultDays: number;
  color: boolean;
}

const MIN_COLUMNS = 80;
const MIN_ROWS = 24;

function useSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: Math.max(MIN_COLUMNS, stdout.columns || MIN_COLUMNS), rows: Math.max(MIN_ROWS, stdout.rows || MIN_ROWS) });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/** Status line per mode, most important first: as many as fit the width are shown. */
const KEYS: Record<TriageState['mode'], readonly string[]> = {
  list: ['j/k move', 'enter open', 'space select', 's suppress', '/ filter', '1-4 group', '? help', 'q quit', 'a all', 'tab pane', 'g/G top/end'],
  detail: ['j/k scroll', 'esc back', 's suppress', 'tab list', '? help', 'q quit'],
  filter: ['type: words sev:error eco:npm', 'enter keep', 'esc cancel', 'ctrl-u clear'],
  help: ['any key closes help'],
  reason: ['type the reason', 'enter next', 'esc cancel'],
  expiry: ['YYYY-MM-DD', 'enter suppress', 'esc cancel', 'backspace edit'],
  saving: ['writing…'],
};

export function keyLine(mode: TriageState['mode'], width: number): string {
  let line = '';
  for (const k of KEYS[mode]) {
    const next = line ? `${line}  ${k}` : k;
    if (next.length > width) break;
    line = next;
  }
  return line;
}

export const HELP_LINES: readonly string[] = [
  'Moving',
  '  j / ↓, k / ↑     next / previous finding (in the detail pane: scroll)',
  '  g / G            first / last;  PgDn / PgUp  a page',
  '  enter            open the finding in the detail pane',
  '  esc              back; clears the selection, then the filter',
  '  tab              switch between list and detail pane',
  'Choosing',
  '  /                filter: words, sev:error|warning|note, eco:npm|cargo…',
  '  1 2 3 4          group by severity, rule, component, file/layer',
  '  space            select / unselect (several findings)',
  '  a                select all shown / unselect them',
  'Deciding',
  '  s                suppress the selected findings (or the current one):',
  '                   a reason and an expiry date are required',
  'Other',
  '  ?                this help;   q / ctrl-c  quit',
];

export function App(props: AppProps) {
  const { columns, rows } = useSize();
  const { exit } = useApp();
  const [state, dispatch] = useReducer(reduce, undefined, () => initialState(props.items, { today: props.today, maxDays: props.maxDays, defaultDays: props.defaultDays }));

  const visible = visibleItems(state);
  const at = cursorIndex(state, visible);
  const current = visible[at];

  // layout: header, body (two bordered panes), prompt line, status line
  const bodyHeight = rows - 3;
  const inner = bodyHeight - 2;
  const listWidth = Math.max(34, Math.floor(columns * 0.42));
  const detailWidth = columns - listWidth;
  const detail: Line[] = current ? detailLines(current, detailWidth - 4) : [];
  const detailMax = Math.max(0, detail.length - inner);

  useInput((input, key) => dispatch({ type: 'key', input, key, view: { detailMax, page: Math.max(1, inner - 1) } }));

  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);

  useEffect(() => {
    const p = state.pending;
    if (!p) return;
    const chosen = state.items.filter((i) => p.keys.includes(i.key));
    props.onSuppress(chosen, p.reason, p.expires).then(
      (text) => dispatch({ type: 'saved', keys: p.keys, text }),
      (e: unknown) => dispatch({ type: 'failed', text: `Not written: ${(e as Error).message}` }),
    );
  }, [state.pending]);

  const c = (color: string | undefined) => (props.color ? color : undefined);
  const levelColor = { error: 'red', warning: 'yellow', note: 'cyan' } as const;

  // header
  const counts = { error: 0, warning: 0, note: 0 };
  for (const i of state.items) counts[i.finding.level]++;
  const levels = (['error', 'warning', 'note'] as const).filter((l) => counts[l]).map((l) => `${counts[l]} ${l}`);
  const header =
    `cryptaudit triage · ${props.report.policy.id} · ${state.items.length} open${levels.length ? ` (${levels.join(', ')})` : ''}` +
    ` · by ${state.groupBy}` +
    (state.suppressedCount ? ` · ${state.suppressedCount} suppressed` : '') +
    (state.selected.length ? ` · ${state.selected.length} selected` : '');

  // list pane: group rows and item rows, scrolled so the cursor row shows
  const filter = parseFilter(state.query);
  const rowsAll = rowsOf(groupItems(state.items.filter((i) => matchesFilter(i, filter)), state.groupBy));
  const cursorRow = Math.max(0, rowsAll.findIndex((r) => r.kind === 'item' && r.item.key === current?.key));
  const top = Math.max(0, Math.min(cursorRow - Math.floor(inner / 2), rowsAll.length - inner));
  const listLines = rowsAll.slice(top, top + inner);
  const listInner = listWidth - 2;

  const listFocused = state.mode === 'list' || state.mode === 'filter';
  const detailFocused = state.mode === 'detail';
  const scroll = Math.min(state.detailScroll, detailMax);

  const prompt =
    state.mode === 'filter'
      ? `/${state.query}▏`
      : state.mode === 'reason'
        ? `Reason (required): ${state.reason}▏`
        : state.mode === 'expiry'
          ? `Expires (YYYY-MM-DD, at most ${state.maxDays} days): ${state.expiry}▏`
          : state.query
            ? `filter: ${state.query}  (${visible.length} of ${state.items.length})`
            : '';

  const dialog = state.mode === 'reason' || state.mode === 'expiry' || state.mode === 'saving';

  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Text bold>{fit(header, columns)}</Text>
      {state.mode === 'help' ? (
        <Box borderStyle="double" flexDirection="column" height={bodyHeight} width={columns} paddingX={1}>
          <Text bold>Keys</Text>
          {HELP_LINES.slice(0, inner - 1).map((l, i) => (
            <Text key={i} bold={!l.startsWith(' ')}>
              {fit(l, columns - 4)}
            </Text>
          ))}
        </Box>
      ) : (
        <Box flexDirection="row" height={bodyHeight}>
          <Box borderStyle={listFocused ? 'double' : 'single'} borderColor={c(listFocused ? 'cyan' : undefined)} flexDirection="column" width={listWidth} height={bodyHeight}>
            {listLines.length === 0 ? (
              <Text dimColor>{fit(state.items.length ? 'Nothing matches the filter.' : 'No open findings.', listInner)}</Text>
            ) : (
              listLines.map((r, i) => {
                if (r.kind === 'group') {
                  const lc = r.label.toLowerCase() as keyof typeof levelColor;
                  return (
                    <Text key={`g${top + i}`} bold color={c(state.groupBy === 'severity' ? levelColor[lc] : undefined)}>
                      {fit(`${r.label} (${r.count})`, listInner)}
                    </Text>
                  );
                }
                const f = r.item.finding;
                const here = r.item.key === current?.key;
                const mark = state.selected.includes(r.item.key) ? '●' : ' ';
                const text = `${here ? '›' : ' '}${mark} ${f.ruleId}  ${componentLabel(f)}`;
                return (
                  <Text key={r.item.key} inverse={props.color && here} color={c(here ? undefined : levelColor[f.level])}>
                    {fit(text, listInner).padEnd(listInner)}
                  </Text>
                );
              })
            )}
          </Box>
          <Box borderStyle={detailFocused || dialog ? 'double' : 'single'} borderColor={c(detailFocused || dialog ? 'cyan' : undefined)} flexDirection="column" width={detailWidth} height={bodyHeight} paddingX={1}>
            {dialog ? (
              <SuppressDialog state={state} width={detailWidth - 4} writeTo={props.writeTo} />
            ) : (
              detail.slice(scroll, scroll + inner).map((l, i) => (
                <Text key={i} bold={l.style === 'heading' || l.style === 'title' || l.style in levelColor} dimColor={l.style === 'dim'} color={c(l.style in levelColor ? levelColor[l.style as keyof typeof levelColor] : l.style === 'warn' ? 'yellow' : undefined)}>
                  {l.text || ' '}
                </Text>
              ))
            )}
          </Box>
        </Box>
      )}
      <Text color={c(state.message?.error ? 'red' : undefined)}>{fit(state.message?.text ?? prompt, columns) || ' '}</Text>
      <Text dimColor>{keyLine(state.mode, columns)}</Text>
    </Box>
  );
}

function SuppressDialog({ state, width, writeTo }: { state: TriageState; width: number; writeTo: string }) {
  const chosen = state.items.filter((i) => state.targets.includes(i.key));
  const shown = chosen.slice(0, 6);
  return (
    <Box flexDirection="column">
      <Text bold>{fit(`Suppress ${chosen.length} finding${chosen.length === 1 ? '' : 's'}`, width)}</Text>
      {shown.map((i) => (
        <Text key={i.key}>{fit(`  ${i.finding.ruleId}  ${componentLabel(i.finding)}`, width)}</Text>
      ))}
      {chosen.length > shown.length ? <Text dimColor>{fit(`  … and ${chosen.length - shown.length} more`, width)}</Text> : null}
      <Text> </Text>
      {wrap(`Reason:  ${state.reason}`, width)
        .slice(0, 4)
        .map((l, i) => (
          <Text key={`r${i}`} bold={state.mode === 'reason'}>
            {l}
          </Text>
        ))}
      <Text bold={state.mode === 'expiry'}>{fit(`Expires: ${state.mode === 'reason' ? '(next)' : state.expiry}`, width)}</Text>
      <Text> </Text>
      {wrap(`Written to ${writeTo}. scan leaves these findings out of the exit code and SARIF until the expiry day.`, width).map((l, i) => (
        <Text key={`w${i}`} dimColor>
          {l}
        </Text>
      ))}
      {state.mode === 'saving' ? <Text>Writing…</Text> : null}
    </Box>
  );
}
