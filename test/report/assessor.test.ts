import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { scan } from '../../src/index.js';
import type { ScanResult } from '../../src/model/result.js';
import { renderAssessorSection } from '../../src/report/assessor.js';
import { loadFacts } from '../../src/report/facts.js';
import { repoRoot, SHARED_MISSING } from '../helpers.js';
import { LOCKFILES } from './sample.js';

async function scanAt(cwd: string, targets: string[], policy: string): Promise<ScanResult> {
  return scan({ targets, cwd, policy, failOn: 'none', discoverConfig: false });
}

/** The table rows of one target's section, keyed by the library cell (`name@version`). */
function rows(section: string, target: string): Map<string, string[]> {
  const start = section.indexOf(`#### \`${target}\``);
  assert.ok(start >= 0, `no section for ${target}`);
  const end = section.indexOf('\n#### ', start + 1);
  const out = new Map<string, string[]>();
  for (const line of section.slice(start, end < 0 ? undefined : end).split('\n')) {
    const m = /^\| `([^`]+)` \| (.*) \|$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.split(' | '));
  }
  return out;
}

describe('assessor evidence section', { skip: LOCKFILES ? false : SHARED_MISSING }, () => {
  let inventory: ScanResult;
  let section: string;

  before(async () => {
    inventory = await scanAt(LOCKFILES!, ['cargo-aws-lc-fips-sys-rustls', 'cargo-openssl-src-vaultwarden'], 'inventory');
    section = renderAssessorSection(inventory);
  });

  test('says plainly that it is evidence, not a certification, and what was not analysed', () => {
    assert.match(section, /^### Assessor evidence: cryptographic modules\n/);
    assert.match(section, /\*\*This is evidence for an assessment, not a certification\.\*\*/);
    assert.match(section, new RegExp(`fact base on ${loadFacts().asOf}`));
    assert.match(section, /Analysed: package entries in lockfiles and manifests\. Not analysed: source code and call sites/);
  });

  test('one table per target, one row per crypto library, the same libraries the findings name', () => {
    for (const t of inventory.targets) {
      const table = rows(section, t.target);
      const expected = new Set(t.findings.map((f) => (f.component.version ? `${f.component.name}@${f.component.version}` : f.component.name)));
      assert.deepEqual(new Set(table.keys()), expected, t.target);
    }
  });

  test('module validation from the fact base: aws-lc-fips-sys 0.14 is AWS-LC-FIPS 4.x, in process, no certificate', () => {
    const r = rows(section, 'cargo-aws-lc-fips-sys-rustls');
    const [where, validation, ownCrypto] = r.get('aws-lc-fips-sys@0.14.1')!;
    assert.match(where!, /^`cargo-aws-lc-fips-sys-rustls\/Cargo\.lock:\d+`$/);
    assert.equal(validation, 'AWS-LC-FIPS 4.x: FIPS 140-3, in process (no certificate yet)');
    assert.equal(ownCrypto, 'no finding says so');
    assert.match(section, /\*\*Modules in process, not yet validated:\*\* `aws-lc-fips-sys@0\.14\.1` → AWS-LC-FIPS 4\.x/);
    // ring carries its own crypto (rule tagged non-validated): a bypass of the platform module
    const [, ringValidation, ringOwn] = r.get('ring@0.17.14')!;
    assert.equal(ringValidation, 'not a validated module');
    assert.equal(ringOwn, 'yes (`cargo-ring`)');
  });

  test('default TLS key exchange: rustls 0.23.43 on aws-lc-rs prefers X25519MLKEM768, vendored OpenSSL 3.6.3 too', () => {
    const [, , , kx] = rows(section, 'cargo-aws-lc-fips-sys-rustls').get('rustls@0.23.43')!;
    assert.equal(kx, 'hybrid ML-KEM preferred: X25519MLKEM768, …');
    const [, , , okx] = rows(section, 'cargo-openssl-src-vaultwarden').get('openssl-src@300.6.1+3.6.3')!;
    assert.match(okx!, /^hybrid ML-KEM preferred: X25519MLKEM768, X25519, secp256r1/);
  });

  test('controls: SC-13, SC-8, 3.13.11 and IR 8547 with what the scan shows; dates from the fact base', () => {
    const controls = section.slice(section.indexOf('#### Controls'));
    for (const id of ['SC-13', 'SC-8', '3.13.11', 'IR-8547']) assert.match(controls, new RegExp(`^\\| \\*\\*${id.replace(/\./g, '\\.')}\\*\\* `, 'm'), id);
    assert.match(controls, /\| \*\*SC-8\*\* [^\n]*TLS libraries with a known default key exchange: [^\n]*`rustls@0\.23\.43`/);
    assert.match(controls, /deprecated after 2030, disallowed after 2035/);
    assert.match(controls, /2026-09-21 all FIPS 140-2 certificates moved to the CMVP historical list/);
  });

  test('quantum-vulnerable default key exchange is listed: the payments-service rustls uses the ring provider', async () => {
    const r = await scanAt(repoRoot, [path.join('examples', 'payments-service')], 'fips-140-3');
    const s = renderAssessorSection(r);
    assert.match(s, /\*\*Quantum-vulnerable key exchange still the default:\*\* `rustls@0\.23\.43` \(classical \(quantum-vulnerable\) groups only\)/);
    assert.match(s, /\| \*\*IR-8547\*\* [^\n]*still quantum-vulnerable by default: `rustls@0\.23\.43`/);
    assert.equal(renderAssessorSection(r), s, 'deterministic');
  });

  test('when no rule on under the policy identifies own-crypto libraries, the section says where that evidence is', async () => {
    const r = await scanAt(LOCKFILES!, ['cargo-aws-lc-fips-sys-rustls'], 'pqc');
    assert.doesNotMatch(renderAssessorSection(r), /run with `--policy fips-140-3`/);
    // the same scan with the own-crypto rules switched off (as a custom profile could)
    const bypass = ['non-validated', 'pure-js', 'static-link', 'vendored'];
    const off = new Set(r.rules.filter((x) => (x.rule.tags ?? []).some((t) => bypass.includes(t))).map((x) => x.rule.id));
    assert.ok(off.size > 0);
    const narrowed: ScanResult = {
      ...r,
      rules: r.rules.filter((x) => !off.has(x.rule.id)),
      targets: r.targets.map((t) => ({ ...t, findings: t.findings.filter((f) => !off.has(f.ruleId)) })),
    };
    const s = renderAssessorSection(narrowed);
    assert.match(s, /run with `--policy fips-140-3` or `inventory` for that evidence/);
    assert.match(s, /: 0 crypto libraries\n\nNo crypto libraries identified under this policy\./);
  });
});
