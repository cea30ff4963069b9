import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Component } from '../../src/model/types.js';
import { extractors } from '../../src/extractors/index.js';
import { parsePdmLock, pdmLockExtractor } from '../../src/extractors/pdm-lock.js';
import { parsePipfileLock, pipfileLockExtractor } from '../../src/extractors/pipfile-lock.js';
import { parsePoetryLock, poetryLockExtractor } from '../../src/extractors/poetry-lock.js';
import { readPyproject } from '../../src/extractors/python-common.js';
import { parseToml } from '../../src/extractors/toml.js';
import { ParseError } from '../../src/extractors/types.js';
import { parseUvLock, uvLockExtractor } from '../../src/extractors/uv-lock.js';
import { DirVfs } from '../../src/sources/dir.js';
import { walkAndExtract } from '../../src/walk.js';
import { repoRoot, sharedFixture, SHARED_MISSING } from '../helpers.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures');
const read = (abs: string) => readFileSync(abs, 'utf8');

function one(components: Component[], name: string, version?: string): Component {
  const found = components.filter((c) => c.name === name && (version === undefined || c.version === version));
  assert.equal(found.length, 1, `expected one ${name} ${version ?? ''}, found ${found.length}`);
  return found[0]!;
}

/** Every TOML entry line points at `name = "<name>"` and the next line at its version (what grep -n shows). */
function assertTomlLines(text: string, components: Component[]): void {
  const lines = text.split(/\r?\n/);
  for (const c of components) {
    const line = c.evidence[0]!.line!;
    assert.equal(lines[line - 1], `name = "${c.name}"`, `line ${line} for ${c.name}`);
    if (c.version !== undefined) assert.equal(lines[line], `version = "${c.version}"`, `line ${line + 1} for ${c.name}`);
  }
}

const toCrlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

describe('python lockfiles: fileRequired and registration', () => {
  it('exact basenames, anywhere in the tree', () => {
    const cases: Array<[typeof poetryLockExtractor, string]> = [
      [poetryLockExtractor, 'poetry.lock'],
      [uvLockExtractor, 'uv.lock'],
      [pipfileLockExtractor, 'Pipfile.lock'],
      [pdmLockExtractor, 'pdm.lock'],
    ];
    for (const [x, base] of cases) {
      assert.ok(x.fileRequired(base) && x.fileRequired(`services/api/${base}`), base);
      assert.ok(!x.fileRequired(`${base}.orig`) && !x.fileRequired(base.toUpperCase()) && !x.fileRequired('Cargo.lock'), base);
      assert.ok(extractors.includes(x), `${x.name} registered`);
    }
  });
});

describe('poetry.lock', () => {
  it('redash (Poetry 2.1, lock-version 2.1): 237 entries, lines, groups → scope, edges', async (t) => {
    const file = sharedFixture('fixtures/lockfiles/poetry-redash/poetry.lock');
    if (!file) return t.skip(SHARED_MISSING);
    const text = read(file);
    const components = parsePoetryLock(text, 'poetry.lock');
    assert.equal(components.length, (text.match(/^\[\[package\]\]$/gm) ?? []).length);
    assert.equal(components.length, 237);
    assertTomlLines(text, components);
    const crypto = one(components, 'cryptography');
    assert.deepEqual(crypto.evidence, [{ kind: 'declared', path: 'poetry.lock', line: 920, detail: 'poetry.lock [[package]] cryptography 43.0.1' }]);
    assert.equal(crypto.purl, 'pkg:pypi/cryptography@43.0.1');
    assert.equal(crypto.scope, undefined, 'in the main group');
    assert.equal(crypto.properties?.groups, 'main,all_ds,dev');
    assert.deepEqual(crypto.dependencies, ['cffi']);
    // SOURCES.md: grpcio only in all_ds, required by e6data-python-connector, grpcio-tools, pydgraph
    const grpcio = one(components, 'grpcio');
    assert.deepEqual(grpcio.scope, { dev: true });
    assert.deepEqual(
      components.filter((c) => c.dependencies?.includes('grpcio')).map((c) => c.name).sort(),
      ['e6data-python-connector', 'grpcio-tools', 'pydgraph'],
    );
    // pynacl comes in through paramiko (via sshtunnel, which nothing in the lockfile depends on)
    assert.deepEqual(one(components, 'pynacl').dependencyPath, ['sshtunnel', 'paramiko', 'pynacl']);
    // without pyproject.toml the project's own requirements are unknown: only top packages are marked direct
    assert.equal(one(components, 'psycopg2-binary').direct, true);
    assert.equal(crypto.direct, undefined);
  });

  it("redash with the project's pyproject.toml: the project is the root, its dependencies are direct", async (t) => {
    const file = sharedFixture('fixtures/lockfiles/poetry-redash/poetry.lock');
    if (!file) return t.skip(SHARED_MISSING);
    const pyproject = await readPyproject(new DirVfs(path.join(fixtures, 'python', 'pyproject-redash')), '', (s) => parseToml(s, 'pyproject.toml'));
    assert.ok(pyproject);
    assert.equal(pyproject.name, 'redash');
    assert.ok(pyproject.main.includes('cryptography') && !pyproject.main.includes('python'));
    assert.ok(pyproject.dev.includes('grpcio') === false && pyproject.dev.includes('jwcrypto'));
    const components = parsePoetryLock(read(file), 'poetry.lock', undefined, { name: pyproject.name, deps: [...pyproject.main, ...pyproject.optional, ...pyproject.dev] });
    const crypto = one(components, 'cryptography');
    assert.equal(crypto.direct, true);
    assert.deepEqual(crypto.dependencyPath, ['redash', 'cryptography']);
    assert.deepEqual(one(components, 'pynacl').dependencyPath, ['redash', 'paramiko', 'pynacl']);
    assert.equal(one(components, 'pynacl').direct, false);
  });

  it('CRLF and BOM give the same components and lines', async (t) => {
    const file = sharedFixture('fixtures/lockfiles/poetry-redash/poetry.lock');
    if (!file) return t.skip(SHARED_MISSING);
    const text = read(file);
    assert.deepEqual(parsePoetryLock('\ufeff' + toCrlf(text), 'poetry.lock'), parsePoetryLock(text, 'poetry.lock'));
  });

  it('an empty lockfile has no components', () => {
    assert.deepEqual(parsePoetryLock('', 'poetry.lock'), []);
    assert.deepEqual(parsePoetryLock('[metadata]\nlock-version = "2.1"\n', 'poetry.lock'), []);
  });
});

