/**
 * Test harness for the control plane: a control plane over a database from `forEachEngine`, a
 * movable clock, and callers of every role (signed in through the real login API; admins and
 * security admins enrol TOTP through the real enrolment API).
 */
import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import type { Db } from '../db/types.js';
import { hashPassword } from '../auth/password.js';
import { createControlPlane, type ControlPlane } from '../control-plane.js';
import { serverKeysFrom } from '../keys/server-key.js';
import type { ServerSettings } from '../http/context.js';
import type { Role } from '../authz/roles.js';

export const PASSWORD = 'correct horse battery staple 42';
let passwordHash: Promise<string> | undefined;

export interface Clock {
  now: Date;
  advance(ms: number): void;
}

export function testClock(start = '2026-11-01T10:00:00.000Z'): Clock {
  const c = {
    now: new Date(start),
    advance(ms: number) {
      c.now = new Date(c.now.getTime() + ms);
    },
  };
  return c;
}

export interface Caller {
  role: Role;
  userId: string;
  email: string;
  cookie: string;
  csrf: string;
  totpSecret?: string;
}

/** A response as tests read it; `json` is whatever the route answered (tests assert on its shape). */
export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads arbitrary JSON answers
  json: any;
  text: string;
  headers: Record<string, unknown>;
}

export interface Harness {
  plane: ControlPlane;
  clock: Clock;
  db: Db;
  /** fastify inject with a caller's session (cookie + CSRF) or a bearer credential. */
  call(
    who: Caller | { bearer: string } | undefined,
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>;
  user(role: Role, email?: string): Promise<Caller>;
  close(): Promise<void>;
}

export function totpNow(secret: string, at: Date): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: at.getTime(),
  });
}

export async function startHarness(
  db: Db,
  options: { settings?: Partial<ServerSettings>; runWorkers?: boolean } = {},
): Promise<Harness> {
  const clock = testClock();
  const plane = await createControlPlane({
    db,
    keys: serverKeysFrom(randomBytes(32)),
    now: () => clock.now,
    runWorkers: options.runWorkers ?? false,
    advisoryWatchMs: 0,
    settings: { publicUrl: 'http://127.0.0.1:8080', sessionTtlMs: 30 * 86_400_000, statsDebounceMs: 100, ...options.settings },
  });
  const call: Harness['call'] = async (who, method, url, body, headers = {}) => {
    const h: Record<string, string> = { ...headers };
    if (who && 'bearer' in who) h.authorization = `Bearer ${who.bearer}`;
    else if (who) {
      h.cookie = `rampart_session=${who.cookie}`;
      h['x-csrf-token'] = who.csrf;
    }
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body);
    if (payload !== undefined && !h['content-type']) h['content-type'] = 'application/json';
    const res = await plane.app.inject({ method: method as 'GET', url, headers: h, ...(payload !== undefined ? { payload } : {}) });
    let json: unknown;
    try {
      json = res.json();
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, json, text: res.body, headers: res.headers };
  };
  let n = 0;
  const user: Harness['user'] = async (role, email) => {
    passwordHash ??= hashPassword(PASSWORD);
    const address = email ?? `${role}-${++n}-${randomBytes(3).toString('hex')}@example.test`;
    const r = await db.query<{ id: string }>(
      'INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING id',
      [address, role, role, await passwordHash],
    );
    const userId = r.rows[0]!.id;
    const login = await call(undefined, 'POST', '/api/v1/auth/login', { email: address, password: PASSWORD });
    if (login.status !== 200) throw new Error(`login failed: ${login.text}`);
    const cookie = /rampart_session=([^;]+)/.exec(String(login.headers['set-cookie']))![1]!;
    const caller: Caller = { role, userId, email: address, cookie, csrf: login.json.csrfToken };
    if (login.json.mfa === 'enrolment-required') {
      const enrol = await call(caller, 'POST', '/api/v1/me/totp/enrol');
      if (enrol.status !== 200) throw new Error(`enrol failed: ${enrol.text}`);
      caller.totpSecret = enrol.json.secret;
      const confirm = await call(caller, 'POST', '/api/v1/me/totp/confirm', { code: totpNow(enrol.json.secret, clock.now) });
      if (confirm.status !== 200) throw new Error(`confirm failed: ${confirm.text}`);
      clock.advance(30_000); // the next code is a new step
    }
    return caller;
  };
  return {
    plane,
    clock,
    db,
    call,
    user,
    close: () => plane.close({ keepDb: true }),
  };
}
