import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateJmesPath as jp, JmesPathError } from './jmespath.js';

const data = {
  request: {
    object: {
      metadata: { name: 'pod-1', labels: { app: 'web', tier: 'fe' } },
      spec: {
        containers: [
          { name: 'a', image: 'nginx:1.2' },
          { name: 'b', image: 'busybox' },
        ],
      },
    },
  },
};

test("Kyverno's Unknown key rule: errors on the path spine, null elsewhere", () => {
  assert.throws(
    () => jp('request.object.metadata.labels.missing', data),
    (e: unknown) => e instanceof JmesPathError && e.notFound,
  );
  assert.equal(jp("request.object.metadata.labels.missing || 'default'", data), 'default');
  assert.deepEqual(jp('request.object.spec.containers[].securityContext', data), []);
  assert.deepEqual(jp('request.object.spec.[initContainers, containers][].name', data), ['a', 'b']);
  assert.throws(() => jp('length(request.object.spec.initContainers)', data));
});

test('built-ins and filters', () => {
  assert.equal(jp('length(request.object.spec.containers)', data), 2);
  assert.deepEqual(jp("request.object.spec.containers[?name=='b'].image", data), ['busybox']);
  assert.equal(jp("contains(keys(request.object.metadata.labels), 'app')", data), true);
  assert.equal(jp('`6`', data), 6);
  assert.equal(jp("'6'", data), '6');
});

// Examples from the Kyverno JMESPath documentation (custom functions).
test('string functions', () => {
  assert.equal(jp("to_upper('abc')", {}), 'ABC');
  assert.equal(jp("to_lower('ABC')", {}), 'abc');
  assert.deepEqual(jp("split('apple,banana', ',')", {}), ['apple', 'banana']);
  assert.equal(
    jp("replace_all('Lorem ipsum dolor sit amet', 'ipsum', 'muspi')", {}),
    'Lorem muspi dolor sit amet',
  );
  assert.equal(
    jp("replace('Lorem ipsum dolor sit amet ipsum', 'ipsum', 'muspi', `1`)", {}),
    'Lorem muspi dolor sit amet ipsum',
  );
  assert.equal(jp("trim('¡¡¡Hello, Gophers!!!', '!¡')", {}), 'Hello, Gophers');
  assert.equal(jp("truncate('Lorem ipsum dolor sit amet', `5`)", {}), 'Lorem');
  assert.equal(jp("equal_fold('Go', 'GO')", {}), true);
  assert.equal(jp("compare('a', 'b')", {}), -1);
  assert.equal(jp("base64_decode('SGVsbG8=')", {}), 'Hello');
  assert.equal(jp("path_canonicalize('/a//b/../c')", {}), '/a/c');
  assert.equal(jp("pattern_match('prefix-*', 'prefix-foo')", {}), true);
});

test('regular expressions are Go (RE2) style', () => {
  assert.equal(jp("regex_match('^[0-9]+$', '12345')", {}), true);
  assert.equal(jp("regex_match('^[0-9]+$', `12345`)", {}), true);
  assert.equal(jp("regex_match('(?i)^abc$', 'ABC')", {}), true);
  assert.equal(jp("regex_replace_all('([Hh]e|G)l', 'Hello, Gophers', '${1}...')", {}), 'He...lo, Gophers');
  assert.equal(jp("regex_replace_all_literal('[Hh]el?', 'Hello, Gophers', 'G')", {}), 'Glo, GopGrs');
  assert.throws(() => jp("regex_match('(a+)+$', 'aaaa')", {}));
});

test('label_match, items, object_from_lists, lookup', () => {
  assert.equal(jp('label_match(`{"app":"web"}`, request.object.metadata.labels)', data), true);
  assert.equal(jp('label_match(`{"app":"db"}`, request.object.metadata.labels)', data), false);
  assert.deepEqual(jp('items(`{"b":2,"a":1}`, \'key\', \'value\')', {}), [
    { key: 'a', value: 1 },
    { key: 'b', value: 2 },
  ]);
  assert.deepEqual(jp('object_from_lists(`["a","b"]`, `[1]`)', {}), { a: 1, b: null });
  assert.equal(jp('lookup(`{"a":1}`, \'a\')', {}), 1);
});

