/**
 * The OSV record format (https://ossf.github.io/osv-schema/), as far as Rampart reads it. Every field
 * except `id` is optional here: records come from outside and are checked where they are used.
 */

export type OsvSeverityType = 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'Ubuntu' | (string & {});

export interface OsvSeverity {
  type: OsvSeverityType;
  /** A CVSS vector string for the CVSS types, a word (`low`, `high`…) for `Ubuntu`. */
  score: string;
}

export interface OsvPackage {
  /** `npm`, `PyPI`, `AlmaLinux:9`, `Packagist:https://packages.drupal.org/8`… */
  ecosystem: string;
  name: string;
  purl?: string;
}

/** Exactly one key per event (the schema forbids combining them). */
export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export type OsvRangeType = 'SEMVER' | 'ECOSYSTEM' | 'GIT' | (string & {});

export interface OsvRange {
  type: OsvRangeType;
  repo?: string;
  events: OsvEvent[];
  database_specific?: Record<string, unknown>;
}

export interface OsvAffected {
  package?: OsvPackage;
  severity?: OsvSeverity[];
  ranges?: OsvRange[];
  versions?: string[];
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

export interface OsvReference {
  type?: string;
  url: string;
}

export interface OsvRecord {
  schema_version?: string;
  id: string;
  modified?: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  summary?: string;
  details?: string;
  severity?: OsvSeverity[];
  affected?: OsvAffected[];
  references?: OsvReference[];
  database_specific?: Record<string, unknown>;
}
