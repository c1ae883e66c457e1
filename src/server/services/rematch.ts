/**
 * Continuous re-scan (the seeds' "vulnerability drift"): the stored SBOM of every artifact is matched
 * against the current advisory database, and the result goes through the same ingestion as an upload
 * — as a complete scan of the stream `artifact:<digest>` by the tool `rampart-sbom` — so newly
 * published advisories open new findings (and notifications), withdrawn ones close them, and triage
 * decisions carry over. Idempotent per (artifact, database generation).
 */
import { fingerprintOf } from '../../core/fingerprint.js';
import { matchComponent, type AdvisoryLookup } from '../../deps/osv/match.js';
import type { IngestedComponent, IngestedFinding, IngestedScan } from '../ingest/index.js';
import type { ServerContext } from '../http/context.js';
import { ingestScan, type IngestOutcome } from './ingest-scan.js';

export const REMATCH_TOOL = 'rampart-sbom';

function advisoryUrl(id: string): string {
  return id.startsWith('GHSA-')
    ? `https://github.com/advisories/${id}`
    : `https://osv.dev/vulnerability/${id}`;
}

/** Pure: the vulnerability findings of one SBOM's components. */
export function matchSbom(
  db: AdvisoryLookup,
  digest: string,
  components: readonly IngestedComponent[],
): IngestedFinding[] {
  const out: IngestedFinding[] = [];
  for (const c of components) {
    if (!c.ecosystem || !c.version) continue;
    for (const m of matchComponent(db, { ecosystem: c.ecosystem, name: c.name, version: c.version })) {
      const aka = m.aliases.length ? ` (${m.aliases.join(', ')})` : '';
      const upgrade = m.fixed ? `${c.version} → ${m.fixed}` : `${c.version}, no fixed version yet`;
      out.push({
        tool: REMATCH_TOOL,
        scanner: 'deps',
        ruleId: `deps/${m.id}`,
        title: m.summary || `Vulnerable component ${c.name}`,
        message: `${c.name} ${upgrade}: ${m.summary || 'vulnerable'} — ${m.id}${aka}`,
        severity: m.severity,
        fingerprint: fingerprintOf('deps', digest, c.ecosystem, c.name, c.version, m.id),
        package: {
          ecosystem: c.ecosystem,
          name: c.name,
          version: c.version,
          ...(c.purl ? { purl: c.purl } : {}),
        },
        ...(m.fixed
          ? {
              remediation: `Upgrade ${c.name} from ${c.version} to ${m.fixed} or later and rebuild the image.`,
            }
          : {}),
        cwe: [],
        references: [...new Set([advisoryUrl(m.id), ...m.references])],
      });
    }
  }
  return out;
}

export async function rematchArtifact(
  ctx: ServerContext,
  db: AdvisoryLookup,
  generation: string,
  artifactId: string,
): Promise<IngestOutcome | undefined> {
  const r = await ctx.db.query<{ project_id: string; digest: string; components: IngestedComponent[] }>(
    `SELECT a.project_id, a.digest, s.components FROM artifacts a JOIN sboms s ON s.artifact_id = a.id WHERE a.id = $1`,
    [artifactId],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  const findings = matchSbom(db, row.digest, row.components);
  const scan: IngestedScan = { format: 'cyclonedx', tool: REMATCH_TOOL, tools: [REMATCH_TOOL], findings };
  const outcome = await ingestScan(ctx, scan, {
    projectId: row.project_id,
    branch: `artifact:${row.digest}`,
    complete: true,
    idempotencyKey: `rematch:${artifactId}:${generation}`,
    uploadedBy: 'system:rematch',
    artifactId,
  });
  await ctx.db.query('UPDATE sboms SET matched_generation = $1 WHERE artifact_id = $2', [
    generation,
    artifactId,
  ]);
  return outcome;
}
