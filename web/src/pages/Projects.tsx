/** The projects the caller can see (all for admin / security-admin, memberships for the others). */
import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { ActionResult, ErrorLine, Loading, Page, TableWrap, useAction, useAsync } from '../components/ui.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import type { Project } from '../types.js';

function CreateProject({ onCreated }: { onCreated(): void }) {
  const [name, setName] = useState('');
  const [repository, setRepository] = useState('');
  const action = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      await api.post('/api/v1/projects', { name, ...(repository ? { repository } : {}) });
      setName('');
      setRepository('');
      onCreated();
      return `Project ${name} created.`;
    });
  };
  return (
    <details className="panel">
      <summary>New project</summary>
      <form className="form-row" onSubmit={submit}>
        <div className="field">
          <label htmlFor="np-name">Name</label>
          <input id="np-name" required value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="np-repo">Repository (optional)</label>
          <input
            id="np-repo"
            placeholder="github.com/org/repo"
            value={repository}
            onChange={(e) => setRepository(e.target.value)}
          />
        </div>
        <button type="submit" className="primary" disabled={action.busy}>
          Create
        </button>
      </form>
      <ActionResult action={action} />
    </details>
  );
}

export function ProjectsPage() {
  const { can } = useSession();
  const projects = useAsync(() => api.get<{ projects: Project[] }>('/api/v1/projects'), []);
  const [filter, setFilter] = useState('');
  const list = (projects.data?.projects ?? []).filter((p) =>
    `${p.name} ${p.repository ?? ''} ${p.org}`.toLowerCase().includes(filter.toLowerCase()),
  );
  return (
    <Page title="Projects">
      {can('projects:create') ? <CreateProject onCreated={projects.reload} /> : null}
      <div className="field inline">
        <label htmlFor="project-filter">Filter projects</label>
        <input id="project-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <ErrorLine error={projects.error} />
      {projects.loading && !projects.data ? (
        <Loading />
      ) : list.length === 0 ? (
        <p className="muted">No projects to show.</p>
      ) : (
        <TableWrap label="Projects">
          <table data-testid="projects-table">
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Organisation</th>
                <th scope="col">Repository</th>
                <th scope="col" className="num">
                  Open findings
                </th>
                <th scope="col">Artifacts</th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    <Link to={`/projects/${p.id}`}>{p.name}</Link>
                  </th>
                  <td>{p.org}</td>
                  <td>{p.repository ?? '—'}</td>
                  <td className="num">{p.openFindings}</td>
                  <td>
                    <Link to={`/artifacts?project=${p.id}`} aria-label={`Artifacts of ${p.name}`}>
                      Artifacts
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </Page>
  );
}
