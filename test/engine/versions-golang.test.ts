import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { golangCompare } from '../../src/engine/versions/golang.js';
import { satisfies } from '../../src/engine/versions.js';

/** every pair in ascending order compares < in both directions */
function assertAscending(list: string[]): void {
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      assert.equal(golangCompare(list[i]!, list[j]!), -1, `${list[i]} < ${list[j]}`);
      assert.equal(golangCompare(list[j]!, list[i]!), 1, `${list[j]} > ${list[i]}`);
    }
  }
}

describe('Go module versions (golang.org/x/mod/semver)', () => {
  it('orders releases, pre-releases and pseudo-versions seen in real go.mod/go.sum files', () => {
    assertAscending([
      // pseudo-versions of v0.0.0 order by their UTC timestamp (go.sum of zinho02/pebble, go.mod of FiloSottile/age)
      'v0.0.0-20181203042331-505ab145d0a9',
      'v0.0.0-20200323165209-0ec3e9974c59',
      'v0.0.0-20210711020723-a769d52b0f97',
      // CVE-2022-27191 fix in golang.org/x/crypto (knowledge §A.4)
      'v0.0.0-20220315160706-3147a52a75dd',
      'v0.9.0',
      'v0.17.0',
      'v0.18.0',
      'v0.32.0',
      'v0.45.0',
      'v0.55.0',
      // a pseudo-version built on v2.0.3 is a pre-release of v2.0.4 (golang-fips/openssl in microsoft/go-crypto-darwin)
      'v2.0.4-0.20260304104649-dfdde545174a',
      'v2.0.4',
    ]);
  });

  it('ignores +incompatible (build metadata) and accepts vMAJOR / vMAJOR.MINOR shorthands', () => {
    assert.equal(golangCompare('v2.6.0+incompatible', 'v2.6.0'), 0);
    assert.equal(golangCompare('v1', 'v1.0.0'), 0);
    assert.equal(golangCompare('v1.2', 'v1.2.0'), 0);
  });

  it('reads a bound written without v as a module version when the other side is one', () => {
    assert.equal(golangCompare('v0.31.0', '0.31.0'), 0);
    assert.ok(satisfies('v0.16.0', '<0.17.0', 'golang'));
    assert.ok(satisfies('v0.0.0-20200323165209-0ec3e9974c59', '<v0.17.0', 'golang'));
    assert.ok(!satisfies('v0.17.0', '<v0.17.0', 'golang'));
  });

  it('does not order what is not a version', () => {
    assert.equal(golangCompare('master', 'v1.0.0'), undefined);
    assert.equal(golangCompare('v01.0.0', 'v1.0.0'), undefined);
    assert.ok(!satisfies('latest', '<v1.0.0', 'golang'));
  });
});

describe('Go toolchain versions (go/version)', () => {
  it('orders the language version before its release candidates and releases', () => {
    assertAscending(['1.20', '1.21', '1.21rc1', '1.21rc2', '1.21.0', '1.21.10', '1.22', '1.23.2', '1.24', '1.24.0', '1.24.8', '1.26.0']);
    assertAscending(['1.18beta1', '1.18beta2', '1.18rc1', '1.18.0']);
  });

  it('reads go1.24.3 and custom suffixes (toolchain go1.23.6-xyz) as the release they name', () => {
    assert.equal(golangCompare('go1.24.3', '1.24.3'), 0);
    assert.equal(golangCompare('go1.23.6-xyz', '1.23.6'), 0);
  });

  it('puts every 1.24 release in >=1.24 and every 1.23 release below it', () => {
    for (const v of ['1.24', '1.24rc1', '1.24.0', '1.24.8', '1.25', '1.26.0']) assert.ok(satisfies(v, '>=1.24', 'golang'), v);
    for (const v of ['1.13', '1.16', '1.20', '1.21.3', '1.23.2', '1.23rc1']) assert.ok(satisfies(v, '<1.24', 'golang'), v);
    assert.ok(satisfies('1.24.8', '>=1.24', 'go'), "'go' is an alias of 'golang'");
  });
});
