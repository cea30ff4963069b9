/**
 * The data that flows between stages: sources → walk → extractors → engine → reporters.
 * Plain data only, so every stage can be tested with literal values and every reporter renders the same facts.
 */

/** purl types (package-url spec), also used as the ecosystem key of rules and version comparators. */
export type Ecosystem =
  | 'npm'
  | 'cargo'
  | 'pypi'
  | 'golang'
  | 'maven'
  | 'nuget'
  | 'gem'
  | 'composer'
  | 'deb'
  | 'apk'
  | 'rpm'
  | 'generic';

/** How we know a component is there (design.md "Evidence kinds"). */
export type EvidenceKind = 'declared' | 'installed' | 'linked' | 'embedded' | 'buildinfo';

export const EVIDENCE_KINDS: readonly EvidenceKind[] = ['declared', 'installed', 'linked', 'embedded', 'buildinfo'];

export interface Evidence {
  kind: EvidenceKind;
  /** posix path relative to the scan target root (inside an image: the path in the image, no leading slash) */
  path: string;
  /** 1-based line of the entry (lockfile package entry), where the format has lines */
  line?: number;
  /** image layer diff id, for image sources */
  layer?: string;
  /** image sources: the history entry (Dockerfile instruction) that created that layer */
  layerCreatedBy?: string;
  /** image sources: diff id of a later layer that deleted the file (absent from the final filesystem, still shipped) */
  removedIn?: string;
  /** what exactly was seen, e.g. `Cargo.lock [[package]] ring 0.17.14` */
  detail: string;
}

/** dependency scope as far as the lockfile records it */
export interface Scope {
  dev?: boolean;
  optional?: boolean;
  peer?: boolean;
}

export interface Component {
  ecosystem: Ecosystem;
  name: string;
  /** as written in the lockfile (not normalised) */
  version?: string;
  purl: string;
  evidence: Evidence[];
  scope?: Scope;
  /** true when the project itself (a root / workspace member) depends on it */
  direct?: boolean;
  /**
   * One shortest chain from a project root to this component, root first, names only:
   * ["my-app", "reqwest", "rustls", "ring"]. Absent where the format records no edges.
   */
  dependencyPath?: string[];
  /** names of the component's own direct dependencies, as the lockfile resolves them */
  dependencies?: string[];
  /**
   * Facts an extractor read that rules may test (rule match.properties), e.g. the Go toolchain a go.mod asks
   * for, or the FIPS build settings of a Go binary. Keys are camelCase; values are strings as read.
   */
  properties?: Record<string, string>;
}

export type Level = 'error' | 'warning' | 'note';
export const LEVELS: readonly Level[] = ['error', 'warning', 'note'];

export interface Reference {
  title: string;
  url?: string;
  /** where the fact behind the rule is recorded, e.g. `knowledge/ecosystem-packages.md §A.3` */
  source?: string;
}

export interface Finding {
  ruleId: string;
  level: Level;
  /** rendered message (rule template with the component's values) */
  message: string;
  component: Component;
  /** the component's evidence that the rule accepts */
  evidence: Evidence[];
  /** stable identity: rule id, purl without version, evidence path */
  fingerprint: string;
  /** values captured by the rule (e.g. the OpenSSL version an openssl-src crate vendors) */
  captures?: Record<string, string>;
  /** set when a suppressions entry matches (src/suppress/); `expired` ones count again */
  suppression?: FindingSuppression;
}

/** A triage decision as written in the suppressions file (`suppressions:` in .cryptaudit.yml). */
export interface SuppressionEntry {
  rule: string;
  /** purl without version: the decision survives upgrades */
  purl: string;
  /** the finding's fingerprint without any ':n' suffix; absent = every file holding this package */
  fingerprint?: string;
  reason: string;
  /** YYYY-MM-DD (UTC): in force before this day, expired from it on */
  expires: string;
  created?: string;
  by?: string;
  /** posix path of the file holding the entry, relative to the working directory, and its line */
  file: string;
  line?: number;
}

/** What a finding carries when an entry matched it. */
export interface FindingSuppression {
  reason: string;
  expires: string;
  created?: string;
  by?: string;
  file: string;
  line?: number;
  /** true: the entry expired, the finding counts again (reports add a note) */
  expired: boolean;
}

/** A file that could not be read or parsed; the scan goes on with the others. */
export interface ScanError {
  path: string;
  line?: number;
  message: string;
}
