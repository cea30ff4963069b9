#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { FailOn } from './model/result.js';
import { writeFileAtomic } from './util/atomic-write.js';

const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'note', 'none'];

const HELP = `cryptaudit — find bundled or non-approved cryptography in dependencies

Usage:
  cryptaudit scan [TARGET ...] [options]   scan directories or files (default: .)
  cryptaudit rules list [--policy ID]      the rules, and their level under a policy
  cryptaudit rules show ID                 what one rule says
  cryptaudit triage [TARGET ...]           browse findings in a terminal UI and suppress them
                                           with a reason and expiry (--from FILE: a saved JSON report)

Scan options:
  --policy ID        fips-140-3 (default) | pqc | inventory
  --format F         text (default) | json | sarif | markdown | cbom
  --output FILE      write the report to FILE instead of stdout
  --fail-on LEVEL    error (default) | warning | note | none
  --config FILE      configuration file (default: .cryptaudit.yml found upward from the first target)
  --baseline FILE    a previous JSON or SARIF report: only findings not in it are reported and fail the run
  --exclude GLOB     leave out paths (repeatable), relative to each target
  --rules-dir DIR    extra rule directory (repeatable)
  --npm-reader R     lockfile (default) | arborist: how package-lock.json is read
  --cbom-serial      cbom: add a random serialNumber and metadata.timestamp (SOURCE_DATE_EPOCH if set);
                     without it the same scan gives byte-identical output
  --platform P       image targets with several platforms: os/arch[/variant] (default linux/amd64)
  --skip-removed-files
                     image targets: leave out files a later layer deleted (by default they are scanned from
                     the layer that added them, since their bytes still ship, and reported as notes)

Targets: a directory, a file, a \`docker save\` tarball or OCI layout (dir or tar), oci:PATH[:REF],
docker-archive:PATH[:TAG], registry:REF (credentials from the Docker config file: credHelpers, credsStore, auths).

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage or input error.
`;

class UsageError extends Error {}

/** --cbom-serial: a fresh urn:uuid, and now (or SOURCE_DATE_EPOCH, the reproducible-builds convention). */
function cbomStamp(): { serialNumber: string; timestamp: string } {
  const epoch = process.env['SOURCE_DATE_EPOCH'];
  const ms = epoch && /^\d+$/.test(epoch) ? Number(epoch) * 1000 : Date.now();
  return { serialNumber: `urn:uuid:${randomUUID()}`, timestamp: new Date(ms).toISOString() };
}

