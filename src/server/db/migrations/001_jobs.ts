/**
 * The job queue (src/server/jobs): one row per job, claimed with SELECT … FOR UPDATE SKIP LOCKED.
 * state: queued → running → succeeded | failed (or back to queued with a later run_at on retry).
 * A running job whose lease (locked_until) expired belongs to a crashed worker and is claimed
 * again. lock_token fences a worker whose lease was taken over: its completion no longer matches.
 */
export const sql = `
CREATE TABLE jobs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name          text        NOT NULL,
  key           text,
  payload       jsonb       NOT NULL DEFAULT 'null'::jsonb,
  state         text        NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
  attempts      integer     NOT NULL DEFAULT 0,
  max_attempts  integer     NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
  run_at        timestamptz NOT NULL DEFAULT now(),
  locked_until  timestamptz,
  lock_token    text,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);

-- At most one unfinished job per (name, key): enqueue with a key is ON CONFLICT DO NOTHING.
CREATE UNIQUE INDEX jobs_unfinished_key ON jobs (name, key)
  WHERE key IS NOT NULL AND state IN ('queued', 'running');

-- The claim query: due queued jobs of a name, oldest first.
CREATE INDEX jobs_due ON jobs (name, run_at, id) WHERE state = 'queued';

-- Expired leases (crash recovery).
CREATE INDEX jobs_leases ON jobs (name, locked_until) WHERE state = 'running';

-- Clean-up of finished jobs.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE state IN ('succeeded', 'failed');
`;
