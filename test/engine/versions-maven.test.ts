// The order tables are Apache Maven's own ComparableVersionTest (apache/maven
// maven-artifact/src/test/java/org/apache/maven/artifact/versioning/ComparableVersionTest.java @ 5bc542fce94e),
// the test suite of the class src/engine/versions/maven.ts ports.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mavenCompare } from '../../src/engine/versions/maven.js';
import { satisfies } from '../../src/engine/versions.js';

function checkOrder(versions: string[]): void {
  for (let i = 1; i < versions.length; i++) {
    const low = versions[i - 1]!;
    for (let j = i; j < versions.length; j++) {
      const high = versions[j]!;
      assert.equal(mavenCompare(low, high), -1, `expected ${low} < ${high}`);
      assert.equal(mavenCompare(high, low), 1, `expected ${high} > ${low}`);
    }
  }
}

function checkEqual(a: string, b: string): void {
  assert.equal(mavenCompare(a, b), 0, `expected ${a} == ${b}`);
  assert.equal(mavenCompare(b, a), 0, `expected ${b} == ${a}`);
}

const VERSIONS_QUALIFIER = ['1-alpha2snapshot', '1-alpha2', '1-alpha-123', '1-beta-2', '1-beta123', '1-m2', '1-m11', '1-rc', '1-cr2',
  '1-rc123', '1-SNAPSHOT', '1', '1-sp', '1-sp2', '1-sp123', '1-abc', '1-def', '1-pom-1', '1-1-snapshot', '1-1', '1-2', '1-123'];

const VERSIONS_NUMBER = ['2.0', '2-1', '2.0.a', '2.0.0.a', '2.0.2', '2.0.123', '2.1.0', '2.1-a', '2.1b', '2.1-c', '2.1-1', '2.1.0.1',
  '2.2', '2.123', '11.a2', '11.a11', '11.b2', '11.b11', '11.m2', '11.m11', '11', '11.a', '11b', '11c', '11m'];

describe('Maven ComparableVersion', () => {
  it('testVersionsQualifier', () => checkOrder(VERSIONS_QUALIFIER));
  it('testVersionsNumber', () => checkOrder(VERSIONS_NUMBER));

  it('testVersionsEqual', () => {
    for (const [a, b] of [
      ['1', '1'], ['1', '1.0'], ['1', '1.0.0'], ['1.0', '1.0.0'], ['1', '1-0'], ['1', '1.0-0'], ['1.0', '1.0-0'],
      ['1a', '1-a'], ['1a', '1.0-a'], ['1a', '1.0.0-a'], ['1.0a', '1-a'], ['1.0.0a', '1-a'], ['1x', '1-x'], ['1x', '1.0-x'],
      ['1x', '1.0.0-x'], ['1.0x', '1-x'], ['1.0.0x', '1-x'],
      ['1ga', '1'], ['1release', '1'], ['1final', '1'], ['1cr', '1rc'],
      ['1a1', '1-alpha-1'], ['1b2', '1-beta-2'], ['1m3', '1-milestone-3'],
      ['1X', '1x'], ['1A', '1a'], ['1B', '1b'], ['1M', '1m'], ['1Ga', '1'], ['1GA', '1'], ['1RELEASE', '1'], ['1release', '1'],
      ['1RELeaSE', '1'], ['1Final', '1'], ['1FinaL', '1'], ['1FINAL', '1'], ['1Cr', '1Rc'], ['1cR', '1rC'], ['1m3', '1Milestone3'],
      ['1m3', '1MileStone3'], ['1m3', '1MILESTONE3'],
    ] as const) checkEqual(a, b);
  });

  it('testVersionComparing', () => {
    for (const [a, b] of [
      ['1', '2'], ['1.5', '2'], ['1', '2.5'], ['1.0', '1.1'], ['1.1', '1.2'], ['1.0.0', '1.1'], ['1.0.1', '1.1'], ['1.1', '1.2.0'],
      ['1.0-alpha-1', '1.0'], ['1.0-alpha-1', '1.0-alpha-2'], ['1.0-alpha-1', '1.0-beta-1'], ['1.0-beta-1', '1.0-SNAPSHOT'],
      ['1.0-SNAPSHOT', '1.0'], ['1.0-alpha-1-SNAPSHOT', '1.0-alpha-1'], ['1.0', '1.0-1'], ['1.0-1', '1.0-2'], ['1.0.0', '1.0-1'],
      ['2.0-1', '2.0.1'], ['2.0.1-klm', '2.0.1-lmn'], ['2.0.1', '2.0.1-xyz'], ['2.0.1', '2.0.1-123'], ['2.0.1-xyz', '2.0.1-123'],
    ] as const) checkOrder([a, b]);
  });

  it('testMng5568, testMng6572, testMng6964 (edge cases Maven fixed)', () => {
    checkOrder(['6.1.0rc3', '6.1.0']);
    checkOrder(['6.1.0rc3', '6.1H.5-beta']);
    checkOrder(['6.1.0', '6.1H.5-beta']);
    checkOrder(['20190126.230843', '1234567890.12345', '123456789012345.1H.5-beta', '12345678901234567890.1H.5-beta']);
    checkOrder(['1-0.alpha', '1-0.beta', '1']);
  });

  it('leading zeroes do not matter', () => {
    checkEqual('0000000000000000001', '1');
    checkEqual('0000000000000000000', '0');
  });

  it('real artifact versions: .Final is the release, numbers compare as numbers', () => {
    checkEqual('2.0.81.Final', '2.0.81');
    checkOrder(['2.0.49.Final', '2.0.81.Final', '2.0.100.Final']);
    checkOrder(['1.70', '1.78', '1.85', '1.85.2']);
    checkOrder(['2.5.2', '2.7.0-SNAPSHOT', '2.7.0']);
    assert.ok(satisfies('2.5.2', '<2.7.0', 'maven'));
    assert.ok(!satisfies('2.7.0', '<2.7.0', 'maven'));
    assert.ok(satisfies('2.0.81.Final', '>=2.0.49.Final', 'maven'));
  });
});
