/**
 * One catalogue of error codes that are part of the public behaviour of the CLI. Every error the
 * user can cause is a RampartError; the CLI prints `rampart: <message>` and exits with
 * EXIT_FAILURE, never a stack trace (unless --debug).
 */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG_INVALID'
  | 'PATH_UNREADABLE'
  | 'GIT_FAILED'
  | 'IGNOREFILE_INVALID'
  | 'BASELINE_INVALID'
  | 'OUTPUT_FAILED'
  | 'SCANNER_UNKNOWN'
  | 'DB_MISSING'
  | 'DB_UPDATE_FAILED'
  | 'DB_UNAVAILABLE'
  | 'DB_MIGRATION_FAILED'
  | 'INGEST_INVALID'
  | 'AUTH_FAILED'
  | 'INTERNAL';

export class RampartError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RampartError';
    this.code = code;
  }
}

/** Exit codes: findings use --exit-code (default 0); a tool failure always uses EXIT_FAILURE. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 2;

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
