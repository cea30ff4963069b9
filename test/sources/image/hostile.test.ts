// Hostile images: entries that climb out with '..', absolute names, links pointing out of the image, symlink
// loops, wrong digests, truncated layers, decompression bombs. Each gives a clear error or a contained result;
// nothing is written outside the temp dir, which is gone after close().
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openTarget } from '../../../src/sources/index.js';
import type { ImageVfs } from '../../../src/sources/image/image-vfs.js';
import { dockerArchive, ociLayoutDir, rawTar, scratchDir, sha256, ZSTD, zstd } from './helpers.js';

const { dir, write } = scratchDir('hostile');

async function open(buf: Buffer, opts: Parameters<typeof openTarget>[2] = {}): Promise<ImageVfs> {
  const o = await openTarget(write(buf), dir, { wanted: () => true, ...opts });
  assert.equal(o.kind, 'image');
  return o.image!;
}

async function files(vfs: ImageVfs): Promise<string[]> {
  const out: string[] = [];
  for await (const e of vfs.walk()) {
    out.push(e.path);
    e.release?.(); // as the walker does once a file's extractors are done
  }
  return out;
}


describe('hostile image input', () => {
  it("ignores '..' entries with an error, keeps absolute names inside the image", async () => {
    const layer = rawTar([
      { name: '../../escaped.txt', data: 'owned' },
      { name: 'etc/../../../escaped2.txt', data: 'owned' },
      { name: '/etc/absolute.conf', data: 'inside' },
      { name: './ok/file.txt', data: 'fine' },
    ]);
    const vfs = await open(dockerArchive([layer]));
    assert.deepEqual(await files(vfs), ['etc/absolute.conf', 'ok/file.txt']);
    assert.equal(await vfs.readText('etc/absolute.conf'), 'inside');
    assert.equal(vfs.errors.length, 2);
    for (const e of vfs.errors) assert.match(e.message, /climbs out of the image with '\.\.'; ignored/);
    assert.ok(existsSync(vfs.tempDir));
    await vfs.close();
    assert.equal(existsSync(vfs.tempDir), false, 'temp dir removed');
    for (const p of [path.join(dir, 'escaped.txt'), path.join(os.tmpdir(), 'escaped.txt'), path.join(dir, '..', 'escaped2.txt')]) {
      assert.equal(existsSync(p), false, `${p} was written`);
    }
  });

  it('resolves symlinks inside the image only, and stops at loops', async () => {
    const layer = rawTar([
      { name: 'etc/', type: '5' },
      { name: 'etc/passwd', data: 'image passwd' },
      { name: 'link-abs', type: '2', link: '/etc/passwd' },
      { name: 'link-up', type: '2', link: '../../../../etc/passwd' },
      { name: 'loop-a', type: '2', link: 'loop-b' },
      { name: 'loop-b', type: '2', link: 'loop-a' },
      { name: 'hard-out', type: '1', link: '../../etc/shadow' },
      { name: 'hard-missing', type: '1', link: 'etc/shadow' },
      { name: 'hard-ok', type: '1', link: 'etc/passwd' },
    ]);
    const vfs = await open(dockerArchive([layer]));
    // absolute and climbing targets land on the IMAGE's /etc/passwd, never the host's
    assert.equal(await vfs.readText('link-abs'), 'image passwd');
    assert.equal(await vfs.readText('link-up'), 'image passwd');
    await assert.rejects(vfs.readText('loop-a'), /no such file in the image/);
    assert.equal(await vfs.exists('loop-b'), false);
    assert.equal(await vfs.readText('hard-ok'), 'image passwd');
    assert.deepEqual(await files(vfs), ['etc/passwd', 'hard-ok']);
    const messages = vfs.errors.map((e) => e.message).join('\n');
    assert.match(messages, /hardlink 'hard-out' points out of the image/);
    assert.match(messages, /hardlink 'hard-missing' names 'etc\/shadow', which is not a file in the image/);
    await vfs.close();
  });

  it('applies whiteouts and opaque directories only to lower layers', async () => {
    const l1 = rawTar([
      { name: 'usr/lib/libsodium.so.23', data: 'sodium' },
      { name: 'opt/app/a.txt', data: 'a' },
      { name: 'opt/app/b.txt', data: 'b' },
      { name: 'keep.txt', data: 'k' },
    ]);
    const l2 = rawTar([
      { name: 'usr/lib/.wh.libsodium.so.23' },
      { name: 'opt/app/.wh..wh..opq' },
      { name: 'opt/app/c.txt', data: 'c' },
      // a whiteout does not hide a file of its own layer
      { name: 'new.txt', data: 'n' },
      { name: '.wh.new.txt' },
    ]);
    const vfs = await open(dockerArchive([l1, l2]));
    assert.deepEqual(await files(vfs), ['keep.txt', 'new.txt', 'opt/app/c.txt']);
    assert.deepEqual(
      vfs.removed.map((r) => `${r.path} ${r.layer}->${r.removedIn}`).sort(),
      ['opt/app/a.txt 0->1', 'opt/app/b.txt 0->1', 'usr/lib/libsodium.so.23 0->1'],
    );
    await vfs.close();
  });

  it('gives the bytes of removed files to a second walk, each removal once, and frees their copies as it goes', async () => {
    // a.txt: added, deleted, added again, deleted again; keep.txt stays
    const l1 = rawTar([{ name: 'opt/a.txt', data: 'first' }, { name: 'keep.txt', data: 'k' }]);
    const l2 = rawTar([{ name: 'opt/.wh.a.txt' }]);
    const l3 = rawTar([{ name: 'opt/a.txt', data: 'second' }]);
    const l4 = rawTar([{ name: 'opt/.wh.a.txt' }, { name: '.wh.gone-dir' }]);
    const vfs = await open(dockerArchive([l1, l2, l3, l4]));
    const ids = vfs.image.layers.map((l) => l.diffId);
    assert.deepEqual(await files(vfs), ['keep.txt']);
    const view = vfs.removedView();
    const seen: string[] = [];
    for await (const e of view.walk()) {
      const r = view.removalAt(e.path)!;
      seen.push(`${e.path} ${ids.indexOf(e.layer!)}->${ids.indexOf(r.removedIn)} ${await view.readText(e.path)} ${view.layerOf(e.path) === e.layer}`);
      e.release!();
      assert.equal(view.removalAt(e.path), undefined);
    }
    assert.deepEqual(seen, ['opt/a.txt 0->1 first true', 'opt/a.txt 2->3 second true']);
    // other paths read the final filesystem; the copies of removed files are gone after the walk
    assert.equal(await view.readText('keep.txt'), 'k');
    assert.equal(await view.exists('opt/a.txt'), false);
    // (copies are deleted asynchronously once released)
    for (let i = 0; i < 50 && readdirSync(vfs.tempDir).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(readdirSync(vfs.tempDir), [], 'every copy freed after both walks');
    await vfs.close();
  });

  it('refuses an image whose layer does not match its diff id', async () => {
    const layer = rawTar([{ name: 'a.txt', data: 'a' }]);
    const other = rawTar([{ name: 'b.txt', data: 'b' }]);
    await assert.rejects(
      openTarget(write(dockerArchive([layer], { diffIds: [sha256(other)] })), dir),
      (e: Error) => /layer 1 \(sha256:[0-9a-f]{64}\): uncompressed layer has digest sha256:[0-9a-f]{64}, not the diff id .* tampered with/.test(e.message),
    );
  });

  it('reports a truncated layer and keeps what could be read', async () => {
    const big = Buffer.alloc(200_000, 'x');
    const l1 = rawTar([{ name: 'base.txt', data: 'base' }]);
    const full = rawTar([
      { name: 'first.txt', data: 'first' },
      { name: 'big.bin', data: big },
    ]);
    const gz = gzipSync(full);
    // cut the second layer's gzip stream in half (the outer tar still declares the full size → rebuild it)
    const cut = rawTar([
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'config.json', RepoTags: ['t:1'], Layers: ['l0/layer.tar', 'l1/layer.tar'] }]) },
      {
        name: 'config.json',
        data: JSON.stringify({ rootfs: { type: 'layers', diff_ids: [sha256(l1), sha256(full)] }, history: [{ created_by: 'a' }, { created_by: 'b' }] }),
      },
      { name: 'l0/layer.tar', data: gzipSync(l1) },
      { name: 'l1/layer.tar', data: gz.subarray(0, Math.floor(gz.length / 2)) },
    ]);
    const vfs = await open(cut);
    const got = await files(vfs);
    assert.ok(got.includes('base.txt'));
    assert.ok(got.includes('first.txt'), 'entries before the cut are scanned');
    assert.equal(vfs.errors.length, 1);
    assert.match(vfs.errors[0]!.message, /layer 2 \(sha256:[0-9a-f]{64}\) truncated: .*files read before that point are scanned/);
    await vfs.close();
  });

  it('refuses a decompression bomb without expanding it', async () => {
    // 64 MiB of zeros gzip to ~64 KiB: a 1000:1 ratio no real layer has
    const layer = rawTar([{ name: 'zeros', data: Buffer.alloc(64 * 1024 * 1024) }]);
    const rss = process.memoryUsage().rss;
    const vfs = await open(dockerArchive([layer], { gzip: true }), {
      wanted: () => true,
      limits: { maxLayerBytes: 1024 ** 3, ratioFloor: 8 * 1024 * 1024, maxRatio: 200 },
    });
    assert.equal(vfs.errors.length, 1);
    assert.match(vfs.errors[0]!.message, /refused: expands \d+× .*a decompression bomb/);
    assert.ok(process.memoryUsage().rss - rss < 64 * 1024 * 1024, 'the bomb was not held in memory');
    await vfs.close();
  });

  it('does not follow a layer blob that is a symlink out of an OCI layout directory', async () => {
    // the symlink points at a real layer outside the layout: same bytes, same digest, still not read
    const layer = rawTar([{ name: 'etc/motd', data: 'hello' }]);
    for (const compression of ['none', 'gzip', ...(ZSTD ? (['zstd'] as const) : [])] as const) {
      const blob = compression === 'gzip' ? gzipSync(layer) : compression === 'zstd' ? zstd(layer) : layer;
      const layout = ociLayoutDir(dir, blob, sha256(layer), compression);
      const outside = path.join(dir, `outside-${compression}.blob`);
      writeFileSync(outside, blob);
      const inside = path.join(layout, 'blobs/sha256', sha256(blob).slice('sha256:'.length));
      rmSync(inside);
      symlinkSync(outside, inside);
      await assert.rejects(openTarget(`oci:${layout}`, dir, { wanted: () => true }), /is not a regular file \(a symlink out of the layout is not followed\)/, compression);
    }
  });

  it('names the problem when a target is not an image', async () => {
    await assert.rejects(openTarget(`docker-archive:${write(rawTar([{ name: 'x', data: 'y'.repeat(2000) }]))}`, dir), /no manifest\.json: not a docker-archive/);
    const gz = path.join(dir, 'c.tar.gz');
    writeFileSync(gz, gzipSync(Buffer.alloc(4096)));
    await assert.rejects(openTarget(`docker-archive:${gz}`, dir), /compressed archive; decompress it first/);
    await assert.rejects(openTarget('oci:/nonexistent/layout', dir), /no such file or directory/);
  });
});
