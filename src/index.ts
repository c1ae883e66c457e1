/** Programmatic API of Rampart. */
export type { Finding, RuleDescriptor, ScannerKind, SourceLocation, Confidence } from './core/finding.js';
export type { Scanner, ScanTarget, ScanContext } from './core/scanner.js';
export type { ScanReport } from './core/report.js';
export type { Severity } from './core/severity.js';
export { SEVERITIES } from './core/severity.js';
export { RampartError, EXIT_FAILURE } from './core/errors.js';
export { maskSecret } from './core/mask.js';
export { scannerRegistry, availableScanners } from './scanners/registry.js';
export { runScan } from './scan/run.js';
