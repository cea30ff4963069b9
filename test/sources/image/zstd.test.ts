// zstd layers that go wrong, through every way a layer is decoded: the system zstd tool fed from this process
// (a docker-archive's blob is a range of the tar), the tool reading the blob file itself (an OCI layout directory),
// and fzstd when CRYPTAUDIT_NO_ZSTD_TOOL is set: a real zstd layer of the fixture image (scripts/make-image-fixtures.sh, skopeo --dest-compress-format
// zstd) cut short, a frame whose header declares a 2 GiB window (written by `zstd --long=31`), and a ratio bomb
// (64 MiB of zeros compressed by zstd). Each is an error naming the layer, with memory bounded.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openTarget } from '../../../src/sources/index.js';
import { decodeZstdFile, ZstdFrameWalker, type ExpandLimits } from '../../../src/sources/image/decompress.js';
import { imageFixture, IMAGES_MISSING, ociLayoutDir, rawTar, readLayout, scratchDir, sha256, ZSTD, zstd } from './helpers.js';

const { dir } = scratchDir('zstd');

const NO_TOOL = 'zstd tool not installed (scripts/make-image-fixtures.sh installs it)';

/** A docker-archive with one layer blob stored as given (any compression) and the diff id the config claims. */
function archive(blob: Buffer, diffId: string): string {
  const p = path.join(dir, `img-${Math.random().toString(36).slice(2)}.tar`);
  writeFileSync(
    p,
    rawTar([
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'config.json', RepoTags: ['zstd-test:1'], Layers: ['l0/layer.tar'] }]) },
      { name: 'config.json', data: JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffId] }, history: [{ created_by: 'layer' }] }) },
      { name: 'l0/layer.tar', data: blob },
    ]),
  );
  return p;
}

/** Run `fn` once per way this machine decodes a zstd layer: the zstd tool from stdin and from the blob file (when
 *  installed), and fzstd. */
async function withEachDecoder(blob: Buffer, diffId: string, fn: (decoder: string, target: string) => Promise<void>): Promise<string[]> {
  const ran: string[] = [];
  const ways = ZSTD ? ['zstd tool, stdin', 'zstd tool, blob file', 'fzstd'] : ['fzstd'];
  for (const decoder of ways) {
    if (decoder === 'fzstd') process.env['CRYPTAUDIT_NO_ZSTD_TOOL'] = '1';
    try {
      await fn(decoder, decoder === 'zstd tool, blob file' ? `oci:${ociLayoutDir(dir, blob, diffId, 'zstd')}` : archive(blob, diffId));
      ran.push(decoder);
    } finally {
      delete process.env['CRYPTAUDIT_NO_ZSTD_TOOL'];
    }
  }
  return ran;
}

async function openErrors(file: string, limits?: ExpandLimits) {
  const o = await openTarget(file, dir, { wanted: () => true, ...(limits ? { limits } : {}) });
  const vfs = o.image!;
  const files: string[] = [];
  for await (const e of vfs.walk()) files.push(e.path);
  const errors = [...vfs.errors];
  await vfs.close();
  return { files, errors };
}

