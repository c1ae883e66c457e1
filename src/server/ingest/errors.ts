import { RampartError } from '../../core/errors.js';

/** An upload that cannot be ingested; the message is one line and names the JSON path at fault. */
export class IngestError extends RampartError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INGEST_INVALID', message, options);
    this.name = 'IngestError';
  }
}
