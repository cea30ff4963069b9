// The signature table and the streaming scanner: table invariants, every snippet cut from a real binary yields its
// signature (and version), whatever the chunking, and a hit straddling a chunk border is found exactly once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SIGNATURES } from '../../../src/extractors/binary/signatures.js';
import { compileTable, scanBuffer, SCAN_BATCH } from '../../../src/extractors/binary/scanner.js';
import { snippetsDir } from './helpers.js';

interface SnippetCase {
  snippet: string;
  signature: string;
  version?: string;
  from: string;
  offset: number;
  length: number;
}
const cases = JSON.parse(readFileSync(path.join(snippetsDir, 'snippets.json'), 'utf8')) as SnippetCase[];

describe('signature table', () => {
  it('has unique ids, compiling patterns that start at their anchor, and fact-base sources', () => {
    const ids = new Set<string>();
    for (const s of SIGNATURES) {
      assert.ok(!ids.has(s.id), `duplicate id ${s.id}`);
      ids.add(s.id);
      assert.match(s.source, /^knowledge\/binary-signatures\.md §\d+(\.\d+)?$/, s.id);
      assert.ok(s.anchor.length >= 4, `${s.id}: anchor too short to be selective`);
      // a pattern is tried sticky at the anchor: after its look-behind it must begin with the anchor's text
      if (s.pattern) {
        new RegExp(s.pattern, 'y');
        const body = s.pattern.replace(/^\(\?<[=!](?:\\.|[^()\\]|\((?:\\.|[^()\\])*\))*\)/, '').replace(/^\(\?<[a-zA-Z]+>/, '');
        // undo regex escaping (\xNN, \.) so the body's literal start can be compared with the anchor bytes
        const decoded = body.replace(/\(\?<[a-zA-Z]+>/g, '').replace(/\\x([0-9a-fA-F]{2})|\\([^a-zA-Z0-9])/g, (_m, hex: string | undefined, ch: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : ch!));
        assert.ok(decoded.startsWith(s.anchor), `${s.id}: pattern '${body.slice(0, 30)}' does not start with its anchor`);
      }
      if (s.underscoreVersion || s.pattern?.includes('?<version>')) assert.ok(s.pattern?.includes('(?<version>'), `${s.id}: version capture missing`);
    }
    assert.ok(compileTable().anchors.source.length > 0);
  });

  it('checks AWS-LC and BoringSSL before OpenSSL (their banners are OpenSSL-compatible)', () => {
    const at = (id: string) => SIGNATURES.findIndex((s) => s.id === id);
    assert.ok(at('aws-lc-banner') < at('openssl-banner'));
    assert.ok(at('boringssl-banner') < at('openssl-banner'));
  });
});

describe('snippets cut from real binaries', () => {
  it('cover most of the table', () => {
    assert.ok(cases.length >= 15, `only ${cases.length} snippets`);
  });
  for (const c of cases) {
    it(`${c.snippet}: ${c.signature}${c.version ? ` ${c.version}` : ''} (${c.from})`, () => {
      const buf = readFileSync(path.join(snippetsDir, c.snippet));
      assert.equal(buf.length, c.length);
      for (const chunk of [1 << 20, 7, 1]) {
        const hits = scanBuffer(buf, undefined, chunk).filter((h) => h.sig.id === c.signature);
        assert.ok(hits.length >= 1, `no ${c.signature} hit with ${chunk}-byte chunks`);
        if (c.version) assert.equal(hits[0]!.version, c.version);
        assert.equal(hits[0]!.offset >= 0 && hits[0]!.offset < buf.length, true);
      }
    });
  }
});

describe('StreamScanner', () => {
  const banner = readFileSync(path.join(snippetsDir, 'openssl-banner.bin'));
  it('finds a banner that straddles a chunk border exactly once, at its file offset', () => {
    const pad = Buffer.alloc(5000, 0x41);
    const file = Buffer.concat([pad, banner, pad]);
    const expected = scanBuffer(file).filter((h) => h.sig.id === 'openssl-banner');
    assert.equal(expected.length, 1);
    for (let cut = 5000 - 40; cut < 5000 + 80; cut += 3) {
      const hits = scanBuffer(file, undefined, cut).filter((h) => h.sig.id === 'openssl-banner');
      assert.deepEqual(
        hits.map((h) => [h.offset, h.version]),
        expected.map((h) => [h.offset, h.version]),
        `chunk size ${cut}`,
      );
    }
  });

  it('finds a banner cut by the border between two scan runs exactly once, whatever the read size', () => {
    // the scanner runs its pattern every SCAN_BATCH bytes and carries the tail over: put the banner across that border
    const banner0 = banner.indexOf('\0OpenSSL ', 0, 'latin1');
    assert.ok(banner0 >= 0);
    for (let shift = -60; shift <= 60; shift += 7) {
      const lead = SCAN_BATCH - banner0 + shift;
      const file = Buffer.concat([Buffer.alloc(lead, 0x41), banner, Buffer.alloc(SCAN_BATCH, 0x41)]);
      for (const readSize of [4096, 65536, 1 << 20]) {
        const hits = scanBuffer(file, undefined, readSize).filter((h) => h.sig.id === 'openssl-banner');
        assert.deepEqual(
          hits.map((h) => [h.offset, h.version]),
          [[lead + banner0 + 1, '3.0.19']],
          `banner at ${shift} from the run border, ${readSize}-byte reads`,
        );
      }
    }
  });

  it('does not take the AWS-LC compatible banner for OpenSSL 1.1.1 (bytes as in syft\'s aws-lc snippet)', () => {
    // "OpenSSL 1.1.1 (compatible; AWS-LC 1.69.0)" is OPENSSL_VERSION_TEXT of AWS-LC (knowledge §2.3)
    const hits = scanBuffer(Buffer.from('\0OpenSSL 1.1.1 (compatible; AWS-LC 1.69.0)\0', 'latin1'));
    assert.deepEqual(
      hits.map((h) => [h.sig.id, h.version]),
      [['aws-lc-banner', '1.69.0']],
    );
  });

  it('reads OpenSSL 1.x two-space banners with letter suffixes and the RHEL FIPS word', () => {
    // banner formats quoted in knowledge/binary-signatures.md §2.1 (cve-bin-tool and check-payload fixtures)
    const text = '\0OpenSSL 1.1.1n  15 Mar 2022\0OpenSSL 1.1.1k  FIPS 25 Mar 2021\0OpenSSL 1.0.2u-fips  20 Dec 2019\0OpenSSL 3.0.7+quic 1 Nov 2022\0';
    const hits = scanBuffer(Buffer.from(text, 'latin1')).filter((h) => h.sig.id === 'openssl-banner');
    assert.deepEqual(
      hits.map((h) => [h.version, h.groups]),
      [
        ['1.1.1n', {}],
        ['1.1.1k', { fips: 'FIPS ' }],
        ['1.0.2u', { fipsSuffix: '-fips' }],
        ['3.0.7', { build: '+quic' }],
      ],
    );
  });

  it('reads ring and aws-lc symbol prefixes as crate versions', () => {
    // symbol shapes from knowledge §3.1/§3.2 (ring 0.17.8 single, 0.17.14 double underscore; aws_lc_0_25_0_)
    const text = '\0ring_core_0_17_8_bn_mul_mont\0ring_core_0_17_14__bn_mul_mont\0aws_lc_0_25_0_EVP_DigestInit\0aws_lc_fips_0_13_1_EVP_DigestInit\0';
    const hits = scanBuffer(Buffer.from(text, 'latin1'));
    assert.deepEqual(
      hits.map((h) => `${h.sig.library}@${h.version}`).sort(),
      ['aws-lc-fips-sys@0.13.1', 'aws-lc-sys@0.25.0', 'ring@0.17.14', 'ring@0.17.8'],
    );
  });
});
