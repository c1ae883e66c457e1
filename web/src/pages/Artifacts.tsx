/**
 * Artifacts per project: image → SBOM (component count), vulnerabilities, signature and attestation
 * evidence, and the environments it is deployed to.
 */
import { api } from '../api.js';
import {
  ErrorLine,
  formatDate,
  Loading,
  Page,
  SeverityBadge,
  shortDigest,
  StateBadge,
  TableWrap,
  useAsync,
} from '../components/ui.js';
import { Link, useRouter } from '../router.js';
import type { ArtifactDetail, ArtifactRow, Deployment, Environment, Project } from '../types.js';

/** Environments whose current deployment of the project runs this digest. */
async function whereDeployed(projectId: string, digest: string): Promise<string[]> {
  const envs = await api.get<{ environments: Environment[] }>('/api/v1/environments');
  const found: string[] = [];
  for (const env of envs.environments) {
    const r = await api.get<{ deployments?: Deployment[] }>(
      `/api/v1/environments/${encodeURIComponent(env.name)}/deployments`,
    );
    const hit = (r.deployments ?? []).some(
      (d) => (d.projectId === undefined || d.projectId === projectId) && d.artifact?.endsWith(`@${digest}`),
    );
    if (hit) found.push(env.name);
  }
  return found;
}

