import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  connectionFailureReason,
  describePostgresTarget,
  isConnectionError,
  isRetryableTransactionError,
  sqlState,
} from './db-errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('db error helpers', () => {
  it('names host:port/database without credentials', () => {
    assert.equal(
      describePostgresTarget('postgres://u:p%40ss@db.example:6543/rampart?sslmode=require'),
      'db.example:6543/rampart',
    );
    assert.equal(describePostgresTarget('postgresql://db.example/rampart'), 'db.example:5432/rampart');
    assert.equal(
      describePostgresTarget('postgres:///rampart?host=/var/run/postgresql'),
      '/var/run/postgresql:5432/rampart',
    );
    assert.equal(describePostgresTarget('not a url'), 'PostgreSQL (unparseable DATABASE_URL)');
  });

  it('tells connection failures from statement errors', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', '08006', '28P01', '3D000', '57P01', '53300']) {
      assert.equal(isConnectionError(withCode(code)), true, code);
    }
    assert.equal(isConnectionError(new Error('timeout exceeded when trying to connect')), true);
    for (const code of ['42P01', '23505', '40001', '22P02']) {
      assert.equal(isConnectionError(withCode(code)), false, code);
    }
    assert.equal(isConnectionError(new Error('syntax')), false);
  });

  it('reads SQLSTATE and retryable transaction errors', () => {
    assert.equal(sqlState(withCode('23505')), '23505');
    assert.equal(sqlState(withCode('ECONNREFUSED')), undefined);
    assert.equal(sqlState('nope'), undefined);
    assert.equal(isRetryableTransactionError(withCode('40001')), true);
    assert.equal(isRetryableTransactionError(withCode('40P01')), true);
    assert.equal(isRetryableTransactionError(withCode('23505')), false);
  });

  it('takes the first reason of an AggregateError (several addresses tried)', () => {
    const err = new AggregateError([new Error('connect ECONNREFUSED ::1:5432'), new Error('other')], '');
    assert.equal(connectionFailureReason(err), 'connect ECONNREFUSED ::1:5432');
  });
});
