import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, detectSecrets, type CompiledRuleSet } from './engine.js';
import type { SecretRule } from './rule.js';
import { providerRules, providerRuleFamilies } from './rules/index.js';
import { genericRules } from './rules/generic.js';
import { longtailRules, LONGTAIL_GAP } from './rules/longtail.js';

/**
 * The contract of the provider rule set: every rule is complete, and its own true/false positives
 * behave as declared — alone and inside the full scanner set (provider + generic rules).
 */

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const compiledAlone = new Map<string, CompiledRuleSet>();
function alone(rule: SecretRule): CompiledRuleSet {
  let set = compiledAlone.get(rule.id);
  if (!set) compiledAlone.set(rule.id, (set = compileRules([rule])));
  return set;
}

test('there are at least 150 provider rules, in the families of the index', () => {
  assert.ok(providerRules.length >= 150, `only ${providerRules.length} provider rules`);
  const total = Object.values(providerRuleFamilies).reduce((n, rules) => n + rules.length, 0);
  assert.equal(total, providerRules.length);
});

test('rule ids are unique, kebab-case and never collide with generic rules', () => {
  const seen = new Set<string>();
  for (const r of providerRules) {
    assert.match(r.id, KEBAB, `id "${r.id}" is not kebab-case`);
    assert.ok(!seen.has(r.id), `duplicate id ${r.id}`);
    assert.ok(!r.id.startsWith('generic-'), `${r.id}: the generic- prefix is reserved for generic rules`);
    seen.add(r.id);
  }
  for (const g of genericRules)
    assert.ok(!seen.has(g.id), `generic rule id ${g.id} collides with a provider rule`);
});

