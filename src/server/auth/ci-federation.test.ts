/**
 * A local OIDC issuer on 127.0.0.1 (discovery document + JWKS of keys generated here) mints
 * GitHub-Actions-shaped and Azure-Pipelines-shaped tokens for verifyCiToken.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import { RampartError } from '../../core/errors.js';
import {
  clearCiKeyCache,
  matchFederationRule,
  normaliseClaims,
  verifyCiToken,
  type CiClaims,
  type FederationRule,
  type TrustedIssuer,
} from './ci-federation.js';

const NOW = Date.UTC(2030, 0, 15, 12, 0, 0);
const nowSeconds = Math.floor(NOW / 1000);
const AUDIENCE = 'https://rampart.example.com';
const AZURE_AUDIENCE = 'api://AzureADTokenExchange';
const AZURE_ORG_ID = '9d2b5c31-7a0e-4f3e-9c8d-0123456789ab';

let server: Server;
let base: string;
let githubIssuer: string;
let azureIssuer: string;
let liarIssuer: string;
let rsa: jose.GenerateKeyPairResult;
let ec: jose.GenerateKeyPairResult;
let rogue: jose.GenerateKeyPairResult;
const requests: string[] = [];
let trusted: TrustedIssuer[];

before(async () => {
  rsa = await jose.generateKeyPair('RS256');
  ec = await jose.generateKeyPair('ES256');
  rogue = await jose.generateKeyPair('RS256');
  const jwks = {
    keys: [
      { ...(await jose.exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await jose.exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ],
  };
  server = createServer((req, res) => {
    requests.push(req.url!);
    const json = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration')
      return json({ issuer: githubIssuer, jwks_uri: `${base}/jwks` });
    if (req.url === '/liar/.well-known/openid-configuration') {
      return json({ issuer: 'https://someone-else.example', jwks_uri: `${base}/jwks` });
    }
    if (req.url === '/jwks' || req.url === '/azure-keys') return json(jwks);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  githubIssuer = base;
  azureIssuer = `${base}/${AZURE_ORG_ID}`;
  liarIssuer = `${base}/liar`;
  trusted = [
    { issuer: githubIssuer, audience: AUDIENCE, platform: 'github-actions' },
    {
      issuer: azureIssuer,
      audience: AZURE_AUDIENCE,
      platform: 'azure-pipelines',
      jwksUri: `${base}/azure-keys`,
    },
    { issuer: liarIssuer, audience: AUDIENCE, platform: 'generic' },
  ];
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function githubClaims(overrides: jose.JWTPayload = {}): jose.JWTPayload {
  return {
    iss: githubIssuer,
    aud: AUDIENCE,
    sub: 'repo:acme/payments-api:environment:production',
    repository: 'acme/payments-api',
    repository_owner: 'acme',
    repository_id: '123456789',
    ref: 'refs/heads/main',
    ref_type: 'branch',
    environment: 'production',
    workflow: 'deploy',
    job_workflow_ref: 'acme/payments-api/.github/workflows/deploy.yml@refs/heads/main',
    run_id: '9876543210',
    run_attempt: '1',
    event_name: 'push',
    iat: nowSeconds - 60,
    nbf: nowSeconds - 60,
    exp: nowSeconds + 240,
    ...overrides,
  };
}

function azureClaims(overrides: jose.JWTPayload = {}): jose.JWTPayload {
  return {
    iss: azureIssuer,
    aud: AZURE_AUDIENCE,
    sub: 'sc://contoso/web-platform/rampart-scan',
    iat: nowSeconds - 30,
    nbf: nowSeconds - 30,
    exp: nowSeconds + 570,
    ...overrides,
  };
}

async function mint(
  claims: jose.JWTPayload,
  {
    key = rsa.privateKey,
    alg = 'RS256',
    kid = 'rsa-1',
  }: { key?: jose.CryptoKey | Uint8Array; alg?: string; kid?: string } = {},
): Promise<string> {
  return new jose.SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(key);
}

const verify = (token: string, options: { now?: number; allowHttp?: boolean } = {}) =>
  verifyCiToken(token, trusted, { now: NOW, allowHttp: true, ...options });

async function assertRefused(promise: Promise<unknown>, reason: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof RampartError, String(err));
    assert.equal(err.code, 'AUTH_FAILED');
    assert.match(err.message, /^CI token refused: /);
    assert.match(err.message, reason);
    assert.doesNotMatch(err.message, /\n/);
    return true;
  });
}

test('GitHub Actions token: accepted, claims normalised; keys discovered once and cached', async () => {
  clearCiKeyCache();
  requests.length = 0;
  const claims = await verify(await mint(githubClaims()));
  assert.deepEqual(
    { ...claims, raw: undefined },
    {
      platform: 'github-actions',
      issuer: githubIssuer,
      subject: 'repo:acme/payments-api:environment:production',
      repository: 'acme/payments-api',
      ref: 'refs/heads/main',
      environment: 'production',
      workflow: 'acme/payments-api/.github/workflows/deploy.yml@refs/heads/main',
      runId: '9876543210',
      raw: undefined,
    },
  );
  assert.equal(claims.raw.repository_owner, 'acme');
  await verify(await mint(githubClaims({ ref: 'refs/tags/v1.2.0' })));
  assert.deepEqual(requests, ['/.well-known/openid-configuration', '/jwks']);
});

test('Azure Pipelines service-connection token (ES256, explicit jwksUri): org/project become repository', async () => {
  const claims = await verify(await mint(azureClaims(), { key: ec.privateKey, alg: 'ES256', kid: 'ec-1' }));
  assert.equal(claims.platform, 'azure-pipelines');
  assert.equal(claims.subject, 'sc://contoso/web-platform/rampart-scan');
  assert.equal(claims.repository, 'contoso/web-platform');
  assert.equal(claims.serviceConnection, 'rampart-scan');
  assert.equal(claims.ref, undefined);
  assert.ok(
    !requests.includes(`/${AZURE_ORG_ID}/.well-known/openid-configuration`),
    'no discovery with jwksUri',
  );
});

test('Azure Pipelines pipeline token (p://): pipeline, ref and run id', async () => {
  const token = await mint(
    azureClaims({
      sub: 'p://contoso/web-platform/release-pipeline',
      rpo_ref: 'refs/heads/release',
      run_id: '4711',
    }),
  );
  const claims = await verify(token);
  assert.equal(claims.repository, 'contoso/web-platform');
  assert.equal(claims.workflow, 'release-pipeline');
  assert.equal(claims.ref, 'refs/heads/release');
  assert.equal(claims.runId, '4711');
});

test('clock tolerance: 30 s past exp is accepted, 5 min past is refused as expired; nbf in the future is refused', async () => {
  const justExpired = await mint(githubClaims({ exp: nowSeconds - 30 }));
  assert.equal((await verify(justExpired)).repository, 'acme/payments-api');
  await assertRefused(verify(await mint(githubClaims({ exp: nowSeconds - 300 }))), /expired/);
  await assertRefused(verify(await mint(githubClaims()), { now: NOW + 3600_000 }), /expired/);
  await assertRefused(verify(await mint(githubClaims({ nbf: nowSeconds + 600 }))), /not valid yet/);
});

test('wrong audience, unknown issuer, missing sub or exp are refused', async () => {
  await assertRefused(verify(await mint(githubClaims({ aud: 'https://other.example' }))), /audience/);
  await assertRefused(verify(await mint(githubClaims({ aud: AZURE_AUDIENCE }))), /audience/);
  await assertRefused(
    verify(await mint(githubClaims({ iss: 'https://evil.example' }))),
    /"https:\/\/evil.example" is not trusted/,
  );
  await assertRefused(verify(await mint(githubClaims({ iss: undefined }))), /no issuer/);
  await assertRefused(verify(await mint(githubClaims({ sub: undefined }))), /"sub"/);
  await assertRefused(verify(await mint(githubClaims({ exp: undefined }))), /"exp"/);
});

test('alg none, HS256 (even keyed with the public key), RS384 are refused', async () => {
  const unsecured = new jose.UnsecuredJWT(githubClaims()).encode();
  await assertRefused(verify(unsecured), /algorithm "none" is not allowed/);
  const hmacKey = new TextEncoder().encode(JSON.stringify(await jose.exportJWK(rsa.publicKey)));
  await assertRefused(
    verify(await mint(githubClaims(), { key: hmacKey, alg: 'HS256' })),
    /"HS256" is not allowed/,
  );
  const rs384 = await jose.generateKeyPair('RS384');
  await assertRefused(verify(await mint(githubClaims(), { key: rs384.privateKey, alg: 'RS384' })), /"RS384"/);
});

test('a key the issuer does not publish, a forged kid, a tampered payload are refused', async () => {
  await assertRefused(
    verify(await mint(githubClaims(), { key: rogue.privateKey, kid: 'rogue-1' })),
    /does not publish/,
  );
  await assertRefused(
    verify(await mint(githubClaims(), { key: rogue.privateKey, kid: 'rsa-1' })),
    /signature/,
  );
  const [h, p, s] = (await mint(githubClaims())).split('.');
  const forged = { ...JSON.parse(Buffer.from(p!, 'base64url').toString()), repository: 'acme/evil' };
  const tampered = `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`;
  await assertRefused(verify(tampered), /signature/);
  await assertRefused(verify('not.a.jwt'), /not a JWT/);
  await assertRefused(verify(''), /not a JWT/);
});

test('discovery that names another issuer is refused; http needs allowHttp', async () => {
  await assertRefused(
    verify(await mint(githubClaims({ iss: liarIssuer }))),
    /names issuer "https:\/\/someone-else.example"/,
  );
  clearCiKeyCache();
  await assertRefused(verify(await mint(githubClaims()), { allowHttp: false }), /must use https/);
});

const GH = (over: Partial<CiClaims> = {}): CiClaims => ({
  platform: 'github-actions',
  issuer: 'https://token.actions.githubusercontent.com',
  subject: 'repo:acme/api:ref:refs/heads/main',
  repository: 'acme/api',
  ref: 'refs/heads/main',
  raw: {},
  ...over,
});

const rule = (over: Partial<FederationRule>): FederationRule => ({
  issuer: 'https://token.actions.githubusercontent.com',
  repository: 'acme/*',
  projectId: 'p-default',
  permissions: ['scan:upload'],
  ...over,
});

test('matchFederationRule: issuer exact, repository/ref globs per segment, environment exact, first match wins', () => {
  const rules = [
    rule({ repository: 'acme/api', ref: 'refs/tags/v*', projectId: 'p-release' }),
    rule({ repository: 'acme/api', environment: 'production', projectId: 'p-prod' }),
    rule({ repository: 'acme/*', ref: 'refs/heads/main', projectId: 'p-main' }),
    rule({ repository: 'acme/*', projectId: 'p-any' }),
  ];
  assert.equal(matchFederationRule(GH({ ref: 'refs/tags/v1.0.0' }), rules)?.projectId, 'p-release');
  assert.equal(matchFederationRule(GH({ environment: 'production' }), rules)?.projectId, 'p-prod');
  assert.equal(matchFederationRule(GH(), rules)?.projectId, 'p-main');
  assert.equal(
    matchFederationRule(GH({ repository: 'acme/web', ref: 'refs/heads/dev' }), rules)?.projectId,
    'p-any',
  );
  assert.equal(matchFederationRule(GH({ repository: 'acme/.github' }), rules)?.projectId, 'p-main');
  assert.equal(matchFederationRule(GH({ repository: 'acmecorp/api' }), rules), undefined);
  assert.equal(matchFederationRule(GH({ repository: 'acme/api/extra' }), rules), undefined);
  assert.equal(matchFederationRule(GH({ repository: 'ACME/api' }), rules), undefined, 'case-sensitive');
  assert.equal(matchFederationRule(GH({ issuer: 'https://evil.example' }), rules), undefined);
  assert.equal(matchFederationRule(GH({ repository: undefined }), rules), undefined);
});

test('matchFederationRule: a ref or environment constraint never matches a token without that claim', () => {
  const rules = [rule({ ref: 'refs/heads/*' }), rule({ environment: 'prod', projectId: 'p-env' })];
  assert.equal(matchFederationRule(GH({ ref: undefined }), rules), undefined);
  assert.equal(
    matchFederationRule(GH({ ref: 'refs/heads/feature/x' }), rules),
    undefined,
    '* does not cross /',
  );
  assert.equal(matchFederationRule(GH({ ref: 'refs/heads/feature' }), rules)?.ref, 'refs/heads/*');
  assert.equal(matchFederationRule(GH({ ref: undefined, environment: 'prod' }), rules)?.projectId, 'p-env');
  assert.equal(matchFederationRule(GH({ ref: undefined, environment: 'Prod' }), rules), undefined);
});

test('matchFederationRule on Azure claims uses <org>/<project>', () => {
  const azure = normaliseClaims('azure-pipelines', {
    iss: 'https://vstoken.dev.azure.com/' + AZURE_ORG_ID,
    sub: 'sc://contoso/web-platform/rampart-scan',
  });
  const rules = [
    rule({
      issuer: 'https://vstoken.dev.azure.com/' + AZURE_ORG_ID,
      repository: 'contoso/*',
      projectId: 'p-az',
    }),
  ];
  assert.equal(matchFederationRule(azure, rules)?.projectId, 'p-az');
  assert.equal(matchFederationRule({ ...azure, repository: 'fabrikam/web-platform' }, rules), undefined);
});
