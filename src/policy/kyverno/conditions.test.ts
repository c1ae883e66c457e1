import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConditionError, evaluateConditions, evaluateOperator as op } from './conditions.js';
import { EvalContext } from './variables.js';

// Operators as documented in preconditions.md of the Kyverno docs.
test('Equals / NotEquals with wildcards, quantities and durations', () => {
  assert.equal(op('Equals', 'nginx:latest', '*:latest'), true);
  assert.equal(op('Equals', 'CREATE', 'UPDATE'), false);
  assert.equal(op('NotEquals', 'CREATE', 'DELETE'), true);
  assert.equal(op('Equals', '1Gi', '1024Mi'), true);
  assert.equal(op('Equals', '1h', '60m0s'), true);
  assert.equal(op('Equals', 3, '3'), true);
  assert.equal(op('Equals', true, true), true);
  assert.equal(op('Equals', { a: 1 }, { a: 1 }), true);
  assert.equal(op('Equals', ['a'], ['a']), true);
  assert.equal(op('Equal', 'x', 'x'), true);
  assert.equal(op('NotEqual', 'x', 'y'), true);
});

test('set operators: AnyIn, AllIn, AnyNotIn, AllNotIn', () => {
  assert.equal(op('AnyIn', ['a', 'b'], ['b', 'c']), true);
  assert.equal(op('AnyIn', ['a'], ['b', 'c']), false);
  assert.equal(op('AllIn', ['a', 'b'], ['a', 'b', 'c']), true);
  assert.equal(op('AllIn', ['a', 'x'], ['a', 'b']), false);
  assert.equal(op('AnyNotIn', ['a', 'x'], ['a', 'b']), true);
  assert.equal(op('AnyNotIn', ['a'], ['a', 'b']), false);
  assert.equal(op('AllNotIn', ['x', 'y'], ['a', 'b']), true);
  assert.equal(op('AllNotIn', ['x', 'a'], ['a', 'b']), false);
  assert.equal(op('AnyIn', 'kube-system', ['kube-*']), true);
  assert.equal(op('AnyIn', 'b', '["a","b"]'), true);
  assert.equal(op('AnyIn', '8080', '8000-9000'), true);
  assert.equal(op('AnyNotIn', '7000', '8000-9000'), true);
  assert.equal(op('AnyIn', [], ['a']), false);
  assert.equal(op('AllNotIn', [], ['a']), true);
});

test('deprecated In / NotIn', () => {
  assert.equal(op('In', 'a', ['a', 'b']), true);
  assert.equal(op('In', ['a', 'b'], ['a']), false);
  assert.equal(op('NotIn', 'c', ['a', 'b']), true);
});

test('numeric operators compare numbers, quantities, durations and versions', () => {
  assert.equal(op('GreaterThan', 3, 2), true);
  assert.equal(op('GreaterThan', '3', 2), true);
  assert.equal(op('GreaterThanOrEquals', '1Gi', '512Mi'), true);
  assert.equal(op('LessThan', '100m', '1'), true);
  assert.equal(op('LessThanOrEquals', '2h', '3h'), true);
  assert.equal(op('GreaterThan', '1.10.0', '1.9.0'), true);
  assert.equal(op('GreaterThan', 'abc', 1), false);
  assert.equal(op('DurationGreaterThan', '2h', '1h'), true);
  assert.equal(op('DurationLessThanOrEquals', '30m', 3600), true);
  assert.equal(op('NoSuchOperator', 1, 1), undefined);
});

const ctx = new EvalContext({
  request: { operation: 'CREATE', object: { metadata: { labels: { env: 'prod' } } } },
});

test('any/all blocks: any is OR, all is AND, both must hold', () => {
  const conditions = {
    any: [
      { key: '{{ request.operation }}', operator: 'Equals', value: 'UPDATE' },
      { key: '{{ request.object.metadata.labels.env }}', operator: 'Equals', value: 'prod', message: 'prod' },
    ],
    all: [{ key: "{{ request.operation || 'BACKGROUND' }}", operator: 'NotEquals', value: 'DELETE' }],
  };
  const r = evaluateConditions(conditions, ctx);
  assert.equal(r.result, true);
  assert.equal(r.message, 'prod');
  assert.equal(
    evaluateConditions({ all: [{ key: 'a', operator: 'Equals', value: 'b' }] }, ctx).result,
    false,
  );
  assert.equal(evaluateConditions([{ key: 'a', operator: 'Equals', value: 'a' }], ctx).result, true);
  assert.equal(evaluateConditions(undefined, ctx).result, true);
});

test('substitution failures and unknown operators are errors', () => {
  assert.throws(
    () =>
      evaluateConditions(
        { all: [{ key: '{{ request.object.spec.x }}', operator: 'Equals', value: '' }] },
        ctx,
      ),
    ConditionError,
  );
  assert.throws(
    () => evaluateConditions({ all: [{ key: 'a', operator: 'Bogus', value: 'a' }] }, ctx),
    ConditionError,
  );
});
