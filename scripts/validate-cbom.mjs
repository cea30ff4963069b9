#!/usr/bin/env node
// Validate CBOM files with cdxgen's validator (@cyclonedx/cdxgen, the code behind `cdx-validate`): the CycloneDX
// JSON schema of the document's specVersion plus cdxgen's deep checks (metadata, purls, refs, properties).
//
// Usage: node scripts/validate-cbom.mjs FILE...   (cdxgen installed by scripts/validate-cbom.sh into .cache/cdxgen)
//
// One deep check is stricter than CycloneDX: cdxgen wants `cryptoProperties.oid` on every algorithm asset, which
// bom-1.6 makes optional. Our algorithm assets are TLS groups and algorithm families the fact base names, several
// of which have no OID (X25519MLKEM768, ffdhe2048, the ML-KEM family without a parameter set), so that one
// message is accepted and counted. So is cdxgen's "Invalid encoded ref" for a percent-encoded npm scope: our
// bom-ref is the canonical purl, where the package-url spec encodes '@' in a namespace as %40. Anything else fails.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lib = path.join(root, '.cache', 'cdxgen', 'node_modules', '@cyclonedx', 'cdxgen', 'lib', 'validator', 'bomValidator.js');
const { validateBom, validateMetadata, validatePurls, validateRefs } = await import(pathToFileURL(lib).href);

const ACCEPTED = /^(cryptoProperties\.oid is missing for cryptographic-asset of type algorithm|Invalid encoded ref in dependencies pkg:npm\/%40[^%]*$)/;

/** Run one cdxgen check, collecting what it prints (cdxgen reports problems through console.log). */
function run(check, bom) {
  const lines = [];
  const log = console.log;
  // Ajv errors carry the whole schema; the pointer and message are what a reader needs
  const str = (x) => (typeof x === 'string' ? x : x && typeof x === 'object' && 'instancePath' in x ? `${x.instancePath || '/'} ${x.message}` : JSON.stringify(x));
  console.log = (...args) => lines.push(...args.flatMap((a) => (Array.isArray(a) ? a.map(str) : [str(a)])));
  try {
    return { ok: check(bom) !== false, lines };
  } finally {
    console.log = log;
  }
}

let failed = false;
for (const file of process.argv.slice(2)) {
  const bom = JSON.parse(readFileSync(file, 'utf8'));
  const full = run(validateBom, bom);
  if (full.ok) {
    process.stdout.write(`${file}: valid (cdxgen schema + deep checks)\n`);
    continue;
  }
  // validateBom stops at the first failing check; run each one to see exactly what failed
  const schemaFailed = full.lines.some((l) => /^Schema validation failed/.test(l));
  const problems = [];
  if (schemaFailed) problems.push(...full.lines);
  for (const [name, check] of [['metadata', validateMetadata], ['purls', validatePurls], ['refs', validateRefs]]) {
    const r = run(check, bom);
    if (!r.ok) problems.push(...r.lines.filter((l) => !ACCEPTED.test(l)).map((l) => `${name}: ${l}`));
  }
  const accepted = [validatePurls, validateRefs].flatMap((c) => run(c, bom).lines).filter((l) => ACCEPTED.test(l)).length;
  if (problems.length) {
    failed = true;
    process.stderr.write(`${file}: INVALID\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  } else {
    process.stdout.write(`${file}: valid (cdxgen schema + deep checks; ${accepted} accepted deviation(s): algorithm assets without an OID / %40-encoded npm scopes)\n`);
  }
}
process.exit(failed ? 1 : 0);
