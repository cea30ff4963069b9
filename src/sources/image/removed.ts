import type { Component } from '../../model/types.js';
import type { Extractor } from '../../extractors/types.js';
import type { WalkOptions } from '../vfs.js';
import { walkAndExtract, type WalkResult } from '../../walk.js';
import type { ImageVfs, Removal } from './image-vfs.js';

/**
 * Run the extractors over the files later layers deleted (issue 5: "present in layer N, removed later — it is still
 * in the shipped bytes"). Components found there carry `removedInLayer` (diff id of the deleting layer) and their
 * evidence names the layer that added the file and `removedIn`; the engine reports them as notes with their own
 * fingerprints, so they never count as present in the final filesystem.
 */
export async function extractRemoved(image: ImageVfs, extractors: readonly Extractor[], options: WalkOptions = {}): Promise<WalkResult> {
  const view = image.removedView();
  // marked per file while its entry is held, whether the walk extracted it or the layer pass already had
  const result = await walkAndExtract(view, extractors, options, (entry, file) => {
    const r = view.removalAt(entry.path);
    if (r) for (const c of file.components) markRemoved(c, r);
  });
  // an unreadable removed file is reported like any other, saying where its bytes are
  for (const err of result.errors) err.message = `${err.message} (file removed by a later layer; its bytes still ship in the image)`;
  return result;
}

export function markRemoved(c: Component, r: Removal): void {
  c.properties = { ...(c.properties ?? {}), removedInLayer: r.removedIn };
  for (const e of c.evidence) {
    if (e.path !== r.path) continue;
    e.layer = r.layer;
    e.removedIn = r.removedIn;
  }
}
