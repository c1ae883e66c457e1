/**
 * Catches the one mistake that behaves differently on the two engines: calling `db.query()` or
 * `db.transaction()` on the same handle from inside `db.transaction()`. On PostgreSQL it silently
 * runs outside the transaction; on the single-connection embedded engine it deadlocks. Both
 * engines therefore refuse it with the same error, pointing at the fix (use `tx`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { RampartError } from '../../core/errors.js';

interface OpenTransaction {
  owner: object;
  open: boolean;
}

const current = new AsyncLocalStorage<OpenTransaction>();

/** Runs `fn` marked as inside a transaction of `owner` (the Db handle). */
export async function runInTransactionScope<T>(owner: object, fn: () => Promise<T>): Promise<T> {
  const scope: OpenTransaction = { owner, open: true };
  try {
    return await current.run(scope, fn);
  } finally {
    scope.open = false;
  }
}

/** Throws when called (directly or via awaited code) from inside an open transaction of `owner`. */
export function assertNotInTransaction(owner: object, what: 'query' | 'transaction'): void {
  const scope = current.getStore();
  if (scope?.owner === owner && scope.open) {
    throw new RampartError(
      'INTERNAL',
      `db.${what}() called inside db.transaction(): use the transaction's tx argument instead`,
    );
  }
}