describe('uv.lock', () => {
  it('mitmproxy (version 1, revision 3): the editable root is not a component; scopes from its dependency kinds', async (t) => {
    const file = sharedFixture('fixtures/lockfiles/uv-mitmproxy/uv.lock');
    if (!file) return t.skip(SHARED_MISSING);
    const text = read(file);
    const components = parseUvLock(text, 'uv.lock');
    assert.equal(components.length, (text.match(/^\[\[package\]\]$/gm) ?? []).length - 1);
    assert.ok(!components.some((c) => c.name === 'mitmproxy'));
    assertTomlLines(text, components);
    const crypto = one(components, 'cryptography');
    assert.deepEqual(crypto.evidence, [{ kind: 'declared', path: 'uv.lock', line: 522, detail: 'uv.lock [[package]] cryptography 46.0.4' }]);
    assert.equal(crypto.direct, true);
    assert.equal(crypto.scope, undefined);
    assert.deepEqual(crypto.dependencyPath, ['mitmproxy', 'cryptography']);
    assert.deepEqual(
      components.filter((c) => c.dependencies?.includes('cryptography')).map((c) => `${c.name} ${c.version}`).sort(),
      ['aioquic 1.2.0', 'pyopenssl 26.2.0', 'secretstorage 3.5.0', 'service-identity 24.2.0'],
    );
    // awscli is in the root's `deploy` dependency group only; rsa comes with it (SOURCES.md: rsa ← awscli)
    assert.deepEqual(one(components, 'awscli').scope, { dev: true });
    assert.deepEqual(one(components, 'rsa').scope, { dev: true });
    assert.deepEqual(one(components, 'rsa').dependencyPath, ['mitmproxy', 'awscli', 'rsa']);
    assert.deepEqual(one(components, 'bcrypt').scope, undefined);
  });

  it('CRLF gives the same result; an empty lockfile has no components', async (t) => {
    const file = sharedFixture('fixtures/lockfiles/uv-mitmproxy/uv.lock');
    if (!file) return t.skip(SHARED_MISSING);
    const text = read(file);
    assert.deepEqual(parseUvLock(toCrlf(text), 'uv.lock'), parseUvLock(text, 'uv.lock'));
    assert.deepEqual(parseUvLock('version = 1\nrequires-python = ">=3.12"\n', 'uv.lock'), []);
  });
});

