/**
 * Kubernetes and Kyverno CEL extension functions registered on top of the CEL library's standard
 * functions: lists (isSorted, sum, min, max, indexOf, lastIndexOf), strings (charAt, replace,
 * reverse), regex (RE2 `matches`, find, findAll), quantity, URL, sets, and Kyverno's
 * parseServiceAccount plus the `resource` / `image` / `http` / `globalContext` / `time` objects.
 */
import { Optional, type Environment } from '@marcbachmann/cel-js';
import type { KubeObject } from '../engine/types.js';
import { kindInfo, splitApiVersion } from './kinds.js';
import { Quantity } from './quantity.js';
import { re2Find, re2FindAll, re2Matches } from './regex.js';
import { RENAMED } from './rewrite.js';
import { CelUrl } from './url.js';
import { toCel } from './values.js';

export class CelFunctionError extends Error {}

/** Data a policy may read beyond the request: the CLI `context:` file or a cluster cache. */
export interface CelExternalData {
  /** Objects `resource.Get` / `resource.List` may return. */
  resources?: readonly KubeObject[];
  /** Image metadata for `image.GetMetadata`, each with an `image` reference (and `config`, …). */
  images?: readonly KubeObject[];
  /** Namespace objects, looked up by name for `namespaceObject`. */
  namespaces?: readonly KubeObject[];
  /** Clock for `time.now()` (defaults to the current time). */
  now?: Date;
}

export class ResourceLib {
  constructor(readonly data: CelExternalData) {}
}
export class ImageDataLib {
  constructor(readonly data: CelExternalData) {}
}
export class HttpLib {}
export class GlobalContextLib {}
export class TimeLib {
  constructor(readonly now: Date | undefined) {}
}
export class SetsLib {}

/** The library objects bound as variables in every activation. */
export function libraryBindings(data: CelExternalData): Record<string, unknown> {
  return {
    resource: new ResourceLib(data),
    image: new ImageDataLib(data),
    http: new HttpLib(),
    globalContext: new GlobalContextLib(),
    time: new TimeLib(data.now),
    sets: new SetsLib(),
  };
}

function compareValues(a: unknown, b: unknown): number {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (a instanceof Quantity && b instanceof Quantity) return a.compareTo(b);
  throw new CelFunctionError('no such overload: values are not comparable');
}

function deepEqual(a: unknown, b: unknown): boolean {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return compareValues(a, b) === 0;
  }
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !(a instanceof Date)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

function extreme(list: unknown[], sign: 1 | -1): unknown {
  if (list.length === 0) throw new CelFunctionError('min/max of an empty list');
  return list.reduce((best, item) => (compareValues(item, best) * sign > 0 ? item : best));
}

function sum(list: unknown[]): unknown {
  if (list.length === 0) return 0n;
  if (list.every((x) => typeof x === 'bigint')) return (list as bigint[]).reduce((a, b) => a + b, 0n);
  if (list.every((x) => typeof x === 'number')) return (list as number[]).reduce((a, b) => a + b, 0);
  throw new CelFunctionError('sum() requires a list of int or double');
}

function quantityOf(text: string): Quantity {
  const quantity = Quantity.parse(text);
  if (!quantity) throw new CelFunctionError(`invalid quantity: ${text}`);
  return quantity;
}

function urlOf(text: string): CelUrl {
  const url = CelUrl.parse(text);
  if (!url) throw new CelFunctionError(`URL parse error during conversion from string: ${text}`);
  return url;
}

function findResources(
  data: CelExternalData,
  apiVersion: string,
  resource: string,
  namespace: string,
): KubeObject[] {
  const wanted = splitApiVersion(apiVersion);
  return (data.resources ?? []).filter((object) => {
    const info = kindInfo(String(object['kind'] ?? ''), String(object['apiVersion'] ?? ''));
    const metadata = (object['metadata'] ?? {}) as Record<string, unknown>;
    return (
      info.group === wanted.group &&
      (wanted.version === '' || info.version === wanted.version) &&
      info.resource === resource &&
      (namespace === '' || (metadata['namespace'] ?? '') === namespace)
    );
  });
}

