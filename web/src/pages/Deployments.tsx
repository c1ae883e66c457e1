/**
 * Deployments: pending approvals with their gate results (approve / reject with a comment, for roles
 * holding deployments:approve; the server's 403 is shown when it refuses, e.g. to the requester),
 * recent decisions, and what runs where per environment.
 */
import { useId, useState, type FormEvent } from 'react';
import { api } from '../api.js';
import {
  ActionResult,
  ErrorLine,
  formatDate,
  Loading,
  Page,
  shortArtifact,
  TableWrap,
  useAction,
  useAsync,
} from '../components/ui.js';
import { useSession } from '../session.js';
import type { Deployment, Environment, Project } from '../types.js';

function GateList({ gates }: { gates: Deployment['gates'] }) {
  if (!gates.length) return <p className="muted">No policy gates on this environment.</p>;
  return (
    <ul className="gates" aria-label="Gate results">
      {gates.map((g) => (
        <li key={g.name}>
          <span className={`badge ${g.passed ? 'ok' : 'fail'}`}>{g.passed ? 'passed' : 'failed'}</span>{' '}
          <strong>{g.name}</strong>: {g.reason}
        </li>
      ))}
    </ul>
  );
}

function DecisionForm({ deployment, onDecided }: { deployment: Deployment; onDecided(): void }) {
  const id = useId();
  const [comment, setComment] = useState('');
  const action = useAction();
  const decide = (decision: 'approve' | 'reject') => (e?: FormEvent) => {
    e?.preventDefault();
    void action.run(async () => {
      await api.post(`/api/v1/deployments/${deployment.id}/decision`, { decision, comment: comment.trim() });
      onDecided();
      return decision === 'approve' ? 'Approval recorded.' : 'Rejection recorded.';
    });
  };
  return (
    <form
      className="stack"
      onSubmit={decide('approve')}
      aria-label={`Decision on ${shortArtifact(deployment.artifact)}`}
    >
      <div className="field">
        <label htmlFor={`${id}-comment`}>Comment</label>
        <textarea
          id={`${id}-comment`}
          rows={2}
          required
          maxLength={2000}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={action.busy}>
          Approve
        </button>
        <button
          type="button"
          className="danger"
          disabled={action.busy}
          onClick={() => {
            if (!comment.trim()) return action.setError(new Error('Say why the deployment is rejected.'));
            decide('reject')();
          }}
        >
          Reject
        </button>
      </div>
      <ActionResult action={action} />
    </form>
  );
}

