import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { packageRoot } from './paths.js';

const ajv = new Ajv({ allErrors: false, strict: true });
const cache = new Map<string, ValidateFunction>();

/** A validator for one of our own schemas (rules/schema/*.json, schema/*.json), compiled once. */
export function ourSchema(relPath: string): ValidateFunction {
  let v = cache.get(relPath);
  if (!v) {
    const schema = JSON.parse(readFileSync(path.join(packageRoot, relPath), 'utf8')) as { $id?: string };
    try {
      v = ajv.compile(schema);
    } catch (e) {
      // a failed compile leaves the $id registered; drop it so the next attempt reports the real error again
      if (schema.$id) ajv.removeSchema(schema.$id);
      throw e;
    }
    cache.set(relPath, v);
  }
  return v;
}

/** "match.versions: must be string" style text for the first error. */
export function describeSchemaError(err: ErrorObject): string {
  const where = err.instancePath ? err.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
  if (err.keyword === 'additionalProperties') return `${where}: unknown property '${String(err.params['additionalProperty'])}'`;
  if (err.keyword === 'required') return `${where}: missing required property '${String(err.params['missingProperty'])}'`;
  if (err.keyword === 'enum') return `${where}: must be one of ${(err.params['allowedValues'] as unknown[]).join(', ')}`;
  return `${where}: ${err.message ?? 'is invalid'}`;
}