function parseServiceAccount(username: string): Record<string, string> {
  const parts = username.split(':');
  if (parts.length === 4 && parts[0] === 'system' && parts[1] === 'serviceaccount') {
    return { Namespace: parts[2] ?? '', Name: parts[3] ?? '' };
  }
  return { Namespace: '', Name: '' };
}

type Register = (signature: string, handler: (...args: never[]) => unknown) => void;

/** Minimal view of the CEL library's macro API (AST nodes are opaque here). */
interface MacroNode {
  op: string;
  args: [MacroNode, string] | MacroNode[];
}
interface MacroChecker {
  check(node: MacroNode, ctx: unknown): unknown;
  getType(name: string): unknown;
}
interface MacroEvaluator {
  run(node: MacroNode, ctx: unknown): unknown;
}
interface MacroInput {
  args: MacroNode[];
  receiver?: MacroNode;
}

function unwrapOptional(value: unknown): { present: boolean; value: unknown } {
  if (value instanceof Optional)
    return value.hasValue() ? { present: true, value: value.value() } : { present: false, value };
  return { present: true, value };
}

/** cel-go's `has(e.f)` for any operand `e`: error when `e` is not a map/object, else key presence. */
function fieldPresent(operand: unknown, field: string): boolean {
  const { present, value } = unwrapOptional(operand);
  if (!present) return false;
  if (value instanceof Map) return value.has(field);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CelFunctionError(`No such key: ${field}`);
  }
  return (
    Object.prototype.hasOwnProperty.call(value, field) &&
    (value as Record<string, unknown>)[field] !== undefined
  );
}

function registerMacros(env: Environment): void {
  const macro = (signature: string, build: (input: MacroInput) => object): void => {
    env.registerFunction(signature, build as never);
  };
  macro(`${RENAMED.has}(ast): bool`, ({ args }) => ({
    arg: args[0],
    typeCheck(checker: MacroChecker, m: { arg: MacroNode }, ctx: unknown) {
      if (m.arg.op !== '.' && m.arg.op !== '.?') throw new CelFunctionError('has() invalid argument');
      checker.check(m.arg.args[0] as MacroNode, ctx);
      return checker.getType('bool');
    },
    evaluate(ev: MacroEvaluator, m: { arg: MacroNode }, ctx: unknown) {
      return fieldPresent(ev.run(m.arg.args[0] as MacroNode, ctx), String(m.arg.args[1]));
    },
  }));
  // `x.orValue(d)`: the value of an optional, else `d`; a non-optional receiver is returned as is.
  macro(`dyn.${RENAMED.orValue}(ast): dyn`, ({ args, receiver }) => ({
    receiver,
    arg: args[0],
    typeCheck(checker: MacroChecker, m: { receiver: MacroNode; arg: MacroNode }, ctx: unknown) {
      checker.check(m.receiver, ctx);
      checker.check(m.arg, ctx);
      return checker.getType('dyn');
    },
    evaluate(ev: MacroEvaluator, m: { receiver: MacroNode; arg: MacroNode }, ctx: unknown) {
      const value = ev.run(m.receiver, ctx);
      if (!(value instanceof Optional)) return value;
      return value.hasValue() ? value.value() : ev.run(m.arg, ctx);
    },
  }));
  // `x.or(o)`: an optional with a value, else `o`; a non-optional receiver is returned as is.
  macro(`dyn.${RENAMED.or}(ast): dyn`, ({ args, receiver }) => ({
    receiver,
    arg: args[0],
    typeCheck(checker: MacroChecker, m: { receiver: MacroNode; arg: MacroNode }, ctx: unknown) {
      checker.check(m.receiver, ctx);
      checker.check(m.arg, ctx);
      return checker.getType('dyn');
    },
    evaluate(ev: MacroEvaluator, m: { receiver: MacroNode; arg: MacroNode }, ctx: unknown) {
      const value = ev.run(m.receiver, ctx);
      if (!(value instanceof Optional) || value.hasValue()) return value;
      return ev.run(m.arg, ctx);
    },
  }));
}