function colorWanted(stream: NodeJS.WriteStream): boolean {
  const force = process.env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (process.env['NO_COLOR']) return false;
  return Boolean(stream.isTTY);
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got '${value}')`);
  return value as T;
}

async function runScan(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'fail-on': { type: 'string' },
      config: { type: 'string' },
      baseline: { type: 'string' },
      exclude: { type: 'string', multiple: true },
      'rules-dir': { type: 'string', multiple: true },
      'npm-reader': { type: 'string' },
      'cbom-serial': { type: 'boolean' },
      platform: { type: 'string' },
      'skip-removed-files': { type: 'boolean' },
    },
  });
  if (values.platform !== undefined && !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(values.platform)) {
    throw new UsageError(`--platform must be os/arch[/variant], e.g. linux/amd64 (got '${values.platform}')`);
  }
  const { render, REPORT_FORMATS } = await import('./report/index.js');
  const format = oneOf(values.format, REPORT_FORMATS, '--format') ?? 'text';
  const failOn = oneOf(values['fail-on'], FAIL_ON, '--fail-on');
  const npmReader = oneOf(values['npm-reader'], ['lockfile', 'arborist'] as const, '--npm-reader');
  // read before scanning: an unusable baseline is an input error (exit 2), found without a wasted scan
  const baselines = values.baseline !== undefined ? await import('./baseline.js') : undefined;
  let baseline: import('./baseline.js').Baseline | undefined;
  try {
    baseline = baselines ? await baselines.readBaseline(values.baseline!) : undefined;
  } catch (e) {
    if (baselines && e instanceof baselines.BaselineError) throw new UsageError(e.message);
    throw e;
  }
  const { scan } = await import('./index.js');
  if (process.stderr.isTTY) process.stderr.write(`cryptaudit: scanning ${positionals.length ? positionals.join(', ') : '.'}\n`);
  const result = await scan({
    targets: positionals,
    policy: values.policy,
    failOn,
    configFile: values.config,
    exclude: values.exclude,
    ruleDirs: values['rules-dir'],
    npmReader,
    platform: values.platform,
    ...(values['skip-removed-files'] ? { removedFiles: false } : {}),
  });
  for (const t of result.targets) {
    for (const e of t.errors) {
      const where = [t.displayRoot === '.' ? e.path : `${t.displayRoot}/${e.path}`, e.line].filter((x) => x !== undefined).join(':');
      process.stderr.write(`cryptaudit: ${where}: ${e.message}\n`);
    }
    if (t.filesExtracted === 0) process.stderr.write(`cryptaudit: ${t.target}: no supported lockfiles found\n`);
  }
  const color = format === 'text' && !values.output && colorWanted(process.stdout);
  // --baseline: reports and the exit code cover only new findings; SARIF keeps all, marked new/unchanged
  const shown = baseline ? baselines!.onlyNew(result, baseline) : result;
  const out = baseline && format === 'sarif' ? baselines!.renderSarifWithBaseline(result, baseline) : render(format, shown, { color, cbom: values['cbom-serial'] ? cbomStamp() : undefined });
  if (values.output) await writeFileAtomic(values.output, out);
  else process.stdout.write(out);
  return shown.exitCode;
}

async function runRules(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { policy: { type: 'string' }, config: { type: 'string' }, 'rules-dir': { type: 'string', multiple: true } },
  });
  const [sub, id] = positionals;
  const { resolveConfig, loadRules, DEFAULT_POLICY } = await import('./index.js');
  const { renderRuleList, renderRule } = await import('./report/rules.js');
  const cwd = process.cwd();
  const config = await resolveConfig({ configFile: values.config }, cwd);
  const ruleSet = await loadRules(config, values['rules-dir']);
  if (sub === 'list') {
    const policy = values.policy ?? config.policy ?? DEFAULT_POLICY;
    if (!ruleSet.profiles.has(policy)) throw new UsageError(`unknown policy '${policy}' (known: ${[...ruleSet.profiles.keys()].sort().join(', ')})`);
    process.stdout.write(renderRuleList(ruleSet, policy));
    return 0;
  }
  if (sub === 'show') {
    if (!id) throw new UsageError('rules show needs a rule id (see: cryptaudit rules list)');
    const rule = ruleSet.rules.get(id);
    if (!rule) throw new UsageError(`no rule '${id}' (see: cryptaudit rules list)`);
    process.stdout.write(renderRule(rule, ruleSet));
    return 0;
  }
  throw new UsageError("rules needs 'list' or 'show ID'");
}

async function runTriageCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      policy: { type: 'string' },
      config: { type: 'string' },
      exclude: { type: 'string', multiple: true },
      'rules-dir': { type: 'string', multiple: true },
      'npm-reader': { type: 'string' },
    },
  });
  // an interactive UI on a pipe would wait for keys that never come: refuse before scanning
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError('triage needs an interactive terminal (stdin and stdout must be a TTY); in CI or a pipe use `cryptaudit scan --format text` or `--format json`');
  }
  if (values.from !== undefined && positionals.length) throw new UsageError('triage takes either targets or --from FILE, not both');
  const npmReader = oneOf(values['npm-reader'], ['lockfile', 'arborist'] as const, '--npm-reader');
  const color = colorWanted(process.stdout);
  // chalk (inside ink) reads these when it is first imported; ink 6 also renders only a final frame when it
  // believes it runs in CI, which a user at a TTY is not
  if (!color) process.env['FORCE_COLOR'] = '0';
  if (process.env['CI'] !== undefined) process.env['CI'] = 'false';
  const { runTriage } = await import('./tui/run.js');
  return runTriage({
    targets: positionals,
    from: values.from,
    policy: values.policy,
    configFile: values.config,
    exclude: values.exclude,
    ruleDirs: values['rules-dir'],
    npmReader,
    color,
  });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'scan':
        return await runScan(rest);
      case 'rules':
        return await runRules(rest);
      case 'triage':
        return await runTriageCommand(rest);
      case '--version':
      case '-V': {
        const { toolVersion } = await import('./index.js');
        process.stdout.write(`${toolVersion}\n`);
        return 0;
      }
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}' (try: cryptaudit --help)`);
    }
  } catch (e) {
    // the one top-level catch: a one-line message, exit 2; internal errors keep their stack for bug reports
    const { ScanInputError } = await import('./index.js');
    if (e instanceof UsageError || e instanceof ScanInputError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`cryptaudit: ${(e as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`cryptaudit: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  }
}

// `cryptaudit scan | head`: a reader that stops early is not an error of ours; finish quietly instead of crashing
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const code = await main(process.argv.slice(2));
process.exitCode = code;
