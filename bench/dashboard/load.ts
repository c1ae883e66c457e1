/**
 * Bulk-loads the dashboard bench's data set with set-based SQL (INSERT … SELECT over
 * generate_series, seeded random()), so a million findings load in about a minute or two:
 *
 * - 1 organisation, `projects` projects (`project-000` …), 3 image artifacts each;
 * - `findings` findings spread unevenly (project index = ⌊projects·u²⌋: project-000 holds ~7 %,
 *   the median project a few thousand), on main (80 %), develop (15 %) or a feature branch;
 *   first seen over the last 90 days and inserted in that order, grouped by project within a day
 *   (the table's physical layout after 90 days of daily uploads);
 * - scanners deps 40 %, sast 25 %, misconfig 15 %, secret 8 %, image 8 %, policy 2 %, dast 1 %,
 *   other 1 %; severities critical 5 %, high 20 %, medium 40 %, low 25 %, info 10 %; states open
 *   45 %, new 5 %, fixed 35 %, dismissed 10 %, risk-accepted 5 %, with their dates; SLA dates from
 *   the default policy; half the deps/image findings on one of the project's artifacts;
 * - 300 developers with 5 memberships each.
 *
 * Ids are derived from md5 of a name, so the same run always builds the same data.
 */
import type { Db } from '../../src/server/db/types.js';

export interface LoadOptions {
  projects: number;
  findings: number;
  /** Rows per INSERT statement (progress is reported per chunk). */
  chunk?: number;
  onProgress?: (loaded: number) => void;
}

export const projectName = (p: number) => `project-${String(p).padStart(3, '0')}`;

/** SQL expression of the uuid derived from `name`. */
function uuidOf(name: string): string {
  return `md5('${name}')::uuid`;
}

const TITLES = [
  'SQL injection in query builder',
  'Cross-site scripting in template',
  'Hard-coded credential',
  'Vulnerable dependency',
  'Container runs as root',
  'TLS verification disabled',
  'Path traversal in upload handler',
  'Insecure deserialization',
  'Public storage bucket',
  'Weak hash function',
  'Missing resource limits',
  'Server-side request forgery',
];

