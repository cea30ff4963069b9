import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Component } from '../../src/model/types.js';
import { goModComponents, goModExtractor, parseGoModText } from '../../src/extractors/go-mod.js';
import { extractors } from '../../src/extractors/index.js';
import { ParseError } from '../../src/extractors/types.js';
import { DirVfs } from '../../src/sources/dir.js';
import { walkAndExtract } from '../../src/walk.js';
import { repoRoot, sharedFixture, SHARED_MISSING } from '../helpers.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures');

async function scan(dir: string): Promise<Component[]> {
  const { components, errors } = await walkAndExtract(new DirVfs(dir), [goModExtractor]);
  assert.deepEqual(errors, []);
  return components;
}
const fixture = (name: string) => scan(path.join(fixtures, 'go', name));

function one(components: Component[], name: string, version?: string): Component {
  const found = components.filter((c) => c.name === name && (version === undefined || c.version === version));
  assert.equal(found.length, 1, `expected one ${name} ${version ?? ''}, found ${found.length}`);
  return found[0]!;
}

/** every go.mod evidence line holds the module path and the version as written */
function assertLines(text: string, components: Component[]): void {
  const lines = text.split('\n');
  for (const c of components) {
    const e = c.evidence[0]!;
    if (e.path !== 'go.mod' || c.name === 'stdlib') continue;
    const line = lines[e.line! - 1]!;
    assert.match(line, /require|^\t/, `line ${e.line} of ${c.name}`);
    assert.ok(line.includes(c.version ?? ''), `line ${e.line} '${line}' lacks ${c.version}`);
  }
}

describe('go/go.mod: fileRequired', () => {
  it('wants go.mod by exact basename only (go.sum is read beside it when needed)', () => {
    for (const p of ['go.mod', 'a/b/go.mod']) assert.ok(goModExtractor.fileRequired(p), p);
    for (const p of ['go.sum', 'go.mod.bak', 'xgo.mod', 'go.work']) assert.ok(!goModExtractor.fileRequired(p), p);
    assert.ok(extractors.includes(goModExtractor));
  });
});

