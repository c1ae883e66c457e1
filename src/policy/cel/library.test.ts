/**
 * Kubernetes CEL extension libraries. Expected values follow the examples of the Kubernetes CEL
 * reference (kubernetes.io/docs/reference/using-api/cel) and cel-go's strings extension docs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivation } from './activation.js';
import { compileCel } from './environment.js';
import { Quantity } from './quantity.js';
import { rewriteCelSource } from './rewrite.js';

function run(expression: string, object: Record<string, unknown> | null = null): unknown {
  const compiled = compileCel(expression);
  if (!compiled.ok) throw new Error(compiled.error);
  const activation = createActivation({ object, oldObject: null, request: null, namespaceObject: null }, [], {
    now: new Date('2026-01-01T00:00:00Z'),
  });
  return compiled.expression.program(activation);
}

describe('lists library', () => {
  it('isSorted, sum, min, max, indexOf, lastIndexOf', () => {
    assert.equal(run('[1, 2, 3].isSorted()'), true);
    assert.equal(run('["b", "a"].isSorted()'), false);
    assert.equal(run('[1, 2, 3].sum() == 6'), true);
    assert.equal(run('[1, 2, 3].max() == 3 && [1, 2, 3].min() == 1'), true);
    assert.equal(run('[1, 2, 2, 3].indexOf(2) == 1 && [1, 2, 2, 3].lastIndexOf(2) == 2'), true);
    assert.equal(run('[1, 2].indexOf(9) == -1'), true);
  });
});

describe('strings library', () => {
  it('charAt, replace, reverse, plus built-ins Kubernetes policies use', () => {
    assert.equal(run("'hello'.charAt(1)"), 'e');
    assert.equal(run("'hello hello'.replace('he', 'we')"), 'wello wello');
    assert.equal(run("'hello hello'.replace('he', 'we', 1)"), 'wello hello');
    assert.equal(run("'gums'.reverse()"), 'smug');
    assert.equal(run("'TacoCat'.lowerAscii() + 'x'.upperAscii()"), 'tacocatX');
    assert.deepEqual(run("'a,b,c'.split(',')"), ['a', 'b', 'c']);
    assert.equal(run("['a', 'b'].join('-')"), 'a-b');
    assert.equal(run("'  x '.trim()"), 'x');
    assert.equal(run("'registry.io/app'.startsWith('registry.io/')"), true);
  });
});

describe('regex library (RE2)', () => {
  it('matches with RE2 syntax, find and findAll', () => {
    assert.equal(run("'Nginx:1.25'.matches('(?i)^nginx:[0-9.]+$')"), true);
    assert.equal(run("matches('abc', 'b')"), true);
    assert.equal(run("'abc 123'.find('[0-9]+')"), '123');
    assert.equal(run("'abc'.find('[0-9]+')"), '');
    assert.deepEqual(run("'123 abc 456'.findAll('[0-9]+')"), ['123', '456']);
    assert.deepEqual(run("'123 abc 456'.findAll('[0-9]+', 1)"), ['123']);
  });

  it('is linear on patterns that make backtracking engines explode', () => {
    const started = performance.now();
    // The classic catastrophic case: a run of `a` that does not end the string.
    assert.equal(run(`object.s.matches('(a+)+$')`, { s: `${'a'.repeat(20000)}b` }), false);
    assert.equal(run(`object.s.matches('^(a+)+b$')`, { s: `${'a'.repeat(20000)}b` }), true);
    assert.ok(performance.now() - started < 2000);
  });

  it('reports invalid patterns as errors', () => {
    assert.throws(() => run("'a'.matches('(')"), /invalid regular expression/);
  });
});

describe('quantity library', () => {
  it('parses and compares Kubernetes quantities exactly', () => {
    assert.equal(run("quantity('1Gi').isGreaterThan(quantity('512Mi'))"), true);
    assert.equal(run("quantity('500m').isLessThan(quantity('1'))"), true);
    assert.equal(run("quantity('200M').compareTo(quantity('0.2G')) == 0"), true);
    assert.equal(run("quantity('1k').asInteger() == 1000"), true);
    assert.equal(run("quantity('1.5').isInteger()"), false);
    assert.equal(run("quantity('1.5').asApproximateFloat() == 1.5"), true);
    assert.equal(run("quantity('1').add(quantity('500m')).compareTo(quantity('1500m')) == 0"), true);
    assert.equal(run("quantity('2').sub(1).asInteger() == 1"), true);
    assert.equal(run("quantity('-1').sign() == -1"), true);
    assert.equal(run("isQuantity('1Gi') && !isQuantity('1GB')"), true);
    assert.throws(() => run("quantity('abc')"), /invalid quantity/);
    assert.equal(Quantity.parse('1e3')?.compareTo(Quantity.parse('1k') as Quantity), 0);
  });
});

describe('URL library', () => {
  it('exposes the parts of absolute URLs and paths', () => {
    assert.equal(run("url('https://example.com:80/').getHost()"), 'example.com:80');
    assert.equal(run("url('https://example.com:80/').getHostname()"), 'example.com');
    assert.equal(run("url('https://example.com:80/').getPort()"), '80');
    assert.equal(run("url('https://[::1]:80/').getHostname()"), '::1');
    assert.equal(run("url('https://example.com/path').getEscapedPath()"), '/path');
    assert.equal(run("url('https://example.com/path').getScheme()"), 'https');
    assert.deepEqual(run("url('https://example.com/?k=v&k=v2&x=y').getQuery()"), {
      k: ['v', 'v2'],
      x: ['y'],
    });
    assert.equal(run("url('/absolute-path').getEscapedPath()"), '/absolute-path');
    assert.equal(run("isURL('https://example.com') && !isURL('example.com')"), true);
  });
});

describe('sets and Kyverno functions', () => {
  it('sets.contains / equivalent / intersects', () => {
    assert.equal(run('sets.contains([1, 2, 3], [1, 2])'), true);
    assert.equal(run('sets.equivalent([1, 2], [2, 1, 1])'), true);
    assert.equal(run('sets.intersects([1], [2])'), false);
  });

  it('parseServiceAccount splits system:serviceaccount:<ns>:<name>', () => {
    assert.deepEqual(run("parseServiceAccount('system:serviceaccount:team-a:builder')"), {
      Namespace: 'team-a',
      Name: 'builder',
    });
  });

  it('time.now() uses the provided clock', () => {
    assert.equal(run("time.now() == timestamp('2026-01-01T00:00:00Z')"), true);
  });

  it('resource.Get / image.GetMetadata read provided data; http is unavailable offline', () => {
    const compiled = compileCel("resource.Get('v1', 'configmaps', 'default', 'cm').data.k");
    assert.ok(compiled.ok);
    const activation = createActivation(
      { object: null, oldObject: null, request: null, namespaceObject: null },
      [],
      {
        resources: [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'cm', namespace: 'default' },
            data: { k: 'v' },
          },
        ],
      },
    );
    assert.equal(compiled.expression.program(activation), 'v');
    assert.throws(() => run("http.Get('https://example.com')"), /not available/);
  });
});

describe('cel-go compatible optional and has() handling', () => {
  it('orValue / or on a non-optional receiver return the receiver (cel-go interpreter)', () => {
    assert.equal(run('object.add.orValue([]).size()', { add: ['NET_BIND_SERVICE'] }), 1n);
    assert.equal(run('object.?missing.orValue(7)', {}), 7n);
    assert.equal(run("object.?a.or(optional.of('x')).value()", {}), 'x');
    assert.equal(run("object.a.or(optional.of('x'))", { a: 'y' }), 'y');
  });

  it('has() accepts any operand and errors when the operand is not a map', () => {
    assert.equal(run("has({'config': {'Volumes': []}}.config.Volumes)"), true);
    assert.equal(run('has(object.spec.volumes)', { spec: {} }), false);
    assert.equal(run('has(object.spec.x)', { spec: { x: null } }), true);
    assert.throws(() => run('has(object.missing.x)', {}), /No such key/);
  });

  it('leaves string literals alone when rewriting', () => {
    assert.equal(
      rewriteCelSource(`"has(x)" + 'a.matches(b)' + r'c.orValue(d)'`),
      `"has(x)" + 'a.matches(b)' + r'c.orValue(d)'`,
    );
    assert.equal(
      rewriteCelSource('x.matches("a") && has(y.z) && o.orValue(1)'),
      'x.re2Matches("a") && k8sHas(y.z) && o.k8sOrValue(1)',
    );
  });

  it('treats JSON integers as CEL int and fractions as double', () => {
    assert.equal(run('object.replicas + 1 == 4', { replicas: 3 }), true);
    assert.equal(run('object.ratio > 0.4', { ratio: 0.5 }), true);
  });
});

describe('compilation', () => {
  it('reports syntax errors, unknown variables and oversized expressions without throwing', () => {
    const syntax = compileCel('object.');
    assert.equal(syntax.ok, false);
    assert.equal(compileCel('unknownVariable == 1').ok, false);
    assert.equal(compileCel('x'.repeat(30000)).ok, false);
    assert.equal(compileCel(42).ok, false);
    assert.equal(compileCel(`${'('.repeat(200)}1${')'.repeat(200)}`).ok, false);
  });
});
