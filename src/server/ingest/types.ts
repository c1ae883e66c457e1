import type { Severity } from '../../core/severity.js';

/** The formats an upload can be in. */
export type IngestFormat = 'rampart' | 'sarif' | 'cyclonedx';

/** One finding of any tool, in the control plane's normalised shape. */
export interface IngestedFinding {
  /** 'rampart', 'CodeQL', 'Semgrep OSS', 'Trivy'… (SARIF `tool.driver.name`). */
  tool: string;
  /** Rampart scanner kind when known ('secret', 'deps', 'misconfig'…), else 'sast' or 'other'. */
  scanner: string;
  ruleId: string;
  title: string;
  message: string;
  severity: Severity;
  /** Stable identity of the finding; never includes a line number. */
  fingerprint: string;
  location?: IngestedLocation;
  package?: IngestedPackage;
  evidence?: string;
  remediation?: string;
  /** `CWE-79` form, no leading zeros, unique. */
  cwe: string[];
  references: string[];
}

export interface IngestedLocation {
  path: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

export interface IngestedPackage {
  ecosystem?: string;
  name: string;
  version?: string;
  purl?: string;
}

export interface IngestedComponent {
  name: string;
  version?: string;
  purl?: string;
  ecosystem?: string;
}

export interface IngestedScan {
  format: IngestFormat;
  /** The producing tool; for a SARIF log whose runs come from several tools, their names joined by ', '. */
  tool: string;
  toolVersion?: string;
  /**
   * Every tool the upload covers, including runs without results (a clean CodeQL run still says
   * "CodeQL looked and found nothing", which is what marks its earlier findings fixed).
   */
  tools: string[];
  findings: IngestedFinding[];
  components?: IngestedComponent[];
}

export interface ParseUploadOptions {
  /** The request's Content-Type, if any: XML types are refused, a SARIF/CycloneDX media type must match. */
  contentType?: string;
  /** Largest accepted upload, in bytes. */
  maxBytes: number;
  /** Most results/findings/vulnerabilities accepted in one upload (counted before suppressions are dropped). */
  maxFindings: number;
}
