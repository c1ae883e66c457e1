/**
 * Who belongs to a project (admin only: projects:manage): add a user picked from GET /api/v1/users
 * (PUT …/members/:userId), remove one (DELETE …/members/:userId). The server still decides; its 403
 * is shown as is.
 */
import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import type { ProjectMember, UserRow } from '../types.js';
import { ActionResult, ErrorLine, Loading, TableWrap, useAction, useAsync } from './ui.js';

export function ProjectMembers({
  projectId,
  projectName,
  members,
  onChanged,
}: {
  projectId: string;
  projectName: string;
  members: ProjectMember[];
  onChanged(): void;
}) {
  const users = useAsync(() => api.get<{ users: UserRow[] }>('/api/v1/users'), []);
  const [userId, setUserId] = useState('');
  const action = useAction();
  const memberIds = new Set(members.map((m) => m.userId));
  const candidates = (users.data?.users ?? []).filter((u) => !memberIds.has(u.id) && !u.disabled);
  const base = `/api/v1/projects/${projectId}/members`;

  const add = (e: FormEvent) => {
    e.preventDefault();
    const user = candidates.find((u) => u.id === userId);
    if (!user) return;
    void action.run(async () => {
      await api.put(`${base}/${user.id}`);
      setUserId('');
      onChanged();
      return `${user.email} added to ${projectName}.`;
    });
  };
  const remove = (m: ProjectMember) =>
    void action.run(async () => {
      await api.del(`${base}/${m.userId}`);
      onChanged();
      return `${m.email} removed from ${projectName}.`;
    });

  return (
    <details className="panel" data-testid="project-members">
      <summary>Members ({members.length})</summary>
      <p className="muted small">
        Admins and security admins see every project; the other roles see only the projects they are members
        of.
      </p>
      {members.length === 0 ? (
        <p className="muted">No members yet.</p>
      ) : (
        <TableWrap label="Project members">
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.userId}>
                  <th scope="row" className="break">
                    {m.email}
                  </th>
                  <td>{m.role}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="danger"
                      disabled={action.busy}
                      aria-label={`Remove ${m.email} from ${projectName}`}
                      onClick={() => remove(m)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <ErrorLine error={users.error} />
      {users.loading && !users.data ? (
        <Loading what="Loading users" />
      ) : users.data ? (
        <form className="form-row" onSubmit={add}>
          <div className="field">
            <label htmlFor="member-add">User to add</label>
            <select id="member-add" required value={userId} onChange={(e) => setUserId(e.target.value)}>
              <option value="">Choose a user…</option>
              {candidates.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.email} ({u.role})
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="primary" disabled={action.busy || !userId}>
            Add member
          </button>
        </form>
      ) : null}
      <ActionResult action={action} />
    </details>
  );
}
