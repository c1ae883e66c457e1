/**
 * Continuous re-scan: an artifact's SBOM is stored once; when the advisory database moves to a new
 * generation that names one of its components, the worker re-matches it, opens a finding and sends
 * an HMAC-signed webhook. A withdrawn advisory later fixes the finding. Both engines.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { updateDatabase } from '../deps/db/update.js';
import { LODASH, recordsZip } from '../deps/db/__fixtures__/archives.js';
import { forEachEngine } from './db/__fixtures__/engines.js';
import { startHarness, type Caller, type Harness } from './__fixtures__/plane.js';
import { checkAdvisoryGeneration } from './control-plane.js';

const SBOM = {
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  components: [
    { type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
    { type: 'library', name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0' },
  ],
};

forEachEngine('continuous re-scan', (getDb) => {
  let h: Harness;
  let admin: Caller;
  let tmp: string;
  let hookServer: Server;
  const deliveries: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];

  async function publish(records: (typeof LODASH)[]): Promise<void> {
    const src = path.join(tmp, `src-${Date.now()}-${Math.random()}`);
    mkdirSync(path.join(src, 'npm'), { recursive: true });
    writeFileSync(path.join(src, 'npm', 'all.zip'), recordsZip(records));
    await updateDatabase({ source: src, dir: path.join(tmp, 'db'), ecosystems: ['npm'] });
  }

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'rampart-rescan-'));
    hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        deliveries.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    h = await startHarness(getDb(), { runWorkers: true, settings: { advisoryDbDir: path.join(tmp, 'db') } });
    admin = await h.user('admin');
  });
  after(async () => {
    await h.close();
    await new Promise<void>((r) => hookServer.close(() => r()));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('opens a finding and sends a signed webhook when a new advisory names a stored component', async () => {
    await publish([]); // generation 1: nothing about lodash
    const hook = await h.call(admin, 'POST', '/api/v1/webhooks', {
      url: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/rampart`,
      events: ['finding.new'],
    });
    assert.equal(hook.status, 201);
    const secret = hook.json.secret as string;
    const project = (await h.call(admin, 'POST', '/api/v1/projects', { name: 'shop' })).json.id as string;
    const artifact = await h.call(admin, 'POST', `/api/v1/projects/${project}/artifacts`, {
      name: 'registry.example/shop:1',
      digest: `sha256:${'12'.repeat(32)}`,
    });
    const put = await h.call(
      admin,
      'PUT',
      `/api/v1/projects/${project}/artifacts/${artifact.json.id}/sbom`,
      SBOM,
    );
    assert.equal(put.status, 200, put.text);
    assert.equal(await checkAdvisoryGeneration(h.plane.ctx, h.plane.queue), true);
    await h.plane.queue.drain();
    const first = await h.call(admin, 'GET', `/api/v1/projects/${project}/artifacts/${artifact.json.id}`);
    assert.deepEqual(first.json.vulnerabilities, [], 'generation 1 knows nothing about lodash');
    assert.equal(
      await checkAdvisoryGeneration(h.plane.ctx, h.plane.queue),
      false,
      'same generation: no re-match',
    );

    await publish([LODASH]); // generation 2: lodash < 4.17.21 is vulnerable
    assert.equal(await checkAdvisoryGeneration(h.plane.ctx, h.plane.queue), true);
    await h.plane.queue.drain();
    const second = await h.call(admin, 'GET', `/api/v1/projects/${project}/artifacts/${artifact.json.id}`);
    assert.equal(second.json.vulnerabilities.length, 1, second.text);
    assert.equal(second.json.vulnerabilities[0].ruleId, `deps/${LODASH.id}`);
    assert.equal(second.json.vulnerabilities[0].state, 'new');
    assert.equal(second.json.vulnerabilities[0].severity, 'high');

    assert.equal(deliveries.length, 1, 'one webhook delivery');
    const d = deliveries[0]!;
    const expected = `sha256=${createHmac('sha256', secret)
      .update(`${String(d.headers['x-rampart-timestamp'])}.${d.body}`)
      .digest('hex')}`;
    assert.equal(d.headers['x-rampart-signature'], expected);
    assert.equal(d.headers['x-rampart-event'], 'finding.new');
    const payload = JSON.parse(d.body) as { findings: { ruleId: string }[]; project: { name: string } };
    assert.equal(payload.project.name, 'shop');
    assert.deepEqual(
      payload.findings.map((f) => f.ruleId),
      [`deps/${LODASH.id}`],
    );

    await publish([{ ...LODASH, withdrawn: '2024-06-01T00:00:00Z', modified: '2024-06-01T00:00:00Z' }]);
    assert.equal(await checkAdvisoryGeneration(h.plane.ctx, h.plane.queue), true);
    await h.plane.queue.drain();
    const third = await h.call(admin, 'GET', `/api/v1/projects/${project}/artifacts/${artifact.json.id}`);
    assert.equal(third.json.vulnerabilities[0].state, 'fixed', 'a withdrawn advisory closes the finding');
    assert.equal(deliveries.length, 1, 'no notification for a fix');
  });
});