function ArtifactView({ projectId, artifactId }: { projectId: string; artifactId: string }) {
  const detail = useAsync(
    () => api.get<ArtifactDetail>(`/api/v1/projects/${projectId}/artifacts/${artifactId}`),
    [projectId, artifactId],
  );
  const a = detail.data?.artifact;
  const deployed = useAsync(
    () => (a ? whereDeployed(projectId, a.digest) : Promise.resolve<string[]>([])),
    [projectId, a?.digest],
  );
  if (detail.error) return <ErrorLine error={detail.error} />;
  if (!detail.data || !a) return <Loading what="Loading the artifact" />;
  const open = detail.data.vulnerabilities.filter((v) => v.state === 'new' || v.state === 'open');
  const sig = detail.data.evidence.filter((e) => e.kind === 'signature');
  const att = detail.data.evidence.filter((e) => e.kind === 'attestation');
  return (
    <section aria-labelledby="artifact-title" className="stack">
      <h2 id="artifact-title" className="break">
        {a.name}
      </h2>
      <dl className="cards">
        <div className="card">
          <dt>SBOM components</dt>
          <dd data-testid="sbom-components">{a.componentCount ?? 'no SBOM'}</dd>
        </div>
        <div className="card tone-open">
          <dt>Open vulnerabilities</dt>
          <dd>{open.length}</dd>
        </div>
        <div className={`card ${sig.some((e) => e.verified) ? 'tone-fixed' : 'tone-breach'}`}>
          <dt>Signature</dt>
          <dd className="small-value">
            {sig.length === 0 ? 'none recorded' : sig.some((e) => e.verified) ? 'verified' : 'failed'}
          </dd>
        </div>
        <div className="card">
          <dt>Attestations</dt>
          <dd className="small-value">
            {att.length === 0 ? 'none' : `${att.filter((e) => e.verified).length} of ${att.length} verified`}
          </dd>
        </div>
      </dl>
      <dl className="kv">
        <dt>Digest</dt>
        <dd>
          <code className="break">{a.digest}</code>
        </dd>
        <dt>SBOM</dt>
        <dd>
          {a.sbomFormat ? `${a.sbomFormat}, uploaded ${formatDate(a.sbomUploadedAt)}` : 'not uploaded'}
          {a.sbomFormat ? (a.matchedGeneration ? ' · matched' : ' · matching pending') : ''}
        </dd>
        <dt>Deployed to</dt>
        <dd data-testid="deployed-to">
          {deployed.error
            ? 'unknown (deployment records unavailable)'
            : deployed.loading
              ? 'checking…'
              : deployed.data?.length
                ? deployed.data.join(', ')
                : 'not deployed'}
        </dd>
      </dl>

      <h3>Signature and attestation evidence</h3>
      {detail.data.evidence.length === 0 ? (
        <p className="muted">No signature or attestation has been recorded.</p>
      ) : (
        <TableWrap label="Evidence">
          <table>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Predicate</th>
                <th scope="col">Result</th>
                <th scope="col">Recorded</th>
              </tr>
            </thead>
            <tbody>
              {detail.data.evidence.map((e, i) => (
                <tr key={i}>
                  <td>{e.kind}</td>
                  <td className="break">{e.predicateType ?? '—'}</td>
                  <td>
                    <span className={`badge ${e.verified ? 'ok' : 'fail'}`}>
                      {e.verified ? 'verified' : 'failed'}
                    </span>
                  </td>
                  <td>{formatDate(e.recordedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}

      <h3>Vulnerabilities</h3>
      {detail.data.vulnerabilities.length === 0 ? (
        <p className="muted">No vulnerabilities matched.</p>
      ) : (
        <TableWrap label="Vulnerabilities">
          <table>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Vulnerability</th>
                <th scope="col">Package</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {detail.data.vulnerabilities.map((v) => (
                <tr key={v.id}>
                  <td>
                    <SeverityBadge severity={v.severity} />
                  </td>
                  <td>
                    <Link to={`/findings/${v.id}`}>{v.ruleId}</Link> <span className="muted">{v.title}</span>
                  </td>
                  <td className="break">{v.package ? `${v.package.name}@${v.package.version}` : '—'}</td>
                  <td>
                    <StateBadge state={v.state} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

export function ArtifactsPage({
  projectId: fixedProject,
  artifactId,
}: {
  projectId?: string;
  artifactId?: string;
}) {
  const { location, navigate } = useRouter();
  const projects = useAsync(() => api.get<{ projects: Project[] }>('/api/v1/projects'), []);
  const list = projects.data?.projects ?? [];
  const projectId = fixedProject ?? location.search.get('project') ?? list[0]?.id;
  const artifacts = useAsync(
    () =>
      projectId
        ? api.get<{ artifacts: ArtifactRow[] }>(`/api/v1/projects/${projectId}/artifacts`)
        : Promise.resolve({ artifacts: [] as ArtifactRow[] }),
    [projectId],
  );
  return (
    <Page title="Artifacts">
      <ErrorLine error={projects.error} />
      <div className="field inline">
        <label htmlFor="artifact-project">Project</label>
        <select
          id="artifact-project"
          value={projectId ?? ''}
          onChange={(e) => navigate(`/artifacts?project=${e.target.value}`)}
        >
          {list.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <ErrorLine error={artifacts.error} />
      {artifacts.loading && !artifacts.data ? (
        <Loading what="Loading artifacts" />
      ) : (artifacts.data?.artifacts.length ?? 0) === 0 ? (
        <p className="muted">No artifacts registered for this project.</p>
      ) : (
        <TableWrap label="Artifacts">
          <table>
            <thead>
              <tr>
                <th scope="col">Image</th>
                <th scope="col">Digest</th>
                <th scope="col" className="num">
                  Open vulnerabilities
                </th>
                <th scope="col">Registered</th>
              </tr>
            </thead>
            <tbody>
              {artifacts.data!.artifacts.map((a) => (
                <tr key={a.id} className={a.id === artifactId ? 'selected' : undefined}>
                  <th scope="row">
                    <Link to={`/artifacts/${projectId}/${a.id}`} current={a.id === artifactId}>
                      {a.name}
                    </Link>
                  </th>
                  <td>
                    <code>{shortDigest(a.digest)}</code>
                  </td>
                  <td className="num">{a.openVulnerabilities}</td>
                  <td>{formatDate(a.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {projectId && artifactId ? <ArtifactView projectId={projectId} artifactId={artifactId} /> : null}
    </Page>
  );
}