/** Registers every extension on the environment; overloads the library already has are kept. */
export function registerLibrary(env: Environment): void {
  const register: Register = (signature, handler) => {
    try {
      env.registerFunction(signature, handler as (...args: unknown[]) => unknown);
    } catch (error) {
      if (!/overlaps with existing overload/.test(String(error))) throw error;
    }
  };

  registerMacros(env);

  // Regular expressions (RE2, linear time).
  register(`string.${RENAMED.matches}(string): bool`, (s: string, re: string) => re2Matches(s, re));
  register(`${RENAMED.matches}(string, string): bool`, (s: string, re: string) => re2Matches(s, re));
  register('string.find(string): string', (s: string, re: string) => re2Find(s, re));
  register('string.findAll(string): list<string>', (s: string, re: string) => re2FindAll(s, re));
  register('string.findAll(string, int): list<string>', (s: string, re: string, n: bigint) =>
    re2FindAll(s, re, Number(n)),
  );

  // Strings extension (the parts the CEL library lacks).
  register('string.charAt(int): string', (s: string, i: bigint) => {
    const index = Number(i);
    if (index < 0 || index > s.length) throw new CelFunctionError(`index out of range: ${index}`);
    return s.charAt(index);
  });
  register('string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b));
  register('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
    const limit = Number(n);
    if (limit < 0) return s.split(a).join(b);
    const parts = s.split(a);
    if (parts.length - 1 <= limit) return parts.join(b);
    return parts.slice(0, limit + 1).join(b) + a + parts.slice(limit + 1).join(a);
  });
  register('string.reverse(): string', (s: string) => [...s].reverse().join(''));

  // Lists.
  register('list.isSorted(): bool', (l: unknown[]) =>
    l.every((x, i) => i === 0 || compareValues(l[i - 1], x) <= 0),
  );
  register('list.sum(): dyn', (l: unknown[]) => sum(l));
  register('list.min(): dyn', (l: unknown[]) => extreme(l, -1));
  register('list.max(): dyn', (l: unknown[]) => extreme(l, 1));
  register('list.indexOf(dyn): int', (l: unknown[], v: unknown) =>
    BigInt(l.findIndex((x) => deepEqual(x, v))),
  );
  register('list.lastIndexOf(dyn): int', (l: unknown[], v: unknown) => {
    for (let i = l.length - 1; i >= 0; i--) if (deepEqual(l[i], v)) return BigInt(i);
    return -1n;
  });

  // Sets (`sets.contains(a, b)` …).
  env.registerType('KubernetesSets', SetsLib);
  env.registerVariable('sets', 'KubernetesSets');
  register('KubernetesSets.contains(list, list): bool', (_: SetsLib, a: unknown[], b: unknown[]) =>
    b.every((x) => a.some((y) => deepEqual(x, y))),
  );
  register(
    'KubernetesSets.equivalent(list, list): bool',
    (_: SetsLib, a: unknown[], b: unknown[]) =>
      b.every((x) => a.some((y) => deepEqual(x, y))) && a.every((x) => b.some((y) => deepEqual(x, y))),
  );
  register('KubernetesSets.intersects(list, list): bool', (_: SetsLib, a: unknown[], b: unknown[]) =>
    b.some((x) => a.some((y) => deepEqual(x, y))),
  );

  // Quantity.
  env.registerType('Quantity', Quantity);
  register('quantity(string): Quantity', (s: string) => quantityOf(s));
  register('isQuantity(string): bool', (s: string) => Quantity.parse(s) !== undefined);
  register('Quantity.sign(): int', (q: Quantity) => BigInt(q.sign()));
  register('Quantity.isInteger(): bool', (q: Quantity) => q.isInteger());
  register('Quantity.asInteger(): int', (q: Quantity) => {
    const value = q.asInteger();
    if (value === undefined) throw new CelFunctionError('cannot convert value to integer');
    return value;
  });
  register('Quantity.asApproximateFloat(): double', (q: Quantity) => q.asApproximateFloat());
  register('Quantity.compareTo(Quantity): int', (a: Quantity, b: Quantity) => BigInt(a.compareTo(b)));
  register('Quantity.isGreaterThan(Quantity): bool', (a: Quantity, b: Quantity) => a.compareTo(b) > 0);
  register('Quantity.isLessThan(Quantity): bool', (a: Quantity, b: Quantity) => a.compareTo(b) < 0);
  register('Quantity.add(Quantity): Quantity', (a: Quantity, b: Quantity) => a.add(b));
  register('Quantity.add(int): Quantity', (a: Quantity, b: bigint) => a.add(new Quantity(b)));
  register('Quantity.sub(Quantity): Quantity', (a: Quantity, b: Quantity) => a.add(b.negate()));
  register('Quantity.sub(int): Quantity', (a: Quantity, b: bigint) => a.add(new Quantity(-b)));

  // URL.
  env.registerType('URL', CelUrl);
  register('url(string): URL', (s: string) => urlOf(s));
  register('isURL(string): bool', (s: string) => CelUrl.parse(s) !== undefined);
  register('URL.getScheme(): string', (u: CelUrl) => u.scheme);
  register('URL.getHost(): string', (u: CelUrl) => u.host);
  register('URL.getHostname(): string', (u: CelUrl) => u.hostname);
  register('URL.getPort(): string', (u: CelUrl) => u.port);
  register('URL.getEscapedPath(): string', (u: CelUrl) => u.escapedPath);
  register('URL.getQuery(): map<string, list<string>>', (u: CelUrl) => u.query);

  // Kyverno.
  register('parseServiceAccount(string): map<string, string>', (s: string) => parseServiceAccount(s));

  env.registerType('KyvernoResource', ResourceLib);
  env.registerVariable('resource', 'KyvernoResource');
  register(
    'KyvernoResource.Get(string, string, string, string): dyn',
    (lib: ResourceLib, apiVersion: string, resource: string, namespace: string, name: string) => {
      const found = findResources(lib.data, apiVersion, resource, namespace).find(
        (object) => ((object['metadata'] ?? {}) as Record<string, unknown>)['name'] === name,
      );
      if (!found)
        throw new CelFunctionError(`resource ${apiVersion}/${resource} ${namespace}/${name} not found`);
      return toCel(found);
    },
  );
  register(
    'KyvernoResource.List(string, string, string): dyn',
    (lib: ResourceLib, apiVersion: string, resource: string, namespace: string) => ({
      items: findResources(lib.data, apiVersion, resource, namespace).map((object) => toCel(object)),
    }),
  );

  env.registerType('KyvernoImageData', ImageDataLib);
  env.registerVariable('image', 'KyvernoImageData');
  register('KyvernoImageData.GetMetadata(string): dyn', (lib: ImageDataLib, reference: string) => {
    const found = (lib.data.images ?? []).find((entry) => entry['image'] === reference);
    if (!found)
      throw new CelFunctionError(`failed to fetch image metadata for ${reference}: not available offline`);
    return toCel(found);
  });

  const offline = (what: string) => () => {
    throw new CelFunctionError(`${what} is not available in offline evaluation`);
  };
  env.registerType('KyvernoHttp', HttpLib);
  env.registerVariable('http', 'KyvernoHttp');
  register('KyvernoHttp.Get(string): dyn', offline('http.Get'));
  register('KyvernoHttp.Get(string, map): dyn', offline('http.Get'));
  register('KyvernoHttp.Post(string, dyn): dyn', offline('http.Post'));
  register('KyvernoHttp.Post(string, dyn, map): dyn', offline('http.Post'));

  env.registerType('KyvernoGlobalContext', GlobalContextLib);
  env.registerVariable('globalContext', 'KyvernoGlobalContext');
  register('KyvernoGlobalContext.Get(string, string): dyn', offline('globalContext.Get'));

  env.registerType('KyvernoTime', TimeLib);
  env.registerVariable('time', 'KyvernoTime');
  register('KyvernoTime.now(): google.protobuf.Timestamp', (lib: TimeLib) => lib.now ?? new Date());
}
