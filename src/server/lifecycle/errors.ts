import { RampartError } from '../../core/errors.js';

/**
 * A triage request that the lifecycle refuses: `invalid-transition` (the finding is in a state the
 * action does not apply to: HTTP 409) or `invalid-input` (a bad reason, date or actor: HTTP 400).
 */
export class LifecycleError extends RampartError {
  readonly kind: 'invalid-transition' | 'invalid-input';
  constructor(kind: 'invalid-transition' | 'invalid-input', message: string) {
    super('USAGE', message);
    this.name = 'LifecycleError';
    this.kind = kind;
  }
}
