import type { Ecosystem, EvidenceKind, Level, Reference } from '../model/types.js';

export type VersionScheme = 'semver' | 'openssl' | 'pep440';

/** One row of match.lookup: a version range (none: any version, the last row only) and the values it gives. */
export interface LookupRow {
  versions?: string;
  values: Record<string, string>;
}

/** A rule as written in rules/**.yml (see rules/schema/rule.schema.json). */
export interface Rule {
  id: string;
  title: string;
  description: string;
  message: string;
  match: {
    ecosystem: Ecosystem;
    names?: string[];
    namePattern?: string;
    versions?: string;
    evidence: EvidenceKind[];
    dependsOn?: string[];
    notDependsOn?: string[];
    capture?: Record<string, string>;
    properties?: Record<string, string>;
    /** properties that keep the rule from firing when present and matching */
    notProperties?: Record<string, string>;
    captureVersions?: Record<string, { scheme: VersionScheme; range: string }>;
    /** a table from version ranges to named values (captures); the first row whose range holds the version wins */
    lookup?: LookupRow[];
  };
  severity: number;
  precision?: 'very-high' | 'high' | 'medium' | 'low';
  cwe: number[];
  tags?: string[];
  advisories?: string[];
  references: Reference[];
  remediation: string;
  /** file it was loaded from (repo-relative for built-in rules) */
  file: string;
}

export type ProfileLevel = Level | 'off';

export interface Profile {
  id: string;
  title: string;
  description: string;
  rules: Record<string, ProfileLevel>;
  file: string;
}

export interface RuleSet {
  rules: Map<string, Rule>;
  profiles: Map<string, Profile>;
}
