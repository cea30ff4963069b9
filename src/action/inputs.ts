import * as core from '@actions/core';
import type { FailOn } from '../model/result.js';

/**
 * The Action's inputs (action.yml), read through @actions/core: the runner passes each as INPUT_<NAME>
 * (upper-cased, spaces → '_', hyphens kept). `required: true` is not enforced by the runner, so every value
 * is checked here with a message naming the input.
 */

export const OUTPUT_FORMATS = ['sarif', 'json', 'text', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'note', 'none'];

export interface ActionInputs {
  /** directories or lockfiles relative to the workspace */
  paths: string[];
  /** image targets passed through to scan(): a tarball, `oci:`, `docker-archive:` or `registry:` reference */
  images: string[];
  policy?: string;
  failOn?: FailOn;
  config?: string;
  /** extra reports besides the SARIF file */
  formats: OutputFormat[];
  /** file (one format) or directory (several) for the extra reports */
  output?: string;
  /** where the SARIF file goes; default under RUNNER_TEMP */
  sarifFile?: string;
  /** 'auto' = on for pull_request / pull_request_target / merge_group events */
  onlyNew: 'true' | 'false' | 'auto';
  /** a previous SARIF/JSON report to compare with instead of scanning the base commit */
  baseline?: string;
  /** SARIF automationDetails.id prefix (code scanning category); default cryptaudit/<policy> */
  category?: string;
}

export class InputError extends Error {}

function optional(name: string): string | undefined {
  const v = core.getInput(name);
  return v === '' ? undefined : v;
}

/** Newline- or comma-separated list, blanks dropped. */
function list(name: string): string[] {
  return core
    .getMultilineInput(name)
    .flatMap((l) => l.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new InputError(`input '${name}' must be one of ${allowed.join(', ')} (got '${value}')`);
  return value as T;
}

export function readInputs(): ActionInputs {
  // paths are lines, not a comma list: a comma is a legal path character
  const paths = core.getMultilineInput('paths').map((s) => s.trim()).filter(Boolean);
  const images = core.getMultilineInput('image').map((s) => s.trim()).filter(Boolean);
  const formats = list('format').map((f) => oneOf('format', f, OUTPUT_FORMATS)!);
  const onlyNew = oneOf('only-new', optional('only-new')?.toLowerCase(), ['true', 'false', 'auto'] as const) ?? 'auto';
  const category = optional('category')?.replace(/\/+$/, '');
  if (category !== undefined && !/^[A-Za-z0-9._\-/:]+$/.test(category)) {
    throw new InputError(`input 'category' may only hold letters, digits and . _ - / : (got '${category}')`);
  }
  return {
    paths: paths.length || images.length ? paths : ['.'],
    images,
    policy: optional('policy'),
    failOn: oneOf('fail-on', optional('fail-on'), FAIL_ON),
    config: optional('config'),
    formats: [...new Set(formats)],
    output: optional('output'),
    sarifFile: optional('sarif-file'),
    onlyNew,
    baseline: optional('baseline'),
    category,
  };
}
