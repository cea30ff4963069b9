// Extraction during the layer pass (sources/image/layers.ts EarlyExtraction): binaries, jars and wheels are read from
// memory as their tar entry ends instead of being copied to the temp dir. The results must be exactly those of the
// copy-then-walk path, hardlinks to such files must still be read, the bytes held at once must stay under the
// budget, and a layer that breaks off inside such a file must give an error for it, not a hang.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openTarget } from '../../../src/sources/index.js';
import { targetOpenOptions } from '../../../src/sources/image/target-facts.js';
import type { ImageOpenOptions } from '../../../src/sources/image/open.js';
import { defaultExtractors } from '../../../src/extractors/index.js';
import { walkAndExtract } from '../../../src/walk.js';
import type { Component } from '../../../src/model/types.js';
import { CACHE_MISSING, target } from '../../extractors/binary/helpers.js';
import { dockerArchive, imageFixture, IMAGES_MISSING, rawTar, scratchDir, sha256 } from './helpers.js';

const { dir, write } = scratchDir('early');

const extractors = defaultExtractors();
const withEarly = (): ImageOpenOptions => targetOpenOptions(extractors);
const withoutEarly = (): ImageOpenOptions => ({ ...targetOpenOptions(extractors), early: undefined });

async function scanImage(target: string, options: ImageOpenOptions) {
  const opened = await openTarget(target, dir, options);
  try {
    const walked = await walkAndExtract(opened.vfs, extractors);
    return { ...walked, sourceErrors: [...opened.image!.errors] };
  } finally {
    await opened.image!.close();
  }
}

const key = (c: Component) => `${c.purl} ${c.evidence.map((e) => `${e.kind}:${e.path}:${e.layer}`).join(',')}`;

// a gcc build linking the system libssl (scripts/make-binary-fixtures.sh): `linked` openssl evidence
const linkOpenssl = target('c/bin/link-openssl');
const staticOpenssl = target('c/bin/static-openssl');

/**
 * A docker-archive of one gzip layer cut in half (the config still names the whole tar's diff id): the gzip stream
 * itself (the decoder fails, the entry never ends), or the tar inside a whole gzip stream (node-tar ends the entry
 * short).
 */
function cutInHalf(full: Buffer, where: 'gzip' | 'tar' = 'gzip'): Buffer {
  const gz = where === 'gzip' ? gzipSync(full) : gzipSync(full.subarray(0, Math.floor(full.length / 2)));
  return rawTar([
    { name: 'manifest.json', data: JSON.stringify([{ Config: 'config.json', RepoTags: ['t:1'], Layers: ['l0/layer.tar'] }]) },
    { name: 'config.json', data: JSON.stringify({ rootfs: { type: 'layers', diff_ids: [sha256(full)] }, history: [{ created_by: 'a' }] }) },
    { name: 'l0/layer.tar', data: where === 'gzip' ? gz.subarray(0, Math.floor(gz.length / 2)) : gz },
  ]);
}

