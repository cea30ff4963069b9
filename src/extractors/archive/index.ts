import { baseName, type Extractor } from '../types.js';
import { ARCHIVE_NAME } from '../../util/paths.js';

/** Java archives and Python wheels by name; yauzl and the parsers load on the first one (archive.ts). */
export function isArchiveCandidate(path: string): boolean {
  return ARCHIVE_NAME.test(baseName(path));
}

export const archiveExtractor: Extractor = {
  name: 'archive/zip',
  version: 1,
  // jars and wheels shipped inside node_modules are artefacts like prebuilt binaries, not the project's lockfiles
  insideNodeModules: true,
  readsOnlyItsFile: true,
  fileRequired: isArchiveCandidate,
  extract: async (input) => (await import('./archive.js')).extractArchive(input),
};
