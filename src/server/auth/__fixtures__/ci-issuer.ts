/**
 * A CI platform's token issuer on 127.0.0.1:<free port>, the way GitHub Actions publishes one:
 * `/.well-known/openid-configuration` naming a `jwks_uri`, and that JWKS holding the public half of
 * a key generated here. `mint()` signs tokens with it (or with a key the issuer does not publish).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';

export interface MintOptions {
  /** 'published' (default); 'rogue-same-kid': another key under the published kid; 'rogue': another key and kid. */
  key?: 'published' | 'rogue-same-kid' | 'rogue';
}

export interface TestCiIssuer {
  /** http://127.0.0.1:<port> (the `iss` of every token). */
  issuer: string;
  /** Signs `claims` (iss defaults to the issuer) with ES256. */
  mint(claims: jose.JWTPayload, options?: MintOptions): Promise<string>;
  /** Paths the issuer was asked for (discovery, JWKS). */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

const KID = 'ci-key-1';

export async function startCiIssuer(): Promise<TestCiIssuer> {
  const published = await jose.generateKeyPair('ES256');
  const rogue = await jose.generateKeyPair('ES256');
  const jwks = {
    keys: [{ ...(await jose.exportJWK(published.publicKey)), kid: KID, alg: 'ES256', use: 'sig' }],
  };
  const requests: string[] = [];
  let issuer = '';
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const json = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration')
      return json({ issuer, jwks_uri: `${issuer}/.well-known/jwks` });
    if (req.url === '/.well-known/jwks') return json(jwks);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    requests,
    async mint(claims, options = {}) {
      const which = options.key ?? 'published';
      const key = which === 'published' ? published.privateKey : rogue.privateKey;
      const kid = which === 'rogue' ? 'some-other-key' : KID;
      return new jose.SignJWT({ iss: issuer, ...claims })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .sign(key);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
