import type { BlobStore } from './store.js';
import { ImageError, readJson } from './store.js';
import { configLayers, DIGEST_RE, layerHistory, shortImageName, type ImageConfig, type ResolvedImage } from './image.js';

interface ManifestEntry {
  Config?: string;
  RepoTags?: string[] | null;
  Layers?: string[];
}

/**
 * `docker save` / skopeo docker-archive (moby docker-image-spec "Combined Image JSON + Filesystem Changeset
 * Format"): manifest.json names the config and the layer tars. Docker 25+ writes an OCI layout beside it; the
 * manifest.json paths (blobs/sha256/…) serve both, so it is preferred when present (knowledge §9).
 */
export async function resolveDockerArchive(store: BlobStore, reference: string, tag?: string): Promise<ResolvedImage> {
  const where = store.description;
  const manifest = await readJson(store, 'manifest.json');
  if (!Array.isArray(manifest) || manifest.length === 0) throw new ImageError(`${where}: manifest.json lists no image`);
  const entries = manifest as ManifestEntry[];
  let entry = entries[0]!;
  if (tag) {
    const found = entries.find((e) => (e.RepoTags ?? []).some((t) => t === tag || t.endsWith(`/${tag}`)));
    if (!found) throw new ImageError(`${where}: no image tagged '${tag}' (have: ${entries.flatMap((e) => e.RepoTags ?? []).join(', ') || 'none'})`);
    entry = found;
  } else if (entries.length > 1) {
    throw new ImageError(`${where}: holds ${entries.length} images; name one as docker-archive:PATH:TAG`);
  }
  if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers)) throw new ImageError(`${where}: manifest.json entry lacks Config or Layers`);
  const config = (await readJson(store, entry.Config)) as ImageConfig;
  const diffIds = configLayers(config, where);
  if (diffIds.length !== entry.Layers.length) {
    throw new ImageError(`${where}: manifest.json lists ${entry.Layers.length} layers, the config ${diffIds.length} diff ids`);
  }
  const history = layerHistory(config, diffIds.length);
  const repoTag = tag ?? entry.RepoTags?.[0];
  return {
    reference,
    shortName: shortImageName(repoTag ?? reference.replace(/\.(tar|tgz)$/, '')),
    platform: config.os && config.architecture ? `${config.os}/${config.architecture}${config.variant ? `/${config.variant}` : ''}` : undefined,
    store,
    config,
    layers: entry.Layers.map((blob, index) => {
      // Docker 25+ names layers by blob digest (compressed or not); legacy <id>/layer.tar carry only the diff id
      const m = /(?:^|\/)blobs\/sha256\/([0-9a-f]{64})$/.exec(blob);
      const digest = m ? `sha256:${m[1]}` : undefined;
      return {
        index,
        diffId: diffIds[index]!,
        ...(digest && DIGEST_RE.test(digest) ? { digest } : {}),
        blob,
        ...(history[index] ? { createdBy: history[index] } : {}),
      };
    }),
  };
}
