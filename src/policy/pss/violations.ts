import type { PssFieldError } from './types.js';

/** Accumulates offender names and their field errors (the `Violations` helper of the PSA fork). */
export class Violations {
  readonly data: string[] = [];
  readonly errors: PssFieldError[] = [];

  add(name: string, ...errors: PssFieldError[]): void {
    this.data.push(name);
    this.errors.push(...errors);
  }

  get empty(): boolean {
    return this.data.length === 0;
  }

  get length(): number {
    return this.data.length;
  }
}
