/**
 * Admin-only settings (settings:manage): outgoing webhooks (the signing secret is shown once, in a
 * dialog, never stored) and CI federation (trusted OIDC issuers of CI platforms, and the rules that
 * map a CI identity to a project and a few permissions).
 */
import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import {
  ActionResult,
  CheckGroup,
  DangerButton,
  Dialog,
  ErrorLine,
  formatDate,
  Loading,
  TableWrap,
  useAction,
  useAsync,
} from '../components/ui.js';
import {
  CI_PLATFORMS,
  FEDERATION_PERMISSIONS,
  WEBHOOK_EVENTS,
  type CiPlatform,
  type FederationRule,
  type Permission,
  type Project,
  type TrustedIssuer,
  type WebhookEvent,
  type WebhookRow,
} from '../types.js';

export function Webhooks() {
  const hooks = useAsync(() => api.get<{ webhooks: WebhookRow[] }>('/api/v1/webhooks'), []);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['finding.new']);
  const [secret, setSecret] = useState<string>();
  const create = useAction();
  const remove = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create.run(async () => {
      const r = await api.post<{ id: string; secret: string }>('/api/v1/webhooks', { url, events });
      setSecret(r.secret);
      setUrl('');
      hooks.reload();
    });
  };
  return (
    <section className="panel" aria-labelledby="webhooks-title" id="webhooks">
      <h2 id="webhooks-title">Webhooks</h2>
      <p className="muted">
        Rampart POSTs events to these URLs, signed with each webhook’s secret (HMAC-SHA256).
      </p>
      <ErrorLine error={hooks.error} />
      {hooks.data?.webhooks.length ? (
        <TableWrap label="Webhooks">
          <table data-testid="webhooks-table">
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {hooks.data.webhooks.map((w) => (
                <tr key={w.id}>
                  <th scope="row" className="break">
                    {w.url}
                  </th>
                  <td className="small">{w.events.join(', ')}</td>
                  <td>{formatDate(w.createdAt)}</td>
                  <td>
                    <DangerButton
                      action={remove}
                      label={`Delete webhook ${w.url}`}
                      perform={async () => {
                        await api.del(`/api/v1/webhooks/${w.id}`);
                        hooks.reload();
                        return `Webhook ${w.url} deleted.`;
                      }}
                    >
                      Delete
                    </DangerButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : hooks.loading ? (
        <Loading />
      ) : hooks.error ? null : (
        <p className="muted">No webhook is configured.</p>
      )}
      <ActionResult action={remove} />
      <details>
        <summary>Add a webhook</summary>
        <form className="stack" onSubmit={submit}>
          <div className="field">
            <label htmlFor="wh-url">Payload URL</label>
            <input
              id="wh-url"
              type="url"
              required
              maxLength={500}
              placeholder="https://chat.example.com/hooks/rampart"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
          </div>
          <CheckGroup legend="Events" options={WEBHOOK_EVENTS} value={events} onChange={setEvents} />
          <ErrorLine error={create.error} />
          <button type="submit" className="primary" disabled={create.busy || events.length === 0}>
            Add webhook
          </button>
        </form>
      </details>
      <Dialog open={secret !== undefined} title="Webhook signing secret" onClose={() => setSecret(undefined)}>
        <p>
          Copy it now: it is shown <strong>only once</strong> and cannot be read again. The receiver checks
          each delivery’s signature with it.
        </p>
        <label htmlFor="wh-secret">Signing secret</label>
        <input
          id="wh-secret"
          className="token-output"
          readOnly
          value={secret ?? ''}
          onFocus={(e) => e.target.select()}
        />
        <button type="button" onClick={() => void navigator.clipboard?.writeText(secret ?? '')}>
          Copy to clipboard
        </button>
      </Dialog>
    </section>
  );
}

function IssuerForm({ onSaved }: { onSaved(): void }) {
  const [f, setF] = useState({
    issuer: '',
    audience: '',
    platform: 'github-actions' as CiPlatform,
    jwksUri: '',
  });
  const save = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run(async () => {
      await api.put('/api/v1/federation/issuers', {
        issuer: f.issuer.trim(),
        audience: f.audience.trim(),
        platform: f.platform,
        ...(f.jwksUri.trim() ? { jwksUri: f.jwksUri.trim() } : {}),
      });
      setF({ ...f, issuer: '', audience: '', jwksUri: '' });
      onSaved();
      return `Issuer ${f.issuer.trim()} trusted.`;
    });
  };
  return (
    <details>
      <summary>Trust a CI issuer</summary>
      <form className="stack" onSubmit={submit}>
        <div className="form-row">
          <div className="field">
            <label htmlFor="fi-issuer">Issuer URL</label>
            <input
              id="fi-issuer"
              type="url"
              required
              placeholder="https://token.actions.githubusercontent.com"
              value={f.issuer}
              onChange={(e) => setF({ ...f, issuer: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="fi-audience">Audience</label>
            <input
              id="fi-audience"
              required
              maxLength={500}
              value={f.audience}
              onChange={(e) => setF({ ...f, audience: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="fi-platform">Platform</label>
            <select
              id="fi-platform"
              value={f.platform}
              onChange={(e) => setF({ ...f, platform: e.target.value as CiPlatform })}
            >
              {CI_PLATFORMS.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="fi-jwks">JWKS URI (optional)</label>
            <input
              id="fi-jwks"
              type="url"
              value={f.jwksUri}
              onChange={(e) => setF({ ...f, jwksUri: e.target.value })}
            />
          </div>
        </div>
        <button type="submit" className="primary" disabled={save.busy}>
          Save issuer
        </button>
      </form>
      <ActionResult action={save} />
    </details>
  );
}

function RuleForm({
  issuers,
  projects,
  onSaved,
}: {
  issuers: TrustedIssuer[];
  projects: Project[];
  onSaved(): void;
}) {
  const [f, setF] = useState({
    issuer: issuers[0]?.issuer ?? '',
    repository: '',
    ref: '',
    environment: '',
    projectId: projects[0]?.id ?? '',
  });
  const [permissions, setPermissions] = useState<Permission[]>(['project:read', 'scans:upload']);
  const save = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run(async () => {
      await api.post('/api/v1/federation/rules', {
        issuer: f.issuer,
        repository: f.repository.trim(),
        projectId: f.projectId,
        permissions,
        ...(f.ref.trim() ? { ref: f.ref.trim() } : {}),
        ...(f.environment.trim() ? { environment: f.environment.trim() } : {}),
      });
      setF({ ...f, repository: '', ref: '', environment: '' });
      onSaved();
      return `Rule for ${f.repository.trim()} added.`;
    });
  };
  if (issuers.length === 0) return <p className="muted">Trust a CI issuer first, then map its identities.</p>;
  return (
    <details>
      <summary>Add a federation rule</summary>
      <form className="stack" onSubmit={submit}>
        <div className="form-row">
          <div className="field">
            <label htmlFor="fr-issuer">Issuer</label>
            <select id="fr-issuer" value={f.issuer} onChange={(e) => setF({ ...f, issuer: e.target.value })}>
              {issuers.map((i) => (
                <option key={i.issuer} value={i.issuer}>
                  {i.issuer}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="fr-repo">Repository</label>
            <input
              id="fr-repo"
              required
              maxLength={300}
              placeholder="acme/payments-api"
              value={f.repository}
              onChange={(e) => setF({ ...f, repository: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="fr-ref">Ref (optional)</label>
            <input
              id="fr-ref"
              maxLength={300}
              placeholder="refs/heads/main"
              value={f.ref}
              onChange={(e) => setF({ ...f, ref: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="fr-env">CI environment (optional)</label>
            <input
              id="fr-env"
              maxLength={100}
              value={f.environment}
              onChange={(e) => setF({ ...f, environment: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="fr-project">Project</label>
            <select
              id="fr-project"
              required
              value={f.projectId}
              onChange={(e) => setF({ ...f, projectId: e.target.value })}
            >
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        <CheckGroup
          legend="Granted permissions"
          options={FEDERATION_PERMISSIONS}
          value={permissions}
          onChange={setPermissions}
        />
        <button
          type="submit"
          className="primary"
          disabled={save.busy || permissions.length === 0 || !f.projectId}
        >
          Add rule
        </button>
      </form>
      <ActionResult action={save} />
    </details>
  );
}

export function Federation({ projects }: { projects: Project[] }) {
  const fed = useAsync(
    () => api.get<{ issuers: TrustedIssuer[]; rules: FederationRule[] }>('/api/v1/federation'),
    [],
  );
  const remove = useAction();
  const projectName = new Map(projects.map((p) => [p.id, p.name]));
  return (
    <section className="panel" aria-labelledby="federation-title" id="federation">
      <h2 id="federation-title">CI federation</h2>
      <p className="muted">
        CI jobs sign in with their platform’s OIDC token instead of a stored API token; a rule maps a
        repository (and optionally a ref or CI environment) to one project and a few permissions.
      </p>
      <ErrorLine error={fed.error} />
      {fed.loading && !fed.data ? <Loading /> : null}
      {fed.data ? (
        <>
          <h3>Trusted CI issuers</h3>
          {fed.data.issuers.length === 0 ? (
            <p className="muted">No CI platform is trusted yet.</p>
          ) : (
            <TableWrap label="Trusted CI issuers">
              <table data-testid="issuers-table">
                <thead>
                  <tr>
                    <th scope="col">Issuer</th>
                    <th scope="col">Platform</th>
                    <th scope="col">Audience</th>
                  </tr>
                </thead>
                <tbody>
                  {fed.data.issuers.map((i) => (
                    <tr key={i.issuer}>
                      <th scope="row" className="break">
                        {i.issuer}
                      </th>
                      <td>{i.platform}</td>
                      <td className="break">{i.audience}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          <IssuerForm onSaved={fed.reload} />
          <h3>Federation rules</h3>
          {fed.data.rules.length === 0 ? (
            <p className="muted">No rule maps CI identities to projects yet.</p>
          ) : (
            <TableWrap label="Federation rules">
              <table data-testid="rules-table">
                <thead>
                  <tr>
                    <th scope="col">Repository</th>
                    <th scope="col">Issuer</th>
                    <th scope="col">Ref / environment</th>
                    <th scope="col">Project</th>
                    <th scope="col">Permissions</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {fed.data.rules.map((r) => (
                    <tr key={r.id}>
                      <th scope="row" className="break">
                        {r.repository}
                      </th>
                      <td className="break small">{r.issuer}</td>
                      <td className="break">
                        {r.ref ?? 'any ref'} / {r.environment ?? 'any'}
                      </td>
                      <td>{projectName.get(r.projectId) ?? r.projectId}</td>
                      <td className="small">{r.permissions.join(', ')}</td>
                      <td>
                        <DangerButton
                          action={remove}
                          label={`Delete rule for ${r.repository}`}
                          perform={async () => {
                            await api.del(`/api/v1/federation/rules/${r.id}`);
                            fed.reload();
                            return `Rule for ${r.repository} deleted.`;
                          }}
                        >
                          Delete
                        </DangerButton>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          <ActionResult action={remove} />
          <RuleForm
            key={fed.data.issuers.map((i) => i.issuer).join(' ')}
            issuers={fed.data.issuers}
            projects={projects}
            onSaved={fed.reload}
          />
        </>
      ) : null}
    </section>
  );
}
