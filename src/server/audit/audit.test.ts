import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { RampartError } from '../../core/errors.js';
import {
  appendEntry,
  canonicalJson,
  GENESIS_HASH,
  toJsonLines,
  verifyChain,
  type AuditEntry,
} from './index.js';

const KEY = 'k'.repeat(32);
const START = Date.parse('2025-06-01T00:00:00.000Z');

/** A 50-entry chain; every third entry has details, with nested objects and arrays. */
function chain(length = 50, key = KEY): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 0; i < length; i++) {
    out.push(
      appendEntry(
        out.at(-1),
        {
          at: new Date(START + i * 60_000),
          actor: i % 2 ? 'ana@example.com' : 'token:ci',
          action: i % 2 ? 'finding.dismiss' : 'scan.upload',
          target: `project/${i % 5}`,
          ...(i % 3 === 0
            ? { details: { n: i, tags: ['a', 'b'], nested: { reason: 'wont-fix', ok: true } } }
            : {}),
        },
        key,
      ),
    );
  }
  return out;
}
const head = (entries: AuditEntry[]) => ({ seq: entries.at(-1)!.seq, hash: entries.at(-1)!.hash });

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units and writes numbers as ECMAScript does (RFC 8785 examples)', () => {
    const keys = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    assert.equal(
      canonicalJson(keys),
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    assert.equal(
      canonicalJson({
        numbers: [Number('333333333.33333329'), 1e30, 4.5, 2e-3, 0.000000000000000000000000001, -0],
      }),
      '{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27,0]}',
    );
  });

  it('drops undefined members, honours toJSON and refuses what JSON cannot hold', () => {
    assert.equal(
      canonicalJson({ b: undefined, a: [undefined, new Date(0)], c: { y: 'é\n', x: null } }),
      '{"a":[null,"1970-01-01T00:00:00.000Z"],"c":{"x":null,"y":"é\\n"}}',
    );
    assert.throws(() => canonicalJson({ n: NaN }), TypeError);
    assert.throws(() => canonicalJson({ n: 1n }), TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => canonicalJson(cyclic), /cycle/);
    const shared = { x: 1 };
    assert.equal(canonicalJson([shared, shared]), '[{"x":1},{"x":1}]');
  });
});

describe('appendEntry', () => {
  it('hashes the canonical JSON of the entry with HMAC-SHA256, from the genesis hash', () => {
    const first = appendEntry(
      undefined,
      {
        at: '2025-06-01T10:00:00Z',
        actor: 'ana',
        action: 'login',
        target: 'user/ana',
        details: { ip: '10.0.0.1', mfa: true },
      },
      KEY,
    );
    const payload = `{"action":"login","actor":"ana","at":"2025-06-01T10:00:00.000Z","details":{"ip":"10.0.0.1","mfa":true},"prevHash":"${'0'.repeat(64)}","seq":1,"target":"user/ana"}`;
    assert.equal(first.seq, 1);
    assert.equal(first.prevHash, GENESIS_HASH);
    assert.equal(first.at, '2025-06-01T10:00:00.000Z');
    assert.equal(first.hash, createHmac('sha256', KEY).update(payload).digest('hex'));

    const second = appendEntry(
      first,
      { at: new Date('2025-06-01T10:00:01Z'), actor: 'ana', action: 'logout', target: 'user/ana' },
      KEY,
    );
    const payload2 = `{"action":"logout","actor":"ana","at":"2025-06-01T10:00:01.000Z","prevHash":"${first.hash}","seq":2,"target":"user/ana"}`;
    assert.equal(second.seq, 2);
    assert.equal(second.prevHash, first.hash);
    assert.equal(second.hash, createHmac('sha256', KEY).update(payload2).digest('hex'));
  });

  it('refuses a short key, an empty actor and a bad date', () => {
    const fields = { at: new Date(START), actor: 'a', action: 'b', target: 'c' };
    assert.throws(
      () => appendEntry(undefined, fields, 'short'),
      (e: unknown) => e instanceof RampartError && /at least 32 bytes/.test(e.message),
    );
    assert.throws(() => appendEntry(undefined, { ...fields, actor: ' ' }, KEY), /non-empty actor/);
    assert.throws(() => appendEntry(undefined, { ...fields, at: 'yesterday' }, KEY), /not a valid date/);
  });
});

