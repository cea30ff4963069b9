import type { Component, Finding, Level, ScanError, SuppressionEntry } from './types.js';
import type { Rule } from '../engine/types.js';
import type { ImageFacts } from '../sources/image/image-vfs.js';
import type { OsFipsPosture } from '../extractors/os/fips-posture.js';

export type FailOn = Level | 'none';

/** One scan target (a directory or a file the user named): one SARIF run. */
export interface TargetResult {
  /** the target as the user gave it */
  target: string;
  /** posix path of the target relative to the working directory ('.' for cwd); prefixes evidence paths in SARIF */
  displayRoot: string;
  kind: 'directory' | 'file' | 'image';
  /** image targets: name, digest, platform, layers with their history, files deleted by later layers */
  image?: ImageFacts;
  /** OS FIPS configuration seen in the target (images and OS root directories); see src/extractors/os/fips-posture.ts */
  osFips?: OsFipsPosture;
  /** every component extractors found, crypto or not, sorted by purl then evidence path */
  components: Component[];
  /** sorted by level (error first), rule id, purl, evidence path; suppressed ones are not here */
  findings: Finding[];
  /** findings an entry in force suppresses (same order); they leave the exit code and SARIF */
  suppressed?: Finding[];
  errors: ScanError[];
  /** files an extractor wanted / of those parsed without error */
  filesExtracted: number;
  filesParsed: number;
}

export interface ScanResult {
  tool: { name: 'cryptaudit'; version: string };
  policy: { id: string; title: string };
  failOn: FailOn;
  targets: TargetResult[];
  /** the rules that are on under this policy (with their level), sorted by id */
  rules: Array<{ rule: Rule; level: Level }>;
  /** present when suppressions were read: where from, and entries to clean up */
  suppressions?: {
    files: string[];
    /** entries in force that matched no finding */
    unused: SuppressionEntry[];
    /** entries past their expiry (whatever they match is a finding again) */
    expired: SuppressionEntry[];
  };
  /** 0 = nothing at/above fail-on, 1 = findings at/above it, 2 = nothing could be scanned (every target failed) */
  exitCode: 0 | 1 | 2;
}
