/**
 * End to end against a real OpenID provider (oidc-provider) on 127.0.0.1: discovery, authorization
 * request, the provider's development login and consent pages driven with fetch and a cookie jar,
 * code exchange with PKCE, ID token verification, claims.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RampartError } from '../../core/errors.js';
import { startOidcProvider, type TestOidcProvider } from './__fixtures__/oidc-provider.js';
import { discover, mfaFromAmr, type OidcLogin } from './oidc-login.js';

const REDIRECT_URI = 'http://127.0.0.1:9/rampart/auth/callback';
const CONFIDENTIAL = { clientId: 'rampart-web', clientSecret: 'a-long-test-client-secret-for-basic-auth' };
const PUBLIC_CLIENT = 'rampart-public';

let idp: TestOidcProvider;
let issuer: string;

before(async () => {
  idp = await startOidcProvider({
    clients: [
      {
        client_id: CONFIDENTIAL.clientId,
        client_secret: CONFIDENTIAL.clientSecret,
        redirect_uris: [REDIRECT_URI],
      },
      { client_id: PUBLIC_CLIENT, redirect_uris: [REDIRECT_URI] },
    ],
    accounts: {
      alice: {
        email: 'alice@example.com',
        email_verified: true,
        name: 'Alice Example',
        groups: ['platform-admins', 'team-payments'],
      },
    },
  });
  issuer = idp.issuer;
});

after(() => idp.close());

const browse = (start: string, login: string, options?: { abortAtLogin?: boolean }) =>
  idp.browse(start, login, options);

async function confidentialClient(scopes = ['openid', 'email', 'profile', 'groups']): Promise<OidcLogin> {
  return discover({ issuer, ...CONFIDENTIAL, redirectUri: REDIRECT_URI, allowHttp: true, scopes });
}

async function assertAuthFailed(promise: Promise<unknown>, reason: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof RampartError, String(err));
    assert.equal(err.code, 'AUTH_FAILED');
    assert.match(err.message, reason);
    assert.doesNotMatch(err.message, /\n/);
    assert.doesNotMatch(err.message, new RegExp(CONFIDENTIAL.clientSecret));
    return true;
  });
}

test('full login: PKCE S256, state and nonce sent; the verified claims of the logged-in account come back', async () => {
  const login = await confidentialClient();
  assert.equal(login.issuer, issuer);
  const started = await login.startLogin();
  const sent = new URL(started.url);
  assert.equal(sent.origin, issuer);
  assert.equal(sent.searchParams.get('client_id'), CONFIDENTIAL.clientId);
  assert.equal(sent.searchParams.get('response_type'), 'code');
  assert.equal(sent.searchParams.get('redirect_uri'), REDIRECT_URI);
  assert.equal(sent.searchParams.get('state'), started.state);
  assert.equal(sent.searchParams.get('nonce'), started.nonce);
  assert.equal(sent.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(sent.searchParams.get('scope'), 'openid email profile groups');
  assert.equal(sent.searchParams.get('code_verifier'), null, 'the verifier never leaves the server');
  assert.notEqual(sent.searchParams.get('code_challenge'), started.codeVerifier);

  const callback = await browse(started.url, 'alice');
  assert.equal(new URL(callback).searchParams.get('state'), started.state);
  assert.ok(new URL(callback).searchParams.get('code'));

  const userinfoBefore = idp.userinfoRequests;
  const identity = await login.finishLogin(callback, started);
  // oidc-provider keeps profile claims out of a code-flow ID token, so they come from UserInfo.
  assert.equal(idp.userinfoRequests, userinfoBefore + 1);
  assert.deepEqual(identity, {
    subject: 'alice',
    issuer,
    email: 'alice@example.com',
    emailVerified: true,
    name: 'Alice Example',
    groups: ['platform-admins', 'team-payments'],
    mfa: false, // the development login page reports no amr
  });
  assert.ok(idp.seenAuthRequests.some((u) => u.searchParams.get('state') === started.state));
});

test('the callback may be given as the request path only; the configured redirect URI is used', async () => {
  const login = await confidentialClient(['openid', 'email']);
  const started = await login.startLogin();
  const callback = new URL(await browse(started.url, 'alice'));
  const identity = await login.finishLogin(`/whatever/path${callback.search}`, started);
  assert.equal(identity.subject, 'alice');
  assert.equal(identity.email, 'alice@example.com');
  assert.equal(identity.groups, undefined, 'groups scope not requested, none granted');
});

test('public client (no secret) logs in with PKCE alone', async () => {
  const login = await discover({
    issuer,
    clientId: PUBLIC_CLIENT,
    redirectUri: REDIRECT_URI,
    allowHttp: true,
  });
  const started = await login.startLogin();
  const identity = await login.finishLogin(await browse(started.url, 'alice'), started);
  assert.equal(identity.subject, 'alice');
  assert.equal(identity.name, 'Alice Example');
});

test('a tampered state is refused, and the code is not exchanged', async () => {
  const login = await confidentialClient();
  const started = await login.startLogin();
  const callback = await browse(started.url, 'alice');
  await assertAuthFailed(login.finishLogin(callback, { ...started, state: started.state + 'x' }), /state/);
  const tampered = new URL(callback);
  tampered.searchParams.set('state', 'attacker-chosen');
  await assertAuthFailed(login.finishLogin(tampered, started), /state/);
  // The untampered callback still works: the refused attempts never reached the token endpoint.
  assert.equal((await login.finishLogin(callback, started)).subject, 'alice');
});

test('a wrong PKCE verifier or nonce is refused; a code is single-use', async () => {
  const login = await confidentialClient();
  const started = await login.startLogin();
  const callback = await browse(started.url, 'alice');
  await assertAuthFailed(
    login.finishLogin(callback, { ...started, codeVerifier: started.codeVerifier.slice(0, -2) + 'AA' }),
    /invalid_grant/,
  );
  const second = await login.startLogin();
  const callback2 = await browse(second.url, 'alice');
  await assertAuthFailed(login.finishLogin(callback2, { ...second, nonce: 'another-nonce' }), /nonce/);
  await assertAuthFailed(login.finishLogin(callback2, second), /invalid_grant/);
});

test('the provider error parameter (user cancelled) is reported', async () => {
  const login = await confidentialClient();
  const started = await login.startLogin();
  const callback = await browse(started.url, 'alice', { abortAtLogin: true });
  assert.equal(new URL(callback).searchParams.get('error'), 'access_denied');
  await assertAuthFailed(login.finishLogin(callback, started), /access_denied/);
  // The front channel is attacker-controlled: a crafted description is not repeated to the user.
  const crafted = new URL(REDIRECT_URI);
  crafted.search = new URLSearchParams({
    error: 'server_error',
    error_description: 'Your account is locked, call +1 555 0100',
    state: started.state,
    iss: issuer,
  }).toString();
  await assertAuthFailed(login.finishLogin(crafted, started), /returned server_error$/);
  crafted.searchParams.set('error', '<b>x</b> call +1 555 0100');
  await assertAuthFailed(login.finishLogin(crafted, started), /returned an error$/);
});

test('missing checks (no login cookie) are refused before anything is sent', async () => {
  const login = await confidentialClient();
  await assertAuthFailed(
    login.finishLogin(`${REDIRECT_URI}?code=x&state=y`, { state: '', nonce: '', codeVerifier: '' }),
    /not started/,
  );
});

test('http issuers need allowHttp and a loopback host; an unreachable issuer is AUTH_FAILED', async () => {
  await assert.rejects(
    discover({ issuer, ...CONFIDENTIAL, redirectUri: REDIRECT_URI }),
    (err: unknown) =>
      err instanceof RampartError && err.code === 'CONFIG_INVALID' && /https/.test(err.message),
  );
  await assert.rejects(
    discover({
      issuer: 'http://idp.example.com',
      ...CONFIDENTIAL,
      redirectUri: REDIRECT_URI,
      allowHttp: true,
    }),
    (err: unknown) =>
      err instanceof RampartError && err.code === 'CONFIG_INVALID' && /loopback/.test(err.message),
  );
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await assertAuthFailed(
    discover({
      issuer: `http://127.0.0.1:${deadPort}`,
      ...CONFIDENTIAL,
      redirectUri: REDIRECT_URI,
      allowHttp: true,
    }),
    /cannot reach|discovery/,
  );
});

test('mfaFromAmr: "mfa", or a knowledge plus a possession factor (RFC 8176)', () => {
  assert.equal(mfaFromAmr(['pwd', 'mfa']), true);
  assert.equal(mfaFromAmr(['mfa']), true);
  assert.equal(mfaFromAmr(['pwd', 'otp']), true);
  assert.equal(mfaFromAmr(['pin', 'hwk']), true);
  assert.equal(mfaFromAmr(['pwd']), false);
  assert.equal(mfaFromAmr(['otp']), false);
  assert.equal(mfaFromAmr(['hwk', 'swk']), false);
  assert.equal(mfaFromAmr([]), false);
  assert.equal(mfaFromAmr(undefined), false);
});
