import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Component } from '../../src/model/types.js';
import { extractors } from '../../src/extractors/index.js';
import { extractRequirements, requirementsTxtExtractor } from '../../src/extractors/requirements-txt.js';
import { ParseError } from '../../src/extractors/types.js';
import { DirVfs } from '../../src/sources/dir.js';
import { walkAndExtract } from '../../src/walk.js';
import { repoRoot, sharedFixture, SHARED_MISSING } from '../helpers.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures');
const awx2020 = path.join(fixtures, 'python', 'requirements-awx-2020', 'requirements.txt');

function one(components: Component[], name: string): Component {
  const found = components.filter((c) => c.name === name);
  assert.equal(found.length, 1, `expected one ${name}, found ${found.length}`);
  return found[0]!;
}

/** A scan root in the temp dir made of real lines cut from the awx files (the walk needs files on disk). */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-req-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const awxLines = readFileSync(awx2020, 'utf8').split('\n');
const line = (prefix: string) => awxLines.find((l) => l.startsWith(prefix))!;

describe('requirements*.txt: fileRequired', () => {
  it('any .txt whose basename contains "requirements"', () => {
    for (const p of ['requirements.txt', 'requirements-dev.txt', 'requirements/requirements.txt', 'ci/test-requirements.txt', 'dev_requirements.txt', 'Requirements.txt']) {
      assert.ok(requirementsTxtExtractor.fileRequired(p), p);
    }
    for (const p of ['requirements.in', 'requirements/base.txt', 'requirements.txt.bak', 'constraints.txt']) assert.ok(!requirementsTxtExtractor.fileRequired(p), p);
    assert.ok(extractors.includes(requirementsTxtExtractor));
  });
});

describe('requirements*.txt: real files', () => {
  it('awx (pip-compile, "# via" blocks, extras): 160 pins, lines as grep -n, direct from "-r", paths from "# via"', async (t) => {
    const file = sharedFixture('fixtures/lockfiles/requirements-txt-awx/requirements.txt');
    if (!file) return t.skip(SHARED_MISSING);
    const text = readFileSync(file, 'utf8');
    const components = await extractRequirements(text, 'requirements/requirements.txt', undefined);
    // 160 lines start with a package name; one of them is a direct git reference (`name @ git+https://…`)
    assert.equal(components.length, 160);
    assert.equal(components.filter((c) => c.version === undefined).map((c) => c.name).join(), 'awx-plugins.interfaces');
    const lines = text.split('\n');
    for (const c of components) assert.ok(lines[c.evidence[0]!.line! - 1]!.startsWith(c.name), `${c.name} at ${c.evidence[0]!.line}`);
    const crypto = one(components, 'cryptography');
    assert.deepEqual(crypto.evidence, [{ kind: 'declared', path: 'requirements/requirements.txt', line: 103, detail: 'requirements.txt cryptography==41.0.7' }]);
    assert.equal(crypto.direct, true);
    assert.deepEqual(crypto.dependencyPath, ['requirements.in', 'cryptography']);
    // SOURCES.md lists who requires it (the "# via" block); django-ansible-base is named there but not pinned in this
    // file (awx installs it from git through another requirements file), so it is no component and no edge
    assert.deepEqual(
      components.filter((c) => c.dependencies?.includes('cryptography')).map((c) => c.name).sort(),
      ['adal', 'autobahn', 'azure-identity', 'azure-keyvault-keys', 'jwcrypto', 'msal', 'pyjwt', 'pyopenssl', 'service-identity'],
    );
    assert.ok(!components.some((c) => c.name === 'django-ansible-base'));
    const pyjwt = one(components, 'pyjwt');
    assert.equal(pyjwt.version, '2.8.0');
    assert.equal(pyjwt.purl, 'pkg:pypi/pyjwt@2.8.0');
    assert.equal(pyjwt.direct, false);
    assert.equal(pyjwt.evidence[0]!.detail, 'requirements.txt pyjwt[crypto]==2.8.0');
  });

  it('awx 2020 (older pip-compile: "# via" on the requirement line)', async () => {
    const components = await extractRequirements(readFileSync(awx2020, 'utf8'), 'requirements.txt', undefined);
    assert.equal(components.length, 131);
    const crypto = one(components, 'cryptography');
    assert.deepEqual([crypto.version, crypto.evidence[0]!.line, crypto.direct], ['2.8', 22, false]);
    assert.deepEqual(crypto.dependencyPath, ['requirements.in', 'azure-keyvault', 'cryptography']);
    assert.deepEqual(one(components, 'tacacs_plus').purl, 'pkg:pypi/tacacs-plus@1.0');
    // "six" lists "tacacs-plus" among its dependents: names match PEP 503-normalised
    assert.ok(one(components, 'tacacs_plus').dependencies?.includes('six'));
    assert.equal(one(components, 'twisted').version, '20.3.0');
  });

  it('ansible (unpinned names): components without version, no invented edges', async () => {
    const text = readFileSync(path.join(fixtures, 'python', 'requirements-ansible', 'requirements.txt'), 'utf8');
    const components = await extractRequirements(text, 'requirements.txt', undefined);
    assert.deepEqual(
      components.map((c) => [c.name, c.version, c.evidence[0]!.line, c.purl]),
      [
        ['PyYAML', undefined, 7, 'pkg:pypi/pyyaml'],
        ['cryptography', undefined, 8, 'pkg:pypi/cryptography'],
        ['jinja2', undefined, 6, 'pkg:pypi/jinja2'],
      ],
    );
    assert.ok(components.every((c) => c.direct === undefined && c.dependencyPath === undefined && c.dependencies === undefined));
  });
});

