import { exceedsFlowNesting } from '../../core/nesting.js';
import { IngestError } from './errors.js';
import type { IngestFormat } from './types.js';

/** Deepest `[`/`{` nesting accepted: far above what the three formats need, far below the stack limit. */
export const MAX_NESTING = 100;

/** Bytes → JSON value, refusing oversized, non-UTF-8, too deeply nested or malformed input. */
export function decodeJson(bytes: Uint8Array, maxBytes: number): unknown {
  if (bytes.byteLength > maxBytes) {
    throw new IngestError(`upload is ${bytes.byteLength} bytes, more than the limit of ${maxBytes}`);
  }
  if (bytes.byteLength === 0) throw new IngestError('upload is empty');
  let text: string;
  try {
    // A UTF-8 byte order mark is dropped by TextDecoder.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new IngestError('upload is not UTF-8 text');
  }
  if (exceedsFlowNesting(text, MAX_NESTING)) {
    throw new IngestError(`upload is nested more than ${MAX_NESTING} levels deep`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // Only the position: V8's message quotes the input, which may hold a secret.
    const at = /at position (\d+)/.exec(err instanceof Error ? err.message : '');
    throw new IngestError(`upload is not valid JSON${at ? ` (error at character ${at[1]})` : ''}`);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Which format a parsed upload is in: Rampart report (`schemaVersion` + `tool.name` 'rampart'),
 * SARIF (`runs`; the schema then insists on version 2.1.0), CycloneDX (`bomFormat` 'CycloneDX').
 */
export function detectFormat(doc: unknown): IngestFormat {
  if (!isObject(doc)) {
    throw new IngestError(`upload is a JSON ${Array.isArray(doc) ? 'array' : typeof doc}, not an object`);
  }
  if ('schemaVersion' in doc && isObject(doc.tool) && doc.tool.name === 'rampart') return 'rampart';
  if (doc.bomFormat === 'CycloneDX') return 'cyclonedx';
  if ('runs' in doc) return 'sarif';
  throw new IngestError(
    'upload is not a Rampart JSON report (schemaVersion, tool.name "rampart"), a SARIF 2.1.0 log (version, runs) or a CycloneDX JSON BOM (bomFormat)',
  );
}

const FORMAT_OF_MEDIA_TYPE: Record<string, IngestFormat> = {
  'application/sarif+json': 'sarif',
  'application/vnd.cyclonedx+json': 'cyclonedx',
};

/** Refuses XML uploads and a body that contradicts a format-specific Content-Type. */
export function checkContentType(contentType: string | undefined, format?: IngestFormat): void {
  if (!contentType) return;
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  if (media.endsWith('/xml') || media.endsWith('+xml')) {
    throw new IngestError(`Content-Type ${media} is XML; upload JSON (CycloneDX XML is not supported)`);
  }
  const expected = FORMAT_OF_MEDIA_TYPE[media];
  if (format && expected && expected !== format) {
    throw new IngestError(`Content-Type is ${media} but the body is a ${FORMAT_LABEL[format]}`);
  }
}

const FORMAT_LABEL: Record<IngestFormat, string> = {
  rampart: 'Rampart JSON report',
  sarif: 'SARIF log',
  cyclonedx: 'CycloneDX BOM',
};

/** Results (SARIF), findings (Rampart) or vulnerabilities (CycloneDX), counted before validation. */
export function assertFindingCount(format: IngestFormat, doc: Record<string, unknown>, max: number): void {
  const length = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  let count = 0;
  let where = '';
  switch (format) {
    case 'rampart':
      count = length(doc.findings);
      where = '/findings';
      break;
    case 'cyclonedx':
      count = length(doc.vulnerabilities);
      where = '/vulnerabilities';
      break;
    case 'sarif':
      if (Array.isArray(doc.runs))
        for (const run of doc.runs) count += isObject(run) ? length(run.results) : 0;
      where = '/runs/*/results';
      break;
  }
  if (count > max) throw new IngestError(`${where}: ${count} entries, more than the limit of ${max}`);
}
