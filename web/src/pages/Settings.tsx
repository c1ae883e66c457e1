/**
 * Settings: my account and MFA, my API tokens (shown once, in a dialog, never stored), users and roles
 * (admin), single sign-on status, environments and their protection rules; webhooks and CI federation
 * (admin, in SettingsAdmin.tsx).
 */
import { useState, type FormEvent } from 'react';
import { ALL_ROLES, APPROVER_ROLES, APPROVER_ROLES_HINT, grantable } from '../permissions.js';
import { api } from '../api.js';
import { protectionFrom } from '../logic.js';
import {
  ActionResult,
  DangerButton,
  Alert,
  Dialog,
  ErrorLine,
  formatDate,
  formatDay,
  Loading,
  Page,
  TableWrap,
  useAction,
  useAsync,
} from '../components/ui.js';
import { useMe, useSession } from '../session.js';
import type { Environment, Permission, Project, Role, TokenRow, UserRow } from '../types.js';
import { TotpEnrolment } from './Login.js';
import { Federation, Webhooks } from './SettingsAdmin.js';

const ROLES: readonly Role[] = ALL_ROLES;

function MyAccount() {
  const me = useMe();
  const { refresh } = useSession();
  const [enrolling, setEnrolling] = useState(false);
  return (
    <section className="panel" aria-labelledby="me-title" id="account">
      <h2 id="me-title">My account</h2>
      <dl className="kv">
        <dt>E-mail</dt>
        <dd>{me.email}</dd>
        <dt>Role</dt>
        <dd>{me.role}</dd>
        <dt>Two-factor authentication</dt>
        <dd data-testid="my-mfa">{me.mfaEnabled ? 'enabled (authenticator app)' : 'not set up'}</dd>
      </dl>
      {!me.mfaEnabled ? (
        enrolling ? (
          <TotpEnrolment
            onDone={() => {
              setEnrolling(false);
              void refresh();
            }}
          />
        ) : (
          <button type="button" onClick={() => setEnrolling(true)}>
            Set up two-factor authentication
          </button>
        )
      ) : (
        <p className="muted">To move MFA to a new device, ask an admin to reset it, then set it up again.</p>
      )}
    </section>
  );
}

