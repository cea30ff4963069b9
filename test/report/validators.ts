/** Schema validators for report tests: the official SARIF 2.1.0 schema (draft-04) and our JSON report schema. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { repoRoot } from '../helpers.js';

type FormatHost = { addFormat(name: string, f: (s: string) => boolean): unknown };

/** The three formats the schemas use (ajv-formats is not a dependency); real checks, not placeholders. */
function addFormats(ajv: FormatHost): void {
  ajv.addFormat('uri', (s) => {
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  });
  // a relative reference must not look like it has a scheme, and must survive URL resolution
  ajv.addFormat('uri-reference', (s) => {
    if (/^[^/?#]*:/.test(s) && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) return false;
    try {
      new URL(s, 'http://base.invalid/');
      return !/[\s\\]/.test(s);
    } catch {
      return false;
    }
  });
  ajv.addFormat('date-time', (s) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(s) && !Number.isNaN(Date.parse(s)));
}

export function sarifValidator(schemaPath: string): ValidateFunction {
  // CJS module: under NodeNext the default import is module.exports, whose .default is the class
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  addFormats(ajv as unknown as FormatHost);
  return ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
}

export function jsonReportValidator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(path.join(repoRoot, 'schema', 'cryptaudit-result.schema.json'), 'utf8')));
}

export function errorsText(v: ValidateFunction): string {
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}
