import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpolate } from './interpolate.js';

const from = (props: Record<string, string>) => (name: string) => props[name];

describe('Maven ${…} interpolation', () => {
  it('expands nested references and leaves plain text alone', () => {
    const lookup = from({ major: '2', minor: '${major}.7', full: '${minor}.1', 'project.version': '1.0' });
    assert.deepEqual(interpolate('${full}', lookup), { ok: true, value: '2.7.1' });
    assert.deepEqual(interpolate('v${ project.version }-x', lookup), { ok: true, value: 'v1.0-x' });
    assert.deepEqual(interpolate('1.2.3', lookup), { ok: true, value: '1.2.3' });
  });

  it('names the first undefined property, including one reached through another', () => {
    assert.deepEqual(interpolate('${a}', from({ a: '${b}' })), { ok: false, missing: 'b' });
  });

  it('fails on cycles instead of looping', () => {
    assert.equal(interpolate('${a}', from({ a: '${b}', b: '${a}' })).ok, false);
    assert.equal(interpolate('${self}', from({ self: '${self}' })).ok, false);
  });

  it('stops exponential expansions (billion laughs with properties)', () => {
    const props: Record<string, string> = { p20: 'lol' };
    for (let i = 0; i < 20; i++) props[`p${i}`] = `\${p${i + 1}}`.repeat(10);
    const started = Date.now();
    const r = interpolate('${p0}', from(props));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.overLimit, true);
    assert.ok(Date.now() - started < 1000);
  });
});
