/** The request log never carries credentials: no headers, no query strings (OIDC codes live there). */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openDb } from '../db/open.js';
import { migrate } from '../db/migrate.js';
import { createControlPlane } from '../control-plane.js';
import { serverKeysFrom } from '../keys/server-key.js';
import { logRequest } from './app.js';

it('keeps method and path, drops the query string', () => {
  assert.deepEqual(
    logRequest({ method: 'GET', url: '/api/v1/auth/oidc/callback?code=abc&state=def', ip: '127.0.0.1' }),
    {
      method: 'GET',
      url: '/api/v1/auth/oidc/callback?…',
      remoteAddress: '127.0.0.1',
    },
  );
  assert.equal(logRequest({ method: 'GET', url: '/healthz' }).url, '/healthz');
});

it('writes no bearer token, cookie or authorization code to the log of a real server', async () => {
  const lines: string[] = [];
  const db = await openDb({});
  await migrate(db);
  const plane = await createControlPlane({
    db,
    keys: serverKeysFrom(randomBytes(32)),
    logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
    advisoryWatchMs: 0,
    statsRefreshMs: 0,
  });
  try {
    const token = `rpt_0123456789abcdef_${'S'.repeat(43)}`;
    const cookie = `rps_0123456789abcdef_${'C'.repeat(43)}`;
    await plane.app.inject({
      method: 'GET',
      url: '/api/v1/projects',
      headers: { authorization: `Bearer ${token}` },
    });
    await plane.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: `rampart_session=${cookie}` },
    });
    await plane.app.inject({
      method: 'GET',
      url: '/api/v1/auth/oidc/callback?code=AUTHCODE-SECRET&state=STATE-SECRET',
    });
    const log = lines.join('');
    assert.ok(lines.length >= 6, `request and response lines were logged: ${lines.length}`);
    for (const secret of ['SSSSSSSS', 'CCCCCCCC', 'AUTHCODE-SECRET', 'STATE-SECRET'])
      assert.ok(!log.includes(secret), `${secret} leaked into the log`);
    assert.match(log, /\/api\/v1\/auth\/oidc\/callback\?…/);
  } finally {
    await plane.close();
  }
});
