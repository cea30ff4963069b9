// Installed Python distributions (src/extractors/python-installed.ts) on real installs made by
// scripts/make-binary-fixtures.sh (step "python"): Debian 12's python3-cryptography as dpkg unpacks it, and the same
// build installed by Debian's pip into a site-packages beside pip's own wheel.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { extractors } from '../../src/extractors/index.js';
import { loadRuleSet } from '../../src/engine/load.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { DirVfs } from '../../src/sources/dir.js';
import { walkAndExtract } from '../../src/walk.js';
import { CACHE_MISSING, target } from './binary/helpers.js';
import { openTarget } from '../../src/sources/index.js';
import { targetOpenOptions } from '../../src/sources/image/target-facts.js';
import { dockerArchive, rawTar, scratchDir } from '../sources/image/helpers.js';

const SITE = 'lib/python3.11/site-packages';

describe('installed Python distributions', () => {
  it('a pip-installed site-packages: pkg:pypi components with installed evidence, installer and wheel platform', async (t) => {
    const venv = target('python/venv');
    if (!venv) return t.skip(CACHE_MISSING);
    const r = await walkAndExtract(new DirVfs(venv), extractors);
    assert.deepEqual(r.errors, []);
    const pypi = r.components.filter((c) => c.ecosystem === 'pypi');
    assert.deepEqual(
      pypi.map((c) => ({ purl: c.purl, properties: c.properties, evidence: c.evidence.map((e) => `${e.kind} ${e.path}:${e.line}`) })),
      [
        {
          purl: 'pkg:pypi/cryptography@38.0.4',
          // Debian's build from the sdist, as pip installed it: a wheel for this host's platform, not PyPI's manylinux one
          properties: { installer: 'pip', wheelPlatform: 'linux_x86_64' },
          // line 2: `Name: cryptography`, after `Metadata-Version: 2.1`
          evidence: [`installed ${SITE}/cryptography-38.0.4.dist-info/METADATA:2`],
        },
        {
          purl: 'pkg:pypi/pip@23.0.1',
          properties: { installer: 'pip', wheelPlatform: 'any' },
          evidence: [`installed ${SITE}/pip-23.0.1.dist-info/METADATA:2`],
        },
      ],
    );
    assert.equal(pypi[0]!.evidence[0]!.detail, 'cryptography 38.0.4 installed by pip from a cp311-cp311-linux_x86_64 wheel');
    // the extension modules beside it are still read as binaries: this build links the system's libssl
    assert.ok(r.components.some((c) => c.name === 'openssl' && c.evidence.some((e) => e.kind === 'linked' && e.path.startsWith(`${SITE}/cryptography/`))));
  });

  it('in an image: the dist-info files beside METADATA are copied in the layer pass and kept, not re-read from the layer', async (t) => {
    const venv = target('python/venv');
    if (!venv) return t.skip(CACHE_MISSING);
    const site = path.join(venv, SITE);
    const entries = ['cryptography-38.0.4.dist-info', 'pip-23.0.1.dist-info'].flatMap((d) =>
      readdirSync(path.join(site, d)).map((f) => ({ name: `usr/local/${SITE}/${d}/${f}`, data: readFileSync(path.join(site, d, f)) })),
    );
    const { dir, write } = scratchDir('python-installed');
    const opened = await openTarget(write(dockerArchive([rawTar(entries)])), dir, targetOpenOptions(extractors));
    const vfs = opened.image!;
    try {
      const r = await walkAndExtract(vfs, extractors);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(
        r.components.map((c) => `${c.purl} ${c.evidence[0]!.layer === vfs.facts().layers[0]!.diffId}`),
        ['pkg:pypi/cryptography@38.0.4 true', 'pkg:pypi/pip@23.0.1 true'],
      );
      for (const f of ['WHEEL', 'INSTALLER']) assert.ok(vfs.localCopy(`usr/local/${SITE}/pip-23.0.1.dist-info/${f}`), `${f} kept after the walk`);
    } finally {
      await vfs.close();
    }
  });

  it("leaves a distribution's own python3-* packages to the OS package database (no INSTALLER)", async (t) => {
    const root = target('python/debian');
    if (!root) return t.skip(CACHE_MISSING);
    const r = await walkAndExtract(new DirVfs(root), extractors);
    assert.deepEqual(r.errors, []);
    assert.ok(r.filesExtracted > 0);
    assert.deepEqual(
      r.components.filter((c) => c.ecosystem === 'pypi'),
      [],
    );
  });

  it('the bundled-OpenSSL rules leave out a build from source on the host, and judge a PyPI wheel', async (t) => {
    const venv = target('python/venv');
    if (!venv) return t.skip(CACHE_MISSING);
    const ruleSet = await loadRuleSet();
    const levels = ruleSet.profiles.get('fips-140-3')!.rules;
    const { components } = await walkAndExtract(new DirVfs(venv), extractors);
    const fired = (cs: typeof components) =>
      evaluate(cs, ruleSet, levels)
        .filter((f) => f.component.name === 'cryptography')
        .map((f) => f.ruleId)
        .sort();
    // built on the host: no bundled OpenSSL to report; the cryptography flaws themselves still apply by version
    assert.deepEqual(fired(components), ['pypi-cryptography-pkcs12-dos', 'pypi-cryptography-pkcs7-dos']);
    // the same release as PyPI's wheel (platform tag of cryptography-3.0-cp35-abi3-manylinux2010_x86_64.whl, fact base)
    const asWheel = components.map((c) => (c.name === 'cryptography' ? { ...c, properties: { ...c.properties, wheelPlatform: 'manylinux2010_x86_64' } } : c));
    assert.ok(fired(asWheel).includes('pypi-cryptography-bundled-openssl'));
  });
});
