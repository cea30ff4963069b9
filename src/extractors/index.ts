import type { Extractor } from './types.js';
import { cargoLockExtractor } from './cargo-lock.js';
import { npmLockExtractor } from './npm-lock.js';

/** Every extractor, in one explicit list (osv-scalibr style: no self-registration side effects). */
export const extractors: Extractor[] = [cargoLockExtractor, npmLockExtractor];