describe('verifyChain', () => {
  const entries = chain();

  it('accepts an intact chain, with and without its head, and after a database round trip', () => {
    assert.deepEqual(verifyChain(entries, KEY), { ok: true, count: 50 });
    assert.deepEqual(verifyChain(entries, KEY, { expectedHead: head(entries) }), { ok: true, count: 50 });
    // What a database gives back: keys in another order, no details as null, details keys reordered (jsonb).
    const fromDb = entries.map((e) => {
      const details = e.details ? Object.fromEntries(Object.entries(e.details).reverse()) : null;
      return {
        hash: e.hash,
        prevHash: e.prevHash,
        details,
        target: e.target,
        action: e.action,
        actor: e.actor,
        at: e.at,
        seq: e.seq,
      };
    });
    assert.deepEqual(verifyChain(fromDb, KEY, { expectedHead: head(entries) }), { ok: true, count: 50 });
    assert.deepEqual(verifyChain([], KEY), { ok: true, count: 0 });
  });

  it('detects every single-field edit of every entry', () => {
    const edits: Record<keyof AuditEntry, (e: AuditEntry) => void> = {
      seq: (e) => (e.seq += 100),
      at: (e) => (e.at = new Date(Date.parse(e.at) + 1).toISOString()),
      actor: (e) => (e.actor += 'x'),
      action: (e) => (e.action = 'finding.reopen'),
      target: (e) => (e.target += '/x'),
      details: (e) => (e.details = e.details ? { ...e.details, n: -1 } : { injected: true }),
      prevHash: (e) => (e.prevHash = flipHex(e.prevHash)),
      hash: (e) => (e.hash = flipHex(e.hash)),
    };
    let total = 0;
    let detected = 0;
    for (let i = 0; i < entries.length; i++) {
      for (const [field, edit] of Object.entries(edits)) {
        total++;
        const copy = structuredClone(entries);
        edit(copy[i]!);
        const r = verifyChain(copy, KEY, { expectedHead: head(entries) });
        if (!r.ok && r.problem === 'edited' && r.seq === i + 1) detected++;
        else assert.fail(`edit of ${field} in entry ${i + 1}: ${JSON.stringify(r)}`);
      }
    }
    assert.equal(total, 50 * 8);
    assert.equal(detected, total);
  });

  it('detects every single-entry deletion (the newest one through the expected head)', () => {
    let detected = 0;
    for (let i = 0; i < entries.length; i++) {
      const copy = entries.filter((_, j) => j !== i);
      const r = verifyChain(copy, KEY, { expectedHead: head(entries) });
      const expected = i === entries.length - 1 ? 'truncated' : 'deleted';
      if (!r.ok && r.problem === expected && r.seq === i + 1) detected++;
      else assert.fail(`deletion of entry ${i + 1}: ${JSON.stringify(r)}`);
    }
    assert.equal(detected, 50);
    // Without the head, only the newest deletion is undetectable (nothing links forward).
    assert.deepEqual(verifyChain(entries.slice(0, -1), KEY), { ok: true, count: 49 });
  });

  it('detects every swap of adjacent entries', () => {
    let detected = 0;
    for (let i = 0; i + 1 < entries.length; i++) {
      const copy = [...entries];
      [copy[i], copy[i + 1]] = [copy[i + 1]!, copy[i]!];
      const r = verifyChain(copy, KEY, { expectedHead: head(entries) });
      if (!r.ok && r.problem === 'reordered' && r.seq === i + 1) detected++;
      else assert.fail(`swap of entries ${i + 1} and ${i + 2}: ${JSON.stringify(r)}`);
    }
    assert.equal(detected, 49);
  });

  it('detects inserted entries: a duplicate, a forgery, and a forgery at the end', () => {
    const duplicate = [...entries.slice(0, 10), entries[9]!, ...entries.slice(10)];
    assert.deepEqual(pick(verifyChain(duplicate, KEY)), ['inserted', 10]);

    const forged = {
      ...entries[9]!,
      seq: 11,
      prevHash: entries[9]!.hash,
      action: 'user.delete',
      hash: 'f'.repeat(64),
    };
    const withForgery = [...entries.slice(0, 10), forged, ...entries.slice(10)];
    assert.deepEqual(pick(verifyChain(withForgery, KEY)), ['inserted', 11]);

    // Forged with another key (an attacker's own): still not authentic.
    const other = chain(51, 'o'.repeat(32));
    assert.deepEqual(pick(verifyChain([...entries, other[50]!], KEY)), ['edited', 51]);
  });

  it('detects a chain truncated to nothing, rewritten after its head, or verified with the wrong key', () => {
    assert.deepEqual(verifyChain([], KEY, { expectedHead: head(entries) }), {
      ok: false,
      seq: 1,
      problem: 'truncated',
      detail: 'the chain ends at entry 0, the expected head is entry 50',
    });
    const rewritten = chain(50);
    rewritten[49] = appendEntry(
      rewritten[48],
      { at: new Date(START), actor: 'mallory', action: 'x', target: 'y' },
      KEY,
    );
    assert.deepEqual(pick(verifyChain(rewritten, KEY, { expectedHead: head(entries) })), ['edited', 50]);
    assert.deepEqual(pick(verifyChain(entries, 'w'.repeat(32))), ['edited', 1]);
  });

  it('reads any iterable, lazily', () => {
    function* rows() {
      yield* entries;
    }
    assert.deepEqual(verifyChain(rows(), KEY, { expectedHead: head(entries) }), { ok: true, count: 50 });
  });
});

describe('toJsonLines', () => {
  it('writes one JSON object per line that reads back to the entry and still verifies', () => {
    const entries = chain(5);
    const text = toJsonLines(entries);
    const lines = text.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 5);
    const back = lines.map((l) => JSON.parse(l) as AuditEntry);
    assert.deepEqual(back, entries);
    assert.deepEqual(Object.keys(back[0]!), [
      'seq',
      'at',
      'actor',
      'action',
      'target',
      'details',
      'prevHash',
      'hash',
    ]);
    assert.deepEqual(verifyChain(back, KEY), { ok: true, count: 5 });
  });
});

function flipHex(hex: string): string {
  return (hex[0] === '0' ? '1' : '0') + hex.slice(1);
}

function pick(r: ReturnType<typeof verifyChain>): [string, number] | ['ok', number] {
  return r.ok ? ['ok', r.count] : [r.problem, r.seq];
}
