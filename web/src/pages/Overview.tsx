/** Security posture over the projects the caller can see: GET /api/v1/overview. */
import { useEffect, useRef } from 'react';
import { api } from '../api.js';
import { TrendChart } from '../components/TrendChart.js';
import { ErrorLine, Loading, Page, shortDigest, TableWrap, useAsync } from '../components/ui.js';
import { Link } from '../router.js';
import { SEVERITIES, type Overview } from '../types.js';

function Card({
  label,
  value,
  tone,
  testId,
}: {
  label: string;
  value: number;
  tone?: string;
  testId: string;
}) {
  return (
    <div className={`card ${tone ?? ''}`}>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value.toLocaleString('en')}</dd>
    </div>
  );
}

export function OverviewPage() {
  const overview = useAsync(() => api.get<Overview>('/api/v1/overview'), []);
  const o = overview.data;
  // While a change waits for the roll-ups' refresh, look again a few times (bounded).
  const retries = useRef(0);
  const { reload } = overview;
  useEffect(() => {
    if (!o?.refreshPending) {
      retries.current = 0;
      return;
    }
    if (retries.current >= 20) return;
    const t = setTimeout(() => {
      retries.current += 1;
      reload();
    }, 1500);
    return () => clearTimeout(t);
  }, [o, reload]);
  return (
    <Page
      title="Overview"
      actions={
        <button type="button" onClick={overview.reload} disabled={overview.loading}>
          Refresh
        </button>
      }
    >
      <ErrorLine error={overview.error} />
      {!o ? (
        overview.error ? null : (
          <Loading />
        )
      ) : (
        <>
          <section aria-labelledby="totals-title">
            <h2 id="totals-title" className="visually-hidden">
              Totals
            </h2>
            <dl className="cards">
              <Card label="Open findings" value={o.totals.open} tone="tone-open" testId="total-open" />
              <Card label="Fixed" value={o.totals.fixed} tone="tone-fixed" testId="total-fixed" />
              <Card label="Dismissed" value={o.totals.dismissed} testId="total-dismissed" />
              <Card label="Risk accepted" value={o.totals.riskAccepted} testId="total-risk-accepted" />
              <Card label="SLA breaches" value={o.totals.slaBreaches} tone="tone-breach" testId="total-sla" />
            </dl>
          </section>

          <div className="grid-2">
            <section aria-labelledby="trend-title" className="panel">
              <h2 id="trend-title">Open vs fixed, last 30 days</h2>
              <TrendChart points={o.trend} />
            </section>

            <section aria-labelledby="stage-title" className="panel">
              <h2 id="stage-title">Open findings by stage and severity</h2>
              <TableWrap label="Open findings by stage and severity">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Stage</th>
                      {SEVERITIES.map((s) => (
                        <th key={s} scope="col" className="num">
                          {s}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {o.bySeverityAndStage.map((row) => (
                      <tr key={row.stage}>
                        <th scope="row">{row.stage}</th>
                        {SEVERITIES.map((s) => (
                          <td key={s} className={`num ${row[s] > 0 ? `heat-${s}` : ''}`}>
                            {row[s]}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            </section>
          </div>

          <div className="grid-2">
            <section aria-labelledby="top-projects-title" className="panel">
              <h2 id="top-projects-title">Riskiest projects</h2>
              {o.topProjects.length === 0 ? (
                <p className="muted">No open findings.</p>
              ) : (
                <TableWrap label="Riskiest projects">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Project</th>
                        <th scope="col" className="num">
                          Critical
                        </th>
                        <th scope="col" className="num">
                          High
                        </th>
                        <th scope="col" className="num">
                          Open
                        </th>
                        <th scope="col" className="num">
                          SLA breaches
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {o.topProjects.map((p) => (
                        <tr key={p.id}>
                          <th scope="row">
                            <Link to={`/projects/${p.id}`}>{p.name}</Link>
                          </th>
                          <td className="num">{p.critical}</td>
                          <td className="num">{p.high}</td>
                          <td className="num">{p.open}</td>
                          <td className="num">{p.slaBreaches}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableWrap>
              )}
            </section>
            <section aria-labelledby="top-artifacts-title" className="panel">
              <h2 id="top-artifacts-title">Riskiest artifacts</h2>
              {o.topArtifacts.length === 0 ? (
                <p className="muted">No vulnerable artifacts.</p>
              ) : (
                <TableWrap label="Riskiest artifacts">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Artifact</th>
                        <th scope="col" className="num">
                          Critical
                        </th>
                        <th scope="col" className="num">
                          High
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {o.topArtifacts.map((a) => (
                        <tr key={a.id}>
                          <th scope="row">
                            <Link to={`/artifacts/${a.projectId}/${a.id}`}>{a.name}</Link>{' '}
                            <code className="muted">{shortDigest(a.digest)}</code>
                          </th>
                          <td className="num">{a.critical}</td>
                          <td className="num">{a.high}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableWrap>
              )}
            </section>
          </div>
          <p className="muted small" role="status">
            Counted at {new Date(o.generatedAt).toISOString().slice(0, 19)}Z
            {o.refreshPending ? ' · recent changes are being counted, the numbers will update shortly' : ''}.
          </p>
        </>
      )}
    </Page>
  );
}