describe('pdm.lock', () => {
  const file = path.join(fixtures, 'python', 'pdm-cut', 'pdm.lock');

  it('pdm (cut, lock_version 4.5.0): lines, groups → scope, marker, edges by PEP 508 names', () => {
    const text = read(file);
    const components = parsePdmLock(text, 'pdm.lock');
    assert.deepEqual(
      components.map((c) => `${c.name} ${c.version}`),
      ['annotated-types 0.7.0', 'anyio 4.9.0', 'blinker 1.9.0', 'cryptography 43.0.3', 'dep-logic 0.5.1', 'exceptiongroup 1.3.0', 'execnet 2.1.1', 'findpython 0.7.0'],
    );
    assertTomlLines(text, components);
    const crypto = one(components, 'cryptography');
    assert.equal(crypto.evidence[0]!.line, 56);
    assert.deepEqual(crypto.scope, { dev: true }, 'groups all/keyring, not default');
    assert.deepEqual(crypto.properties, { marker: 'sys_platform == "linux"', groups: 'all,keyring' });
    assert.deepEqual(crypto.dependencies, ['cffi']);
    assert.equal(one(components, 'anyio').scope, undefined);
    assert.deepEqual(one(components, 'anyio').dependencies, ['exceptiongroup', 'idna', 'sniffio', 'typing-extensions']);
    assert.deepEqual(one(components, 'exceptiongroup').dependencyPath, ['anyio', 'exceptiongroup']);
    assert.deepEqual(one(components, 'execnet').scope, { dev: true });
  });

  it('CRLF gives the same result', () => {
    const text = read(file);
    assert.deepEqual(parsePdmLock(toCrlf(text), 'pdm.lock'), parsePdmLock(text, 'pdm.lock'));
  });
});

describe('Pipfile.lock', () => {
  const file = path.join(fixtures, 'python', 'pipfile-pipenv', 'Pipfile.lock');

  it('pipenv (cut): develop → dev, "==" stripped, editable path entries without version, key lines', () => {
    const text = read(file);
    const components = parsePipfileLock(text, 'Pipfile.lock');
    assert.deepEqual(
      components.map((c) => [c.name, c.version, c.evidence[0]!.line]),
      [
        ['alabaster', '0.7.10', 18],
        ['colorama', '0.3.9', 25],
        ['pipenv', undefined, 33],
        ['pytest-pypy', undefined, 37],
        ['requests', '2.18.4', 41],
        ['tap.py', '2.2', 48],
        ['werkzeug', '0.14.1', 55],
      ],
    );
    const lines = text.split('\n');
    for (const c of components) assert.equal(lines[c.evidence[0]!.line! - 1]!.trim(), `"${c.name}": {`);
    assert.ok(components.every((c) => c.scope?.dev === true && c.direct === undefined && c.dependencyPath === undefined));
    assert.equal(one(components, 'tap.py').purl, 'pkg:pypi/tap-py@2.2');
    assert.deepEqual(one(components, 'colorama').properties, { marker: "sys_platform == 'win32'" });
    assert.equal(one(components, 'pipenv').evidence[0]!.detail, 'Pipfile.lock develop pipenv (path .)');
    assert.deepEqual(parsePipfileLock(toCrlf(text), 'Pipfile.lock'), components);
  });

  it('an empty lockfile has no components; not an object is an error', () => {
    assert.deepEqual(parsePipfileLock('{"_meta": {}, "default": {}, "develop": {}}', 'Pipfile.lock'), []);
    assert.throws(() => parsePipfileLock('[]', 'Pipfile.lock'), ParseError);
  });
});

describe('python lockfiles: bad input', () => {
  it('truncated files: ParseError at the cut-off last line; through the walk each is a ScanError and the walk goes on', async () => {
    const result = await walkAndExtract(new DirVfs(path.join(fixtures, 'bad')), [poetryLockExtractor, uvLockExtractor, pdmLockExtractor, pipfileLockExtractor]);
    const errors = result.errors.filter((e) => e.path.startsWith('python-')).sort((a, b) => (a.path < b.path ? -1 : 1));
    assert.deepEqual(
      errors.map((e) => [e.path, e.line]),
      [
        ['python-pdm-truncated/pdm.lock', 55],
        ['python-pipfile-truncated/Pipfile.lock', 28],
        ['python-poetry-truncated/poetry.lock', 17],
        ['python-uv-truncated/uv.lock', 25],
      ],
    );
    assert.match(errors[0]!.message, /^pdm\.lock is not valid TOML: .+ \(line 55\)$/);
    assert.match(errors[1]!.message, /^Pipfile\.lock is not valid JSON: .+ at line 28$/);
    assert.match(errors[2]!.message, /^poetry\.lock is not valid TOML: .+ \(line 17\)$/);
  });

  it('a [[package]] without a version names the package and its line', () => {
    const text = read(path.join(fixtures, 'python', 'pdm-cut', 'pdm.lock')).replace('[[package]]\nname = "blinker"\nversion = "1.9.0"\n', '[[package]]\nname = "blinker"\n');
    assert.throws(
      () => parsePoetryLock(text, 'poetry.lock'),
      (e: unknown) => e instanceof ParseError && e.message === 'poetry.lock [[package]] blinker at line 44 has no version' && e.line === 44,
    );
  });
});
