/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1:<free port> with its development login and
 * consent pages, and `browse()`, which plays the browser through those pages.
 *
 *   const idp = await startOidcProvider({ clients: [...], accounts: { alice: { email: … } } });
 *   const callback = await idp.browse(authorizationUrl, 'alice'); // the redirect back to the client
 *   await idp.close();
 *
 * The development login page accepts any password; the account is chosen by its login name.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestClient {
  client_id: string;
  /** Omitted: a public client (`none` authentication, PKCE only). */
  client_secret?: string;
  redirect_uris: string[];
}

export interface TestOidcProviderOptions {
  clients: TestClient[];
  /** Profiles by login name (= `sub`); claims are released by scope: email, profile (name), groups. */
  accounts: Record<string, Record<string, unknown>>;
}

export interface BrowseOptions {
  /** Cancel at the login page (the provider then redirects back with error=access_denied). */
  abortAtLogin?: boolean;
}

export interface TestOidcProvider {
  /** http://127.0.0.1:<port> */
  issuer: string;
  /** Authorization requests the provider received, to check what the client sent. */
  readonly seenAuthRequests: readonly URL[];
  /** How many UserInfo requests the provider answered. */
  readonly userinfoRequests: number;
  /**
   * Plays the browser from an authorization URL: follows redirects by hand, fills the login form with
   * `login`, submits the consent form, and stops at the first redirect that leaves the provider (the
   * client's callback), which it returns.
   */
  browse(start: string, login: string, options?: BrowseOptions): Promise<string>;
  close(): Promise<void>;
}

/** A cookie jar that ignores paths: enough for one provider on one host. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some(
        (a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now(),
      );
      if (value === '' || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export async function startOidcProvider(options: TestOidcProviderOptions): Promise<TestOidcProvider> {
  const seenAuthRequests: URL[] = [];
  let userinfoRequests = 0;
  // The provider needs the issuer URL, which needs the port: the server is started first.
  const app: { handle?: ReturnType<Provider['callback']> } = {};
  let issuer = '';
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/auth?')) seenAuthRequests.push(new URL(req.url, issuer));
    if (req.url === '/me') userinfoRequests++;
    app.handle!(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.client_id,
      ...(c.client_secret ? { client_secret: c.client_secret } : {}),
      redirect_uris: c.redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: c.client_secret ? 'client_secret_basic' : 'none',
    })),
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    cookies: { keys: ['oidc-provider-fixture-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    findAccount: async (_ctx: unknown, sub: string) => {
      const profile = options.accounts[sub];
      if (!profile) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...profile }) };
    },
  });
  app.handle = provider.callback();

  async function browse(start: string, login: string, browseOptions: BrowseOptions = {}): Promise<string> {
    const jar = new CookieJar();
    const origin = new URL(issuer).origin;
    let url = start;
    let init: RequestInit = {};
    for (let hop = 0; hop < 20; hop++) {
      const res = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: { ...init.headers, cookie: jar.header() },
      });
      jar.store(res);
      init = {};
      if (res.status >= 300 && res.status < 400) {
        await res.arrayBuffer();
        const next = new URL(res.headers.get('location')!, url);
        if (next.origin !== origin) return next.href;
        url = next.href;
        continue;
      }
      const html = await res.text();
      assert.equal(res.status, 200, `unexpected ${res.status} at ${url}: ${html.slice(0, 300)}`);
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      assert.ok(action, `no form at ${url}`);
      const form = new URLSearchParams();
      for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
        form.set(m[1]!, m[2]!);
      if (form.get('prompt') === 'login') {
        if (browseOptions.abortAtLogin) {
          url = new URL(`${new URL(action, url).pathname}/abort`, url).href;
          continue;
        }
        form.set('login', login);
        form.set('password', 'any password: the development login page does not check it');
      }
      url = new URL(action.replaceAll('&amp;', '&'), url).href;
      init = {
        method: 'POST',
        body: form,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      };
    }
    throw new Error('too many hops without reaching the callback');
  }

  return {
    issuer,
    seenAuthRequests,
    get userinfoRequests() {
      return userinfoRequests;
    },
    browse,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
