import { RampartError } from '../../core/errors.js';
import { readCycloneDx } from './cyclonedx.js';
import { assertFindingCount, checkContentType, decodeJson, detectFormat } from './decode.js';
import { IngestError } from './errors.js';
import { readRampartReport } from './rampart.js';
import { readSarif } from './sarif.js';
import type { IngestedScan, ParseUploadOptions } from './types.js';

export { IngestError } from './errors.js';
export { readRampartFinding } from './rampart.js';
export type {
  IngestedComponent,
  IngestedFinding,
  IngestedLocation,
  IngestedPackage,
  IngestedScan,
  IngestFormat,
  ParseUploadOptions,
} from './types.js';

/**
 * An uploaded Rampart JSON report, SARIF 2.1.0 log or CycloneDX JSON BOM → one normalised scan.
 * Throws IngestError (code INGEST_INVALID) with a one-line reason naming the JSON path on anything
 * malformed, oversized or with more than `maxFindings` entries.
 */
export function parseUpload(bytes: Uint8Array, options: ParseUploadOptions): IngestedScan {
  checkContentType(options.contentType);
  const doc = decodeJson(bytes, options.maxBytes);
  const format = detectFormat(doc);
  checkContentType(options.contentType, format);
  assertFindingCount(format, doc as Record<string, unknown>, options.maxFindings);
  try {
    switch (format) {
      case 'rampart':
        return readRampartReport(doc);
      case 'sarif':
        return readSarif(doc);
      case 'cyclonedx':
        return readCycloneDx(doc);
    }
  } catch (err) {
    if (err instanceof IngestError) throw err;
    // A reader bug: not the uploader's fault, and no stack trace for the user.
    throw new RampartError('INTERNAL', `${format} upload could not be read (internal error)`, { cause: err });
  }
}