export async function loadDataSet(db: Db, o: LoadOptions): Promise<void> {
  const chunk = o.chunk ?? 100_000;
  await db.query(`INSERT INTO orgs (id, name) VALUES (${uuidOf('org')}, 'acme')`);
  await db.query(
    `INSERT INTO projects (id, org_id, name, repository)
     SELECT md5('project-' || p)::uuid, ${uuidOf('org')}, 'project-' || lpad(p::text, 3, '0'), 'acme/project-' || p
     FROM generate_series(0, $1::int - 1) AS p`,
    [o.projects],
  );
  await db.query(
    `INSERT INTO artifacts (id, project_id, name, digest)
     SELECT md5('artifact-' || p || '-' || k)::uuid, md5('project-' || p)::uuid,
       'registry.example/acme/project-' || p || '/service-' || k,
       'sha256:' || md5('digest-a-' || p || '-' || k) || md5('digest-b-' || p || '-' || k)
     FROM generate_series(0, $1::int - 1) AS p, generate_series(0, 2) AS k`,
    [o.projects],
  );
  const titles = `(ARRAY[${TITLES.map((t) => `'${t}'`).join(', ')}])`;
  for (let from = 0; from < o.findings; from += chunk) {
    const to = Math.min(o.findings, from + chunk) - 1;
    await db.transaction(async (tx) => {
      // Seeded per chunk: the same chunk always draws the same numbers.
      await tx.query('SELECT setseed($1)', [((from / chunk) % 1000) / 1000]);
      await tx.query(
        `INSERT INTO findings (project_id, branch, tool, fingerprint, scanner, rule_id, severity, title, message,
           location, package, state, dismiss_reason, state_by, state_at, accepted_until, first_seen_at, last_seen_at,
           fixed_at, sla_due_at, artifact_id)
         SELECT md5('project-' || p)::uuid, branch, tool, md5(i::text), scanner, scanner || '/rule-' || rule, severity,
           ${titles}[1 + rule % ${TITLES.length}] || ' (' || scanner || '/rule-' || rule || ')',
           'Finding ' || i || ' of rule ' || rule,
           jsonb_build_object('path', 'services/module-' || (i % 37) || '/src/file-' || (i % 211) || '.ts',
             'startLine', 1 + i % 400),
           CASE WHEN scanner IN ('deps', 'image') THEN jsonb_build_object('ecosystem', 'npm',
             'name', 'package-' || rule, 'version', '1.' || (i % 9) || '.0') END,
           state,
           CASE WHEN state = 'dismissed' THEN 'false-positive' END,
           CASE WHEN state IN ('dismissed', 'risk-accepted') THEN 'user:triager@example.test' END,
           CASE WHEN state <> 'new' THEN closed_at END,
           CASE WHEN state = 'risk-accepted' THEN now() + interval '30 days' END,
           first_seen,
           CASE WHEN state = 'fixed' THEN closed_at ELSE greatest(first_seen, now() - interval '3 days' * u_close) END,
           CASE WHEN state = 'fixed' THEN closed_at END,
           first_seen + CASE severity WHEN 'critical' THEN interval '7 days' WHEN 'high' THEN interval '30 days'
             WHEN 'medium' THEN interval '90 days' WHEN 'low' THEN interval '180 days' END,
           CASE WHEN scanner IN ('deps', 'image') AND u_artifact < 0.5
             THEN md5('artifact-' || p || '-' || floor(u_artifact * 6)::int)::uuid END
         FROM (
           SELECT i, p, rule, u_close, u_artifact, first_seen,
             first_seen + (now() - first_seen) * u_close AS closed_at,
             CASE WHEN u_branch < 0.80 THEN 'main' WHEN u_branch < 0.95 THEN 'develop'
               ELSE 'feature/change-' || (i % 50) END AS branch,
             scanner,
             CASE scanner WHEN 'deps' THEN 'grype' WHEN 'sast' THEN (CASE WHEN i % 2 = 0 THEN 'semgrep' ELSE 'CodeQL' END)
               WHEN 'misconfig' THEN 'checkov' WHEN 'secret' THEN 'gitleaks' WHEN 'image' THEN 'trivy'
               WHEN 'policy' THEN 'rampart' WHEN 'dast' THEN 'zap' ELSE 'custom' END AS tool,
             CASE WHEN u_sev < 0.05 THEN 'critical' WHEN u_sev < 0.25 THEN 'high' WHEN u_sev < 0.65 THEN 'medium'
               WHEN u_sev < 0.90 THEN 'low' ELSE 'info' END AS severity,
             CASE WHEN u_state < 0.45 THEN 'open' WHEN u_state < 0.50 THEN 'new' WHEN u_state < 0.85 THEN 'fixed'
               WHEN u_state < 0.95 THEN 'dismissed' ELSE 'risk-accepted' END AS state
           FROM (
             SELECT i, floor($3::int * power(random(), 2))::int AS p, floor(random() * 300)::int AS rule,
               random() AS u_branch, random() AS u_sev, random() AS u_state, random() AS u_close,
               random() AS u_artifact,
               now() - interval '90 days' + interval '1 day' * (floor(i * 90.0 / $4::int) + random()) AS first_seen,
               CASE WHEN u < 0.40 THEN 'deps' WHEN u < 0.65 THEN 'sast' WHEN u < 0.80 THEN 'misconfig'
                 WHEN u < 0.88 THEN 'secret' WHEN u < 0.96 THEN 'image' WHEN u < 0.98 THEN 'policy'
                 WHEN u < 0.99 THEN 'dast' ELSE 'other' END AS scanner
             FROM (SELECT i, random() AS u FROM generate_series($1::int, $2::int) AS i) AS draws
           ) AS raw
         ) AS f
         ORDER BY date_trunc('day', first_seen), p, i`,
        [from, to, o.projects, o.findings],
      );
    });
    o.onProgress?.(to + 1);
  }
  await db.query(
    `INSERT INTO users (id, email, name, role)
     SELECT md5('developer-' || u)::uuid, 'developer-' || u || '@example.test', 'Developer ' || u, 'developer'
     FROM generate_series(0, 299) AS u`,
  );
  await db.query(
    `INSERT INTO memberships (user_id, project_id)
     SELECT DISTINCT md5('developer-' || u)::uuid, md5('project-' || ((u * 7 + k * 37) % $1::int))::uuid
     FROM generate_series(0, 299) AS u, generate_series(0, 4) AS k`,
    [o.projects],
  );
  await db.query('VACUUM ANALYZE');
}
