/**
 * One upload → one scan, in one transaction: parse and validate first (nothing is written for a bad
 * upload), then record the scan under its idempotency key (a retried upload answers with the scan it
 * already created), reconcile the findings of the same project + branch + tools with the lifecycle
 * rules, and write creations, transitions, last-seen updates and history events in bulk statements.
 * Concurrent uploads of the same stream are serialised by an advisory lock; others run in parallel.
 */
import type { Queryable } from '../db/types.js';
import { parseUpload, type IngestedFinding, type IngestedScan } from '../ingest/index.js';
import { reconcile, type StoredFindingState, type FindingStatus } from '../lifecycle/index.js';
import type { ServerContext } from '../http/context.js';
import { audit } from './audit-log.js';
import { markStatsDirty } from './stats-refresh.js';

export interface ScanCoordinates {
  projectId: string;
  branch: string;
  commit?: string;
  pipelineRun?: string;
  /** Overrides the tool named by the report. */
  tool?: string;
  complete: boolean;
  idempotencyKey: string;
  uploadedBy: string;
  /** Findings of an artifact's SBOM are linked to it. */
  artifactId?: string;
}

export interface IngestSummary {
  findings: number;
  created: number;
  reopened: number;
  fixed: number;
  unchanged: number;
}

export interface IngestOutcome {
  scanId: string;
  duplicate: boolean;
  summary: IngestSummary;
  /** New or reopened findings of severity high or critical (for notifications). */
  alerts: number;
}

interface ExistingRow {
  id: string;
  fingerprint: string;
  tool: string;
  state: FindingStatus;
  severity: StoredFindingState['severity'];
  first_seen_at: Date | string;
  last_seen_at: Date | string;
  fixed_at: Date | string | null;
  sla_due_at: Date | string | null;
  dismiss_reason: string | null;
  state_comment: string | null;
  state_by: string | null;
  state_at: Date | string | null;
  accepted_until: Date | string | null;
}

const iso = (v: Date | string): string => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());

export function rowToState(r: ExistingRow): StoredFindingState {
  const at = r.state_at ? iso(r.state_at) : iso(r.last_seen_at);
  return {
    fingerprint: r.fingerprint,
    tool: r.tool,
    status: r.state,
    severity: r.severity,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    ...(r.fixed_at ? { fixedAt: r.fixed_at } : {}),
    ...(r.sla_due_at ? { slaDueAt: r.sla_due_at } : {}),
    ...(r.state === 'dismissed' && r.dismiss_reason
      ? {
          dismissal: {
            reason: r.dismiss_reason as NonNullable<StoredFindingState['dismissal']>['reason'],
            ...(r.state_comment ? { comment: r.state_comment } : {}),
            by: r.state_by ?? 'unknown',
            at,
          },
        }
      : {}),
    ...(r.state === 'risk-accepted' && r.accepted_until
      ? {
          riskAcceptance: {
            until: r.accepted_until,
            comment: r.state_comment ?? '',
            by: r.state_by ?? 'unknown',
            at,
          },
        }
      : {}),
  };
}

/** Parses outside any transaction: a malformed upload fails before anything is written. */
export function parseScanUpload(
  ctx: ServerContext,
  bytes: Uint8Array,
  contentType: string | undefined,
): IngestedScan {
  return parseUpload(bytes, {
    contentType,
    maxBytes: ctx.settings.maxUploadBytes,
    maxFindings: ctx.settings.maxFindingsPerUpload,
  });
}

/** A row for json_to_recordset: absent optional fields are left out of the JSON (NULL in the row). */
function findingRecord(f: IngestedFinding, tool: string, slaDueAt: string | undefined) {
  return {
    tool,
    fingerprint: f.fingerprint,
    scanner: f.scanner,
    rule_id: f.ruleId,
    severity: f.severity,
    title: f.title,
    message: f.message,
    location: f.location,
    package: f.package,
    evidence: f.evidence,
    remediation: f.remediation,
    cwe: f.cwe.length ? f.cwe : undefined,
    refs: f.references.length ? f.references : undefined,
    sla_due_at: slaDueAt,
  };
}

