import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type * as sarif from 'sarif';
import { FINGERPRINT_KEY, renderSarif, TARGET_ROOT_BASE_ID } from '../../src/report/sarif.js';
import { toUri } from '../../src/report/common.js';
import type { ScanResult } from '../../src/model/result.js';
import { repoRoot, SHARED_MISSING } from '../helpers.js';
import { LOCKFILES, packageBlock, SARIF_SCHEMA, sampleResult, type Sample } from './sample.js';
import { errorsText, sarifValidator } from './validators.js';

const parse = (s: string) => JSON.parse(s) as sarif.Log;

describe('SARIF reporter', { skip: LOCKFILES && SARIF_SCHEMA ? false : SHARED_MISSING }, () => {
  let sample: Sample;
  let log: sarif.Log;
  let text: string;

  before(async () => {
    sample = await sampleResult({ brokenTarget: true });
    text = renderSarif(sample.result);
    log = parse(text);
  });
  after(async () => sample?.cleanup());

  test('validates against the official SARIF 2.1.0 schema', async () => {
    const validate = sarifValidator(SARIF_SCHEMA!);
    assert.ok(validate(log), errorsText(validate));
    // the working directory itself as target ('.'), the other place URIs are built from
    const dot = await sampleResult({ cwd: path.join(LOCKFILES!, 'cargo-ring-boringtun'), targets: ['.'] });
    assert.ok(validate(parse(renderSarif(dot.result))), errorsText(validate));
    // and the validator is not a yes-machine
    const broken = structuredClone(log) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    broken.runs[0]!.results[0]!['level'] = 'fatal';
    assert.equal(validate(broken), false);
  });

  test('2-space JSON with a trailing newline, byte-identical across renders and across temp dirs', async () => {
    assert.equal(text, JSON.stringify(log, null, 2) + '\n');
    assert.equal(renderSarif(sample.result), text);
    // a second scan of the same inputs, with the broken target in a different temp dir
    const again = await sampleResult({ brokenTarget: true });
    try {
      assert.notEqual(again.tempDir, sample.tempDir);
      assert.equal(renderSarif(again.result), text);
    } finally {
      await again.cleanup();
    }
    assert.ok(!text.includes(sample.tempDir!), 'temp dir leaked into SARIF');
    assert.ok(!text.includes(LOCKFILES!), 'absolute path leaked into SARIF');
    assert.ok(!text.includes(os.tmpdir()), 'temp path leaked into SARIF');
    assert.doesNotMatch(text, /Time(Utc)?"/, 'timestamps make output differ between runs');
  });

  test('one run per target, each with its own automationDetails.id', () => {
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, sample.result.targets.length);
    const ids = log.runs.map((r) => r.automationDetails?.id);
    assert.deepEqual(ids, [
      'cryptaudit/fips-140-3/cargo-ring-boringtun/',
      'cryptaudit/fips-140-3/cargo-openssl-src-vaultwarden/',
      // the temp dir's name must not become a category: it changes on every CI run
      'cryptaudit/fips-140-3/outside-1/',
    ]);
    for (const run of log.runs) {
      assert.equal(run.tool.driver.name, 'cryptaudit');
      assert.equal(run.tool.driver.semanticVersion, sample.result.tool.version);
      assert.deepEqual(run.properties, { policy: 'fips-140-3', failOn: 'error' });
      assert.ok(Array.isArray(run.results), 'an empty results array is what closes fixed alerts');
    }
  });

  test('every enabled rule in every run, sorted by id, with the fields GitHub reads', () => {
    const enabled = sample.result.rules;
    assert.ok(enabled.length > 0);
    for (const run of log.runs) {
      const rules = run.tool.driver.rules!;
      assert.deepEqual(
        rules.map((r) => r.id),
        enabled.map((r) => r.rule.id).sort(),
      );
      for (const d of rules) {
        const { rule, level } = enabled.find((e) => e.rule.id === d.id)!;
        assert.match(d.name!, /^[A-Z][A-Za-z0-9]*$/);
        assert.equal(d.shortDescription!.text, rule.title);
        assert.equal(d.fullDescription!.text, rule.description.length <= 1024 ? rule.description : d.fullDescription!.text);
        assert.ok(d.fullDescription!.text.length <= 1024);
        assert.equal(d.defaultConfiguration!.level, level);
        assert.ok(d.help!.text.startsWith(rule.remediation.trim()));
        for (const ref of rule.references) {
          assert.ok(d.help!.text.includes(ref.title));
          if (ref.url) assert.ok(d.help!.markdown!.includes(`](${ref.url})`), `markdown link to ${ref.url}`);
          if (ref.source) assert.ok(d.help!.markdown!.includes(ref.source));
        }
        const props = d.properties!;
        const tags = props.tags as string[];
        assert.ok(tags.includes('security'), 'security makes GitHub treat results as security alerts');
        for (const cwe of rule.cwe.slice(0, 3)) assert.ok(tags.includes(`external/cwe/cwe-${cwe}`));
        assert.ok(tags.length <= 10, 'GitHub shows 10 tags');
        assert.equal(new Set(tags).size, tags.length);
        assert.equal(typeof props['security-severity'], 'string');
        assert.match(props['security-severity'] as string, /^\d+\.\d$/);
        assert.equal(Number(props['security-severity']), Number(rule.severity.toFixed(1)));
        assert.equal(props['precision'], rule.precision ?? 'high');
      }
    }
  });

  test('results: one location at the lockfile entry, our fingerprint, the contract properties', () => {
    let checked = 0;
    sample.result.targets.forEach((t, i) => {
      const run = log.runs[i]!;
      assert.equal(run.results!.length, t.findings.length);
      const rules = run.tool.driver.rules!;
      for (const r of run.results!) {
        const f = t.findings.find((x) => x.ruleId === r.ruleId && x.fingerprint === r.partialFingerprints?.[FINGERPRINT_KEY])!;
        assert.ok(f, `result ${r.ruleId} matches a finding`);
        assert.equal(rules[r.ruleIndex!]!.id, r.ruleId);
        assert.equal(r.level, f.level);
        assert.equal(r.message.text, f.message);
        assert.equal(r.locations!.length, 1);
        const pl = r.locations![0]!.physicalLocation!;
        const ev = f.evidence[0]!;
        assert.equal(pl.artifactLocation!.uri, path.posix.join(t.displayRoot, ev.path));
        assert.equal(pl.artifactLocation!.uriBaseId, undefined);
        assert.doesNotMatch(pl.artifactLocation!.uri!, /^\.\/|:/);
        assert.deepEqual(pl.region, ev.line === undefined ? undefined : { startLine: ev.line });
        // GitHub computes primaryLocationLineHash itself and warns when ours differs
        assert.deepEqual(r.partialFingerprints, { [FINGERPRINT_KEY]: f.fingerprint });
        const p = r.properties!;
        assert.equal(p['purl'], f.component.purl);
        // evidence paths are written as the location names the file (relative to the working directory)
        assert.deepEqual(p['evidence'], JSON.parse(JSON.stringify(f.evidence.map((e) => ({ ...e, path: path.posix.join(t.displayRoot, e.path) })))));
        assert.deepEqual(p['dependencyPath'], f.component.dependencyPath);
        assert.equal(p['direct'], f.component.direct);
        assert.deepEqual(p['captures'], f.captures);
        assert.equal(p['imagePath'], undefined);
        checked++;
      }
    });
    assert.ok(checked >= 2, `expected findings in the real lockfiles, got ${checked}`);
  });

  test('the ring finding points at the ring entry of the real boringtun Cargo.lock', async () => {
    const lock = await fs.readFile(path.join(LOCKFILES!, 'cargo-ring-boringtun', 'Cargo.lock'), 'utf8');
    const block = packageBlock(lock, 'ring')!;
    const ring = log.runs[0]!.results!.find((r) => r.properties!['purl'] === 'pkg:cargo/ring@0.17.14');
    assert.ok(ring, 'a rule of the fips-140-3 policy flags ring');
    const pl = ring.locations![0]!.physicalLocation!;
    assert.equal(pl.artifactLocation!.uri, 'cargo-ring-boringtun/Cargo.lock');
    assert.ok(pl.region!.startLine! >= block.start && pl.region!.startLine! <= block.end, `line ${pl.region!.startLine} in ${JSON.stringify(block)}`);
    assert.deepEqual(ring.properties!['dependencyPath'], ['boringtun', 'ring']);
  });

  test('captured values travel in properties (openssl-src: the OpenSSL release after +)', () => {
    const vw = log.runs[1]!.results!.filter((r) => r.properties!['purl'] === 'pkg:cargo/openssl-src@300.6.1%2B3.6.3');
    assert.ok(vw.length > 0, 'the policy flags the vendored OpenSSL in vaultwarden');
    const withCaptures = vw.filter((r) => r.properties!['captures']);
    assert.ok(withCaptures.length > 0, 'some openssl-src rule captures the OpenSSL version');
    for (const r of withCaptures) {
      const f = sample.result.targets[1]!.findings.find((x) => x.fingerprint === r.partialFingerprints![FINGERPRINT_KEY])!;
      assert.deepEqual(r.properties!['captures'], f.captures);
      assert.ok(Object.values(f.captures!).includes('3.6.3'), JSON.stringify(f.captures));
      assert.deepEqual(Object.keys(r.properties!['captures'] as object), Object.keys(f.captures!).sort());
    }
  });

  test('a file that could not be parsed is an error notification; a target where every file failed is not successful', () => {
    const [ok1, ok2, broken] = log.runs;
    for (const run of [ok1!, ok2!]) assert.deepEqual(run.invocations, [{ executionSuccessful: true }]);
    const t = sample.result.targets[2]!;
    assert.equal(t.errors.length, 1);
    const inv = broken!.invocations![0]!;
    assert.equal(inv.executionSuccessful, false);
    assert.equal(inv.toolExecutionNotifications!.length, 1);
    const n = inv.toolExecutionNotifications![0]!;
    assert.equal(n.level, 'error');
    assert.equal(n.message.text, t.errors[0]!.message);
    const pl = n.locations![0]!.physicalLocation!;
    // outside the working directory: relative to the target, with a base id instead of the temp path
    assert.deepEqual(pl.artifactLocation, { uri: 'Cargo.lock', uriBaseId: TARGET_ROOT_BASE_ID });
    assert.deepEqual(pl.region, t.errors[0]!.line === undefined ? undefined : { startLine: t.errors[0]!.line });
    // the real file was cut inside line 963 (the ring checksum): the parser must say so
    assert.equal(t.errors[0]!.line, 963);
    assert.ok(broken!.originalUriBaseIds?.[TARGET_ROOT_BASE_ID]);
    assert.equal(broken!.originalUriBaseIds![TARGET_ROOT_BASE_ID]!.uri, undefined);
    assert.equal(ok1!.originalUriBaseIds, undefined);
  });

  test('target "." gives plain repository-relative URIs and the category "root"', async () => {
    const dot = await sampleResult({ cwd: path.join(LOCKFILES!, 'cargo-ring-boringtun'), targets: ['.'] });
    const run = parse(renderSarif(dot.result)).runs[0]!;
    assert.equal(run.automationDetails!.id, 'cryptaudit/fips-140-3/root/');
    assert.ok(run.results!.length > 0);
    for (const r of run.results!) assert.equal(r.locations![0]!.physicalLocation!.artifactLocation!.uri, 'Cargo.lock');
  });

  test('image findings carry imagePath and layer (the diff id of the layer that brought the file)', async () => {
    // A layer made of the real boringtun Cargo.lock at app/Cargo.lock; its diff id is the sha256 of the layer tar.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cryptaudit-layer-'));
    try {
      await fs.mkdir(path.join(dir, 'app'));
      await fs.copyFile(path.join(LOCKFILES!, 'cargo-ring-boringtun', 'Cargo.lock'), path.join(dir, 'app', 'Cargo.lock'));
      const tar = await promisify(execFile)('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-cf', '-', 'app'], {
        cwd: dir,
        encoding: 'buffer',
        maxBuffer: 1 << 24,
      });
      const diffId = 'sha256:' + createHash('sha256').update(tar.stdout).digest('hex');
      const result: ScanResult = structuredClone(sample.result);
      const t = result.targets[0]!;
      t.displayRoot = 'image.tar';
      for (const f of t.findings) f.evidence = f.evidence.map((e) => ({ ...e, path: 'app/Cargo.lock', layer: diffId }));
      const r = parse(renderSarif({ ...result, targets: [t] })).runs[0]!.results![0]!;
      assert.equal(r.properties!['imagePath'], 'app/Cargo.lock');
      assert.equal(r.properties!['layer'], diffId);
      assert.equal(r.locations![0]!.physicalLocation!.artifactLocation!.uri, 'image.tar/app/Cargo.lock');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('URIs percent-encode what GitHub or URI syntax rejects', () => {
    assert.equal(toUri('web app/node_modules/@noble/hashes/package.json'), 'web%20app/node_modules/@noble/hashes/package.json');
    assert.equal(toUri('alpine:3.18.0/usr/lib/libssl.so.3'), 'alpine%3A3.18.0/usr/lib/libssl.so.3');
    assert.equal(toUri('a#b?c/ü'), 'a%23b%3Fc/%C3%BC');
  });

  const multitool = path.join(repoRoot, 'scripts', 'validate-sarif.sh');
  test('scripts/validate-sarif.sh: no errors on our output, fails on a log GitHub would reject', async (t) => {
    if (!existsSync(path.join(repoRoot, 'node_modules', '@microsoft', 'sarif-multitool'))) return t.skip('@microsoft/sarif-multitool not installed');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cryptaudit-sarif-'));
    try {
      const good = path.join(dir, 'good.sarif');
      await fs.writeFile(good, text);
      const out = await promisify(execFile)(multitool, [good]);
      assert.match(out.stdout, / 0 error\(s\), \d+ warning\(s\)/);
      // the one warning we accept: no informationUri, because the project has no public page yet to point at
      const warnings = out.stdout.split('\n').filter((l) => /: warning /.test(l));
      assert.ok(warnings.every((l) => /SARIF2005: .*informationUri/.test(l)), warnings.join('\n'));
      // help.text is required by GitHub (GH2012): removing it must fail the check
      const bad = path.join(dir, 'bad.sarif');
      const broken = structuredClone(log);
      delete broken.runs[0]!.tool.driver.rules![0]!.help;
      await fs.writeFile(bad, JSON.stringify(broken));
      await assert.rejects(promisify(execFile)(multitool, [bad]), (e: { code?: number; stdout?: string }) => e.code === 1 && /GH2012/.test(e.stdout ?? ''));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
