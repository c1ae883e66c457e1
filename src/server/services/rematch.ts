/**
 * Continuous re-scan (the seeds' "vulnerability drift"): the stored SBOM of every artifact is matched
 * against the current advisory database, and the result goes through the same ingestion as an upload
 * — as a complete scan of the stream `artifact:<digest>` by the tool `rampart-sbom` — so newly
 * published advisories open new findings (and notifications), withdrawn ones close them, and triage
 * decisions carry over. Idempotent per (artifact, database generation).
 */
import type { Component, Ecosystem } from '../../deps/model.js';
import { matchComponent, type AdvisoryLookup } from '../../deps/osv/match.js';
import { vulnerabilityFinding } from '../../scanners/deps/findings.js';
import {
  readRampartFinding,
  type IngestedComponent,
  type IngestedFinding,
  type IngestedScan,
} from '../ingest/index.js';
import type { ServerContext } from '../http/context.js';
import { ingestScan, type IngestOutcome } from './ingest-scan.js';

export const REMATCH_TOOL = 'rampart-sbom';

/**
 * Pure: the vulnerability findings of one SBOM's components, built by the dependency scanner's own
 * finding builder (same rule ids, messages, remediation, malware wording and fingerprints — the
 * artifact digest stands where a lockfile path would) and read like an uploaded Rampart report.
 */
export function matchSbom(
  db: AdvisoryLookup,
  digest: string,
  components: readonly IngestedComponent[],
): IngestedFinding[] {
  const out: IngestedFinding[] = [];
  for (const c of components) {
    if (!c.ecosystem || !c.version) continue;
    const component: Component = {
      ecosystem: c.ecosystem as Ecosystem,
      name: c.name,
      version: c.version,
      purl: c.purl ?? '',
      id: c.purl ?? `${c.ecosystem}/${c.name}@${c.version}`,
      location: { path: digest },
    };
    for (const m of matchComponent(db, component)) {
      // The SBOM has no file: the finding is about the package, not a location.
      const { location: _none, ...finding } = readRampartFinding(vulnerabilityFinding(component, m, []));
      out.push({ ...finding, tool: REMATCH_TOOL });
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
