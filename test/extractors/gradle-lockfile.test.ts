import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gradleLockfileExtractor, parseGradleLockfile } from '../../src/extractors/gradle-lockfile.js';
import { extractors } from '../../src/extractors/index.js';
import { ParseError } from '../../src/extractors/types.js';
import { repoRoot, sharedFixture, SHARED_MISSING } from '../helpers.js';

const NOMULUS = 'fixtures/lockfiles/gradle-lockfile-nomulus-networking/gradle.lockfile';

describe('java/gradle.lockfile', () => {
  it('wants gradle.lockfile and buildscript-gradle.lockfile and is registered', () => {
    for (const p of ['gradle.lockfile', 'networking/gradle.lockfile', 'buildscript-gradle.lockfile']) assert.ok(gradleLockfileExtractor.fileRequired(p), p);
    for (const p of ['gradle.lockfile.bak', 'gradle/dependency-locks/compileClasspath.lockfile', 'build.gradle']) assert.ok(!gradleLockfileExtractor.fileRequired(p), p);
    assert.ok(extractors.includes(gradleLockfileExtractor));
  });

  it('nomulus networking (shared): every module line, its line number, configurations, dev only for test classpaths', (t) => {
    const file = sharedFixture(NOMULUS);
    if (!file) return t.skip(SHARED_MISSING);
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const components = parseGradleLockfile(text, 'gradle.lockfile');
    // every line but the 3 comment lines, `empty=shadow` and the final newline
    assert.equal(components.length, lines.length - 5);
    for (const c of components) assert.ok(lines[c.evidence[0]!.line! - 1]!.startsWith(`${c.name}:${c.version}=`), c.name);
    const tcnative = components.find((c) => c.name === 'io.netty:netty-tcnative-boringssl-static')!;
    assert.deepEqual(tcnative, {
      ecosystem: 'maven',
      name: 'io.netty:netty-tcnative-boringssl-static',
      version: '2.0.81.Final',
      purl: 'pkg:maven/io.netty/netty-tcnative-boringssl-static@2.0.81.Final',
      evidence: [
        { kind: 'declared', path: 'gradle.lockfile', line: 101, detail: 'gradle.lockfile io.netty:netty-tcnative-boringssl-static:2.0.81.Final=deploy_jar,runtimeClasspath,testRuntimeClasspath' },
      ],
      properties: { gradleConfigurations: 'deploy_jar,runtimeClasspath,testRuntimeClasspath' },
    });
    assert.deepEqual(components.find((c) => c.name === 'org.testcontainers:testcontainers')!.scope, { dev: true });
    // annotation processors are build tools, not tests: not dev
    assert.equal(components.find((c) => c.name === 'com.google.dagger:dagger-compiler')!.scope, undefined);
    // one module in two versions (different configurations) is two components
    assert.deepEqual(components.filter((c) => c.name === 'com.github.ben-manes.caffeine:caffeine').map((c) => c.version), ['3.0.5', '3.2.4']);
    // CRLF: same result
    assert.deepEqual(parseGradleLockfile(text.replace(/\n/g, '\r\n'), 'gradle.lockfile'), components);
  });

  it('empty file: no components', () => {
    assert.deepEqual(parseGradleLockfile('', 'gradle.lockfile'), []);
  });

  it('a line without = is an error naming it', () => {
    const text = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'bad', 'gradle-truncated', 'gradle.lockfile'), 'utf8');
    assert.throws(
      () => parseGradleLockfile(text, 'gradle.lockfile'),
      (e: unknown) => e instanceof ParseError && e.line === 11 && /line 11: expected group:artifact:version=configurations/.test(e.message),
    );
  });
});
