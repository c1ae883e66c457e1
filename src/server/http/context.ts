/**
 * What every route handler can reach: the database, the job queue, the server keys, settings and the
 * clock (injected so tests can move time). Routes never import drivers or read the environment.
 */
import type { Db } from '../db/types.js';
import type { JobQueue } from '../jobs/types.js';
import type { ServerKeys } from '../keys/server-key.js';
import type { Permission, Principal } from '../authz/roles.js';
import type { SlaPolicy } from '../lifecycle/index.js';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Allow http:// issuers (loopback test providers only). */
  allowHttp?: boolean;
  /** Role given to a user created by their first SSO login. */
  defaultRole: 'developer' | 'operator';
}

export interface ServerSettings {
  /** The URL users reach the server at (cookies, OIDC redirect URI). */
  publicUrl: string;
  /** Session lifetime. */
  sessionTtlMs: number;
  /** Largest accepted upload in bytes. */
  maxUploadBytes: number;
  /** Most findings accepted in one upload. */
  maxFindingsPerUpload: number;
  sla: SlaPolicy;
  oidc?: OidcSettings;
  /** Advisory database folder for continuous re-scans (default: the user cache folder). */
  advisoryDbDir: string | undefined;
  /** Accept http:// CI token issuers on loopback (tests and local development only). */
  ciAllowHttpLoopback: boolean;
  /** Wait before the overview roll-ups are refreshed after a change (default 5 s). */
  statsDebounceMs?: number;
}

export interface ServerContext {
  db: Db;
  queue: JobQueue;
  keys: ServerKeys;
  settings: ServerSettings;
  now(): Date;
}

/** Route access declaration: a permission, or one of the two non-permission classes. */
export type Access = Permission | 'public' | 'authenticated';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Every route must declare it; the server refuses to start otherwise. */
    access?: Access;
    /** Route parameter that holds the project id checked against membership/scope. */
    projectParam?: string;
    /** For the few routes a user must reach before completing MFA (enrolment, logout). */
    allowBeforeMfa?: boolean;
    /** Routes about a person's own account (MFA, API tokens): API and CI tokens are refused. */
    usersOnly?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** How the caller authenticated: a session cookie needs a CSRF token on unsafe methods. */
    authVia?: 'session' | 'bearer';
    sessionToken?: string;
  }
}