test('every rule is documented data: title, description, severity, reference, examples', () => {
  for (const r of providerRules) {
    assert.ok(r.title.trim().length > 3, `${r.id}: title`);
    assert.ok(r.description.trim().length > 20, `${r.id}: description`);
    assert.ok(['critical', 'high', 'medium', 'low', 'info'].includes(r.severity), `${r.id}: severity`);
    assert.ok((r.references ?? []).length > 0, `${r.id}: at least one reference`);
    for (const ref of r.references ?? []) assert.match(ref, /^https:\/\//, `${r.id}: reference ${ref}`);
    assert.ok(r.truePositives.length >= 1, `${r.id}: needs a true positive`);
    assert.ok(r.falsePositives.length >= 1, `${r.id}: needs a false positive`);
    assert.ok(!/\(\?[imsx]+\)/.test(r.regex), `${r.id}: inline flags are not JavaScript; use flags`);
  }
});

test('keywords are lower-case literals of at least 3 characters, and every true positive carries one', () => {
  for (const r of providerRules) {
    assert.ok(r.keywords.length > 0, `${r.id}: no keyword`);
    for (const k of r.keywords) {
      assert.equal(k, k.toLowerCase(), `${r.id}: keyword "${k}" is not lower-case`);
      assert.ok(k.length >= 3, `${r.id}: keyword "${k}" is shorter than 3 characters`);
    }
    for (const tp of r.truePositives) {
      const lower = tp.toLowerCase();
      assert.ok(
        r.keywords.some((k) => lower.includes(k)),
        `${r.id}: true positive ${JSON.stringify(tp.slice(0, 60))} contains none of its keywords`,
      );
    }
  }
});

test('every true positive is found by its rule alone, and the secret lies inside the line', () => {
  for (const r of providerRules) {
    for (const tp of r.truePositives) {
      const { matches, timedOut } = detectSecrets(tp, 'example.txt', alone(r));
      assert.equal(timedOut, false);
      assert.ok(
        matches.length > 0,
        `${r.id}: missed its own true positive ${JSON.stringify(tp.slice(0, 80))}`,
      );
      for (const m of matches) {
        assert.equal(m.ruleId, r.id);
        assert.ok(m.secret.length >= 4, `${r.id}: secret too short`);
        assert.ok(tp.includes(m.secret), `${r.id}: reported secret is not part of the input`);
      }
    }
  }
});

test('no false positive is reported by its rule', () => {
  for (const r of providerRules) {
    for (const fp of r.falsePositives) {
      const { matches } = detectSecrets(fp, 'example.txt', alone(r));
      assert.deepEqual(
        matches.map((m) => m.ruleId),
        [],
        `${r.id}: reported its own false positive ${JSON.stringify(fp.slice(0, 80))}`,
      );
    }
  }
});

test('every true positive is still found by the full rule set (provider + generic)', () => {
  const full = compileRules([...providerRules, ...genericRules]);
  for (const r of providerRules) {
    const own = alone(r);
    for (const tp of r.truePositives) {
      const expected = detectSecrets(tp, 'example.txt', own).matches[0]!;
      const { matches } = detectSecrets(tp, 'example.txt', full);
      const covering = matches.filter(
        (m) => m.startOffset < expected.endOffset && expected.startOffset < m.endOffset,
      );
      assert.ok(
        covering.length > 0,
        `${r.id}: true positive lost in the full set ${JSON.stringify(tp.slice(0, 80))}`,
      );
      // A provider secret must not be reported as merely generic.
      assert.ok(
        covering.some((m) => !m.ruleId.startsWith('generic-')),
        `${r.id}: only generic rules report ${JSON.stringify(tp.slice(0, 60))} (${covering.map((m) => m.ruleId).join(',')})`,
      );
    }
  }
});

test('rules stay fast on hostile input built from their own keywords', () => {
  // A catastrophic (super-linear) regex would blow the budget on these 32 KB inputs, where the
  // keyword recurs every few dozen bytes so the whole text is one window.
  const fillers = ['a', '=', '-', 'aB3', ' ', '\n\t'];
  for (const r of providerRules) {
    const set = alone(r);
    for (const kw of r.keywords.slice(0, 2)) {
      for (const f of fillers) {
        const unit = kw + f.repeat(24);
        const text = unit.repeat(Math.ceil(32768 / unit.length));
        const started = Date.now();
        const { timedOut } = detectSecrets(text, 'hostile.txt', set, { deadline: started + 2000 });
        const elapsed = Date.now() - started;
        assert.ok(
          !timedOut && elapsed < 2000,
          `${r.id}: ${elapsed} ms on keyword "${kw}" + filler ${JSON.stringify(f)}`,
        );
      }
    }
  }
});

/* ------------------------------------------------------------------------------------------------ */
/* Provider names and the long tail                                                                  */

test('the long tail has at least 70 provider rules, each naming its provider', () => {
  assert.ok(longtailRules.length >= 70, `only ${longtailRules.length} long-tail rules`);
  for (const r of longtailRules) {
    assert.ok(providerRules.includes(r), `${r.id}: not registered in providerRules`);
    assert.ok((r.provider ?? []).length > 0, `${r.id}: no provider names`);
    assert.deepEqual(r.provider, r.keywords, `${r.id}: provider names and keywords differ`);
  }
});

test('provider names are lower-case, at least 5 characters, and are not words of ordinary code', () => {
  const ordinary = new Set([
    'token',
    'secret',
    'client',
    'server',
    'access',
    'password',
    'bearer',
    'cloud',
    'azure',
  ]);
  for (const r of providerRules) {
    for (const name of r.provider ?? []) {
      assert.equal(name, name.toLowerCase(), `${r.id}: provider name "${name}"`);
      assert.ok(name.length >= 5, `${r.id}: provider name "${name}" is shorter than 5 characters`);
      assert.ok(!ordinary.has(name), `${r.id}: provider name "${name}" is an ordinary word`);
    }
  }
});

test('a near miss next to a provider name is reported by no rule of the full set (generic rules defer)', () => {
  const full = compileRules([...providerRules, ...genericRules]);
  for (const r of longtailRules) {
    for (const fp of r.falsePositives) {
      const { matches } = detectSecrets(fp, 'example.txt', full);
      assert.deepEqual(
        matches.map((m) => m.ruleId),
        [],
        `${r.id}: the full set reports the near miss ${JSON.stringify(fp.slice(0, 80))}`,
      );
    }
  }
});

test('a long-tail rule needs its name as a word start, and its token within the gap', () => {
  const meraki = compileRules(longtailRules.filter((r) => r.id === 'meraki-api-key'));
  const key = '6f1c3b9e0d2a47c8b5e9f0a1d3c7e2b4a6f8d0c2';
  assert.equal(detectSecrets(`MERAKI_API_KEY=${key}`, 'a.env', meraki).matches[0]?.secret, key);
  assert.equal(detectSecrets(`const merakiKey = "${key}"`, 'a.ts', meraki).matches.length, 1);
  // `meraki` inside `CameraKit` is not the provider's name.
  assert.equal(detectSecrets(`ReactNativeCameraKit: ${key}`, 'a.yaml', meraki).matches.length, 0);
  // Too far after the name.
  assert.equal(
    detectSecrets(`meraki:${' '.repeat(LONGTAIL_GAP + 1)}${key}`, 'a.txt', meraki).matches.length,
    0,
  );
  // A short token of one character class is a word next to the name (here: the name itself).
  const mockaroo = compileRules(longtailRules.filter((r) => r.id === 'mockaroo-api-key'));
  assert.equal(detectSecrets('| `mockaroo` | mockaroo |', 'a.md', mockaroo).matches.length, 0);
  assert.equal(detectSecrets("mockaroo_key = 'k3v9q2zx'", 'a.py', mockaroo).matches.length, 1);
  // A longer value of the same alphabet is a different thing.
  assert.equal(detectSecrets(`meraki: ${key}ab`, 'a.txt', meraki).matches.length, 0);
});
