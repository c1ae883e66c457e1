/**
 * What the database holds after a run, compared with what was uploaded: every upload recorded as
 * exactly one scan (found by its idempotency key), every finding once, one first-seen history event
 * per finding from the scan that created it, one `scan.upload` audit entry per scan.
 */
import type pg from 'pg';

export interface ExpectedUpload {
  projectId: string;
  idempotencyKey: string;
  findings: number;
}

export interface StoredScan {
  projectId: string;
  idempotencyKey: string;
  scanId: string;
  /** Findings whose first_scan_id is this scan. */
  createdFindings: number;
}

export interface Accounting {
  /** Uploads without a scan row. */
  lostScans: number;
  /** Scan rows beyond one per upload (a repeat under the same key, or a scan no upload explains). */
  doubledScans: number;
  /** Expected findings not in the database. */
  lostFindings: number;
  /** Findings beyond the expected count. */
  extraFindings: number;
}

/** Pure: expected uploads against the scans found and the findings each created. */
export function account(expected: ExpectedUpload[], stored: StoredScan[]): Accounting {
  const byKey = new Map<string, StoredScan[]>();
  for (const s of stored) {
    const k = `${s.projectId}\u0000${s.idempotencyKey}`;
    byKey.set(k, [...(byKey.get(k) ?? []), s]);
  }
  let lostScans = 0;
  let doubledScans = 0;
  let lostFindings = 0;
  let extraFindings = 0;
  const explained = new Set<string>();
  for (const e of expected) {
    const k = `${e.projectId}\u0000${e.idempotencyKey}`;
    explained.add(k);
    const scans = byKey.get(k) ?? [];
    if (scans.length === 0) lostScans++;
    doubledScans += Math.max(0, scans.length - 1);
    const created = scans.reduce((n, s) => n + s.createdFindings, 0);
    lostFindings += Math.max(0, e.findings - created);
    extraFindings += Math.max(0, created - e.findings);
  }
  for (const [k, scans] of byKey)
    if (!explained.has(k)) {
      doubledScans += scans.length;
      extraFindings += scans.reduce((n, s) => n + s.createdFindings, 0);
    }
  return { lostScans, doubledScans, lostFindings, extraFindings };
}

export interface DatabaseCheck extends Accounting {
  scans: number;
  findings: number;
  /** (project, branch, tool, fingerprint) groups with more than one row (the unique constraint forbids them). */
  duplicateIdentities: number;
  events: number;
  /** Findings without exactly one first-seen event from their first scan. */
  findingsWithBadHistory: number;
  /** Findings not created by any scan row (first_scan_id unknown). */
  orphanFindings: number;
  uploadAuditEntries: number;
}

export async function checkDatabase(client: pg.Client, expected: ExpectedUpload[]): Promise<DatabaseCheck> {
  const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
  const stored = await client.query<{
    project_id: string;
    idempotency_key: string;
    id: string;
    created: string;
  }>(
    `SELECT s.project_id, s.idempotency_key, s.id, count(f.id) AS created
     FROM scans s LEFT JOIN findings f ON f.first_scan_id = s.id GROUP BY s.id`,
  );
  const accounting = account(
    expected,
    stored.rows.map((r) => ({
      projectId: r.project_id,
      idempotencyKey: r.idempotency_key,
      scanId: r.id,
      createdFindings: Number(r.created),
    })),
  );
  return {
    ...accounting,
    scans: stored.rows.length,
    findings: await count('SELECT count(*) AS n FROM findings'),
    duplicateIdentities: await count(
      `SELECT count(*) AS n FROM (SELECT 1 FROM findings GROUP BY project_id, branch, tool, fingerprint
       HAVING count(*) > 1) d`,
    ),
    events: await count('SELECT count(*) AS n FROM finding_events'),
    findingsWithBadHistory: await count(
      `WITH per AS (
         SELECT f.id, count(e.id) AS total,
           count(e.id) FILTER (WHERE e.reason = 'first-seen' AND e.to_state = 'new' AND e.scan_id = f.first_scan_id) AS good
         FROM findings f LEFT JOIN finding_events e ON e.finding_id = f.id GROUP BY f.id)
       SELECT count(*) AS n FROM per WHERE total <> 1 OR good <> 1`,
    ),
    orphanFindings: await count(
      'SELECT count(*) AS n FROM findings f WHERE NOT EXISTS (SELECT 1 FROM scans s WHERE s.id = f.first_scan_id)',
    ),
    uploadAuditEntries: await count("SELECT count(*) AS n FROM audit_log WHERE action = 'scan.upload'"),
  };
}
