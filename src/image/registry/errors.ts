/** Every failure of the registry client surfaces as a RegistryError with a stable code. */
export type RegistryErrorCode =
  | 'bad-reference'
  | 'unauthorized'
  | 'denied'
  | 'not-found'
  | 'unsupported-manifest'
  | 'bad-manifest'
  | 'bad-response'
  | 'digest-mismatch'
  | 'size-mismatch'
  | 'too-large'
  | 'no-matching-platform'
  | 'insecure'
  | 'bad-credentials'
  | 'http'
  | 'network'
  | 'timeout';

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  /** HTTP status when the error comes from a response. */
  readonly status: number | undefined;
  constructor(code: RegistryErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistryError';
    this.code = code;
    this.status = options?.status;
  }
}

export function isRegistryError(e: unknown, code?: RegistryErrorCode): e is RegistryError {
  return e instanceof RegistryError && (code === undefined || e.code === code);
}

/** Quotes untrusted text for an error message: bounded length, no control characters. */
export function quote(value: unknown, max = 120): string {
  const s = String(value).replace(/[\u0000-\u001f\u007f]/g, '?');
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}