export async function ingestScan(
  ctx: ServerContext,
  scan: IngestedScan,
  at: ScanCoordinates,
): Promise<IngestOutcome> {
  const toolOf = (f: IngestedFinding): string => at.tool ?? f.tool;
  const tools = at.tool ? [at.tool] : scan.tools.length ? scan.tools : [scan.tool];
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO scans (project_id, idempotency_key, branch, commit_sha, pipeline_run, tool, format, complete, uploaded_by, finding_count, summary, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '{}', $11) ON CONFLICT (project_id, idempotency_key) DO NOTHING RETURNING id`,
      [
        at.projectId,
        at.idempotencyKey,
        at.branch,
        at.commit ?? null,
        at.pipelineRun ?? null,
        tools.join(', '),
        scan.format,
        at.complete,
        at.uploadedBy,
        scan.findings.length,
        now.toISOString(),
      ],
    );
    const scanId = inserted.rows[0]?.id;
    if (!scanId) {
      const prior = await tx.query<{ id: string; summary: IngestSummary }>(
        'SELECT id, summary FROM scans WHERE project_id = $1 AND idempotency_key = $2',
        [at.projectId, at.idempotencyKey],
      );
      return { scanId: prior.rows[0]!.id, duplicate: true, summary: prior.rows[0]!.summary, alerts: 0 };
    }
    // One writer per (project, branch) stream at a time; uploads of other streams run in parallel.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`findings:${at.projectId}:${at.branch}`]);
    const existing = await tx.query<ExistingRow>(
      `SELECT id, fingerprint, tool, state, severity, first_seen_at, last_seen_at, fixed_at, sla_due_at,
              dismiss_reason, state_comment, state_by, state_at, accepted_until
       FROM findings WHERE project_id = $1 AND branch = $2 AND tool = ANY($3::text[])`,
      [at.projectId, at.branch, tools],
    );
    const key = (tool: string, fp: string) => `${tool}\u0000${fp}`;
    const idOf = new Map(existing.rows.map((r) => [key(r.tool, r.fingerprint), r.id]));

    // Reconcile per tool: a fingerprint is unique within one tool's stream.
    const summary: IngestSummary = {
      findings: scan.findings.length,
      created: 0,
      reopened: 0,
      fixed: 0,
      unchanged: 0,
    };
    const creations: ReturnType<typeof findingRecord>[] = [];
    const transitions: { id: string; to_state: FindingStatus; from_state: FindingStatus; reason: string }[] =
      [];
    const seen: {
      id: string;
      severity: string;
      message: string;
      title: string;
      location: unknown;
      package: unknown;
      evidence: string | null;
    }[] = [];
    let alerts = 0;
    for (const tool of tools) {
      const incoming = scan.findings.filter((f) => toolOf(f) === tool);
      const stored = existing.rows.filter((r) => r.tool === tool).map(rowToState);
      const result = reconcile({
        existing: stored,
        incoming,
        complete: at.complete,
        now,
        sla: ctx.settings.sla,
      });
      for (const c of result.created) {
        creations.push(findingRecord(c.finding, tool, c.slaDueAt));
        if (c.severity === 'critical' || c.severity === 'high') alerts++;
      }
      for (const t of result.transitions) {
        const id = idOf.get(key(tool, t.fingerprint));
        if (!id) continue;
        transitions.push({ id, to_state: t.to, from_state: t.from, reason: t.reason });
        if (t.to === 'fixed') summary.fixed++;
        if (t.reason === 'reappeared' || t.reason === 'risk-acceptance-expired') summary.reopened++;
      }
      const byFp = new Map(incoming.map((f) => [f.fingerprint, f]));
      for (const fp of result.seen) {
        const id = idOf.get(key(tool, fp));
        const f = byFp.get(fp);
        if (!id || !f) continue;
        seen.push({
          id,
          severity: f.severity,
          message: f.message,
          title: f.title,
          location: f.location ?? null,
          package: f.package ?? null,
          evidence: f.evidence ?? null,
        });
      }
    }
    summary.created = creations.length;
    summary.unchanged = seen.length - transitions.filter((t) => t.to_state === 'open').length;

    if (creations.length) {
      // One statement: the new findings and their first-seen events (no ids back and forth).
      // json (not jsonb): parsed once by json_to_recordset; JSON arrays become text[] directly.
      await tx.query(
        `WITH created AS (
           INSERT INTO findings (project_id, branch, tool, fingerprint, scanner, rule_id, severity, title, message,
             location, package, evidence, remediation, cwe, refs, state, first_seen_at, last_seen_at, sla_due_at,
             first_scan_id, last_scan_id, artifact_id)
           SELECT $1, $2, x.tool, x.fingerprint, x.scanner, x.rule_id, x.severity, x.title, x.message, x.location,
             x.package, x.evidence, x.remediation, coalesce(x.cwe, '{}'), coalesce(x.refs, '{}'), 'new', $3, $3,
             x.sla_due_at, $4, $4, $6
           FROM json_to_recordset($5::json) AS x(tool text, fingerprint text, scanner text, rule_id text,
             severity text, title text, message text, location jsonb, package jsonb, evidence text, remediation text,
             cwe text[], refs text[], sla_due_at timestamptz)
           RETURNING id)
         INSERT INTO finding_events (finding_id, at, actor, from_state, to_state, reason, scan_id)
         SELECT id, $3, $7, NULL, 'new', 'first-seen', $4 FROM created`,
        [
          at.projectId,
          at.branch,
          now.toISOString(),
          scanId,
          JSON.stringify(creations),
          at.artifactId ?? null,
          at.uploadedBy,
        ],
      );
    }
    if (seen.length) {
      await tx.query(
        `UPDATE findings f SET last_seen_at = $1, last_scan_id = $2, severity = x.severity, message = x.message,
           title = x.title, location = x.location, package = x.package, evidence = x.evidence
         FROM jsonb_to_recordset($3::jsonb) AS x(id bigint, severity text, message text, title text, location jsonb,
           package jsonb, evidence text)
         WHERE f.id = x.id`,
        [now.toISOString(), scanId, JSON.stringify(seen)],
      );
    }
    if (transitions.length) {
      await tx.query(
        `UPDATE findings f SET state = x.to_state, state_at = $1,
           fixed_at = CASE WHEN x.to_state = 'fixed' THEN $1::timestamptz ELSE NULL END,
           accepted_until = CASE WHEN x.to_state = 'risk-accepted' THEN f.accepted_until ELSE NULL END,
           dismiss_reason = CASE WHEN x.to_state = 'dismissed' THEN f.dismiss_reason ELSE NULL END
         FROM jsonb_to_recordset($2::jsonb) AS x(id bigint, to_state text) WHERE f.id = x.id`,
        [now.toISOString(), JSON.stringify(transitions)],
      );
      await tx.query(
        `INSERT INTO finding_events (finding_id, at, actor, from_state, to_state, reason, scan_id)
         SELECT x.id, $1, $2, x.from_state, x.to_state, x.reason, $3
         FROM jsonb_to_recordset($4::jsonb) AS x(id bigint, from_state text, to_state text, reason text)`,
        [now.toISOString(), at.uploadedBy, scanId, JSON.stringify(transitions)],
      );
      alerts += transitions.filter((t) => t.reason === 'reappeared').length;
    }
    await tx.query('UPDATE scans SET summary = $1 WHERE id = $2', [summary, scanId]);
    await audit(ctx, tx, {
      actor: at.uploadedBy,
      action: 'scan.upload',
      target: `project:${at.projectId}`,
      details: { scanId, branch: at.branch, tools, complete: at.complete, ...summary },
    });
    if (alerts > 0) await enqueueNotification(ctx, tx, scanId);
    await markStatsDirty(ctx, tx, at.projectId); // overview roll-ups: last, after the audit entry
    return { scanId, duplicate: false, summary, alerts };
  });
}

async function enqueueNotification(ctx: ServerContext, tx: Queryable, scanId: string): Promise<void> {
  const hooks = await tx.query('SELECT 1 FROM webhooks LIMIT 1');
  if (hooks.rows.length) await ctx.queue.enqueue('notify-scan', { scanId }, { tx, key: scanId });
}
