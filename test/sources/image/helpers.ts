import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { gzipSync } from 'node:zlib';
import { repoRoot } from '../../helpers.js';

/** Images built by scripts/make-image-fixtures.sh (debootstrap + umoci + skopeo; .ci/run builds them). */
export const IMAGES = path.join(repoRoot, '.cache/images');
export const IMAGES_MISSING = 'image fixtures not built: run scripts/make-image-fixtures.sh';

/** Path of a built image, or undefined (tests skip) — except on CI, where .ci/run must have built them. */
export function imageFixture(name: string): string | undefined {
  const p = path.join(IMAGES, name);
  if (existsSync(p)) return p;
  if (process.env.CI) throw new Error(`${IMAGES_MISSING} (${name} is missing on CI)`);
  return undefined;
}

export interface TarEntry {
  name: string;
  /** '0' file, '1' hardlink, '2' symlink, '5' directory */
  type?: '0' | '1' | '2' | '5';
  data?: Buffer | string;
  link?: string;
}

/**
 * A raw ustar writer for hostile-input tests: it writes exactly the names it is given ('..', absolute paths,
 * links out of the image), which the tar package's own writer would refuse or rewrite.
 */
export function rawTar(entries: TarEntry[], { end = true } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data);
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, 'utf8');
    h.write('0000644\0', 100, 'latin1');
    h.write('0000000\0', 108, 'latin1');
    h.write('0000000\0', 116, 'latin1');
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
    h.write('00000000000\0', 136, 'latin1');
    h.write('        ', 148, 'latin1');
    h.write(e.type ?? '0', 156, 'latin1');
    if (e.link) h.write(e.link, 157, 100, 'utf8');
    h.write('ustar\0', 257, 'latin1');
    h.write('00', 263, 'latin1');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  if (end) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export const sha256 = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

/**
 * A docker-archive around the given layer tars (uncompressed bytes; `gzip` compresses the blob), with a config
 * whose diff ids are right unless `diffIds` overrides them.
 */
export function dockerArchive(layers: Buffer[], opts: { gzip?: boolean; diffIds?: string[]; history?: string[]; tag?: string } = {}): Buffer {
  const diffIds = opts.diffIds ?? layers.map(sha256);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: (opts.history ?? layers.map((_, i) => `layer ${i + 1}`)).map((created_by) => ({ created_by })),
    }),
  );
  const blobs = layers.map((l) => (opts.gzip ? gzipSync(l) : l));
  const manifest = [{ Config: 'config.json', RepoTags: [opts.tag ?? 'example.com/team/hostile:1.0'], Layers: blobs.map((_, i) => `l${i}/layer.tar`) }];
  return rawTar([
    { name: 'manifest.json', data: JSON.stringify(manifest) },
    { name: 'config.json', data: config },
    ...blobs.map((b, i) => ({ name: `l${i}/layer.tar`, data: b })),
  ]);
}

/** A temp dir for one test file, removed after its tests; write() puts an image tarball in it and gives its path. */
export function scratchDir(name: string): { dir: string; write(buf: Buffer): string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `cryptaudit-${name}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return {
    dir,
    write(buf: Buffer): string {
      const p = path.join(dir, `img${++n}.tar`);
      writeFileSync(p, buf);
      return p;
    },
  };
}

/** An OCI layout's first image: its manifest, its config, and its blobs by digest (bytes and path). */
export function readLayout(layout: string) {
  const blobPath = (digest: string) => path.join(layout, 'blobs/sha256', digest.slice('sha256:'.length));
  const blob = (digest: string) => readFileSync(blobPath(digest));
  const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8'));
  const manifest = JSON.parse(blob(index.manifests[0].digest).toString());
  const config = JSON.parse(blob(manifest.config.digest).toString());
  return { manifest, config, blob, blobPath };
}

/**
 * An OCI layout directory in `parent` holding one image of one layer blob stored as given (`compression` names its
 * media type), with the diff id the config claims. Returns the layout's path.
 */
export function ociLayoutDir(parent: string, blob: Buffer, diffId: string, compression: 'zstd' | 'gzip' | 'none'): string {
  const root = path.join(parent, `layout-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path.join(root, 'blobs/sha256'), { recursive: true });
  const put = (b: Buffer) => {
    const digest = sha256(b);
    writeFileSync(path.join(root, 'blobs/sha256', digest.slice('sha256:'.length)), b);
    return { digest, size: b.length };
  };
  const config = put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffId] }, history: [{ created_by: 'layer' }] })));
  const layerType = `application/vnd.oci.image.layer.v1.tar${compression === 'none' ? '' : `+${compression}`}`;
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: layerType, ...put(blob) }],
      }),
    ),
  );
  writeFileSync(path.join(root, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    path.join(root, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'test' } }] }),
  );
  return root;
}

/** Whether the zstd tool is installed (make-image-fixtures.sh installs it), whatever CRYPTAUDIT_NO_ZSTD_TOOL says. */
export const ZSTD = spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status === 0;

/** Bytes compressed by the zstd tool with extra `args`. */
export const zstd = (input: Buffer, args: string[] = []): Buffer => execFileSync('zstd', ['-q', '-c', ...args], { input, maxBuffer: 1024 ** 3 });
