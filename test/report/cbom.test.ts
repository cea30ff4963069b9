import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import { scan } from '../../src/index.js';
import type { ScanResult } from '../../src/model/result.js';
import type { Component } from '../../src/model/types.js';
import { buildCbom, renderCbom, type CycloneDxBom } from '../../src/report/cbom.js';
import { factsFor, FactsError, FACTS_FILE, loadFacts, parseFacts, purlBase } from '../../src/report/facts.js';
import { render } from '../../src/report/index.js';
import { buildJson } from '../../src/report/json.js';
import { buildSarif } from '../../src/report/sarif.js';
import { repoRoot, SHARED_MISSING, sharedFixture } from '../helpers.js';
import { LOCKFILES, sampleResult, type Sample } from './sample.js';
import { errorsText } from './validators.js';

/** The official CycloneDX 1.6 JSON schema as @cyclonedx/cyclonedx-library ships it, with the spdx and jsf schemas it references. */
function cycloneDxValidator(): ValidateFunction {
  const dir = path.join(repoRoot, 'node_modules', '@cyclonedx', 'cyclonedx-library', 'res', 'schema');
  const load = (f: string) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { $schema?: string };
  const bom = load('bom-1.6.SNAPSHOT.schema.json');
  assert.equal(bom.$schema, 'http://json-schema.org/draft-07/schema#', 'Ajv (default draft-07) matches the schema draft');
  // strict off: the schema carries annotation keywords Ajv does not know (meta:enum)
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('date-time', (s) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addFormat('idn-email', (s) => /^[^\s@]+@[^\s@]+$/u.test(s));
  ajv.addFormat('iri-reference', (s) => !/[\s<>"{}|\\^`]/u.test(s));
  ajv.addFormat('uri', (s) => {
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  });
  // bom-1.6 refers to them by file name relative to its $id; their own $ids lack '.SNAPSHOT', so re-key them
  // (what @cyclonedx/cyclonedx-library's own JSON validator does)
  for (const f of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) ajv.addSchema({ ...load(f), $id: `http://cyclonedx.org/schema/${f}` });
  return ajv.compile(bom);
}

const EXAMPLE = path.join(repoRoot, 'examples', 'payments-service');

function libraryPurls(bom: CycloneDxBom): string[] {
  return bom.components.filter((c) => c.type === 'library').map((c) => c.purl!).sort();
}

function prop(c: { properties?: Array<{ name: string; value: string }> }, name: string): string[] {
  return (c.properties ?? []).filter((p) => p.name === name).map((p) => p.value);
}

async function scanAt(cwd: string, targets: string[], policy: string): Promise<ScanResult> {
  return scan({ targets, cwd, policy, failOn: 'none', discoverConfig: false });
}

describe('CBOM reporter', { skip: LOCKFILES ? false : SHARED_MISSING }, () => {
  let validate: ValidateFunction;
  let sample: Sample;
  let fips: CycloneDxBom;
  let inventory: ScanResult;
  let inv: CycloneDxBom;

  before(async () => {
    validate = cycloneDxValidator();
    sample = await sampleResult({ brokenTarget: true });
    fips = JSON.parse(renderCbom(sample.result)) as CycloneDxBom;
    inventory = await scanAt(LOCKFILES!, ['cargo-aws-lc-fips-sys-rustls', 'cargo-openssl-src-vaultwarden', 'npm-lockfile-v3-cyberchef'], 'inventory');
    inv = buildCbom(inventory);
  });
  after(async () => sample?.cleanup());

  test('validates against the official CycloneDX 1.6 JSON schema, which rejects what 1.6 does not allow', async () => {
    for (const bom of [fips, inv]) assert.ok(validate(bom), errorsText(validate));
    for (const policy of ['fips-140-3', 'pqc', 'inventory']) {
      const r = await scanAt(repoRoot, [EXAMPLE], policy);
      assert.ok(validate(JSON.parse(render('cbom', r))), `${policy}: ${errorsText(validate)}`);
    }
    const serial = buildCbom(inventory, { serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', timestamp: '2026-11-25T12:00:00Z' });
    assert.ok(validate(serial), errorsText(validate));

    // the validator is not a rubber stamp: a 1.7-only primitive and a missing assetType are refused
    const keyWrap = structuredClone(inv) as unknown as { components: Array<{ cryptoProperties?: { algorithmProperties?: { primitive: string } } }> };
    keyWrap.components.find((c) => c.cryptoProperties?.algorithmProperties)!.cryptoProperties!.algorithmProperties!.primitive = 'key-wrap';
    assert.equal(validate(keyWrap), false);
    const noAssetType = structuredClone(inv) as unknown as { components: Array<{ cryptoProperties?: Record<string, unknown> }> };
    delete noAssetType.components.find((c) => c.cryptoProperties)!.cryptoProperties!['assetType'];
    assert.equal(validate(noAssetType), false);
  });

  test('byte-identical for the same input; serial number and timestamp only when asked for', async () => {
    const again = await scanAt(LOCKFILES!, ['cargo-aws-lc-fips-sys-rustls', 'cargo-openssl-src-vaultwarden', 'npm-lockfile-v3-cyberchef'], 'inventory');
    const text = renderCbom(inventory);
    assert.equal(renderCbom(again), text);
    assert.equal(text, JSON.stringify(inv, null, 2) + '\n');
    assert.doesNotMatch(text, /serialNumber|timestamp|null/);
    const asked = buildCbom(inventory, { serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', timestamp: '2026-11-25T12:00:00Z' });
    assert.equal(asked.serialNumber, 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79');
    assert.equal(asked.metadata.timestamp, '2026-11-25T12:00:00Z');
    assert.throws(() => buildCbom(inventory, { serialNumber: 'not-a-uuid' }), /urn:uuid/);
    assert.throws(() => buildCbom(inventory, { timestamp: 'yesterday' }), /date-time/);
    assert.equal(render('cbom', inventory, { cbom: { serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79' } }).includes('"serialNumber"'), true);
  });

  test('the same component set in SARIF, JSON and CBOM for the same scan', async () => {
    const results: Array<[string, ScanResult]> = [
      ['fips sample', sample.result],
      ['inventory', inventory],
      ['payments-service pqc', await scanAt(repoRoot, [EXAMPLE], 'pqc')],
      ['payments-service inventory', await scanAt(repoRoot, [EXAMPLE], 'inventory')],
    ];
    for (const [name, r] of results) {
      const cbom = libraryPurls(buildCbom(r));
      const sarif = [...new Set(buildSarif(r).runs.flatMap((run) => (run.results ?? []).map((x) => String(x.properties!['purl']))))].sort();
      const json = [...new Set(buildJson(r).targets.flatMap((t) => t.components.map((c) => c.purl)))].sort();
      assert.ok(cbom.length > 0, `${name}: no crypto libraries`);
      assert.deepEqual(cbom, sarif, `${name}: CBOM vs SARIF`);
      assert.deepEqual(cbom, json, `${name}: CBOM vs JSON`);
    }
  });

  test('libraries: bom-ref is the purl, occurrences name the lockfile and the entry line', () => {
    const lock = readFileSync(path.join(LOCKFILES!, 'cargo-aws-lc-fips-sys-rustls', 'Cargo.lock'), 'utf8').split('\n');
    const fipsSys = inv.components.find((c) => c['bom-ref'] === 'pkg:cargo/aws-lc-fips-sys@0.14.1')!;
    assert.equal(fipsSys.purl, fipsSys['bom-ref']);
    assert.equal(fipsSys.version, '0.14.1');
    const [occ] = fipsSys.evidence!.occurrences;
    assert.equal(occ!.location, 'cargo-aws-lc-fips-sys-rustls/Cargo.lock');
    assert.equal(lock[occ!.line! - 1], 'name = "aws-lc-fips-sys"');
    assert.match(occ!.additionalContext!, /^declared: /);
    // every library has at least one occurrence and the findings that put it here
    for (const c of inv.components.filter((x) => x.type === 'library')) {
      assert.ok(c.evidence!.occurrences.length > 0, c['bom-ref']);
      assert.ok(prop(c, 'cryptaudit:finding').length > 0, c['bom-ref']);
    }
    // bom-refs are unique and every reference resolves
    const refs = inv.components.map((c) => c['bom-ref']);
    assert.equal(new Set(refs).size, refs.length);
    for (const d of inv.dependencies) for (const r of [d.ref, ...(d.dependsOn ?? []), ...(d.provides ?? [])]) assert.ok(refs.includes(r), r);
  });

  test('FIPS validation only from the fact base: aws-lc-fips-sys 0.14 builds AWS-LC-FIPS 4.x, in process, no certificate', () => {
    const fipsSys = inv.components.find((c) => c['bom-ref'] === 'pkg:cargo/aws-lc-fips-sys@0.14.1')!;
    assert.deepEqual(prop(fipsSys, 'cryptaudit:cmvp-module'), ['AWS-LC-FIPS 4.x']);
    assert.deepEqual(prop(fipsSys, 'cryptaudit:cmvp-certificate'), []);
    assert.match(prop(fipsSys, 'cryptaudit:cmvp-status')[0]!, /^in process/);
    // libraries without a module fact carry no CMVP claim at all
    for (const c of inv.components.filter((x) => x.type === 'library' && x['bom-ref'] !== fipsSys['bom-ref'])) {
      assert.deepEqual(prop(c, 'cryptaudit:cmvp-module'), [], c['bom-ref']);
    }
  });

  test('TLS defaults and algorithms only where the fact base supports them, linked through dependencies.provides', () => {
    const provides = (ref: string) => inv.dependencies.find((d) => d.ref === ref)?.provides ?? [];
    // rustls 0.23.43 on aws-lc-rs: X25519MLKEM768 first (0.23.27+)
    assert.deepEqual(provides('pkg:cargo/rustls@0.23.43'), ['crypto/protocol/tls/rustls-aws-lc-rs-pq-preferred']);
    const tls = inv.components.find((c) => c['bom-ref'] === 'crypto/protocol/tls/rustls-aws-lc-rs-pq-preferred')!;
    assert.deepEqual(tls.cryptoProperties, { assetType: 'protocol', protocolProperties: { type: 'tls', cryptoRefArray: ['crypto/algorithm/X25519MLKEM768'] } });
    const hybrid = inv.components.find((c) => c['bom-ref'] === 'crypto/algorithm/X25519MLKEM768')!;
    assert.deepEqual(hybrid.cryptoProperties, {
      assetType: 'algorithm',
      algorithmProperties: { primitive: 'kem', parameterSetIdentifier: '768', nistQuantumSecurityLevel: 3 },
    });
    // vaultwarden vendors OpenSSL 3.6.3 (openssl-src 300.6.1+3.6.3): OpenSSL 3.5+ default groups and ML-KEM/ML-DSA/SLH-DSA
    assert.deepEqual(provides('pkg:cargo/openssl-src@300.6.1%2B3.6.3'), [
      'crypto/algorithm/ML-DSA',
      'crypto/algorithm/ML-KEM',
      'crypto/algorithm/SLH-DSA',
      'crypto/protocol/tls/openssl-3.5',
    ]);
    const x25519 = inv.components.find((c) => c['bom-ref'] === 'crypto/algorithm/X25519')!;
    assert.equal((x25519.cryptoProperties as { algorithmProperties: { nistQuantumSecurityLevel: number } }).algorithmProperties.nistQuantumSecurityLevel, 0);
    // a library found is a library: ring, crypto-js, node-forge… provide nothing the facts do not say
    for (const d of inv.dependencies) {
      if (/^pkg:(cargo\/(ring|aws-lc-sys|rsa)|npm\/)/.test(d.ref)) assert.equal(d.provides, undefined, d.ref);
    }
    // every cryptographic asset is provided by some library (nothing free-floating)
    const provided = new Set(inv.dependencies.flatMap((d) => d.provides ?? []));
    const viaProtocols = new Set(
      inv.components.flatMap((c) => ((c.cryptoProperties as { protocolProperties?: { cryptoRefArray: string[] } })?.protocolProperties?.cryptoRefArray ?? [])),
    );
    for (const c of inv.components.filter((x) => x.type === 'cryptographic-asset')) {
      assert.ok(provided.has(c['bom-ref']) || viaProtocols.has(c['bom-ref']), c['bom-ref']);
    }
  });

  test('metadata says what was and was not analysed, and which files could not be parsed', () => {
    const analysis = prop(fips.metadata, 'cryptaudit:analysis')[0]!;
    assert.match(analysis, /^Analysed: package entries in lockfiles and manifests\. Not analysed: source code/);
    assert.match(analysis, /not observed use/);
    assert.deepEqual(prop(fips.metadata, 'cryptaudit:policy'), ['fips-140-3']);
    const notParsed = prop(fips.metadata, 'cryptaudit:not-parsed');
    assert.equal(notParsed.length, 1);
    assert.match(notParsed[0]!, /^Cargo\.lock:\d+: /);
    assert.equal(prop(fips.metadata, 'cryptaudit:target').length, 3);
  });
});

describe('crypto fact base (rules/facts/modules.yml)', () => {
  test('loads and passes its schema and cross-checks', () => {
    const facts = loadFacts();
    assert.match(facts.asOf, /^\d{4}-\d\d-\d\d$/);
    assert.ok(facts.modules.length > 0 && facts.libraries.length > 0);
    // FIPS 140-2 certificates are historical (since 2026-09-21), never active
    for (const m of facts.modules.filter((x) => x.standard === 'FIPS 140-2')) {
      assert.equal(m.status, 'historical', m.id);
      assert.equal(m.statusSince, '2026-09-21', m.id);
    }
  });

  test('every source names a section that exists in the knowledge files', { skip: sharedFixture('knowledge') ? false : SHARED_MISSING }, () => {
    const facts = loadFacts();
    const sources = [facts.modules, facts.algorithms, facts.tlsDefaults, facts.libraries, facts.controls, facts.deadlines].flat().map((e) => e.source);
    for (const s of new Set(sources)) {
      const [, file, section] = /^knowledge\/([a-z0-9-]+\.md) §(.+)$/.exec(s)!;
      const text = readFileSync(sharedFixture(`knowledge/${file}`)!, 'utf8');
      const heading = new RegExp(`^#{2,3} (Part )?${section!.replace(/\./g, '\\.')}[. —]`, 'm');
      assert.match(text, heading, s);
    }
  });

  test('a broken entry is an error naming the file and line', () => {
    const real = readFileSync(FACTS_FILE, 'utf8');
    const bad = real.replace('module: aws-lc-fips-3\n', 'module: aws-lc-fips-9\n');
    assert.notEqual(bad, real);
    const line = bad.split('\n').indexOf('    module: aws-lc-fips-9') + 1;
    assert.throws(
      () => parseFacts(bad, 'rules/facts/modules.yml'),
      (e: unknown) => e instanceof FactsError && e.line === line && /unknown module 'aws-lc-fips-9'/.test(e.message),
    );
    const typo = real.replace('    standard: FIPS 140-3\n', '    standard: FIPS 140-4\n');
    assert.throws(() => parseFacts(typo, 'x.yml'), (e: unknown) => e instanceof FactsError && /standard: must be equal to one of the allowed values/.test(e.message) && e.line !== undefined);
    assert.throws(() => parseFacts('modules: [', 'x.yml'), (e: unknown) => e instanceof FactsError && /not valid YAML/.test(e.message));
  });

  // real crate/artifact versions named in the sources (aws-lc-rs v1.18.0 release notes: aws-lc-fips-sys 0.13.16 →
  // 0.14.0; aws-lc-rs <1.12.0 ↔ AWS-LC-FIPS 2.0.x, <1.18.0 ↔ 3.0.x; bc-fips 1.0.2.4 and 2.1.x per Maven Central)
  const crate = (name: string, version: string, dependencies: string[] = []): Component => ({
    ecosystem: 'cargo',
    name,
    version,
    purl: `pkg:cargo/${name}@${version}`,
    evidence: [{ kind: 'declared', path: 'Cargo.lock', line: 1, detail: `Cargo.lock [[package]] ${name} ${version}` }],
    dependencies,
  });
  const target = (components: Component[]) => ({ target: '.', displayRoot: '.', kind: 'directory' as const, components, findings: [], errors: [], filesExtracted: 1, filesParsed: 1 });

  test('aws-lc-fips-sys maps to the AWS-LC-FIPS line its aws-lc-rs release uses', () => {
    const sys = crate('aws-lc-fips-sys', '0.13.16');
    const v3 = factsFor(sys, target([sys, crate('aws-lc-rs', '1.17.1', ['aws-lc-fips-sys'])]));
    assert.equal(v3.module?.fact.id, 'aws-lc-fips-3');
    assert.deepEqual(v3.module?.fact.certificates.map((c) => c.number), [5314, 5298]);
    const old = crate('aws-lc-fips-sys', '0.12.8');
    assert.equal(factsFor(old, target([old, crate('aws-lc-rs', '1.7.0', ['aws-lc-fips-sys'])])).module?.fact.id, 'aws-lc-fips-2.0');
    // no aws-lc-rs that depends on it: the line is not knowable, so no module is claimed
    assert.equal(factsFor(sys, target([sys])).module, undefined);
    assert.equal(factsFor(crate('aws-lc-fips-sys', '0.14.0'), undefined).module?.fact.id, 'aws-lc-fips-4');
  });

  test('maven bc-fips certificates, and conditions stay conditions', () => {
    const bc = (version: string): Component => ({
      ecosystem: 'maven',
      name: 'bc-fips',
      version,
      purl: `pkg:maven/org.bouncycastle/bc-fips@${version}`,
      evidence: [],
    });
    assert.equal(factsFor(bc('1.0.2.4'), undefined).module?.fact.certificates[0]?.number, 4616);
    assert.equal(factsFor(bc('1.0.2.4'), undefined).module?.fact.status, 'historical');
    assert.equal(factsFor(bc('2.1.2'), undefined).module?.fact.certificates[0]?.number, 4943);
    assert.equal(factsFor(bc('2.0.0'), undefined).module, undefined, '2.0.0 certificate is unverified in the fact base');
    const boring = factsFor(crate('boring', '4.19.0'), undefined);
    assert.equal(boring.module?.fact.id, 'boringcrypto-4407');
    assert.match(boring.module?.condition ?? '', /fips/);
  });

  test('rustls: provider and version decide the default key exchange', () => {
    assert.equal(factsFor(crate('rustls', '0.23.27', ['aws-lc-rs']), undefined).tls?.fact.postQuantum, 'preferred');
    assert.equal(factsFor(crate('rustls', '0.23.26', ['aws-lc-rs']), undefined).tls?.fact.postQuantum, 'offered');
    assert.equal(factsFor(crate('rustls', '0.23.43', ['ring']), undefined).tls?.fact.postQuantum, 'none');
    assert.equal(factsFor(crate('rustls', '0.21.12', ['ring']), undefined).tls?.fact.postQuantum, 'none');
    // 0.24 moved providers into their own crates: the fact base says nothing yet, so nothing is claimed
    assert.equal(factsFor(crate('rustls', '0.24.0-dev.1'), undefined).tls, undefined);
  });

  test('purlBase strips version, qualifiers and subpath; npm scopes stay', () => {
    assert.equal(purlBase('pkg:cargo/ring@0.17.14'), 'pkg:cargo/ring');
    assert.equal(purlBase('pkg:npm/%40noble/post-quantum@0.2.1'), 'pkg:npm/%40noble/post-quantum');
    assert.equal(purlBase('pkg:maven/org.conscrypt/conscrypt-openjdk@2.7.0?classifier=linux-x86_64'), 'pkg:maven/org.conscrypt/conscrypt-openjdk');
    assert.equal(existsSync(FACTS_FILE), true);
  });
});
