/**
 * `cryptaudit triage`: scan (or read a saved JSON report), then run the ink UI. Loaded by the CLI through a
 * dynamic import only, so ink and React never load for `scan` or the Action.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { render } from 'ink';
import { Ajv } from 'ajv';
import { buildJson, type JsonReport } from '../report/json.js';
import { resolveConfig, scan, ScanInputError, type ScanOptions } from '../index.js';
import { purlWithoutVersion } from '../model/purl.js';
import { packageRoot, toPosix } from '../util/paths.js';
import { addSuppressions, type NewSuppression } from '../suppress/write.js';
import { DEFAULT_EXPIRY_DAYS, SuppressionError, suppressionPlaces } from '../suppress/load.js';
import { preferredFingerprint } from '../suppress/keys.js';
import { isoDay } from '../suppress/dates.js';
import { itemsFromReport, type TriageItem } from './model.js';
import { App } from './App.js';

export interface TriageOptions extends Omit<ScanOptions, 'now'> {
  /** a saved `scan --format json` report instead of scanning */
  from?: string;
  color: boolean;
  now?: Date;
}

export async function runTriage(options: TriageOptions): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const now = options.now ?? new Date();
  const { report, config, defaultDir } = await load(options, cwd, now);
  const places = suppressionPlaces(config, defaultDir);
  const rel = toPosix(path.relative(cwd, places.writeTo));
  const shownFile = rel && !rel.startsWith('..') ? rel : places.writeTo;
  const items = itemsFromReport(report);
  const today = isoDay(now);

  const onSuppress = async (chosen: TriageItem[], reason: string, expires: string): Promise<string> => {
    const entries = suppressionEntries(chosen, { reason, expires, created: today, cwd, baseDir: places.baseDir });
    try {
      await addSuppressions(places.writeTo, entries);
    } catch (e) {
      throw new Error(e instanceof SuppressionError ? e.message : (e as Error).message);
    }
    return `Suppressed ${chosen.length} finding${chosen.length === 1 ? '' : 's'} until ${expires} → ${shownFile}`;
  };

  // the alternate screen keeps the user's scrollback as it was; ink 6 has no option for it
  process.stdout.write('\x1b[?1049h');
  try {
    const app = render(
      <App report={report} items={items} onSuppress={onSuppress} writeTo={shownFile} today={today} maxDays={places.maxDays} defaultDays={DEFAULT_EXPIRY_DAYS} color={options.color} />,
      { patchConsole: false },
    );
    await app.waitUntilExit();
  } finally {
    process.stdout.write('\x1b[?1049l');
  }
  return 0;
}

/** One entry per rule, package and fingerprint (two versions of a package in one file share one). */
export function suppressionEntries(
  chosen: readonly TriageItem[],
  o: { reason: string; expires: string; created: string; cwd: string; baseDir: string },
): NewSuppression[] {
  const out = new Map<string, NewSuppression>();
  for (const item of chosen) {
    const f = item.finding;
    const ev = f.evidence[0];
    const fingerprint = preferredFingerprint(
      { ruleId: f.ruleId, purl: f.purl, fingerprint: f.fingerprint, evidencePath: ev?.path, layer: ev?.layer },
      { displayRoot: item.displayRoot, cwd: o.cwd, baseDir: o.baseDir },
    );
    const entry: NewSuppression = { rule: f.ruleId, purl: purlWithoutVersion(f.purl), fingerprint, reason: o.reason, expires: o.expires, created: o.created };
    out.set(`${entry.rule}\0${entry.purl}\0${fingerprint}`, entry);
  }
  return [...out.values()];
}

async function load(options: TriageOptions, cwd: string, now: Date) {
  if (options.from) {
    const config = await resolveConfig({ configFile: options.configFile, targets: ['.'], discoverConfig: options.discoverConfig }, cwd);
    return { report: await readReport(path.resolve(cwd, options.from)), config, defaultDir: cwd };
  }
  const targets = options.targets?.length ? options.targets : ['.'];
  const config = await resolveConfig({ ...options, targets }, cwd);
  const result = await scan({ ...options, targets, cwd, now });
  const first = path.resolve(cwd, targets[0]!);
  const isDir = await fs.stat(first).then((s) => s.isDirectory(), () => true);
  return { report: buildJson(result), config, defaultDir: isDir ? first : path.dirname(first) };
}

async function readReport(file: string): Promise<JsonReport> {
  let value: unknown;
  try {
    value = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw new ScanInputError(`${file}: cannot read a JSON report: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const schema = JSON.parse(await fs.readFile(path.join(packageRoot, 'schema/cryptaudit-result.schema.json'), 'utf8'));
  const validate = new Ajv({ strict: false, validateFormats: false }).compile(schema);
  if (!validate(value)) {
    const err = validate.errors![0]!;
    throw new ScanInputError(`${file}: not a cryptaudit JSON report (scan --format json): ${err.instancePath || '(top level)'} ${err.message ?? ''}`.trim());
  }
  return value as JsonReport;
}
