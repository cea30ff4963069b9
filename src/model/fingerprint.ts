import { createHash } from 'node:crypto';
import { purlWithoutVersion } from './purl.js';

/**
 * Result identity for SARIF partialFingerprints and suppressions: rule id, purl without version and the
 * evidence path. Never line numbers, digests, tags or temp paths (design.md), so an upgrade or an unrelated
 * edit next to the entry keeps the alert.
 */
export function fingerprint(ruleId: string, purl: string, evidencePath: string, removed = false): string {
  // a file a later image layer deleted is its own result (it may share its path with a file present at the end);
  // present files keep the fingerprint they always had
  return createHash('sha256')
    .update(`${ruleId}\0${purlWithoutVersion(purl)}\0${evidencePath}${removed ? '\0removed' : ''}`)
    .digest('hex');
}
