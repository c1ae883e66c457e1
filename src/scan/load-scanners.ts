import type { ScannerKind } from '../core/finding.js';
import { RampartError } from '../core/errors.js';
import type { Scanner } from '../core/scanner.js';
import { scannerRegistry } from '../scanners/registry.js';

export type ScannerSections = Partial<Record<ScannerKind, Record<string, unknown>>>;

/** Instantiates the scanners named in `kinds` from the registry, with their config sections. */
export async function loadScanners(
  kinds: readonly ScannerKind[],
  sections: ScannerSections,
): Promise<Scanner[]> {
  const out: Scanner[] = [];
  for (const kind of kinds) {
    const factory = scannerRegistry.get(kind);
    if (!factory) {
      throw new RampartError(
        'SCANNER_UNKNOWN',
        `scanner "${kind}" is not available yet (available: ${[...scannerRegistry.keys()].join(', ')})`,
      );
    }
    out.push(await factory({ config: sections[kind] ?? {} }));
  }
  return out;
}
