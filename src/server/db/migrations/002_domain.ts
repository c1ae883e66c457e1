/**
 * The control plane's domain tables: organisations → projects → scans → findings (with their event
 * history), artifacts with SBOMs, signatures and attestations, environments, identity (users,
 * memberships, sessions, API tokens, CI federation), webhooks and the audit chain.
 *
 * Plain PostgreSQL that PGlite runs too. Secrets are never stored in clear: passwords as scrypt
 * hashes, session and API tokens as sha256, TOTP and webhook secrets encrypted with the server key.
 */
export const domainMigration = {
  id: '002_domain',
  sql: `
CREATE TABLE orgs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE,
  name text NOT NULL DEFAULT '',
  role text NOT NULL CHECK (role IN ('admin', 'security-admin', 'developer', 'operator')),
  password_hash text,
  totp_secret_enc text,
  totp_enabled boolean NOT NULL DEFAULT false,
  totp_last_step bigint NOT NULL DEFAULT 0,
  oidc_issuer text,
  oidc_subject text,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (oidc_issuer, oidc_subject)
);

CREATE TABLE projects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id),
  name text NOT NULL,
  repository text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, name)
);
CREATE UNIQUE INDEX projects_repository ON projects(repository) WHERE repository IS NOT NULL;

CREATE TABLE memberships (
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, project_id)
);
CREATE INDEX memberships_project ON memberships(project_id);

CREATE TABLE sessions (
  id text PRIMARY KEY,
  token_hash text NOT NULL,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  mfa_passed boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_tickets (
  id text PRIMARY KEY,
  token_hash text NOT NULL,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);

CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  token_hash text NOT NULL,
  name text NOT NULL,
  user_id uuid REFERENCES users(id) ON DELETE CASCADE,
  project_id uuid REFERENCES projects(id) ON DELETE CASCADE,
  permissions text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked boolean NOT NULL DEFAULT false
);

CREATE TABLE trusted_issuers (
  issuer text PRIMARY KEY,
  audience text NOT NULL,
  platform text NOT NULL CHECK (platform IN ('github-actions', 'azure-pipelines', 'generic')),
  jwks_uri text
);

CREATE TABLE federation_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  issuer text NOT NULL REFERENCES trusted_issuers(issuer) ON DELETE CASCADE,
  repository text NOT NULL,
  ref text,
  environment text,
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  permissions text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE scans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  idempotency_key text NOT NULL,
  branch text NOT NULL,
  commit_sha text,
  pipeline_run text,
  tool text NOT NULL,
  format text NOT NULL,
  complete boolean NOT NULL,
  uploaded_by text NOT NULL,
  finding_count integer NOT NULL,
  summary jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project_id, idempotency_key)
);
CREATE INDEX scans_project_created ON scans(project_id, created_at DESC);

CREATE TABLE findings (
  id bigserial PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  branch text NOT NULL,
  tool text NOT NULL,
  fingerprint text NOT NULL,
  scanner text NOT NULL,
  rule_id text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
  title text NOT NULL,
  message text NOT NULL,
  location jsonb,
  package jsonb,
  evidence text,
  remediation text,
  cwe text[] NOT NULL DEFAULT '{}',
  refs text[] NOT NULL DEFAULT '{}',
  state text NOT NULL CHECK (state IN ('new', 'open', 'fixed', 'dismissed', 'risk-accepted')),
  dismiss_reason text,
  state_comment text,
  state_by text,
  state_at timestamptz,
  accepted_until timestamptz,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  fixed_at timestamptz,
  sla_due_at timestamptz,
  first_scan_id uuid,
  last_scan_id uuid,
  artifact_id uuid,
  UNIQUE (project_id, branch, tool, fingerprint)
);
CREATE INDEX findings_project_state ON findings(project_id, state, severity);
CREATE INDEX findings_state_severity ON findings(state, severity);

CREATE TABLE finding_events (
  id bigserial PRIMARY KEY,
  finding_id bigint NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  from_state text,
  to_state text NOT NULL,
  reason text,
  comment text,
  scan_id uuid
);
CREATE INDEX finding_events_finding ON finding_events(finding_id, id);

CREATE TABLE artifacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name text NOT NULL,
  digest text NOT NULL CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project_id, digest)
);

CREATE TABLE sboms (
  artifact_id uuid PRIMARY KEY REFERENCES artifacts(id) ON DELETE CASCADE,
  format text NOT NULL,
  components jsonb NOT NULL,
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  matched_generation text
);

CREATE TABLE artifact_evidence (
  id bigserial PRIMARY KEY,
  artifact_id uuid NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('signature', 'attestation')),
  predicate_type text,
  verified boolean NOT NULL,
  details jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE environments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id),
  name text NOT NULL,
  protection jsonb NOT NULL DEFAULT '{}',
  UNIQUE (org_id, name)
);

CREATE TABLE webhooks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  url text NOT NULL,
  secret_enc text NOT NULL,
  events text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL
);

CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  -- the exact ISO string that was hashed
  at text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  details jsonb,
  prev_hash text NOT NULL,
  hash text NOT NULL
);

CREATE TABLE audit_head (
  id integer PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));
`,
};
