/** Suppressions: load (and validate) triage decisions, apply them to findings, write new ones back. */
export { applySuppressions, type SuppressionOutcome } from './apply.js';
export { loadSuppressions, suppressionPlaces, SuppressionError, DEFAULT_EXPIRY_DAYS, DEFAULT_MAX_DAYS, type SuppressionSet } from './load.js';
export { addSuppressions, insertSuppressions, type NewSuppression } from './write.js';
export { baseFingerprint, findingKeys, preferredFingerprint, stableFingerprint } from './keys.js';
export { addDays, daysBetween, isExpired, isoDay, isRealDay } from './dates.js';
