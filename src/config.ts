import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FailOn } from './model/result.js';
import type { ProfileLevel } from './engine/types.js';
import type { NpmReader } from './extractors/index.js';

export const CONFIG_NAMES = ['.cryptaudit.yml', '.cryptaudit.yaml'];

export interface Config {
  /** absolute path of the file it came from, if any */
  file?: string;
  policy?: string;
  failOn?: FailOn;
  exclude?: string[];
  /** absolute */
  ruleDirs?: string[];
  rules?: Record<string, ProfileLevel>;
  npmReader?: NpmReader;
  suppressions?: unknown[];
  /** absolute; where suppressions are also read from and new ones written */
  suppressionsFile?: string;
  maxSuppressionDays?: number;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${detail}`);
  }
}

/** The nearest .cryptaudit.yml at or above `start` (a directory or a file's folder). */
export async function findConfig(start: string): Promise<string | undefined> {
  let dir = path.resolve(start);
  try {
    if (!(await fs.stat(dir)).isDirectory()) dir = path.dirname(dir);
  } catch {
    return undefined;
  }
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const candidate = path.join(dir, name);
      try {
        if ((await fs.stat(candidate)).isFile()) return candidate;
      } catch {
        /* not here */
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export async function loadConfig(file: string): Promise<Config> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, undefined, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  // YAML and Ajv are loaded only when there is a config file to read
  const { parseLocatedYaml, YamlSyntaxError } = await import('./util/yaml-errors.js');
  const { describeSchemaError, ourSchema } = await import('./util/schema.js');
  let y;
  try {
    y = parseLocatedYaml(text);
  } catch (e) {
    if (e instanceof YamlSyntaxError) throw new ConfigError(file, e.line, `not valid YAML: ${e.message}`);
    throw e;
  }
  const raw = (y.value ?? {}) as Record<string, unknown>;
  const validate = ourSchema('schema/config.schema.json');
  if (!validate(raw)) {
    const err = validate.errors![0]!;
    throw new ConfigError(file, y.lineOf(err.instancePath), describeSchemaError(err));
  }
  const base = path.dirname(file);
  return {
    file,
    policy: raw['policy'] as string | undefined,
    failOn: raw['fail-on'] as FailOn | undefined,
    exclude: raw['exclude'] as string[] | undefined,
    ruleDirs: (raw['rule-dirs'] as string[] | undefined)?.map((d) => path.resolve(base, d)),
    rules: raw['rules'] as Record<string, ProfileLevel> | undefined,
    npmReader: raw['npm-reader'] as NpmReader | undefined,
    suppressions: raw['suppressions'] as unknown[] | undefined,
    suppressionsFile: raw['suppressions-file'] === undefined ? undefined : path.resolve(base, raw['suppressions-file'] as string),
    maxSuppressionDays: raw['max-suppression-days'] as number | undefined,
  };
}
