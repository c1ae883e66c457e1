import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { isServerPath, uiRoutes } from './ui.js';

const INDEX = '<!doctype html><title>shell</title><script type="module" src="/assets/app-1a2b.js"></script>';
const ASSET = 'console.log("app")';

async function appWith(webRoot: string): Promise<FastifyInstance> {
  const app = Fastify();
  app.get('/api/v1/known', { config: { access: 'public' } }, async () => ({ ok: true }));
  await uiRoutes(app, { webRoot });
  await app.ready();
  return app;
}

describe('dashboard static routes', () => {
  let dir: string;
  let app: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-ui-'));
    mkdirSync(path.join(dir, 'web', 'assets'), { recursive: true });
    writeFileSync(path.join(dir, 'web', 'index.html'), INDEX);
    writeFileSync(path.join(dir, 'web', 'assets', 'app-1a2b.js'), ASSET);
    writeFileSync(path.join(dir, 'secret.txt'), 'outside the web root');
    app = await appWith(path.join(dir, 'web'));
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the shell at / and at every SPA path, with strict headers and no caching', async () => {
    for (const url of ['/', '/projects/3f1c/findings', '/settings?tab=tokens']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, INDEX);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
    }
  });

  it('serves hashed assets with a year-long immutable cache', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/app-1a2b.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, ASSET);
    assert.match(String(res.headers['content-type']), /^text\/javascript/);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  it('answers 404 for a missing asset instead of the shell', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/app-old.js' });
    assert.equal(res.statusCode, 404);
    assert.notEqual(res.body, INDEX);
  });

  it('leaves API paths to the API: known routes answer, unknown ones are JSON 404s', async () => {
    assert.deepEqual((await app.inject({ method: 'GET', url: '/api/v1/known' })).json(), { ok: true });
    const res = await app.inject({ method: 'GET', url: '/api/v1/nope' });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { error: 'not found' });
  });

  it('never reads outside the web root', async () => {
    for (const url of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      assert.doesNotMatch(res.body, /outside the web root/, url);
    }
  });

  it('answers a one-line 503 page when the dashboard is not built', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'rampart-ui-empty-'));
    const bare = await appWith(path.join(empty, 'web'));
    try {
      const res = await bare.inject({ method: 'GET', url: '/' });
      assert.equal(res.statusCode, 503);
      assert.match(res.body, /npm run build/);
      assert.equal(res.body.trim().split('\n').length, 1);
      assert.equal((await bare.inject({ method: 'GET', url: '/api/v1/known' })).statusCode, 200);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('serves a new build without a restart', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'rampart-ui-rebuild-'));
    const web = path.join(root, 'web');
    const fresh = await appWith(web);
    try {
      assert.equal((await fresh.inject({ method: 'GET', url: '/' })).statusCode, 503);
      mkdirSync(web);
      writeFileSync(path.join(web, 'index.html'), 'build one');
      assert.equal((await fresh.inject({ method: 'GET', url: '/' })).body, 'build one');
      writeFileSync(path.join(web, 'index.html'), 'build two');
      utimesSync(path.join(web, 'index.html'), new Date(), new Date(Date.now() + 5_000));
      assert.equal((await fresh.inject({ method: 'GET', url: '/projects' })).body, 'build two');
    } finally {
      await fresh.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('tells server paths from SPA paths', () => {
    assert.equal(isServerPath('/api/v1/projects'), true);
    assert.equal(isServerPath('/healthz'), true);
    assert.equal(isServerPath('/openapi.json'), true);
    assert.equal(isServerPath('/apiary'), false);
    assert.equal(isServerPath('/projects'), false);
  });
});
