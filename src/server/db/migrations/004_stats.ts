/**
 * Roll-ups for the dashboard overview, so it never counts the findings table per request:
 *
 * - project_stats: per project, its findings per state, its open critical and high ones, how many
 *   open ones are past their SLA date, and when these numbers were computed.
 * - finding_stats: per project × stage × severity, the open findings (new or open) and how many of
 *   them are past their SLA date.
 * - finding_trend_daily: per project and UTC day of the trend window, the findings open at the end
 *   of the day, opened that day and fixed that day.
 * - artifact_stats: per artifact, its open findings (critical, high, all).
 * - stats_dirty: an append-only log of "project changed" marks written in the same transaction as
 *   the change (ingest, triage); the refresh job consumes exactly the marks it saw.
 * - stats_generation: see services/stats-refresh.ts (why a change committed while a refresh runs is
 *   never left behind).
 *
 * Also indexes for the findings list (sorts within a project's open findings).
 */
export const statsMigration = {
  id: '004_stats',
  sql: `
CREATE TABLE project_stats (
  project_id uuid PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  open integer NOT NULL,
  fixed integer NOT NULL,
  dismissed integer NOT NULL,
  risk_accepted integer NOT NULL,
  sla_breaches integer NOT NULL,
  critical integer NOT NULL,
  high integer NOT NULL,
  refreshed_at timestamptz NOT NULL
);

CREATE TABLE finding_stats (
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  stage text NOT NULL,
  severity text NOT NULL,
  open integer NOT NULL,
  sla_breaches integer NOT NULL,
  PRIMARY KEY (project_id, stage, severity)
);

CREATE TABLE finding_trend_daily (
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  day date NOT NULL,
  open_total integer NOT NULL,
  opened integer NOT NULL,
  fixed integer NOT NULL,
  PRIMARY KEY (project_id, day)
);

CREATE TABLE artifact_stats (
  artifact_id uuid PRIMARY KEY REFERENCES artifacts(id) ON DELETE CASCADE,
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  critical integer NOT NULL,
  high integer NOT NULL,
  open integer NOT NULL
);
CREATE INDEX artifact_stats_project ON artifact_stats(project_id);

CREATE TABLE stats_dirty (
  id bigserial PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  marked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stats_dirty_project ON stats_dirty(project_id);

-- Names the refresh job a change queues ('dirty:<generation>'); the job starts by moving to the next
-- generation, which waits for the changes that queued it (they read the row FOR SHARE).
CREATE TABLE stats_generation (
  id integer PRIMARY KEY CHECK (id = 1),
  generation bigint NOT NULL
);
INSERT INTO stats_generation (id, generation) VALUES (1, 0);

-- The findings list (routes/findings.ts): a page of open findings sorted by severity, SLA date or first
-- seen reads about a page of rows. Not by last seen: that column changes at every scan, and an index
-- on it would make every re-scan update rewrite the indexes.
CREATE INDEX findings_open_by_severity ON findings (project_id,
  (CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END), id)
  WHERE state IN ('new', 'open');
CREATE INDEX findings_open_by_sla ON findings (project_id, sla_due_at, id) WHERE state IN ('new', 'open');
CREATE INDEX findings_open_by_first_seen ON findings (project_id, first_seen_at DESC, id)
  WHERE state IN ('new', 'open');

-- Projects that already hold findings are refreshed by the first run of the job.
INSERT INTO stats_dirty (project_id) SELECT DISTINCT project_id FROM findings;
`,
};