describe('extraction during the layer pass', () => {
  it('gives the same components as copying the files out first (real debootstrap image)', async (t) => {
    const docker = imageFixture('app.docker.tar');
    if (!docker) return t.skip(IMAGES_MISSING);
    const early = await scanImage(docker, withEarly());
    const copied = await scanImage(docker, withoutEarly());
    assert.ok(early.components.length > 10);
    assert.deepEqual(early.components.map(key), copied.components.map(key));
    assert.deepEqual(early.components, copied.components);
    assert.deepEqual(early.errors, copied.errors);
    assert.equal(early.filesExtracted, copied.filesExtracted);
  });

  it('neither extracts nor copies files the walk will exclude', async (t) => {
    const docker = imageFixture('app.docker.tar');
    if (!docker) return t.skip(IMAGES_MISSING);
    const exclude = ['usr/lib/**'];
    const base = targetOpenOptions(extractors, undefined, exclude);
    const extracted: string[] = [];
    const options: ImageOpenOptions = { ...base, early: { ...base.early!, extract: (vfs, entry) => (extracted.push(entry.path), base.early!.extract(vfs, entry)) } };
    const opened = await openTarget(docker, dir, options);
    try {
      assert.ok(extracted.some((p) => p.startsWith('usr/bin/')), 'binaries elsewhere are extracted');
      assert.deepEqual(
        extracted.filter((p) => p.startsWith('usr/lib/')),
        [],
      );
      assert.equal(opened.image!.localCopy('usr/lib/x86_64-linux-gnu/libssl.so.3'), undefined, 'no temp copy either');
      const walked = await walkAndExtract(opened.vfs, extractors, { exclude });
      assert.ok(walked.components.every((c) => c.evidence.every((e) => !e.path.startsWith('usr/lib/'))));
    } finally {
      await opened.image!.close();
    }
  });

  it('reads binaries from memory, not from a temp copy, and still reads a hardlink to one', async (t) => {
    if (!linkOpenssl) return t.skip(CACHE_MISSING);
    const layer = rawTar([
      { name: 'usr/bin/link-openssl', data: readFileSync(linkOpenssl) },
      { name: 'usr/local/bin/tls-client', type: '1', link: 'usr/bin/link-openssl' },
    ]);
    const image = write(dockerArchive([layer], { gzip: true }));
    const opened = await openTarget(image, dir, withEarly());
    const vfs = opened.image!;
    const seen: Array<{ path: string; early: boolean; copy: boolean }> = [];
    for await (const e of vfs.walk()) {
      seen.push({ path: e.path, early: e.extracted !== undefined, copy: vfs.localCopy(e.path) !== undefined });
      e.release?.();
    }
    await vfs.close();
    // the file itself was extracted in the pass; the hardlink (another name for the same bytes) got a copy from a
    // second read of its layer, instead of re-streaming the layer on every positioned read
    assert.deepEqual(seen, [
      { path: 'usr/bin/link-openssl', early: true, copy: false },
      { path: 'usr/local/bin/tls-client', early: false, copy: true },
    ]);
    const early = await scanImage(image, withEarly());
    const copied = await scanImage(image, withoutEarly());
    const openssl = (r: typeof early) => r.components.filter((c) => c.name === 'openssl').flatMap((c) => c.evidence.map((e) => `${e.kind} ${e.path}`));
    assert.deepEqual(openssl(early), ['linked usr/bin/link-openssl', 'linked usr/local/bin/tls-client']);
    assert.deepEqual(early.components, copied.components);
  });

  it('reads a hardlink a later layer deleted from a copy as well', async (t) => {
    if (!linkOpenssl) return t.skip(CACHE_MISSING);
    const layer1 = rawTar([
      { name: 'usr/bin/link-openssl', data: readFileSync(linkOpenssl) },
      { name: 'usr/local/bin/tls-client', type: '1', link: 'usr/bin/link-openssl' },
    ]);
    const layer2 = rawTar([{ name: 'usr/local/bin/.wh.tls-client' }]);
    const opened = await openTarget(write(dockerArchive([layer1, layer2])), dir, withEarly());
    const vfs = opened.image!;
    try {
      const view = vfs.removedView();
      const seen: Array<{ path: string; copy: boolean; removedIn?: string }> = [];
      const gone = await walkAndExtract(view, extractors, {}, (entry) =>
        seen.push({ path: entry.path, copy: view.localCopy!(entry.path) !== undefined, removedIn: view.removalAt(entry.path)?.removedIn }),
      );
      assert.deepEqual(seen, [{ path: 'usr/local/bin/tls-client', copy: true, removedIn: vfs.facts().layers[1]!.diffId }]);
      assert.equal(gone.errors.length, 0);
      assert.deepEqual(
        gone.components.filter((c) => c.name === 'openssl').map((c) => `${c.evidence[0]!.kind} ${c.evidence[0]!.path}`),
        ['linked usr/local/bin/tls-client'],
      );
    } finally {
      await vfs.close();
    }
  });

  it('holds no more bytes than its budget: the layer waits for extractions to end', async (t) => {
    if (!linkOpenssl) return t.skip(CACHE_MISSING);
    const bin = readFileSync(linkOpenssl);
    const names = ['a', 'b', 'c', 'd', 'e'].map((x) => `usr/bin/tool-${x}`);
    const image = write(dockerArchive([rawTar(names.map((name) => ({ name, data: bin })))]));
    const base = withEarly();
    let held = 0;
    let most = 0;
    const maxBytes = Math.floor(bin.length * 2.5);
    const options: ImageOpenOptions = {
      ...base,
      early: {
        ...base.early!,
        maxBytes,
        extract: async (vfs, entry) => {
          held += entry.size;
          most = Math.max(most, held);
          // slow extractions: without the budget every file of the layer would be held at once
          await new Promise((r) => setTimeout(r, 30));
          try {
            return await base.early!.extract(vfs, entry);
          } finally {
            held -= entry.size;
          }
        },
      },
    };
    const r = await scanImage(image, options);
    assert.equal(most, bin.length * 2, 'two files at once fit the budget of 2.5 files, three do not');
    assert.deepEqual(
      r.components.filter((c) => c.name === 'openssl').map((c) => c.evidence[0]!.path),
      names,
    );
  });

  it('reports a file the layer breaks off inside, and goes on', { timeout: 60_000 }, async (t) => {
    if (!staticOpenssl) return t.skip(CACHE_MISSING);
    const full = rawTar([
      { name: 'etc/motd', data: 'hello' },
      { name: 'usr/bin/static-openssl', data: readFileSync(staticOpenssl) },
    ]);
    // the gzip stream cut in half: inside the 4 MB binary
    const r = await scanImage(write(cutInHalf(full)), withEarly());
    assert.equal(r.sourceErrors.length, 1);
    assert.match(r.sourceErrors[0]!.message, /layer 1 \(sha256:[0-9a-f]{64}\) truncated/);
    assert.deepEqual(
      r.errors.map((e) => e.path),
      ['usr/bin/static-openssl'],
    );
    assert.match(r.errors[0]!.message, /layer 1 .* ends inside this file; it could not be read/);
    assert.equal(r.filesExtracted - r.filesParsed, 1, "only the cut file failed");
  });

  it('copies no file a tar breaks off inside: node-tar ends it short, in memory or gathered or piped to temp', async (t) => {
    // libssl (688 KB) is gathered in memory and written in one call, static-openssl (4.4 MB) piped to its copy
    const libssl = target('rootfs/usr/lib/x86_64-linux-gnu/libssl.so.3');
    if (!libssl || !staticOpenssl) return t.skip(CACHE_MISSING);
    for (const bin of [libssl, staticOpenssl]) {
      const name = `usr/lib/${path.basename(bin)}`;
      const image = write(cutInHalf(rawTar([{ name: 'etc/motd', data: 'hello' }, { name, data: readFileSync(bin) }]), 'tar'));
      // extracted in the pass: an error for the file, not components from half of it
      const r = await scanImage(image, withEarly());
      assert.deepEqual(
        r.errors.map((e) => e.path),
        [name],
      );
      assert.match(r.errors[0]!.message, /ends inside this file/);
      const opened = await openTarget(image, dir, withoutEarly());
      const vfs = opened.image!;
      try {
        assert.match(vfs.errors[0]!.message, /truncated/, name);
        assert.equal(vfs.localCopy(name), undefined, `${name}: a short copy is no copy`);
        await assert.rejects(vfs.readText(name), /ends early/, name);
      } finally {
        await vfs.close();
      }
    }
  });
});
