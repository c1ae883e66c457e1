import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Budget, evaluate, EVAL_MAX_DEPTH, type Scope } from './eval.js';
import { HclExpr, parseHcl, type HclValue } from './hcl.js';

const VARS: Record<string, HclValue> = {
  env: 'prod',
  on: true,
  off: false,
  n: 3,
  list: ['a', 'b'],
  obj: { k: 'v', nested: { deep: 1 } },
  nothing: null,
  unknown_var: new HclExpr('var.unknown_var'),
};
const scope: Scope = { ref: (root, name) => (root === 'var' ? VARS[name] : undefined) };

/** Evaluates the right-hand side of `x = <src>` as the block parser reads it. */
function ev(src: string, s: Scope = scope, budget = new Budget(1e6)): HclValue {
  const [b] = parseHcl(`r "t" "n" {\n  x = ${src}\n}\n`);
  return evaluate(b!.attributes.x!.value, s, budget);
}
const isUnknown = (v: HclValue) => v instanceof HclExpr;

describe('terraform expression evaluation', () => {
  it('interpolates known values into templates, heredocs included', () => {
    assert.equal(ev('"${var.env}-x"'), 'prod-x');
    assert.equal(ev('"n=${var.n} ${var.on}"'), 'n=3 true');
    assert.equal(ev('"$${literal} ${var.env}"'), '${literal} prod');
    assert.equal(ev('"a\\"b-${var.env}"'), 'a"b-prod');
    assert.equal(ev('<<-EOT\n    hello ${var.env}\n      indented\n    EOT'), 'hello prod\n  indented');
  });
  it('evaluates conditionals, operators and attribute / index access', () => {
    assert.equal(ev('var.env == "prod" ? "yes" : "no"'), 'yes');
    assert.equal(ev('var.on && !var.off'), true);
    assert.equal(ev('var.n * 2 + 1 > 6'), true);
    assert.equal(ev('var.obj.nested.deep'), 1);
    assert.equal(ev('var.obj["k"]'), 'v');
    assert.equal(ev('var.list[1]'), 'b');
    assert.equal(ev('var.nothing == null'), true);
    assert.deepEqual(ev('[var.env, "x"]'), ['prod', 'x']);
    assert.deepEqual(ev('{ a = var.n, "b" : var.off }'), { a: 3, b: false });
  });
  it('calls the pure functions it knows', () => {
    assert.equal(ev('length(concat(var.list, ["c"]))'), 3);
    assert.deepEqual(ev('merge(var.obj, { k = "w" })'), { k: 'w', nested: { deep: 1 } });
    assert.equal(ev('lookup(var.obj, "missing", "dflt")'), 'dflt');
    assert.equal(ev('coalesce(var.nothing, "", "first")'), 'first');
    assert.equal(ev('contains(var.list, "b")'), true);
    assert.equal(ev('upper(join("-", var.list))'), 'A-B');
    assert.equal(ev('jsonencode({ b = 1, a = [true] })'), '{"a":[true],"b":1}');
    assert.equal(ev('format("%s:%d", var.env, var.n)'), 'prod:3');
    assert.equal(ev('try(var.nothing.id, "fallback")'), 'fallback');
    assert.equal(ev('can(var.list[5])'), false);
  });
  it('leaves unknown what it cannot tell, keeping the text as written', () => {
    const r = ev('aws_s3_bucket.b.id');
    assert.ok(r instanceof HclExpr && r.raw === 'aws_s3_bucket.b.id');
    assert.ok(isUnknown(ev('"${data.x.y.name}-suffix"')));
    assert.ok(isUnknown(ev('var.unknown_var ? 1 : 2')));
    assert.ok(isUnknown(ev('file("policy.json")')));
    assert.ok(isUnknown(ev('[for s in var.list : upper(s)]')));
    assert.ok(isUnknown(ev('var.list[*]')));
    assert.ok(isUnknown(ev('"%{if var.on}x%{endif}"')));
    assert.ok(isUnknown(ev('var.undeclared')));
    assert.ok(isUnknown(ev('var.obj.no_such_key')));
    // the unknown element of a list stays as written; the list itself is known
    const l = ev('[var.env, module.m.out]');
    assert.ok(Array.isArray(l) && l[0] === 'prod' && l[1] instanceof HclExpr && l[1].raw === 'module.m.out');
  });
  it('knows a result an unknown operand cannot change', () => {
    assert.equal(ev('var.off && var.unknown_var'), false);
    assert.equal(ev('var.unknown_var || var.on'), true);
    assert.equal(ev('var.unknown_var ? "same" : "same"'), 'same');
    assert.ok(isUnknown(ev('var.unknown_var && var.on')));
  });
  it('bounds work: an exhausted budget leaves expressions unknown, deep nesting is cut', () => {
    assert.ok(isUnknown(ev('var.env', scope, new Budget(0))));
    assert.equal(ev('"lit"', scope, new Budget(0)), 'lit');
    // a chain of references deeper than the evaluator allows is unknown, not a stack overflow
    const chain: Scope = {
      ref: (root, name) => {
        const i = Number(name.slice(1));
        if (root !== 'local') return undefined;
        if (i >= EVAL_MAX_DEPTH * 2) return 'end';
        return evaluate(new HclExpr(`local.l${i + 1}`), chain, budget);
      },
    };
    const budget = new Budget(1e6);
    assert.ok(isUnknown(evaluate(new HclExpr('local.l0'), chain, budget)));
  });
});
