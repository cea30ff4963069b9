/**
 * Entry of the GitHub Action (action.yml `runs.main` → the esbuild bundle of this file, dist-action/index.mjs).
 * Input and scan problems fail the step with a one-line message; anything else keeps its stack for bug reports.
 */
import * as core from '@actions/core';
import { BaselineError } from '../baseline.js';
import { ScanInputError } from '../index.js';
import { InputError } from './inputs.js';
import { runAction } from './run.js';

try {
  await runAction();
} catch (e) {
  if (e instanceof InputError || e instanceof ScanInputError || e instanceof BaselineError) core.setFailed(e.message);
  else core.setFailed(`internal error: ${(e as Error).stack ?? String(e)}`);
}
