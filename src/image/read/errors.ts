/** Every refusal of a hostile or broken image surfaces as an ImageError with a stable code. */
export type ImageErrorCode =
  | 'not-found'
  | 'io-error'
  | 'bad-format'
  | 'too-large'
  | 'digest-mismatch'
  | 'path-traversal'
  | 'absolute-path'
  | 'symlink-escape'
  | 'hardlink-missing'
  | 'decompression-bomb'
  | 'too-many-entries'
  | 'too-deep'
  | 'unsupported-compression'
  | 'corrupt-layer'
  | 'no-matching-image'
  | 'ambiguous-image';

export class ImageError extends Error {
  readonly code: ImageErrorCode;
  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageError';
    this.code = code;
  }
}

export function isImageError(e: unknown, code?: ImageErrorCode): e is ImageError {
  return e instanceof ImageError && (code === undefined || e.code === code);
}

/** Runs `f`, turning anything that is not already an ImageError (I/O failures) into one. */
export async function guarded<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError('io-error', `${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
