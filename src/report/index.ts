import type { ScanResult } from '../model/result.js';
import { renderCbom, type CbomOptions } from './cbom.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

/**
 * One entry point for every output format. Reporters render a ScanResult and never decide policy: levels,
 * findings and the exit code come from the engine as they are.
 */

export interface RenderOptions {
  /** ANSI colour in human formats; the CLI decides from TTY, NO_COLOR and FORCE_COLOR */
  color?: boolean;
  /** CBOM serial number and timestamp; left out unless given (output stays byte-identical) */
  cbom?: CbomOptions;
}

type Renderer = (result: ScanResult, options: RenderOptions) => string;

// 'markdown' and 'cbom' join this table when their reporters exist; the format list follows from it.
const RENDERERS = {
  sarif: (r) => renderSarif(r),
  json: (r) => renderJson(r),
  text: (r, o) => renderText(r, { color: o.color ?? false }),
  markdown: (r) => renderMarkdown(r, { assessor: true }),
  cbom: (r, o) => renderCbom(r, o.cbom),
} satisfies Record<string, Renderer>;

export type ReportFormat = keyof typeof RENDERERS;
export const REPORT_FORMATS = Object.keys(RENDERERS) as ReportFormat[];

export function isReportFormat(s: string): s is ReportFormat {
  return Object.hasOwn(RENDERERS, s);
}

/** The report as a string ending in a newline; same input → byte-identical output. */
export function render(format: ReportFormat, result: ScanResult, options: RenderOptions = {}): string {
  if (!isReportFormat(format)) {
    throw new Error(`unknown report format '${String(format)}' (expected one of: ${REPORT_FORMATS.join(', ')})`);
  }
  return RENDERERS[format](result, options);
}

export { renderJson, renderSarif, renderText };
export { renderMarkdown } from './markdown.js';
export { buildSarif } from './sarif.js';
export { buildJson, JSON_SCHEMA_VERSION } from './json.js';
export type { JsonReport } from './json.js';
