#!/usr/bin/env node
// Build step: validate the built-in rules and profiles and write dist/rules.compiled.json, so a scan does not
// parse and schema-check every YAML file at start-up. A broken rule fails the build with file and line.
import { compileBuiltinRules, compiledRulesFile } from '../dist/src/engine/load.js';

try {
  const contents = await compileBuiltinRules();
  process.stderr.write(`compiled ${contents.rules.length} rules and ${contents.profiles.length} profiles into ${compiledRulesFile}\n`);
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