describe('go/go.mod: real go.mod files', () => {
  it('go-git (shared): direct and // indirect requirements, lines, purls, the go directive as stdlib', async (t) => {
    const dir = sharedFixture('fixtures/lockfiles/go-mod-go-git');
    if (!dir) return t.skip(SHARED_MISSING);
    const components = await scan(dir);
    // 17 direct + 6 indirect requirements + stdlib; go.sum is not read (go 1.26.0 ≥ 1.17)
    assert.equal(components.length, 24);
    assert.ok(components.every((c) => c.evidence.every((e) => e.path === 'go.mod')));
    assert.deepEqual(one(components, 'golang.org/x/crypto'), {
      ecosystem: 'golang',
      name: 'golang.org/x/crypto',
      version: 'v0.55.0',
      purl: 'pkg:golang/golang.org/x/crypto@v0.55.0',
      evidence: [{ kind: 'declared', path: 'go.mod', line: 19, detail: 'go.mod require golang.org/x/crypto v0.55.0' }],
      direct: true,
      dependencyPath: ['github.com/go-git/go-git/v6', 'golang.org/x/crypto'],
    });
    const circl = one(components, 'github.com/cloudflare/circl');
    assert.equal(circl.direct, false);
    assert.equal(circl.dependencyPath, undefined);
    assert.equal(circl.evidence[0]!.line, 28);
    assert.equal(one(components, 'github.com/armon/go-socks5').purl, 'pkg:golang/github.com/armon/go-socks5@v0.0.0-20160902184237-e75332964ef5');
    const stdlib = one(components, 'stdlib');
    assert.equal(stdlib.purl, 'pkg:golang/stdlib@1.26.0');
    assert.deepEqual(stdlib.properties, { goDirective: '1.26.0' });
    assert.equal(stdlib.evidence[0]!.line, 4);
    assertLines(readFileSync(path.join(dir, 'go.mod'), 'utf8'), components);
  });

  it('boringssl: the toolchain line names the stdlib version; both directives are properties', async () => {
    const components = await fixture('boringssl');
    const stdlib = one(components, 'stdlib');
    assert.equal(stdlib.version, '1.24.8');
    assert.equal(stdlib.purl, 'pkg:golang/stdlib@1.24.8');
    assert.deepEqual(stdlib.properties, { goDirective: '1.24.0', goToolchain: 'go1.24.8' });
    assert.equal(stdlib.evidence[0]!.line, 5);
    assert.match(stdlib.evidence[0]!.detail, /toolchain go1\.24\.8 \(go 1\.24\.0\)/);
    assert.equal(one(components, 'golang.org/x/crypto').version, 'v0.45.0');
    assertLines(readFileSync(path.join(fixtures, 'go', 'boringssl', 'go.mod'), 'utf8'), components);
  });

  it('rosenpass: a module→module replace swaps in the replacement module and version', async () => {
    const components = await fixture('rosenpass');
    assert.ok(!components.some((c) => c.name === 'github.com/cloudflare/circl'));
    const fork = one(components, 'github.com/pufferffish/circl');
    assert.equal(fork.version, 'v0.0.0-20221209095330-9dbf4684a331');
    assert.equal(fork.evidence[0]!.line, 6);
    assert.match(fork.evidence[0]!.detail, /require github\.com\/cloudflare\/circl v0\.0\.0-00010101000000-000000000000, replaced by github\.com\/pufferffish\/circl v0\.0\.0-20221209095330-9dbf4684a331 \(line 27\)/);
    // `// testing` is a comment, not `// indirect`
    assert.equal(one(components, 'github.com/stretchr/testify').direct, true);
    assert.equal(one(components, 'stdlib').version, '1.20');
  });

  it('go-git-crypt: a local directory replace keeps the module without a version', async () => {
    const components = await fixture('go-git-crypt');
    const gpg = one(components, 'github.com/jbuchbinder/go-git-crypt/gpg');
    assert.equal(gpg.version, undefined);
    assert.equal(gpg.purl, 'pkg:golang/github.com/jbuchbinder/go-git-crypt/gpg');
    assert.match(gpg.evidence[0]!.detail, /replaced by the local directory \.\/gpg \(line 7\)/);
    assert.deepEqual(one(components, 'stdlib').properties, { goDirective: '1.23', goToolchain: 'go1.23.2' });
    assert.equal(one(components, 'stdlib').version, '1.23.2');
  });

  it('pebble (go 1.16): go.sum content hashes are merged; go.mod-only lines are not', async () => {
    const components = await fixture('pebble-go116');
    const crypto = components.filter((c) => c.name === 'golang.org/x/crypto');
    assert.deepEqual(
      crypto.map((c) => [c.version, c.evidence.map((e) => `${e.path}:${e.line}`)]),
      [
        ['v0.0.0-20181203042331-505ab145d0a9', ['go.sum:21']],
        ['v0.0.0-20210711020723-a769d52b0f97', ['go.sum:23']],
      ],
    );
    assert.ok(crypto.every((c) => c.direct === false));
    // a go.mod requirement that go.sum also hashes gets both pieces of evidence
    assert.deepEqual(one(components, 'github.com/miekg/dns').evidence.map((e) => `${e.path}:${e.line}`), ['go.mod:8', 'go.sum:13']);
    // only /go.mod lines for these: never downloaded as code
    assert.ok(!components.some((c) => c.name === 'github.com/alecthomas/template' || c.name === 'golang.org/x/tools'));
    // the local replace of gopkg.in/square/go-jose.v2; go.sum's v2.1.9 of it is a separate (stale) entry
    const jose = components.filter((c) => c.name === 'gopkg.in/square/go-jose.v2');
    assert.deepEqual(jose.map((c) => [c.version, c.evidence[0]!.line]), [[undefined, 10], ['v2.1.9', 44]]);
    assert.equal(one(components, 'github.com/zinho02/go-jose').purl, 'pkg:golang/github.com/zinho02/go-jose@v2.6.0%2Bincompatible');
    assert.equal(one(components, 'stdlib').version, '1.16');
  });

  it('kpxcpc (go 1.17): go.sum is not consulted from 1.17 on', async () => {
    const components = await fixture('kpxcpc-go117');
    assert.equal(components.length, 7);
    assert.deepEqual(
      components.filter((c) => !c.direct).map((c) => c.name),
      ['github.com/google/go-cmp', 'github.com/pkg/errors', 'golang.org/x/sys'],
    );
  });

  it('scs-crypter, go-crypto-darwin: comments before module, single-line requires, tool blocks', async () => {
    const scs = await fixture('scs-crypter');
    assert.deepEqual(scs.map((c) => `${c.name}@${c.version}:${c.evidence[0]!.line}`), ['golang.org/x/crypto@v0.39.0:9', 'golang.org/x/sys@v0.33.0:11', 'stdlib@1.24:7']);
    const darwin = await fixture('go-crypto-darwin-openssl');
    assert.deepEqual(darwin.map((c) => `${c.name}@${c.version}`), ['github.com/golang-fips/openssl/v2@v2.0.4-0.20260304104649-dfdde545174a', 'stdlib@1.25']);
  });
});