describe('requirements*.txt: syntax', () => {
  // requirement lines from the real files, rearranged in the ways pip allows
  it('continuations, hashes, markers, extras, ${ENV}, options, comments, CRLF', async () => {
    const text = [
      '--index-url https://pypi.org/simple',
      `${line('cryptography==')} \\`,
      '    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000',
      'twisted[tls]==20.3.0 ; python_version >= "3.8"',
      'pyopenssl==${PYOPENSSL_VERSION}',
      'psycopg2>=2.8,<3',
      '-e git+https://github.com/ansible/awx_plugins.interfaces.git#egg=awx-plugins.interfaces',
      'https://example.invalid/pkg.tar.gz',
      '# a comment',
      'rsa==4.0  # via google-auth',
    ].join('\r\n');
    const components = await extractRequirements(text, 'requirements.txt', undefined);
    assert.deepEqual(
      components.map((c) => [c.name, c.version ?? null, c.evidence[0]!.line, c.properties ?? null]),
      [
        ['awx-plugins.interfaces', null, 7, null],
        ['cryptography', '2.8', 2, null],
        ['psycopg2', null, 6, null],
        ['pyopenssl', '${PYOPENSSL_VERSION}', 5, null],
        ['rsa', '4.0', 10, null],
        ['twisted', '20.3.0', 4, { marker: 'python_version >= "3.8"' }],
      ],
    );
  });

  it('-r is followed relative to the file (loop-safe), -c pins unpinned names; requirements*.txt includes are left to the walk', async () => {
    const dir = tree({
      'requirements/requirements.txt': `-r base.in\n-c constraints.txt\n-r requirements-dev.txt\ngrpcio\n`,
      'requirements/base.in': `${line('cryptography==')}\n-r requirements.txt\n-r base.in\n`,
      'requirements/constraints.txt': `grpcio==1.62.2\npsycopg2==2.8.4\n`,
      'requirements/requirements-dev.txt': `${line('pyopenssl==')}\n`,
    });
    const result = await walkAndExtract(new DirVfs(dir), [requirementsTxtExtractor]);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.components.map((c) => [c.name, c.version, c.evidence[0]!.path, c.evidence[0]!.line]).sort(),
      [
        ['cryptography', '2.8', 'requirements/base.in', 1],
        ['grpcio', '1.62.2', 'requirements/requirements.txt', 4],
        ['pyopenssl', '19.1.0', 'requirements/requirements-dev.txt', 1],
      ],
    );
  });

  it('an empty file has no components', async () => {
    assert.deepEqual(await extractRequirements('', 'requirements.txt', undefined), []);
    assert.deepEqual(await extractRequirements('# nothing\n\n', 'requirements.txt', undefined), []);
  });
});

describe('requirements*.txt: bad input', () => {
  it('bad lines and an include outside the root: one error naming every line, and every other package still reported', async () => {
    const dir = path.join(fixtures, 'bad');
    const result = await walkAndExtract(new DirVfs(dir), [requirementsTxtExtractor]);
    const errors = result.errors.filter((e) => e.path.startsWith('python-requirements'));
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.line, 1);
    assert.equal(
      errors[0]!.message,
      "line 1: -r ../../outside-requirements.txt is outside the scan root; not followed; also at line 21, line 50; skipped, every other line was read",
    );
    const components = result.components.filter((c) => c.evidence[0]!.path.startsWith('python-requirements'));
    assert.equal(components.length, 131 - 2);
    assert.ok(!components.some((c) => c.name === 'chardet' || c.name === 'hyperlink'));
    assert.equal(components.find((c) => c.name === 'cryptography')?.evidence[0]!.line, 23);
  });

  it('the ParseError carries the partial result', async () => {
    const text = `${line('cffi==')}\nnot a requirement\n${line('cryptography==')}\n`;
    await assert.rejects(extractRequirements(text, 'requirements.txt', undefined), (e: unknown) => {
      assert.ok(e instanceof ParseError);
      assert.equal(e.line, 2);
      assert.match(e.message, /^line 2: cannot read version specifier 'a requirement' of not; skipped, every other line was read$/);
      assert.deepEqual(e.partial?.map((c) => c.name), ['cffi', 'cryptography']);
      return true;
    });
  });
});
