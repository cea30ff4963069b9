import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { repoRoot } from '../helpers.js';
import type { JsonReport } from '../../src/report/json.js';
import type { TriageItem } from '../../src/tui/model.js';

// chalk (inside ink) decides its colour level when first imported: force colours so the NO_COLOR case can fail
process.env['FORCE_COLOR'] = '1';
const { render, cleanup } = await import('ink-testing-library');
const { App } = await import('../../src/tui/App.js');
const { itemsFromReport } = await import('../../src/tui/model.js');
const { scan } = await import('../../src/index.js');
const { buildJson } = await import('../../src/report/json.js');

const sample = path.join(repoRoot, 'examples/payments-service');
let report: JsonReport;
let items: TriageItem[];

before(async () => {
  // the shipped sample's real lockfiles (the folder may grow; the copy keeps this test's counts fixed)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-tui-'));
  mkdirSync(path.join(dir, 'web'));
  copyFileSync(path.join(sample, 'Cargo.lock'), path.join(dir, 'Cargo.lock'));
  copyFileSync(path.join(sample, 'web/package-lock.json'), path.join(dir, 'web/package-lock.json'));
  report = buildJson(await scan({ targets: ['.'], cwd: dir, discoverConfig: false }));
  items = itemsFromReport(report);
});
after(() => cleanup());

const plain = (s: string | undefined) => (s ?? '').replace(/\x1b\[[0-9;]*m/g, '');

function start(calls: Array<{ items: TriageItem[]; reason: string; expires: string }> = [], color = false) {
  const ui = render(
    <App
      report={report}
      items={items}
      writeTo=".cryptaudit.yml"
      today="2026-01-15"
      maxDays={365}
      defaultDays={90}
      color={color}
      onSuppress={async (chosen, reason, expires) => {
        calls.push({ items: chosen, reason, expires });
        return `Suppressed ${chosen.length} → .cryptaudit.yml`;
      }}
    />,
  );
  const frame = () => plain(ui.lastFrame());
  // ink-testing-library: input reaches useInput only after the effects ran (ink-testing-library#29), and a
  // busy machine renders late: write with a pause, and wait for the frame an assertion expects
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      ui.stdin.write(k);
      await delay(30);
    }
  };
  const until = async (re: RegExp): Promise<string> => {
    const end = Date.now() + 5000;
    while (!re.test(frame()) && Date.now() < end) await delay(10);
    assert.match(frame(), re);
    return frame();
  };
  return { ui, press, frame, until, ready: () => until(/open/).then(() => delay(50)) };
}

test('first screen: header with counts, list grouped by severity, detail of the first finding, key line; fits the screen', async () => {
  const { frame, ready } = start();
  await ready();
  const f = frame();
  const lines = f.split('\n');
  assert.equal(lines.length, 24);
  assert.ok(lines.every((l) => l.length <= 100), 'no line wider than the terminal');
  assert.match(lines[0]!, /^cryptaudit triage · fips-140-3 · 10 open \(10 error\) · by severity/);
  assert.match(f, /ERROR \(10\)/);
  assert.match(f, /› +cargo-openssl-src {2}openssl-src@300\.6/);
  assert.match(f, /declared Cargo\.lock:25/);
  assert.match(f, /payments-service → openssl → openssl-sys/);
  assert.match(f, /What to do/);
  assert.match(lines[23]!, /^j\/k move {2}enter open {2}space select {2}s suppress {2}\/ filter/);
});

test('j/k move, 1-4 regroup, / filters by text and severity, enter opens, esc goes back', async () => {
  const { frame, press, until, ready } = start();
  await ready();
  await press('j');
  await until(/› +cargo-ring {2}ring@0\.17\.14/);
  await until(/payments-service → reqwest → rustls → ring/);
  await press('3');
  await until(/by component/);
  await until(/elliptic@6\.5\.4 \(3\)/);
  await press('4');
  await until(/web\/package-lock\.json \(7\)/);
  await until(/Cargo\.lock \(3\)/);
  await press('1', '/', 'forge');
  await until(/\/forge/);
  await press('\r');
  await until(/filter: forge {2}\(2 of 10\)/);
  assert.doesNotMatch(frame(), /cargo-ring/);
  await press('\r');
  // detail pane focused: its border is double, the key line is the detail one
  await until(/j\/k scroll {2}esc back/);
  await press('j', 'j', 'j');
  await press('\x1b');
  await until(/j\/k move/);
  await press('\x1b');
  await until(/ERROR \(10\)/);
  await press('/', 'sev:warning', '\r');
  await until(/Nothing matches the filter/);
  await press('/', '\x7f'.repeat(11), 'eco:cargo', '\r');
  await until(/ERROR \(3\)/);
});

test('space selects several; s asks for a reason (required) and an expiry (default 90 days, at most the maximum)', async () => {
  const calls: Array<{ items: TriageItem[]; reason: string; expires: string }> = [];
  const { frame, press, until, ready } = start(calls);
  await ready();
  await press(' ', ' ');
  await until(/2 selected/);
  await press('s');
  await until(/Suppress 2 findings/);
  await until(/Reason \(required\):/);
  await press('\r');
  await until(/A reason is required\./);
  await press('vendored OpenSSL is FIPS-built in the base image (SEC-88)', '\r');
  await until(/Expires \(YYYY-MM-DD, at most 365 days\): 2026-04-15/);
  await press('\x7f'.repeat(10), '2027-06-01', '\r');
  await until(/Expiry may be at most 365 days away \(2027-01-15\)/);
  await press('\x7f'.repeat(10), '2026-04-15', '\r');
  await until(/Suppressed 2 → \.cryptaudit\.yml/);
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0]!.items.map((i) => i.finding.ruleId), ['cargo-openssl-src', 'cargo-ring']);
  assert.equal(calls[0]!.reason, 'vendored OpenSSL is FIPS-built in the base image (SEC-88)');
  assert.equal(calls[0]!.expires, '2026-04-15');
  const f = frame();
  assert.match(f, /Suppressed 2 → \.cryptaudit\.yml/);
  assert.match(f, /8 open \(8 error\)/);
  assert.match(f, /2 suppressed/);
  assert.doesNotMatch(f, /cargo-ring {2}ring/);
});

test('? shows the help with every key; any key closes it; esc cancels a dialog without writing', async () => {
  const calls: Array<{ items: TriageItem[]; reason: string; expires: string }> = [];
  const { frame, press, until, ready } = start(calls);
  await ready();
  await press('?');
  await until(/q \/ ctrl-c/);
  for (const k of ['j / ↓, k / ↑', 'enter', 'esc', 'tab', '/ ', '1 2 3 4', 'space', 'a ', 's ', 'q / ctrl-c']) assert.ok(frame().includes(k), k);
  await press('x');
  await until(/ERROR \(10\)/);
  await press('a');
  await until(/10 selected/);
  await press('s', 'because', '\x1b');
  assert.equal(calls.length, 0);
  await until(/10 selected/);
});

test('colour only when asked: NO_COLOR gives frames without colour codes, the cursor stays visible', async () => {
  const coloured = start([], true);
  await coloured.ready();
  assert.match(coloured.ui.lastFrame() ?? '', /\x1b\[31m/);
  const mono = start([], false);
  await mono.ready();
  const raw = mono.ui.lastFrame() ?? '';
  assert.doesNotMatch(raw, /\x1b\[(3[0-9]|9[0-7]|7)m/);
  assert.match(raw, /› /);
});
