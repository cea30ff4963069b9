#!/usr/bin/env node
// Validate action.yml and the example workflows with action-validator (@action-validator/core: the SchemaStore
// schemas for action and workflow YAML, the engine of the @action-validator/cli command).
//
//   node scripts/validate-action.mjs [action.yml] [workflow.yml ...]
//   (no arguments: action.yml and examples/workflows/*.yml)
//
// One adjustment, for action.yml only: the newest action-validator on npm (0.6.0, December 2024) embeds a
// SchemaStore snapshot older than GitHub's `runs.using: node24` (knowledge/sarif-action-cbom-tui.md §2.1, §2.9:
// validators had to add it). So `runs.using` is checked here against GitHub's documented values for JavaScript
// actions (node20, node24), and the validator sees the file with node24 written as node20; everything else it
// checks as written. Exit 1 on any error.
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

const require = createRequire(import.meta.url);
const { validateAction, validateWorkflow } = require('@action-validator/core');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const JS_RUNTIMES = ['node20', 'node24'];

function actionErrors(file) {
  const text = readFileSync(file, 'utf8');
  const doc = parseDocument(text);
  const errors = doc.errors.map((e) => ({ title: `YAML: ${e.message}` }));
  const using = doc.getIn(['runs', 'using']);
  let forValidator = text;
  if (typeof using === 'string' && using.startsWith('node')) {
    if (!JS_RUNTIMES.includes(using)) errors.push({ path: '/runs/using', title: `must be one of ${JS_RUNTIMES.join(', ')} for a JavaScript action (got ${using})` });
    doc.setIn(['runs', 'using'], 'node20');
    forValidator = doc.toString();
  }
  return [...errors, ...validateAction(forValidator).errors];
}

function workflowErrors(file) {
  return validateWorkflow(readFileSync(file, 'utf8')).errors;
}

let files = process.argv.slice(2);
if (files.length === 0) {
  const dir = path.join(root, 'examples', 'workflows');
  files = [path.join(root, 'action.yml'), ...readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f))];
}
let failed = false;
for (const file of files) {
  const isAction = /(^|[\\/])action\.ya?ml$/.test(file);
  const errors = isAction ? actionErrors(file) : workflowErrors(file);
  const name = path.relative(process.cwd(), file) || file;
  if (errors.length === 0) {
    console.log(`${name}: valid ${isAction ? 'action' : 'workflow'}`);
    continue;
  }
  failed = true;
  console.log(`${name}: ${errors.length} error(s)`);
  for (const e of errors) console.log(`  ${e.path ?? ''} ${e.title}${e.detail ? `: ${e.detail}` : ''}${e.states ? ` ${JSON.stringify(e.states)}` : ''}`);
}
process.exit(failed ? 1 : 0);
