import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Component } from '../../src/model/types.js';
import { dependencyStarts, parsePomXml, pomXmlExtractor } from '../../src/extractors/pom-xml.js';
import { extractors } from '../../src/extractors/index.js';
import { ParseError } from '../../src/extractors/types.js';
import { DirVfs } from '../../src/sources/dir.js';
import { walkAndExtract } from '../../src/walk.js';
import { repoRoot, sharedFixture, SHARED_MISSING } from '../helpers.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures');
const JSCH = 'fixtures/lockfiles/maven-pom-jsch/pom.xml';

function one(components: Component[], name: string): Component {
  const found = components.filter((c) => c.name === name);
  assert.equal(found.length, 1, `expected one ${name}, found ${found.length}`);
  return found[0]!;
}

/** each evidence line is a `<dependency>` start tag followed by the component's groupId and artifactId */
function assertLines(text: string, components: Component[]): void {
  const lines = text.split('\n');
  for (const c of components) {
    const line = c.evidence[0]!.line!;
    assert.match(lines[line - 1]!, /^\s*<dependency>\s*$/, `${c.name}: line ${line}`);
    const [g, a] = c.name.split(':');
    assert.ok(lines[line]!.includes(`<groupId>${g}</groupId>`), `${c.name}: groupId after line ${line}`);
    assert.ok(lines[line + 1]!.includes(`<artifactId>${a}</artifactId>`), `${c.name}: artifactId after line ${line}`);
  }
}

describe('maven/pom.xml', () => {
  it('wants pom.xml by exact basename and is registered', () => {
    assert.ok(pomXmlExtractor.fileRequired('pom.xml'));
    assert.ok(pomXmlExtractor.fileRequired('modules/core/pom.xml'));
    for (const p of ['pom.xml.bak', 'my-pom.xml', 'bcprov-jdk18on-1.78.pom', 'settings.xml']) assert.ok(!pomXmlExtractor.fileRequired(p), p);
    assert.ok(extractors.includes(pomXmlExtractor));
  });

  it('jsch (shared): direct dependencies, ${…} properties, optional and test scope, a managed-only entry, lines', async (t) => {
    const file = sharedFixture(JSCH);
    if (!file) return t.skip(SHARED_MISSING);
    const text = readFileSync(file, 'utf8');
    const components = parsePomXml(text, 'pom.xml');
    // 13 <dependency> in <dependencies>, 1 in <dependencyManagement> that nothing here uses; none inside plugins
    assert.equal(components.length, 14);
    assert.deepEqual(one(components, 'org.bouncycastle:bcprov-jdk18on'), {
      ecosystem: 'maven',
      name: 'org.bouncycastle:bcprov-jdk18on',
      version: '1.85.2',
      purl: 'pkg:maven/org.bouncycastle/bcprov-jdk18on@1.85.2',
      evidence: [{ kind: 'declared', path: 'pom.xml', line: 81, detail: 'pom.xml <dependencies> org.bouncycastle:bcprov-jdk18on 1.85.2 (optional)' }],
      direct: true,
      scope: { optional: true },
      dependencyPath: ['jsch', 'org.bouncycastle:bcprov-jdk18on'],
    });
    // <version>${log4j.version}</version> from <properties>
    assert.equal(one(components, 'org.apache.logging.log4j:log4j-api').version, '2.26.1');
    const junit = one(components, 'org.junit.jupiter:junit-jupiter');
    assert.deepEqual(junit.scope, { dev: true });
    assert.deepEqual(junit.properties, { mavenScope: 'test' });
    const managed = one(components, 'com.google.errorprone:error_prone_annotations');
    assert.equal(managed.version, '2.50.0');
    assert.equal(managed.direct, false);
    assert.match(managed.evidence[0]!.detail, /<dependencyManagement>.*managed version only/);
    assertLines(text, components);
  });

  it('the line scan skips comments and finds each section by element path (jsch has 14 <dependency> tags outside plugins)', (t) => {
    const file = sharedFixture(JSCH);
    if (!file) return t.skip(SHARED_MISSING);
    const starts = dependencyStarts(readFileSync(file, 'utf8'));
    assert.equal(starts.get('project/dependencies/dependency')?.length, 13);
    assert.deepEqual(starts.get('project/dependencyManagement/dependencies/dependency'), [238]);
    assert.equal([...starts.keys()].filter((k) => k.includes('plugin')).length, 0);
  });

  it('bcmail-fips: versions from an unfetched parent stay undefined and say so; ranges are not versions', () => {
    const text = readFileSync(path.join(fixtures, 'maven', 'bc-java-fips', 'bcmail-fips', 'pom.xml'), 'utf8');
    const components = parsePomXml(text, 'bcmail-fips/pom.xml');
    assert.equal(components.length, 5);
    const mail = one(components, 'javax.mail:javax.mail-api');
    assert.equal(mail.version, undefined);
    assert.equal(mail.purl, 'pkg:maven/javax.mail/javax.mail-api');
    assert.match(mail.evidence[0]!.detail, /managed by the parent POM org\.bouncycastle:bc-java-fips-parent:2\.0\.0 \(not fetched\)/);
    const fips = one(components, 'org.bouncycastle:bc-fips');
    assert.equal(fips.version, undefined);
    assert.match(fips.evidence[0]!.detail, /version range \[2\.0\.0,2\.1\.0\) is resolved only at build time/);
    assert.deepEqual(fips.dependencyPath, ['bcmail-fips', 'org.bouncycastle:bc-fips']);
    assertLines(text, components);
  });

  it('CRLF gives the same components; an empty file is not well-formed XML', (t) => {
    const file = sharedFixture(JSCH);
    if (!file) return t.skip(SHARED_MISSING);
    const text = readFileSync(file, 'utf8');
    assert.deepEqual(parsePomXml(text.replace(/\n/g, '\r\n'), 'pom.xml'), parsePomXml(text, 'pom.xml'));
    assert.throws(() => parsePomXml('', 'pom.xml'), ParseError);
  });

  it('not well-formed XML names the line; the walk reports it and goes on', async () => {
    const text = readFileSync(path.join(fixtures, 'bad', 'maven-truncated', 'pom.xml'), 'utf8');
    assert.throws(
      () => parsePomXml(text, 'pom.xml'),
      (e: unknown) => e instanceof ParseError && e.line === 84 && /ends with <project> <dependencies> <dependency> still open/.test(e.message),
    );
    // a mismatched closing tag (jsch's line 85 `</dependency>` turned into `</dependencies>`)
    const lines = text.split('\n');
    lines[83] = '        </dependencies>';
    assert.throws(() => parsePomXml(lines.join('\n'), 'pom.xml'), (e: unknown) => e instanceof ParseError && e.line === 84 && /Expected closing tag 'dependency'/.test(e.message));
    const { errors } = await walkAndExtract(new DirVfs(path.join(fixtures, 'bad')), extractors);
    assert.ok(errors.some((e) => e.path === 'maven-truncated/pom.xml' && e.line === 84), JSON.stringify(errors));
  });

  it('a pom.xml without <project> is not a POM', () => {
    assert.throws(() => parsePomXml('<settings><profiles/></settings>', 'pom.xml'), /no <project> root element/);
  });
});
