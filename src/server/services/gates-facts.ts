/**
 * The facts document gates are evaluated on, read from the database at request time.
 *
 * Which findings count (the deployed "stream"):
 * - the artifact's own findings (image vulnerabilities matched from its SBOM, `artifact_id`), and
 * - the project's source findings (`artifact_id IS NULL`) on the stream's branch: the branch given
 *   with the request (`rampart gate --branch`, filled from the CI platform's variables), else `main`,
 *   else `master` when the project has scans of it, else the branch of its most recent complete scan.
 *   Other branches (feature branches, stale ones) never block a deployment.
 * Only `new`/`open` findings count: dismissed and risk-accepted ones do not. "Older than N days" is
 * by `first_seen_at`.
 * Scan freshness: the newest of the stream branch's latest scan and the artifact's SBOM upload.
 * DAST: present when the stream has a scan by a DAST tool (ZAP, Nuclei, Burp…: DAST_TOOLS) or a
 * finding of the `dast` scanner; passed when no DAST finding of the stream is open at critical or
 * high severity.
 */
import type { Queryable } from '../db/types.js';
import type { EvidenceFact, GateFacts } from './gates-rules.js';
import type { Protection } from './gates-protection.js';

const DAY_MS = 86_400_000;
/** Tool names of DAST scanners (the `tool` of an uploaded scan). */
export const DAST_TOOLS = '(zap|nuclei|burp|nikto|arachni|wapiti|dast|stackhawk|acunetix|invicti|netsparker)';
/** "Open for more than 0 days" means any open finding: a cut-off later than every first_seen_at. */
const ANY_AGE = new Date('9999-12-31T00:00:00.000Z');

export interface FactsRequest {
  projectId: string;
  name: string;
  digest: string;
  branch?: string;
  protection: Protection;
  now: Date;
}

export interface AssembledFacts {
  facts: GateFacts;
  artifactId: string | null;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function cutOff(now: Date, days: number | undefined): Date | null {
  if (days === undefined) return null;
  return days === 0 ? ANY_AGE : new Date(now.getTime() - days * DAY_MS);
}

async function streamBranch(q: Queryable, projectId: string, given?: string): Promise<string | null> {
  if (given) return given;
  const r = await q.query<{ branch: string }>(
    `SELECT branch FROM scans WHERE project_id = $1
     ORDER BY (branch = 'main') DESC, (branch = 'master') DESC, complete DESC, created_at DESC LIMIT 1`,
    [projectId],
  );
  return r.rows[0]?.branch ?? null;
}

export async function assembleFacts(q: Queryable, req: FactsRequest): Promise<AssembledFacts> {
  const art = await q.query<{ id: string }>(
    'SELECT id FROM artifacts WHERE project_id = $1 AND digest = $2',
    [req.projectId, req.digest],
  );
  const artifactId = art.rows[0]?.id ?? null;
  const branch = await streamBranch(q, req.projectId, req.branch);

  let signature: GateFacts['artifact']['signature'] = { verified: false, recordedAt: null };
  let attestations: EvidenceFact[] = [];
  let sbom: GateFacts['artifact']['sbom'] = { present: false, uploadedAt: null, components: 0 };
  let sbomAt: Date | null = null;
  if (artifactId) {
    const ev = await q.query<{
      kind: string;
      predicate_type: string | null;
      verified: boolean;
      recorded_at: Date;
    }>(
      'SELECT kind, predicate_type, verified, recorded_at FROM artifact_evidence WHERE artifact_id = $1 ORDER BY id',
      [artifactId],
    );
    const signatures = ev.rows.filter((r) => r.kind === 'signature');
    const latest = signatures[signatures.length - 1];
    if (latest) signature = { verified: latest.verified, recordedAt: iso(latest.recorded_at) };
    attestations = ev.rows
      .filter((r) => r.kind === 'attestation')
      .map((r) => ({
        predicateType: r.predicate_type,
        verified: r.verified,
        recordedAt: iso(r.recorded_at)!,
      }));
    const s = await q.query<{ uploaded_at: Date; components: number }>(
      'SELECT uploaded_at, jsonb_array_length(components) AS components FROM sboms WHERE artifact_id = $1',
      [artifactId],
    );
    if (s.rows[0]) {
      sbomAt = s.rows[0].uploaded_at;
      sbom = { present: true, uploadedAt: iso(sbomAt), components: Number(s.rows[0].components) };
    }
  }

  const scan = await q.query<{ latest: Date | null }>(
    'SELECT max(created_at) AS latest FROM scans WHERE project_id = $1 AND ($2::text IS NULL OR branch = $2)',
    [req.projectId, branch],
  );
  const candidates = [scan.rows[0]?.latest ?? null, sbomAt].filter((d): d is Date => d !== null);
  const latestAt = candidates.length ? new Date(Math.max(...candidates.map((d) => d.getTime()))) : null;
  const ageHours =
    latestAt === null
      ? null
      : Math.max(0, Math.round(((req.now.getTime() - latestAt.getTime()) / 3_600_000) * 100) / 100);

  const days = req.protection.maxOpenAgeDays ?? {};
  const criticalCut = cutOff(req.now, days.critical);
  const highCut = cutOff(req.now, days.high);
  const counts = await q.query<Record<'critical' | 'high' | 'critical_old' | 'high_old' | 'dast', string>>(
    `SELECT count(*) FILTER (WHERE severity = 'critical') AS critical,
            count(*) FILTER (WHERE severity = 'high') AS high,
            count(*) FILTER (WHERE severity = 'critical' AND first_seen_at < $4::timestamptz) AS critical_old,
            count(*) FILTER (WHERE severity = 'high' AND first_seen_at < $5::timestamptz) AS high_old,
            count(*) FILTER (WHERE (scanner = 'dast' OR tool ~* $6) AND artifact_id IS NULL) AS dast
     FROM findings
     WHERE project_id = $1 AND state IN ('new', 'open') AND severity IN ('critical', 'high')
       AND (artifact_id = $2::uuid OR (artifact_id IS NULL AND branch = $3::text))`,
    [req.projectId, artifactId, branch, criticalCut, highCut, DAST_TOOLS],
  );
  const c = counts.rows[0]!;
  const dast = await q.query<{ present: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM scans WHERE project_id = $1 AND branch = $2::text AND tool ~* $3)
         OR EXISTS (SELECT 1 FROM findings WHERE project_id = $1 AND branch = $2::text
                      AND (scanner = 'dast' OR tool ~* $3)) AS present`,
    [req.projectId, branch, DAST_TOOLS],
  );
  const dastPresent = dast.rows[0]?.present === true;
  const dastOpen = Number(c.dast);

  return {
    artifactId,
    facts: {
      artifact: {
        name: req.name,
        digest: req.digest,
        registered: artifactId !== null,
        signature,
        sbom,
        attestations,
      },
      stream: { branch },
      scan: { latestAt: iso(latestAt), ageHours },
      findings: {
        open: { critical: Number(c.critical), high: Number(c.high) },
        openOlderThan: {
          critical: criticalCut ? Number(c.critical_old) : null,
          high: highCut ? Number(c.high_old) : null,
        },
        olderThanDays: { critical: days.critical ?? null, high: days.high ?? null },
      },
      dast: { present: dastPresent, passed: dastPresent && dastOpen === 0, openCriticalHigh: dastOpen },
    },
  };
}
