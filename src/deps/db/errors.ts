/**
 * Failures of `rampart db update` / the advisory store. `code` is stable for the CLI to map onto its
 * own error catalogue; `message` is written for the user.
 */
export type AdvisoryDbErrorCode =
  /** Another update holds the lock. */
  | 'DB_LOCKED'
  /** The source could not be reached or answered with an error (other than 404). */
  | 'DB_DOWNLOAD_FAILED'
  /** A downloaded archive is truncated or corrupt, or exceeds a size cap. */
  | 'DB_ARCHIVE_INVALID'
  /** Nothing usable at the source (every ecosystem missing). */
  | 'DB_SOURCE_EMPTY'
  /** Writing the new generation failed (disk full, permissions). */
  | 'DB_WRITE_FAILED'
  /** The installed database cannot be read (damaged files). */
  | 'DB_CORRUPT'
  /** Bad options (unknown ecosystem name). */
  | 'DB_USAGE';

export class AdvisoryDbError extends Error {
  readonly code: AdvisoryDbErrorCode;
  constructor(code: AdvisoryDbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AdvisoryDbError';
    this.code = code;
  }
}
