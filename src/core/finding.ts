import type { Severity } from './severity.js';

/** Every capability of the platform reports through the same Finding model. */
export type ScannerKind = 'secret' | 'deps' | 'misconfig' | 'sast' | 'image' | 'policy' | 'dast' | 'audit';
export type Confidence = 'high' | 'medium' | 'low';

/** Where a finding was seen in a git history (history / staged / diff modes). */
export interface CommitInfo {
  sha: string;
  author?: string;
  email?: string;
  date?: string; // ISO 8601
  message?: string;
}

/** A region of a file. Lines and columns are 1-based; endColumn is exclusive like SARIF. */
export interface SourceLocation {
  /** Path relative to the scan root, with forward slashes. */
  path: string;
  startLine: number;
  startColumn?: number;
  endLine: number;
  endColumn?: number;
  commit?: CommitInfo;
  /** Container image layer digest, when the file came from an image. */
  layer?: string;
}

export interface PackageRef {
  ecosystem: string;
  name: string;
  version: string;
  purl?: string;
  /** The manifest or lockfile that declares it, with its line when known. */
  path?: string;
  line?: number;
}

export interface ResourceRef {
  kind: string;
  name: string;
  namespace?: string;
  path?: string;
  line?: number;
}

export type SuppressionKind = 'inline' | 'ignorefile' | 'baseline' | 'vex';
export interface Suppression {
  kind: SuppressionKind;
  reason?: string;
  /** Where the suppression was declared (file:line, ignore-file entry…). */
  source?: string;
}

export interface Finding {
  scanner: ScannerKind;
  /** Stable rule id, e.g. `secret/github-pat`. Never changes once published. */
  ruleId: string;
  title: string;
  /** Human sentence about this particular occurrence. Must never contain a secret in clear. */
  message: string;
  severity: Severity;
  confidence: Confidence;
  location?: SourceLocation;
  package?: PackageRef;
  resource?: ResourceRef;
  /**
   * Stable identity of the finding: the same problem in the same place keeps its fingerprint when
   * unrelated lines move (it never includes a line number).
   */
  fingerprint: string;
  /** Redacted evidence (e.g. `ghp_…(40)`); never the secret itself. */
  evidence?: string;
  remediation?: string;
  references: string[];
  /** e.g. `CWE-798`. */
  cwe: string[];
  /** Equivalent rule ids in peer tools: `{ trivy: ['github-pat'], gitleaks: ['github-pat'] }`. */
  equivalents?: Record<string, string[]>;
  tags?: string[];
  /** Present when the finding was suppressed (reported only with --show-suppressed). */
  suppressed?: Suppression;
  /** Scanner-specific extra data (JSON-serialisable). */
  properties?: Record<string, unknown>;
}

/** What a reporter needs to describe a rule (SARIF `tool.driver.rules`, docs, --list-rules). */
export interface RuleDescriptor {
  id: string;
  scanner: ScannerKind;
  title: string;
  description: string;
  /** Markdown help: why it matters and how to fix it. */
  helpMarkdown: string;
  severity: Severity;
  precision: 'very-high' | 'high' | 'medium' | 'low';
  tags: string[];
  cwe: string[];
  references: string[];
  equivalents?: Record<string, string[]>;
}
