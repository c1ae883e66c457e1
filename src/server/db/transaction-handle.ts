/** Pieces shared by both engines' `transaction()` so they fail the same way. */
import { RampartError } from '../../core/errors.js';
import { isRetryableTransactionError } from './db-errors.js';

/** Makes a `tx` unusable once its transaction has ended (a leaked `tx` must not run queries). */
export class TransactionClosedGuard {
  private closed = false;

  close(): void {
    this.closed = true;
  }

  assertOpen(): void {
    if (this.closed) {
      throw new RampartError('INTERNAL', 'query on a transaction that has already ended');
    }
  }
}

/**
 * COMMIT found the transaction aborted by an earlier error (one that `fn` caught and ignored) and
 * rolled it back. Carries SQLSTATE 25P02 like the server's "current transaction is aborted".
 */
export function transactionAbortedError(): Error {
  return Object.assign(new Error('transaction rolled back at COMMIT: an earlier statement in it failed'), {
    code: '25P02',
  });
}

/** Retries of a transaction that failed with 40001/40P01 (so at most 4 runs of `fn`). */
export const MAX_TRANSACTION_RETRIES = 3;

/**
 * Runs `attempt` again when it failed with a serialization failure or deadlock, after a short
 * randomised pause. Only PostgreSQL produces these, but both engines go through it.
 */
export async function withTransactionRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (err) {
      if (retry >= MAX_TRANSACTION_RETRIES || !isRetryableTransactionError(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** retry + Math.random() * 20));
    }
  }
}
