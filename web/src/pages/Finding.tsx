/**
 * One finding: where (code location or package path), evidence (already masked by the server),
 * remediation, history, and the triage form.
 */
import { api } from '../api.js';
import { TriageForm, type TriageRequest } from '../components/TriageForm.js';
import {
  ActionResult,
  ErrorLine,
  formatDate,
  Loading,
  Page,
  SeverityBadge,
  StateBadge,
  TableWrap,
  useAction,
  useAsync,
} from '../components/ui.js';
import { safeHref } from '../logic.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import type { FindingDetail, FindingEvent } from '../types.js';

function Where({ f }: { f: FindingDetail }) {
  return (
    <dl className="kv">
      {f.location ? (
        <>
          <dt>File</dt>
          <dd>
            <code className="break">
              {f.location.path}
              {f.location.startLine ? `:${f.location.startLine}` : ''}
              {f.location.endLine && f.location.endLine !== f.location.startLine
                ? `-${f.location.endLine}`
                : ''}
            </code>
          </dd>
          {f.location.commit?.sha ? (
            <>
              <dt>Commit</dt>
              <dd>
                <code>{f.location.commit.sha.slice(0, 12)}</code>
              </dd>
            </>
          ) : null}
          {f.location.layer ? (
            <>
              <dt>Image layer</dt>
              <dd>
                <code className="break">{f.location.layer}</code>
              </dd>
            </>
          ) : null}
        </>
      ) : null}
      {f.package ? (
        <>
          <dt>Package</dt>
          <dd>
            <code className="break">
              {f.package.ecosystem}: {f.package.name}@{f.package.version}
            </code>
          </dd>
          {f.package.path ? (
            <>
              <dt>Declared in</dt>
              <dd>
                <code className="break">
                  {f.package.path}
                  {f.package.line ? `:${f.package.line}` : ''}
                </code>
              </dd>
            </>
          ) : null}
          {f.package.purl ? (
            <>
              <dt>Package URL</dt>
              <dd>
                <code className="break">{f.package.purl}</code>
              </dd>
            </>
          ) : null}
        </>
      ) : null}
      {!f.location && !f.package ? (
        <>
          <dt>Location</dt>
          <dd>Not recorded</dd>
        </>
      ) : null}
      <dt>Branch</dt>
      <dd>{f.branch}</dd>
      <dt>Tool</dt>
      <dd>
        {f.tool} ({f.scanner})
      </dd>
    </dl>
  );
}

export function FindingPage({ findingId }: { findingId: string }) {
  const { can } = useSession();
  const detail = useAsync(
    () => api.get<{ finding: FindingDetail; history: FindingEvent[] }>(`/api/v1/findings/${findingId}`),
    [findingId],
  );
  const triage = useAction();
  const f = detail.data?.finding;
  const submit = (body: TriageRequest) =>
    void triage.run(async () => {
      const r = await api.post<{ state: string }>(`/api/v1/findings/${findingId}/triage`, body);
      detail.reload();
      return body.action === 'comment' ? 'Comment added.' : `Finding is now ${r.state}.`;
    });
  const closed = f && (f.state === 'dismissed' || f.state === 'risk-accepted' || f.state === 'fixed');
  return (
    <Page title={f ? f.title : `Finding ${findingId}`}>
      <ErrorLine error={detail.error} />
      {!f ? (
        detail.error ? null : (
          <Loading />
        )
      ) : (
        <>
          <p className="row">
            <Link to={`/projects/${f.project_id}`}>Back to the project’s findings</Link>
          </p>
          <div className="finding-meta">
            <SeverityBadge severity={f.severity} />
            <span data-testid="finding-state">
              <StateBadge state={f.state} />
            </span>
            <code>{f.rule_id}</code>
            {f.cwe.map((c) => (
              <span key={c} className="tag">
                {c}
              </span>
            ))}
          </div>
          <div className="grid-2">
            <section className="panel" aria-labelledby="what-title">
              <h2 id="what-title">What was found</h2>
              <p>{f.message}</p>
              <Where f={f} />
              {f.evidence ? (
                <>
                  <h3>Evidence</h3>
                  <pre className="evidence" tabIndex={0} aria-label="Evidence (secrets are masked)">
                    {f.evidence}
                  </pre>
                </>
              ) : null}
            </section>
            <section className="panel" aria-labelledby="fix-title">
              <h2 id="fix-title">Remediation</h2>
              <p>{f.remediation || 'No remediation advice recorded for this rule.'}</p>
              {f.refs.length ? (
                <>
                  <h3>References</h3>
                  <ul className="refs">
                    {f.refs.map((r) => {
                      const href = safeHref(r);
                      return (
                        <li key={r}>
                          {href ? (
                            <a href={href} rel="noreferrer noopener" target="_blank">
                              {r}
                            </a>
                          ) : (
                            r
                          )}
                        </li>
                      );
                    })}
                  </ul>
                </>
              ) : null}
              <h3>Status</h3>
              <dl className="kv">
                <dt>First seen</dt>
                <dd>{formatDate(f.first_seen_at)}</dd>
                <dt>Last seen</dt>
                <dd>{formatDate(f.last_seen_at)}</dd>
                <dt>SLA due</dt>
                <dd>{formatDate(f.sla_due_at)}</dd>
                {f.dismiss_reason ? (
                  <>
                    <dt>Dismissed as</dt>
                    <dd>{f.dismiss_reason}</dd>
                  </>
                ) : null}
                {f.accepted_until ? (
                  <>
                    <dt>Risk accepted until</dt>
                    <dd>{formatDate(f.accepted_until)}</dd>
                  </>
                ) : null}
                {f.state_by ? (
                  <>
                    <dt>Last decision by</dt>
                    <dd>{f.state_by}</dd>
                  </>
                ) : null}
              </dl>
            </section>
          </div>

          {can('findings:triage') ? (
            <section className="panel" aria-labelledby="triage-title">
              <h2 id="triage-title">Triage</h2>
              <TriageForm
                busy={triage.busy}
                submitLabel="Save"
                onSubmit={submit}
                allowed={closed ? ['reopen', 'comment'] : ['dismiss', 'accept-risk', 'comment']}
                key={f.state}
              />
              <ActionResult action={triage} />
            </section>
          ) : null}

          <section className="panel" aria-labelledby="history-title">
            <h2 id="history-title">History</h2>
            <TableWrap label="Finding history">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Change</th>
                    <th scope="col">Reason / comment</th>
                  </tr>
                </thead>
                <tbody>
                  {(detail.data?.history ?? []).map((e, i) => (
                    <tr key={i}>
                      <td>{formatDate(e.at)}</td>
                      <td className="break">{e.actor}</td>
                      <td>
                        {e.to === 'comment' || e.from === e.to ? 'comment' : `${e.from ?? '—'} → ${e.to}`}
                      </td>
                      <td className="break">{[e.reason, e.comment].filter(Boolean).join(' — ') || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </section>
        </>
      )}
    </Page>
  );
}
