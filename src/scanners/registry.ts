import type { ScannerKind } from '../core/finding.js';
import type { ScannerFactory } from '../core/scanner.js';

/**
 * The explicit registry of scanners. Each entry loads its module lazily so that a command only pays
 * for the scanners it runs. A contract test loops over this map.
 */
export const scannerRegistry = new Map<ScannerKind, ScannerFactory>([
  ['secret', async (o) => (await import('./secret/index.js')).createSecretScanner(o)],
  ['misconfig', async (o) => (await import('./misconfig/index.js')).createMisconfigScanner(o)],
  ['deps', async (o) => (await import('./deps/index.js')).createDepsScanner(o)],
  ['policy', async (o) => (await import('./policy/index.js')).createPolicyScanner(o)],
]);

export function availableScanners(): ScannerKind[] {
  return [...scannerRegistry.keys()];
}
