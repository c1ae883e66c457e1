import type { Severity } from '../core/severity.js';
import type { ScannerKind } from '../core/finding.js';

export type OutputFormat = 'table' | 'json' | 'sarif' | 'junit';

/**
 * The resolved configuration: defaults ← rampart.yaml ← RAMPART_* environment ← flags.
 * Keys of rampart.yaml are the kebab-case of these fields (`exit-code`, `max-file-size`…), the same
 * words as the flags; see schema/rampart.schema.json.
 */
export interface RampartConfig {
  scanners: ScannerKind[];
  /** Only findings of these severities are reported. */
  severity: Severity[];
  format: OutputFormat;
  output?: string;
  /** Exit code when at least one (unsuppressed, severity-filtered) finding remains. */
  exitCode: number;
  ignorefile?: string;
  baseline?: string;
  showSuppressed: boolean;
  maxFileSize: number;
  /** Per-file time budget, milliseconds. */
  fileTimeout: number;
  skipPaths: string[];
  respectGitignore: boolean;
  progress: 'auto' | 'always' | 'never';
  debug: boolean;
  secret: {
    /** Rule ids (without `secret/`) that are switched off. */
    disableRules: string[];
    /** Only these rules run (empty = all). */
    enableRules: string[];
  };
  misconfig: {
    /** Check ids (without `misconfig/`) that are switched off. */
    disableRules: string[];
    /** Registries (or registry/path prefixes) images may come from; empty = the check is off. */
    trustedRegistries: string[];
    /** Service externalIPs that are allowed: IPv4 addresses or CIDRs. */
    allowedExternalIps: string[];
  };
  deps: {
    /** Advisory database folder; undefined = the user cache folder. */
    dbDir?: string;
    dbMaxAgeDays: number;
    licenseAllow: string[];
    licenseDeny: string[];
    /** OpenVEX documents (absolute or cwd-relative paths). */
    vex: string[];
    includeDev: boolean;
  };
  policy: {
    /** Policy files or folders (Kyverno YAML, ValidatingPolicy, ValidatingAdmissionPolicy). */
    paths: string[];
    /** Built-in packs (`restricted`, `baseline`, `best-practices`, `trusted-registries`, `external-ips`, `require-signed-images`, `all`). */
    builtin: string[];
  };
}
