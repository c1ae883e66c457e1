import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scannerRegistry } from './registry.js';
import { SEVERITIES } from '../core/severity.js';

// Contract test over every registered scanner: the registry is the only list, so a scanner that
// is registered must be complete.
for (const [kind, factory] of scannerRegistry) {
  test(`scanner "${kind}" honours the Scanner contract`, async () => {
    const scanner = await factory({ config: {} });
    assert.equal(scanner.kind, kind);
    assert.match(scanner.version, /^\d+(\.\d+)*$/);
    const rules = scanner.rules();
    assert.ok(rules.length > 0, 'declares its rules');
    const ids = new Set<string>();
    for (const r of rules) {
      assert.ok(r.id.startsWith(`${kind}/`), `${r.id} is prefixed with ${kind}/`);
      assert.ok(!ids.has(r.id), `duplicate rule id ${r.id}`);
      ids.add(r.id);
      assert.equal(r.scanner, kind);
      assert.ok(r.title && r.description && r.helpMarkdown, `${r.id} has title, description and help`);
      assert.ok((SEVERITIES as readonly string[]).includes(r.severity));
      assert.ok(r.tags.includes('security'), `${r.id} is tagged security`);
    }
    // Malformed or empty input never throws.
    const ctx = { warn: () => {}, deadline: Date.now() + 5000 };
    for (const path of ['empty.yaml', 'Dockerfile', 'main.tf', 'a.env']) {
      if (!scanner.required(path)) continue;
      assert.deepEqual(scanner.scan({ path, content: Buffer.alloc(0) }, ctx), []);
      assert.doesNotThrow(() => scanner.scan({ path, content: Buffer.from('\u0000\u00ff{{[[: :') }, ctx));
    }
  });
}
