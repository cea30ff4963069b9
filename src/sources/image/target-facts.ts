import type { Component, ScanError } from '../../model/types.js';
import type { Extractor } from '../../extractors/types.js';
import { annotatePosture, fipsPostureOf, isPostureFile, type OsFipsPosture } from '../../extractors/os/fips-posture.js';
import type { OpenedTarget } from '../index.js';
import type { ImageFacts } from './image-vfs.js';
import type { ImageOpenOptions } from './open.js';

/** How scan() opens targets: image layers copy out only what the extractors (and the FIPS posture) will read. */
export function targetOpenOptions(extractors: readonly Extractor[], platform?: string): ImageOpenOptions {
  return {
    wanted: (p) => extractors.some((e) => e.fileRequired(p)),
    keep: isPostureFile,
    ...(platform ? { platform } : {}),
  };
}

export interface TargetFacts {
  image?: ImageFacts;
  osFips?: OsFipsPosture;
  /** problems of the source itself (truncated layer, hostile tar entries) */
  errors: ScanError[];
}

const OS_ECOSYSTEMS = new Set(['deb', 'apk', 'rpm']);

/**
 * After the walk: image facts, the layer's history entry on every evidence, and the OS FIPS posture (images,
 * and directories that hold an OS package database) put on the components the fips-140-3 rules judge by it.
 */
export async function targetFacts(opened: OpenedTarget, components: Component[]): Promise<TargetFacts> {
  const out: TargetFacts = { errors: [] };
  const image = opened.image;
  if (image) {
    out.image = image.facts();
    out.errors.push(...image.errors);
    for (const c of components) {
      for (const e of c.evidence) {
        // extractors that do not copy input.layer onto their evidence still name a file of the image
        if (!e.layer) {
          const layer = image.layerOf(e.path);
          if (layer) e.layer = layer;
        }
        const createdBy = e.layer ? image.createdBy(e.layer) : undefined;
        if (createdBy) e.layerCreatedBy = createdBy;
      }
    }
  }
  if (image || components.some((c) => OS_ECOSYSTEMS.has(c.ecosystem))) {
    out.osFips = await fipsPostureOf(opened.vfs);
    annotatePosture(components, out.osFips);
  }
  return out;
}
