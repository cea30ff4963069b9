import type { Component, ScanError } from '../../model/types.js';
import type { Extractor } from '../../extractors/types.js';
import { annotatePosture, fipsPostureOf, isPostureFile, type OsFipsPosture } from '../../extractors/os/fips-posture.js';
import type { OpenedTarget } from '../index.js';
import type { ImageFacts } from './image-vfs.js';
import { globToRegExp } from '../../util/paths.js';
import type { ImageOpenOptions } from './open.js';
import { extractFile, extractorsFor } from '../../walk.js';

/**
 * How scan() opens targets: image layers copy out only what the extractors (and the FIPS posture) will read, and
 * files whose extractors all read nothing but the file are extracted during the layer pass, from memory. Files the
 * walk will leave out (`exclude`, the same globs) are neither copied nor extracted.
 */
export function targetOpenOptions(extractors: readonly Extractor[], platform?: string, exclude: readonly string[] = []): ImageOpenOptions {
  const excluded = exclude.map(globToRegExp);
  const earlyExtractors = (p: string) => {
    const wanted = extractorsFor(p, extractors);
    return wanted.length > 0 && wanted.every((e) => e.readsOnlyItsFile) ? wanted : undefined;
  };
  return {
    wanted: (p) => extractors.some((e) => e.fileRequired(p)) && !excluded.some((re) => re.test(p)),
    // read after the walk (the FIPS posture), or beside other files whenever the walk gets to those
    keep: (p) => isPostureFile(p) || extractors.some((e) => e.alsoReads?.(p)),
    early: {
      wants: (p) => earlyExtractors(p) !== undefined,
      extract: (vfs, entry) => extractFile(vfs, entry, earlyExtractors(entry.path) ?? []),
    },
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