describe('go/go.mod: edge cases and bad input', () => {
  it('CRLF line endings give the same components', async (t) => {
    const dir = sharedFixture('fixtures/lockfiles/go-mod-go-git');
    if (!dir) return t.skip(SHARED_MISSING);
    const text = readFileSync(path.join(dir, 'go.mod'), 'utf8');
    const lf = goModComponents(parseGoModText(text), 'go.mod');
    const crlf = goModComponents(parseGoModText(text.replace(/\n/g, '\r\n')), 'go.mod');
    assert.deepEqual(crlf, lf);
  });

  it('an empty go.mod has no components (no go line: no stdlib either)', () => {
    assert.deepEqual(goModComponents(parseGoModText(''), 'go.mod'), []);
  });

  it('a truncated go.mod is an error at the line of the unclosed block; the walk goes on', async () => {
    const dir = path.join(fixtures, 'bad', 'go-truncated');
    assert.throws(() => parseGoModText(readFileSync(path.join(dir, 'go.mod'), 'utf8')), (e: unknown) => e instanceof ParseError && e.line === 6);
    const { components, errors } = await walkAndExtract(new DirVfs(path.join(fixtures, 'bad')), extractors);
    const err = errors.find((e) => e.path === 'go-truncated/go.mod');
    assert.ok(err, JSON.stringify(errors));
    assert.equal(err.line, 6);
    assert.match(err.message, /go\.mod line 6: the require block opened here is not closed/);
    assert.ok(components.length > 0, 'other files in the folder are still read');
  });

  it('syntax errors name the line: unknown directive, bad version, bad go line (real go-git lines, one changed)', async (t) => {
    const dir = sharedFixture('fixtures/lockfiles/go-mod-go-git');
    if (!dir) return t.skip(SHARED_MISSING);
    const lines = readFileSync(path.join(dir, 'go.mod'), 'utf8').split('\n');
    const variant = (i: number, line: string) => lines.map((l, j) => (j === i ? line : l)).join('\n');
    const cases: [string, RegExp, number][] = [
      [variant(18, '\tgolang.org/x/crypto 0.55.0'), /line 19: invalid module version '0\.55\.0'/, 19],
      [variant(3, 'go 1.26.x'), /line 4: invalid go version '1\.26\.x'/, 4],
      [variant(3, 'golang 1.26.0'), /line 4: unknown directive: golang/, 4],
      [variant(18, '\tgolang.org/x/crypto'), /line 19: usage: require needs 2 arguments/, 19],
    ];
    for (const [text, message, line] of cases) {
      assert.throws(() => parseGoModText(text), (e: unknown) => e instanceof ParseError && message.test(e.message) && e.line === line, String(message));
    }
  });
});