describe('zstd layers', () => {
  const layout = imageFixture('app-zstd');

  it('a real zstd layer cut short: an error naming the layer, files before the cut still scanned', async (t) => {
    if (!layout) return t.skip(IMAGES_MISSING);
    const { manifest, config, blob } = readLayout(layout);
    // layer 2 "RUN dpkg -i libssl3 openssl libsodium23": etc/ssl/openssl.cnf near the start, the dpkg status last
    const layer = blob(manifest.layers[1].digest);
    const diffId: string = config.rootfs.diff_ids[1];
    assert.ok(layer.length > 1_000_000, 'a multi-megabyte real layer');
    const cut = layer.subarray(0, Math.floor(layer.length / 2));
    const ran = await withEachDecoder(cut, diffId, async (decoder, target) => {
      const { files, errors } = await openErrors(target);
      assert.equal(errors.length, 1, decoder);
      assert.equal(errors[0]!.path, decoder === 'zstd tool, blob file' ? `blobs/sha256/${sha256(cut).slice(7)}` : 'l0/layer.tar');
      assert.match(errors[0]!.message, new RegExp(`^layer 1 \\(${diffId}\\) truncated: zstd stream ends early .*files read before that point are scanned$`), decoder);
      // the tool's own line, without the name it gives its input (stdin, or the tail of a path on this host)
      if (decoder !== 'fzstd') assert.match(errors[0]!.message, /zstd stream ends early \(Read error \(\d+\) : premature end\);/, decoder);
      assert.ok(files.includes('etc/ssl/openssl.cnf'), `${decoder}: entries before the cut are scanned`);
      assert.ok(!files.includes('var/lib/dpkg/status'), `${decoder}: entries after the cut are not invented`);
    });
    if (!ZSTD) t.diagnostic(`only fzstd checked: ${NO_TOOL}`);
    assert.ok(ran.includes('fzstd'));
  });

  it('the zstd tool reading a real layer blob by name gives the tar bytes, the blob digest and the diff id', async (t) => {
    if (!layout) return t.skip(IMAGES_MISSING);
    if (!ZSTD) return t.skip(NO_TOOL);
    const { manifest, config, blobPath } = readLayout(layout);
    const layer = manifest.layers[1];
    const decoded = decodeZstdFile(blobPath(layer.digest), layer.size);
    const parts: Buffer[] = [];
    let next;
    while (!(next = await decoded.next()).done) parts.push(next.value);
    const tar = Buffer.concat(parts);
    assert.equal(sha256(tar), config.rootfs.diff_ids[1]);
    assert.deepEqual(next.value, { raw: layer.digest, diff: config.rootfs.diff_ids[1], rawBytes: layer.size, expandedBytes: tar.length, compression: 'zstd' });
    assert.deepEqual(tar.subarray(257, 262).toString(), 'ustar', 'a tar');
  });

  it('refuses a frame that declares a window beyond the limit before any decoder allocates it', async (t) => {
    if (!ZSTD) return t.skip(NO_TOOL);
    const tar = rawTar([{ name: 'random.bin', data: randomBytes(1024 * 1024) }]);
    // --long=31 on a stream of unknown size keeps a 2 GiB window in the frame header (zstd -d itself refuses it)
    const blob = zstd(tar, ['--long=31']);
    assert.deepEqual([...blob.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
    const ran = await withEachDecoder(blob, sha256(tar), async (decoder, target) => {
      const rss = process.memoryUsage().rss;
      const { errors } = await openErrors(target);
      assert.equal(errors.length, 1, decoder);
      assert.match(errors[0]!.message, /^layer 1 \(sha256:[0-9a-f]{64}\) refused: a zstd frame declares a 2147483648-byte window, more than the 134217728-byte limit/, decoder);
      assert.ok(process.memoryUsage().rss - rss < 64 * 1024 * 1024, `${decoder}: the window was not allocated`);
    });
    assert.equal(ran.length, 3);
  });

  it('refuses a zstd decompression bomb without expanding it', async (t) => {
    if (!ZSTD) return t.skip(NO_TOOL);
    const tar = rawTar([{ name: 'zeros', data: Buffer.alloc(64 * 1024 * 1024) }]);
    const blob = zstd(tar);
    assert.ok(blob.length < 64 * 1024, `64 MiB of zeros compress to ${blob.length} bytes`);
    const ran = await withEachDecoder(blob, sha256(tar), async (decoder, target) => {
      const rss = process.memoryUsage().rss;
      const { errors } = await openErrors(target, { maxLayerBytes: 1024 ** 3, ratioFloor: 8 * 1024 * 1024, maxRatio: 200 });
      assert.equal(errors.length, 1, decoder);
      assert.match(errors[0]!.message, /^layer 1 \(sha256:[0-9a-f]{64}\) refused: expands \d+× .*a decompression bomb/, decoder);
      assert.ok(process.memoryUsage().rss - rss < 64 * 1024 * 1024, `${decoder}: the bomb was not held in memory`);
    });
    assert.equal(ran.length, 3);
  });

  it('walks frame and block headers of real zstd output, skippable frames included', (t) => {
    if (!ZSTD) return t.skip(NO_TOOL);
    const a = zstd(randomBytes(300_000));
    const b = zstd(Buffer.alloc(200_000, 7));
    // a skippable frame as zstd's format defines it (magic 0x184D2A50, 4-byte size, payload)
    const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]), Buffer.from('abc')]);
    const all = Buffer.concat([a, skippable, b]);
    const w = new ZstdFrameWalker(128 * 1024 ** 2);
    // byte-sized pushes: headers split across chunks
    for (let i = 0; i < all.length; i += 7) w.push(all.subarray(i, i + 7));
    assert.equal(w.atBoundary, true);
    const cut = new ZstdFrameWalker(128 * 1024 ** 2);
    cut.push(all.subarray(0, a.length + 5));
    assert.equal(cut.atBoundary, false);
    assert.throws(() => new ZstdFrameWalker(1024).push(a), /declares a \d+-byte window, more than the 1024-byte limit/);
  });
});