function PendingCard({
  d,
  projectName,
  canApprove,
  onDecided,
}: {
  d: Deployment;
  projectName: string;
  canApprove: boolean;
  onDecided(): void;
}) {
  const headingId = useId();
  return (
    <article className="panel deployment" aria-labelledby={headingId} data-testid="pending-deployment">
      <h3 id={headingId} className="break">
        {shortArtifact(d.artifact)} → {d.environment ?? '?'}
      </h3>
      <dl className="kv">
        <dt>Artifact</dt>
        <dd>
          <code className="break">{d.artifact ?? '—'}</code>
        </dd>
        <dt>Project</dt>
        <dd>{projectName}</dd>
        <dt>Requested by</dt>
        <dd className="break">{d.requestedBy ?? '—'}</dd>
        <dt>Requested</dt>
        <dd>{formatDate(d.createdAt)}</dd>
        <dt>Approvals</dt>
        <dd>
          {d.approvals.received} of {d.approvals.required}
          {d.approvals.roles?.length ? ` (from: ${d.approvals.roles.join(', ')})` : ''}
        </dd>
      </dl>
      <h4>Gates</h4>
      <GateList gates={d.gates ?? []} />
      {d.approvals.decisions?.length ? (
        <>
          <h4>Decisions so far</h4>
          <ul>
            {d.approvals.decisions.map((x, i) => (
              <li key={i}>
                {x.decision} by {x.by} ({formatDate(x.at)}): {x.comment}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {canApprove ? (
        <DecisionForm deployment={d} onDecided={onDecided} />
      ) : (
        <p className="muted">Your role cannot approve or reject deployments.</p>
      )}
    </article>
  );
}

function WhatRunsWhere({ projects }: { projects: Map<string, string> }) {
  const envs = useAsync(async () => {
    const list = await api.get<{ environments: Environment[] }>('/api/v1/environments');
    return Promise.all(
      list.environments.map(async (env) => ({
        env,
        deployments:
          (
            await api.get<{ deployments?: Deployment[] }>(
              `/api/v1/environments/${encodeURIComponent(env.name)}/deployments`,
            )
          ).deployments ?? [],
      })),
    );
  }, []);
  if (envs.error) return <ErrorLine error={envs.error} />;
  if (!envs.data) return <Loading />;
  const rows = envs.data.flatMap(({ env, deployments }) => deployments.map((d) => ({ env: env.name, d })));
  if (!rows.length) return <p className="muted">Nothing has been deployed yet.</p>;
  return (
    <TableWrap label="What runs where">
      <table>
        <thead>
          <tr>
            <th scope="col">Environment</th>
            <th scope="col">Project</th>
            <th scope="col">Artifact</th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ env, d }) => (
            <tr key={`${env}-${d.id}`}>
              <td>{env}</td>
              <td>{d.projectName ?? (d.projectId && projects.get(d.projectId)) ?? d.projectId ?? '—'}</td>
              <td className="break">
                <code title={d.artifact}>{shortArtifact(d.artifact)}</code>
              </td>
              <td>{formatDate(d.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function DeploymentsPage() {
  const { can } = useSession();
  const canApprove = can('deployments:approve');
  const projects = useAsync(() => api.get<{ projects: Project[] }>('/api/v1/projects'), []);
  const pending = useAsync(
    () => api.get<{ deployments: Deployment[] }>('/api/v1/deployments', { status: 'pending-approval' }),
    [],
  );
  const recent = useAsync(() => api.get<{ deployments: Deployment[] }>('/api/v1/deployments'), []);
  const names = new Map((projects.data?.projects ?? []).map((p) => [p.id, p.name]));
  const reload = () => {
    pending.reload();
    recent.reload();
  };
  const decided = (recent.data?.deployments ?? [])
    .filter((d) => d.status !== 'pending-approval')
    .slice(0, 20);
  return (
    <Page
      title="Deployments"
      actions={
        <button type="button" onClick={reload}>
          Refresh
        </button>
      }
    >
      <section aria-labelledby="pending-title">
        <h2 id="pending-title">Pending approval</h2>
        {!canApprove ? (
          <p className="alert alert-info">
            You can follow deployments here; approving needs the admin, security-admin or operator role.
          </p>
        ) : null}
        <ErrorLine error={pending.error} />
        {pending.loading && !pending.data ? (
          <Loading />
        ) : pending.data?.deployments.length ? (
          <div className="deployments">
            {pending.data.deployments.map((d) => (
              <PendingCard
                key={d.id}
                d={d}
                projectName={d.projectName ?? (d.projectId && names.get(d.projectId)) ?? d.projectId ?? '—'}
                canApprove={canApprove}
                onDecided={reload}
              />
            ))}
          </div>
        ) : pending.error ? null : (
          <p className="muted">No deployment is waiting for approval.</p>
        )}
      </section>

      <section aria-labelledby="recent-title" className="panel">
        <h2 id="recent-title">Recent decisions</h2>
        <ErrorLine error={recent.error} />
        {decided.length === 0 ? (
          <p className="muted">No decided deployments yet.</p>
        ) : (
          <TableWrap label="Recent decisions">
            <table>
              <thead>
                <tr>
                  <th scope="col">Artifact</th>
                  <th scope="col">Environment</th>
                  <th scope="col">Status</th>
                  <th scope="col">Requested</th>
                  <th scope="col">Failed gates</th>
                </tr>
              </thead>
              <tbody>
                {decided.map((d) => (
                  <tr key={d.id}>
                    <td className="break">
                      <code title={d.artifact}>{shortArtifact(d.artifact)}</code>
                    </td>
                    <td>{d.environment ?? '—'}</td>
                    <td>
                      <span className={`badge ${d.status === 'approved' ? 'ok' : 'fail'}`}>{d.status}</span>
                    </td>
                    <td>{formatDate(d.createdAt)}</td>
                    <td>
                      {(d.gates ?? [])
                        .filter((g) => !g.passed)
                        .map((g) => g.name)
                        .join(', ') || '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>

      <section aria-labelledby="where-title" className="panel">
        <h2 id="where-title">What runs where</h2>
        <WhatRunsWhere projects={names} />
      </section>
    </Page>
  );
}
