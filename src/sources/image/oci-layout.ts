import type { BlobStore } from './store.js';
import { ImageError } from './store.js';
import { blobPath, configLayers, layerHistory, readVerified, shortImageName, type ImageConfig, type ResolvedImage } from './image.js';

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

interface IndexDoc {
  manifests?: Descriptor[];
}
interface ManifestDoc {
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}

export const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const REF_NAME = 'org.opencontainers.image.ref.name';
export const DEFAULT_PLATFORM = 'linux/amd64';

function parse(buf: Buffer, where: string): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new ImageError(`${where}: not valid JSON (${(e as Error).message})`);
  }
}

export function platformOf(d: Descriptor): string | undefined {
  const p = d.platform;
  if (!p?.os || !p.architecture) return undefined;
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** BuildKit attestations sit in indexes as unknown/unknown manifests (knowledge §9): never an image to scan. */
function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || platformOf(d) === 'unknown/unknown';
}

/** Pick one manifest of an index for `platform` ('os/arch[/variant]'; variant optional in the request). */
export function pickPlatform(manifests: Descriptor[], platform: string, where: string): Descriptor {
  const usable = manifests.filter((d) => !isAttestation(d));
  const exact = usable.find((d) => platformOf(d) === platform);
  if (exact) return exact;
  const loose = usable.find((d) => platformOf(d)?.startsWith(platform + '/'));
  if (loose) return loose;
  // an index without platform fields (e.g. a layout holding one image) has nothing to choose between
  if (usable.length === 1 && !usable[0]!.platform) return usable[0]!;
  const have = usable.map((d) => platformOf(d) ?? '?').join(', ');
  throw new ImageError(`${where}: no image for platform ${platform} (have: ${have || 'none'}); choose one with --platform`);
}

/**
 * Follow an index (nested indexes allowed) down to one image manifest and resolve config and layers.
 * `fetch(digest)` returns a verified blob.
 */
export async function resolveManifest(
  first: Descriptor,
  fetch: (d: Descriptor) => Promise<Buffer>,
  opts: { platform: string; where: string },
): Promise<{ manifest: ManifestDoc; digest: string; config: ImageConfig; platform?: string }> {
  let desc = first;
  for (let depth = 0; depth < 8; depth++) {
    const doc = parse(await fetch(desc), opts.where) as ManifestDoc;
    const type = doc.mediaType ?? desc.mediaType;
    if ((type && INDEX_TYPES.includes(type)) || (!doc.layers && Array.isArray(doc.manifests))) {
      desc = pickPlatform(doc.manifests ?? [], opts.platform, opts.where);
      continue;
    }
    if (!doc.config || !Array.isArray(doc.layers)) throw new ImageError(`${opts.where}: manifest ${desc.digest} has no config or layers`);
    const config = parse(await fetch(doc.config), opts.where) as ImageConfig;
    const platform = config.os && config.architecture ? `${config.os}/${config.architecture}${config.variant ? `/${config.variant}` : ''}` : platformOf(desc);
    return { manifest: doc, digest: desc.digest, config, platform };
  }
  throw new ImageError(`${opts.where}: indexes nested too deeply`);
}

export function toResolved(
  store: BlobStore,
  reference: string,
  name: string,
  r: { manifest: ManifestDoc; digest: string; config: ImageConfig; platform?: string },
  where: string,
): ResolvedImage {
  const diffIds = configLayers(r.config, where);
  const layers = r.manifest.layers!;
  if (diffIds.length !== layers.length) throw new ImageError(`${where}: manifest has ${layers.length} layers, config ${diffIds.length} diff ids`);
  const history = layerHistory(r.config, layers.length);
  return {
    reference,
    shortName: shortImageName(name),
    digest: r.digest,
    platform: r.platform,
    store,
    config: r.config,
    layers: layers.map((l, index) => ({
      index,
      diffId: diffIds[index]!,
      digest: l.digest,
      mediaType: l.mediaType,
      blob: blobPath(l.digest, where),
      ...(history[index] ? { createdBy: history[index] } : {}),
    })),
  };
}

/**
 * OCI image layout (image-spec image-layout.md), as a directory or a tar: oci-layout + index.json +
 * blobs/sha256. `ref` picks by org.opencontainers.image.ref.name; without it the layout must hold one image
 * (per platform).
 */
export async function resolveOciLayout(store: BlobStore, reference: string, opts: { ref?: string; platform?: string; nameHint: string }): Promise<ResolvedImage> {
  const where = store.description;
  const index = parse(await store.read('index.json'), `${where}: index.json`) as IndexDoc;
  let manifests = (index.manifests ?? []).filter((d) => typeof d.digest === 'string');
  if (manifests.length === 0) throw new ImageError(`${where}: index.json lists no manifest`);
  if (opts.ref !== undefined) {
    manifests = manifests.filter((d) => d.annotations?.[REF_NAME] === opts.ref);
    if (manifests.length === 0) {
      const have = (index.manifests ?? []).map((d) => d.annotations?.[REF_NAME]).filter(Boolean).join(', ');
      throw new ImageError(`${where}: no image named '${opts.ref}' (have: ${have || 'none'})`);
    }
  }
  const platform = opts.platform ?? DEFAULT_PLATFORM;
  let first: Descriptor;
  if (manifests.length === 1) first = manifests[0]!;
  else if (manifests.every((d) => d.platform)) first = pickPlatform(manifests, platform, where);
  else {
    const names = manifests.map((d) => d.annotations?.[REF_NAME] ?? d.digest).join(', ');
    throw new ImageError(`${where}: holds ${manifests.length} images (${names}); name one as oci:PATH:REF`);
  }
  const fetch = (d: Descriptor) => readVerified(store, d.digest, where);
  const resolved = await resolveManifest(first, fetch, { platform, where });
  const refName = first.annotations?.[REF_NAME];
  // a full reference ("example.com/team/app:1.0") names the image; a bare tag ("app", "latest") does not
  const name = refName?.includes('/') ? refName : (opts.ref ?? opts.nameHint);
  return toResolved(store, reference, name, resolved, where);
}
