import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { SuppressionEntry } from '../model/types.js';
import { toPosix } from '../util/paths.js';
import { addDays, daysBetween, isoDay, isRealDay } from './dates.js';

export const DEFAULT_MAX_DAYS = 365;
export const DEFAULT_EXPIRY_DAYS = 90;
export const CONFIG_FILE_NAME = '.cryptaudit.yml';

/** A broken suppressions entry or file: names the file and line. */
export class SuppressionError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${detail}`);
  }
}

export interface SuppressionSet {
  entries: SuppressionEntry[];
  /** absolute paths of the files read */
  files: string[];
  /** where triage writes new entries (absolute): suppressions-file, else the config, else a new .cryptaudit.yml */
  writeTo: string;
  /** folder the stable fingerprints are relative to (the config's, or where a new config would go) */
  baseDir: string;
  maxDays: number;
}

export interface LoadOptions {
  cwd: string;
  now: Date;
  /** where a new .cryptaudit.yml goes when there is none: the first target's folder, so scan finds it */
  defaultDir: string;
}

/** Where suppressions live for this configuration, without reading them. */
export function suppressionPlaces(config: Config, defaultDir: string): Pick<SuppressionSet, 'writeTo' | 'baseDir' | 'maxDays'> {
  const configFile = config.file ?? path.join(defaultDir, CONFIG_FILE_NAME);
  return {
    writeTo: config.suppressionsFile ?? configFile,
    baseDir: path.dirname(configFile),
    maxDays: config.maxSuppressionDays ?? DEFAULT_MAX_DAYS,
  };
}

export async function loadSuppressions(config: Config, options: LoadOptions): Promise<SuppressionSet> {
  const places = suppressionPlaces(config, options.defaultDir);
  const today = isoDay(options.now);
  const set: SuppressionSet = { ...places, entries: [], files: [] };
  const sources: string[] = [];
  if (config.file && config.suppressions?.length) sources.push(config.file);
  if (config.suppressionsFile && config.suppressionsFile !== config.file) sources.push(config.suppressionsFile);
  for (const file of sources) {
    const text = await readOptional(file, file === config.suppressionsFile);
    if (text === undefined) continue;
    set.files.push(file);
    for (const e of await parseEntries(file, text, file === config.suppressionsFile, options.cwd)) {
      checkDates(e, file, today, places.maxDays);
      set.entries.push(e);
    }
  }
  return set;
}

async function readOptional(file: string, mayBeMissing: boolean): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // a configured suppressions file that does not exist yet is empty (triage creates it)
    if (mayBeMissing && code === 'ENOENT') return undefined;
    throw new SuppressionError(file, undefined, `cannot read: ${code ?? (e as Error).message}`);
  }
}

async function parseEntries(file: string, text: string, separate: boolean, cwd: string): Promise<SuppressionEntry[]> {
  const { parseLocatedYaml, YamlSyntaxError } = await import('../util/yaml-errors.js');
  const { describeSchemaError, ourSchema } = await import('../util/schema.js');
  let y;
  try {
    y = parseLocatedYaml(text);
  } catch (e) {
    if (e instanceof YamlSyntaxError) throw new SuppressionError(file, e.line, `not valid YAML: ${e.message}`);
    throw e;
  }
  const raw = (y.value ?? {}) as Record<string, unknown>;
  if (separate) {
    // a suppressions file holds only `suppressions:`; the config schema checks the entries
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new SuppressionError(file, 1, "must be a mapping with a 'suppressions' list");
    const other = Object.keys(raw).find((k) => k !== 'suppressions');
    if (other) throw new SuppressionError(file, y.lineOf(`/${other}`), `unknown property '${other}' (a suppressions file holds only 'suppressions')`);
    const validate = ourSchema('schema/config.schema.json');
    if (!validate(raw)) {
      const err = validate.errors![0]!;
      throw new SuppressionError(file, y.lineOf(err.instancePath), describeSchemaError(err));
    }
  }
  const list = (raw['suppressions'] ?? []) as Array<Omit<SuppressionEntry, 'file' | 'line'>>;
  const shown = toPosix(path.relative(cwd, file)) || path.basename(file);
  return list.map((e, i) => ({
    rule: e.rule,
    purl: e.purl,
    fingerprint: e.fingerprint,
    reason: e.reason.trim(),
    expires: e.expires,
    created: e.created,
    by: e.by,
    file: shown,
    line: y.lineOf(`/suppressions/${i}`),
  }));
}

function checkDates(e: SuppressionEntry, file: string, today: string, maxDays: number): void {
  for (const key of ['expires', 'created'] as const) {
    const v = e[key];
    if (v !== undefined && !isRealDay(v)) throw new SuppressionError(file, e.line, `suppression ${key} '${v}' is not a calendar day (YYYY-MM-DD)`);
  }
  const from = e.created ?? today;
  if (e.created && e.expires < e.created) throw new SuppressionError(file, e.line, `suppression expires ${e.expires}, before it was created (${e.created})`);
  if (daysBetween(from, e.expires) > maxDays) {
    throw new SuppressionError(
      file,
      e.line,
      `suppression expires ${e.expires}, more than ${maxDays} days after ${e.created ? `it was created (${from})` : 'today'}; ` +
        `the latest allowed is ${addDays(from, maxDays)} (raise max-suppression-days in the config to allow longer)`,
    );
  }
}
