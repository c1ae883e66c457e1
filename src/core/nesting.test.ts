import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exceedsFlowNesting } from './nesting.js';

test('counts flow nesting outside quotes and stops at the limit', () => {
  assert.equal(exceedsFlowNesting('a: [1, {b: [2]}]', 3), false);
  assert.equal(exceedsFlowNesting('a: [1, {b: [2]}]', 2), true);
  assert.equal(exceedsFlowNesting('x: "[[[[[[" \n y: \'{{{{\'', 1), false, 'quoted brackets do not count');
  assert.equal(exceedsFlowNesting('['.repeat(100_000), 256), true);
  assert.equal(exceedsFlowNesting('[]'.repeat(100_000), 1), false, 'siblings are not nesting');
});