function Tokens({ projects }: { projects: Project[] }) {
  const me = useMe();
  const tokens = useAsync(() => api.get<{ tokens: TokenRow[] }>('/api/v1/tokens'), []);
  const [name, setName] = useState('');
  const [projectId, setProjectId] = useState(me.role === 'admin' ? '' : (projects[0]?.id ?? ''));
  const [permissions, setPermissions] = useState<Permission[]>(['project:read']);
  const [days, setDays] = useState(90);
  const [shown, setShown] = useState<{ token: string; expiresAt: string }>();
  const create = useAction();
  const revoke = useAction();
  const allowed = grantable(me.role);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create.run(async () => {
      const r = await api.post<{ id: string; token: string; expiresAt: string }>('/api/v1/tokens', {
        name,
        permissions,
        expiresInDays: days,
        ...(projectId ? { projectId } : {}),
      });
      setShown({ token: r.token, expiresAt: r.expiresAt });
      setName('');
      tokens.reload();
    });
  };
  const projectName = new Map(projects.map((p) => [p.id, p.name]));
  return (
    <section className="panel" aria-labelledby="tokens-title" id="tokens">
      <h2 id="tokens-title">My API tokens</h2>
      <ErrorLine error={tokens.error} />
      {tokens.data?.tokens.length ? (
        <TableWrap label="API tokens">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Project</th>
                <th scope="col">Permissions</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.tokens.map((t) => (
                <tr key={t.id}>
                  <th scope="row">{t.name}</th>
                  <td>{t.projectId ? (projectName.get(t.projectId) ?? t.projectId) : 'all projects'}</td>
                  <td className="small">{t.permissions.join(', ')}</td>
                  <td>{formatDay(t.expiresAt)}</td>
                  <td>{formatDate(t.lastUsedAt)}</td>
                  <td>
                    {t.revoked ? (
                      <span className="badge fail">revoked</span>
                    ) : (
                      <DangerButton
                        action={revoke}
                        label={`Revoke token ${t.name}`}
                        perform={async () => {
                          await api.del(`/api/v1/tokens/${t.id}`);
                          tokens.reload();
                          return `Token ${t.name} revoked.`;
                        }}
                      >
                        Revoke
                      </DangerButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : tokens.loading ? (
        <Loading />
      ) : (
        <p className="muted">You have no API tokens.</p>
      )}
      <ActionResult action={revoke} />
      <details>
        <summary>New token</summary>
        <form className="stack" onSubmit={submit}>
          <div className="form-row">
            <div className="field">
              <label htmlFor="t-name">Name</label>
              <input
                id="t-name"
                required
                maxLength={100}
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="t-project">Project</label>
              <select id="t-project" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
                {me.role === 'admin' ? <option value="">All projects (admin only)</option> : null}
                {projects.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="t-days">Expires in (days)</label>
              <input
                id="t-days"
                type="number"
                min={1}
                max={365}
                value={days}
                onChange={(e) => setDays(Number(e.target.value))}
              />
            </div>
          </div>
          <fieldset className="checks">
            <legend>Permissions</legend>
            {allowed.map((p) => (
              <label key={p} className="check">
                <input
                  type="checkbox"
                  checked={permissions.includes(p)}
                  onChange={(e) =>
                    setPermissions(
                      e.target.checked ? [...permissions, p] : permissions.filter((x) => x !== p),
                    )
                  }
                />
                {p}
              </label>
            ))}
          </fieldset>
          <ErrorLine error={create.error} />
          <button type="submit" className="primary" disabled={create.busy || permissions.length === 0}>
            Create token
          </button>
        </form>
      </details>
      <Dialog open={shown !== undefined} title="Your new API token" onClose={() => setShown(undefined)}>
        <p>
          Copy it now: it is shown <strong>only once</strong> and cannot be read again. It expires on{' '}
          {formatDay(shown?.expiresAt)}.
        </p>
        <label htmlFor="new-token">Token</label>
        <input
          id="new-token"
          className="token-output"
          readOnly
          value={shown?.token ?? ''}
          onFocus={(e) => e.target.select()}
        />
        <button type="button" onClick={() => void navigator.clipboard?.writeText(shown?.token ?? '')}>
          Copy to clipboard
        </button>
      </Dialog>
    </section>
  );
}

function UserRowEditor({ u, onChanged }: { u: UserRow; onChanged(): void }) {
  const [role, setRole] = useState<Role>(u.role);
  const action = useAction();
  const patch = (body: Record<string, unknown>, done: string) =>
    void action.run(async () => {
      await api.patch(`/api/v1/users/${u.id}`, body);
      onChanged();
      return done;
    });
  return (
    <tr>
      <th scope="row" className="break">
        {u.email}
        {u.oidcIssuer ? <div className="muted small">single sign-on</div> : null}
      </th>
      <td>
        <label className="visually-hidden" htmlFor={`role-${u.id}`}>
          Role of {u.email}
        </label>
        <select id={`role-${u.id}`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>{' '}
        <button
          type="button"
          disabled={role === u.role || action.busy}
          onClick={() => patch({ role }, 'Role changed.')}
        >
          Save role
        </button>
      </td>
      <td>{u.mfaEnabled ? 'yes' : 'no'}</td>
      <td>{u.disabled ? 'disabled' : 'active'}</td>
      <td className="actions">
        <button
          type="button"
          disabled={action.busy}
          onClick={() =>
            patch({ disabled: !u.disabled }, u.disabled ? 'Account enabled.' : 'Account disabled.')
          }
        >
          {u.disabled ? 'Enable' : 'Disable'}
        </button>
        {u.mfaEnabled ? (
          <button
            type="button"
            disabled={action.busy}
            onClick={() => patch({ resetMfa: true }, 'MFA reset.')}
          >
            Reset MFA
          </button>
        ) : null}
        <ActionResult action={action} />
      </td>
    </tr>
  );
}

function Users() {
  const users = useAsync(() => api.get<{ users: UserRow[] }>('/api/v1/users'), []);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('developer');
  const [password, setPassword] = useState('');
  const create = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create.run(async () => {
      await api.post('/api/v1/users', { email, role, ...(password ? { password } : {}) });
      setEmail('');
      setPassword('');
      users.reload();
      return `User ${email} created.`;
    });
  };
  return (
    <section className="panel" aria-labelledby="users-title" id="users">
      <h2 id="users-title">Users and roles</h2>
      <ErrorLine error={users.error} />
      {users.data ? (
        <TableWrap label="Users">
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">MFA</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <UserRowEditor
                  key={`${u.id}-${u.role}-${u.disabled}-${u.mfaEnabled}`}
                  u={u}
                  onChanged={users.reload}
                />
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : (
        <Loading />
      )}
      <details>
        <summary>New user</summary>
        <form className="form-row" onSubmit={submit}>
          <div className="field">
            <label htmlFor="u-email">E-mail</label>
            <input
              id="u-email"
              type="email"
              autoComplete="off"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="u-role">Role</label>
            <select id="u-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="u-password">Initial password (optional with single sign-on)</label>
            <input
              id="u-password"
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <button type="submit" className="primary" disabled={create.busy}>
            Create user
          </button>
        </form>
        <ActionResult action={create} />
      </details>
    </section>
  );
}

/** Whether OIDC single sign-on is configured (the server says so on /api/v1/auth/methods). */
async function ssoConfigured(): Promise<boolean | undefined> {
  const methods = await api.get<{ sso: boolean }>('/api/v1/auth/methods');
  return methods.sso;
}

function Identity() {
  const sso = useAsync(ssoConfigured, []);
  return (
    <section className="panel" aria-labelledby="oidc-title" id="oidc">
      <h2 id="oidc-title">Single sign-on (OIDC)</h2>
      <dl className="kv">
        <dt>Single sign-on</dt>
        <dd data-testid="sso-status">
          {sso.loading
            ? 'checking…'
            : sso.data === true
              ? 'configured (users can sign in with the identity provider)'
              : sso.data === false
                ? 'not configured (set RAMPART_OIDC_ISSUER and RAMPART_OIDC_CLIENT_ID on the server)'
                : 'unknown'}
        </dd>
      </dl>
      <ErrorLine error={sso.error} />
    </section>
  );
}

function EnvironmentEditor({
  env,
  canEdit,
  onSaved,
}: {
  env: Environment;
  canEdit: boolean;
  onSaved(): void;
}) {
  const p = env.protection ?? {};
  const [f, setF] = useState({
    critical: p.maxOpenAgeDays?.critical?.toString() ?? '',
    high: p.maxOpenAgeDays?.high?.toString() ?? '',
    requireSignature: p.requireSignature ?? false,
    requireSbom: p.requireSbom ?? false,
    maxScanAgeHours: p.maxScanAgeHours?.toString() ?? '',
    requireDast: p.requireDast ?? false,
    approvals: p.approvals?.count?.toString() ?? '0',
    roles: p.approvals?.roles ?? APPROVER_ROLES,
  });
  const save = useAction();
  const id = `env-${env.name.replace(/[^a-z0-9-]/gi, '-')}`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run(async () => {
      await api.put(`/api/v1/environments/${encodeURIComponent(env.name)}`, {
        protection: protectionFrom(f),
      });
      onSaved();
      return `Protection of ${env.name} saved.`;
    });
  };
  return (
    <article className="panel env" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{env.name}</h3>
      <form className="stack" onSubmit={submit}>
        <fieldset disabled={!canEdit} className="plain">
          <legend className="visually-hidden">Protection rules of {env.name}</legend>
          <div className="form-row">
            <div className="field">
              <label htmlFor={`${id}-crit`}>Max age of open critical findings (days)</label>
              <input
                id={`${id}-crit`}
                type="number"
                min={0}
                value={f.critical}
                onChange={(e) => setF({ ...f, critical: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`${id}-high`}>Max age of open high findings (days)</label>
              <input
                id={`${id}-high`}
                type="number"
                min={0}
                value={f.high}
                onChange={(e) => setF({ ...f, high: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`${id}-scan`}>Scan fresher than (hours)</label>
              <input
                id={`${id}-scan`}
                type="number"
                min={1}
                value={f.maxScanAgeHours}
                onChange={(e) => setF({ ...f, maxScanAgeHours: e.target.value })}
              />
            </div>
          </div>
          <div className="checks-row">
            <label className="check">
              <input
                type="checkbox"
                checked={f.requireSignature}
                onChange={(e) => setF({ ...f, requireSignature: e.target.checked })}
              />
              Signature verified
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={f.requireSbom}
                onChange={(e) => setF({ ...f, requireSbom: e.target.checked })}
              />
              SBOM present
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={f.requireDast}
                onChange={(e) => setF({ ...f, requireDast: e.target.checked })}
              />
              DAST passed
            </label>
          </div>
          <div className="form-row">
            <div className="field">
              <label htmlFor={`${id}-appr`}>Approvals required</label>
              <input
                id={`${id}-appr`}
                type="number"
                min={0}
                max={10}
                value={f.approvals}
                onChange={(e) => setF({ ...f, approvals: e.target.value })}
              />
            </div>
            <fieldset className="checks">
              <legend>Approver roles</legend>
              {APPROVER_ROLES.map((r) => (
                <label key={r} className="check">
                  <input
                    type="checkbox"
                    checked={f.roles.includes(r)}
                    onChange={(e) =>
                      setF({
                        ...f,
                        roles: e.target.checked ? [...f.roles, r] : f.roles.filter((x) => x !== r),
                      })
                    }
                  />
                  {r}
                </label>
              ))}
            </fieldset>
          </div>
          {canEdit ? (
            <button type="submit" className="primary" disabled={save.busy}>
              Save {env.name}
            </button>
          ) : null}
        </fieldset>
      </form>
      <ActionResult action={save} />
    </article>
  );
}

function Environments() {
  const { can } = useSession();
  const canEdit = can('settings:manage');
  const envs = useAsync(() => api.get<{ environments: Environment[] }>('/api/v1/environments'), []);
  const [name, setName] = useState('');
  const add = useAction();
  return (
    <section className="panel" aria-labelledby="envs-title" id="environments">
      <h2 id="envs-title">Environments</h2>
      <p className="muted">
        Deployments to an environment pass its gates first (<code>rampart gate</code>). {APPROVER_ROLES_HINT}{' '}
        {canEdit ? null : 'Only admins change these rules.'}
      </p>
      <ErrorLine error={envs.error} />
      {envs.data ? (
        envs.data.environments.length === 0 ? (
          <p className="muted">No environment is defined yet.</p>
        ) : (
          envs.data.environments.map((env) => (
            <EnvironmentEditor
              key={`${env.id}-${JSON.stringify(env.protection)}`}
              env={env}
              canEdit={canEdit}
              onSaved={envs.reload}
            />
          ))
        )
      ) : envs.error ? null : (
        <Loading />
      )}
      {canEdit ? (
        <form
          className="form-row"
          onSubmit={(e) => {
            e.preventDefault();
            void add.run(async () => {
              await api.put(`/api/v1/environments/${encodeURIComponent(name.trim())}`, { protection: {} });
              setName('');
              envs.reload();
              return 'Environment added.';
            });
          }}
        >
          <div className="field">
            <label htmlFor="env-new">New environment</label>
            <input
              id="env-new"
              required
              pattern="[a-z0-9][a-z0-9._-]{0,62}"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <button type="submit" disabled={add.busy}>
            Add environment
          </button>
        </form>
      ) : null}
      <ActionResult action={add} />
    </section>
  );
}

export function SettingsPage() {
  const { can } = useSession();
  const projects = useAsync(() => api.get<{ projects: Project[] }>('/api/v1/projects'), []);
  return (
    <Page title="Settings">
      <nav aria-label="Settings sections" className="subnav">
        <ul>
          <li>
            <a href="#account">My account</a>
          </li>
          <li>
            <a href="#tokens">API tokens</a>
          </li>
          {can('users:manage') ? (
            <li>
              <a href="#users">Users and roles</a>
            </li>
          ) : null}
          <li>
            <a href="#oidc">Single sign-on</a>
          </li>
          <li>
            <a href="#environments">Environments</a>
          </li>
          {can('settings:manage') ? (
            <>
              <li>
                <a href="#webhooks">Webhooks</a>
              </li>
              <li>
                <a href="#federation">CI federation</a>
              </li>
            </>
          ) : null}
        </ul>
      </nav>
      <MyAccount />
      {projects.data ? <Tokens projects={projects.data.projects} /> : <ErrorLine error={projects.error} />}
      {can('users:manage') ? <Users /> : null}
      <Identity />
      <Environments />
      {can('settings:manage') ? <Webhooks /> : null}
      {can('settings:manage') && projects.data ? <Federation projects={projects.data.projects} /> : null}
      {!can('users:manage') ? <Alert kind="info">Users and roles are managed by admins.</Alert> : null}
    </Page>
  );
}
