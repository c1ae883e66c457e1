/**
 * Sets the bench up through the public API, as an operator would: the bootstrap admin signs in,
 * enrols TOTP (codes computed with otpauth), creates the projects and one CI token per project
 * (scans:upload + project:read). The session (cookie + CSRF token) lives in the database, so it
 * survives a server restart.
 */
import * as OTPAuth from 'otpauth';

export class AdminSession {
  private constructor(
    private readonly base: string,
    private readonly cookie: string,
    private readonly csrf: string,
  ) {}

  static async signIn(base: string, email: string, password: string): Promise<AdminSession> {
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const json = (await res.json()) as { csrfToken?: string; mfa?: string; error?: string };
    if (!res.ok || !json.csrfToken) throw new Error(`admin login failed: ${res.status} ${json.error ?? ''}`);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
    const session = new AdminSession(base, cookie, json.csrfToken);
    if (json.mfa === 'enrolment-required') await session.enrolTotp();
    return session;
  }

  async call<T>(method: string, urlPath: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${urlPath}`, {
      method,
      headers: {
        cookie: this.cookie,
        'x-csrf-token': this.csrf,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${json.error ?? ''}`);
    return json;
  }

  private async enrolTotp(): Promise<void> {
    const { secret } = await this.call<{ secret: string }>('POST', '/api/v1/me/totp/enrol');
    const code = new OTPAuth.TOTP({
      secret: OTPAuth.Secret.fromBase32(secret),
      digits: 6,
      period: 30,
      algorithm: 'SHA1',
    }).generate();
    await this.call('POST', '/api/v1/me/totp/confirm', { code });
  }

  async createProject(name: string): Promise<string> {
    return (await this.call<{ id: string }>('POST', '/api/v1/projects', { name })).id;
  }

  async createUploadToken(projectId: string, name: string): Promise<string> {
    const t = await this.call<{ token: string }>('POST', '/api/v1/tokens', {
      name,
      projectId,
      permissions: ['scans:upload', 'project:read'],
    });
    return t.token;
  }

  verifyAudit(): Promise<{ ok: boolean; count?: number; seq?: number; problem?: string; detail?: string }> {
    return this.call('GET', '/api/v1/audit/verify');
  }
}