test('arithmetic is unit aware', () => {
  assert.equal(jp("add('1Gi', '512Mi')", {}), '1536Mi');
  assert.equal(jp("subtract('2h', '1h30m')", {}), '30m0s');
  // '30m' is a quantity (30 milli) before it is a duration, so mixing it with '2h' is an error.
  assert.throws(() => jp("subtract('2h', '30m')", {}));
  assert.equal(jp('multiply(`3`, `4`)', {}), 12);
  assert.equal(jp("multiply('10Mi', `3`)", {}), '30Mi');
  assert.equal(jp("divide('12Mi', '4Mi')", {}), 3);
  assert.equal(jp("divide('2h', '1h')", {}), 2);
  assert.equal(jp('modulo(`10`, `3`)', {}), 1);
  assert.equal(jp("sum(['1Gi', '1Gi'])", {}), '2Gi');
  assert.throws(() => jp('divide(`1`, `0`)', {}));
  assert.throws(() => jp("add('1Gi', '1h')", {}));
});

test('semver_compare, parse_json, parse_yaml, to_boolean', () => {
  assert.equal(jp("semver_compare('4.1.3', '>=4.1.x')", {}), true);
  assert.equal(jp("semver_compare('4.1.3', '4.2.x')", {}), false);
  assert.equal(jp("semver_compare('1.2.3', '>1.0.0 <2.0.0')", {}), true);
  assert.equal(jp("semver_compare('2.2.3', '>1.0.0 <2.0.0 || >=3.0.0')", {}), false);
  assert.deepEqual(jp('parse_json(\'{"a": [1]}\')', {}), { a: [1] });
  assert.deepEqual(jp("parse_yaml('a: 1')", {}), { a: 1 });
  assert.equal(jp("to_boolean('TruE')", {}), true);
});

test('time functions', () => {
  assert.equal(jp("time_since('', '2023-01-01T00:00:00Z', '2023-01-02T01:00:00Z')", {}), '25h0m0s');
  assert.equal(jp("time_add('2023-01-01T00:00:00Z', '1h')", {}), '2023-01-01T01:00:00Z');
  assert.equal(jp("time_diff('2023-01-01T00:00:00Z', '2023-01-01T00:30:00Z')", {}), '30m0s');
  assert.equal(jp("time_before('2023-01-01T00:00:00Z', '2023-01-02T00:00:00Z')", {}), true);
  assert.equal(jp("time_after('2023-01-01T00:00:00Z', '2023-01-02T00:00:00Z')", {}), false);
  assert.equal(
    jp("time_between('2023-01-01T12:00:00Z', '2023-01-01T00:00:00Z', '2023-01-02T00:00:00Z')", {}),
    true,
  );
  assert.equal(jp("time_utc('2023-01-01T02:00:00+02:00')", {}), '2023-01-01T00:00:00Z');
  assert.equal(jp("time_truncate('2023-01-01T10:31:45Z', '1h')", {}), '2023-01-01T10:00:00Z');
  assert.equal(jp("time_to_cron('2023-02-03T04:05:00Z')", {}), '5 4 3 2 5');
  assert.equal(
    jp("time_parse('Mon Jan 02 15:04:05 MST 2006', 'Thu Jun 22 13:40:16 UTC 2023')", {}),
    '2023-06-22T13:40:16Z',
  );
  assert.match(String(jp('time_now_utc()', {})), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
});

test('image_normalize, x509_decode unsupported, syntax errors', () => {
  assert.equal(jp("image_normalize('nginx')", {}), 'docker.io/library/nginx:latest');
  assert.equal(jp("image_normalize('ghcr.io/a/b:1')", {}), 'ghcr.io/a/b:1');
  assert.throws(() => jp("x509_decode('x')", {}));
  assert.throws(() => jp('request.[', {}), JmesPathError);
});
