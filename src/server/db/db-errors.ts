/** Pure helpers to classify database errors the same way on both engines. */

/** The SQLSTATE of a database error (`.code` on both pg and PGlite errors), if any. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Serialization failure or deadlock: the transaction may succeed when run again. */
export function isRetryableTransactionError(err: unknown): boolean {
  const state = sqlState(err);
  return state === '40001' || state === '40P01';
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * True when the error means "the database cannot be reached or refuses us" rather than "this
 * statement is wrong": network errors, connection timeouts, authentication failures, a missing
 * database, the server shutting down or out of connection slots.
 */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
  const state = sqlState(err);
  if (state !== undefined) {
    return (
      state.startsWith('08') ||
      state.startsWith('28') ||
      state === '3D000' ||
      state === '53300' ||
      state === '57P01' ||
      state === '57P02' ||
      state === '57P03'
    );
  }
  const message = err instanceof Error ? err.message : '';
  return /^(Connection terminated|timeout exceeded when trying to connect|connect )/i.test(message);
}

/** `host:port/database` of a PostgreSQL URL, never its user or password. */
export function describePostgresTarget(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'PostgreSQL (unparseable DATABASE_URL)';
  }
  const socketHost = parsed.searchParams.get('host');
  const host = parsed.hostname || socketHost || 'localhost';
  const port = parsed.port || '5432';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  return `${host}:${port}${database ? `/${database}` : ''}`;
}

/**
 * The reason part of a connection error, for a one-line message. AggregateError (several
 * addresses tried) carries its reasons in `errors`.
 */
export function connectionFailureReason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return connectionFailureReason(err.errors[0]);
  }
  if (err instanceof Error) return err.message || (err as { code?: string }).code || err.name;
  return String(err);
}
