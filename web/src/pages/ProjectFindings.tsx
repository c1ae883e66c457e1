/**
 * One project's findings: filter (state, severity, scanner, branch, tool), search, sort, group by
 * rule or file, and bulk triage of a selection (POST /api/v1/projects/:id/findings/triage).
 */
import { useMemo, useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { ProjectMembers } from '../components/ProjectMembers.js';
import { TriageForm, type TriageRequest } from '../components/TriageForm.js';
import {
  ActionResult,
  CheckGroup,
  ErrorLine,
  formatDay,
  Loading,
  Page,
  SeverityBadge,
  StateBadge,
  TableWrap,
  useAction,
  useAsync,
} from '../components/ui.js';
import {
  activeFilters,
  DEFAULT_FILTERS,
  groupFindings,
  whereOf,
  type FindingFilters,
  type GroupBy,
  type Sort,
} from '../logic.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { FINDING_STATES, SCANNERS, SEVERITIES, type FindingRow, type ProjectDetail } from '../types.js';

const PAGE_SIZE = 50;

export function ProjectFindingsPage({ projectId }: { projectId: string }) {
  const { can } = useSession();
  const project = useAsync(() => api.get<ProjectDetail>(`/api/v1/projects/${projectId}`), [projectId]);
  const [draft, setDraft] = useState<FindingFilters>(DEFAULT_FILTERS);
  const [filters, setFilters] = useState<FindingFilters>(DEFAULT_FILTERS);
  const [offset, setOffset] = useState(0);
  const [groupBy, setGroupBy] = useState<GroupBy>('none');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // Filters start folded on a phone, where they would fill the first screen.
  const [filtersOpen, setFiltersOpen] = useState(() => window.matchMedia('(min-width: 761px)').matches);
  const findings = useAsync(
    () =>
      api.get<{ total: number; findings: FindingRow[] }>(`/api/v1/projects/${projectId}/findings`, {
        ...filters,
        limit: PAGE_SIZE,
        offset,
      }),
    [projectId, filters, offset],
  );
  const bulk = useAction();
  const rows = useMemo(() => findings.data?.findings ?? [], [findings.data]);
  const groups = useMemo(() => groupFindings(rows, groupBy), [rows, groupBy]);
  const total = findings.data?.total ?? 0;

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    setOffset(0);
    setSelected(new Set());
  };
  const toggle = (ids: string[], on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  const triage = (body: TriageRequest) =>
    void bulk.run(async () => {
      const ids = [...selected];
      const r = await api.post<{ results: Record<string, string> }>(
        `/api/v1/projects/${projectId}/findings/triage`,
        { ...body, findingIds: ids },
      );
      const failed = Object.entries(r.results).filter(([, v]) => v.startsWith('error'));
      setSelected(new Set());
      findings.reload();
      if (failed.length)
        throw new Error(
          `${ids.length - failed.length} updated; ${failed.length} refused: ` +
            failed.map(([id, v]) => `#${id} ${v.replace(/^error: /, '')}`).join('; '),
        );
      return `${ids.length} finding${ids.length === 1 ? '' : 's'} updated.`;
    });

  const title = project.data ? `Findings: ${project.data.name}` : 'Findings';
  return (
    <Page
      title={title}
      actions={<Link to={`/artifacts?project=${projectId}`}>Artifacts of this project</Link>}
    >
      <ErrorLine error={project.error} />
      {project.data && can('projects:manage') ? (
        <ProjectMembers
          projectId={projectId}
          projectName={project.data.name}
          members={project.data.members ?? []}
          onChanged={project.reload}
        />
      ) : null}
      <details
        className="panel filter-panel"
        open={filtersOpen}
        onToggle={(e) => setFiltersOpen(e.currentTarget.open)}
      >
        <summary>
          Filters, sort and grouping
          {activeFilters(filters) ? ` (${activeFilters(filters)} active)` : ''}
        </summary>
        <form className="filters" onSubmit={apply} aria-label="Filter findings">
          <CheckGroup
            legend="State"
            options={FINDING_STATES}
            value={draft.state}
            onChange={(state) => setDraft({ ...draft, state })}
          />
          <CheckGroup
            legend="Severity"
            options={SEVERITIES}
            value={draft.severity}
            onChange={(severity) => setDraft({ ...draft, severity })}
          />
          <div className="filter-fields">
            <div className="field">
              <label htmlFor="f-q">Search</label>
              <input
                id="f-q"
                type="search"
                placeholder="title, rule or path"
                value={draft.q}
                onChange={(e) => setDraft({ ...draft, q: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor="f-scanner">Scanner</label>
              <select
                id="f-scanner"
                value={draft.scanner}
                onChange={(e) => setDraft({ ...draft, scanner: e.target.value })}
              >
                <option value="">Any</option>
                {SCANNERS.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="f-branch">Branch</label>
              <input
                id="f-branch"
                value={draft.branch}
                onChange={(e) => setDraft({ ...draft, branch: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor="f-tool">Tool</label>
              <input
                id="f-tool"
                value={draft.tool}
                onChange={(e) => setDraft({ ...draft, tool: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor="f-sort">Sort by</label>
              <select
                id="f-sort"
                value={draft.sort}
                onChange={(e) => setDraft({ ...draft, sort: e.target.value as Sort })}
              >
                <option value="severity">Severity</option>
                <option value="sla">SLA due date</option>
                <option value="first_seen">Newest first seen</option>
                <option value="last_seen">Last seen</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="f-group">Group by</label>
              <select id="f-group" value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy)}>
                <option value="none">No grouping</option>
                <option value="rule">Rule</option>
                <option value="file">File</option>
              </select>
            </div>
          </div>
          <div className="row">
            <button type="submit" className="primary">
              Apply filters
            </button>
            <button
              type="button"
              onClick={() => {
                setDraft(DEFAULT_FILTERS);
                setFilters(DEFAULT_FILTERS);
                setOffset(0);
              }}
            >
              Reset
            </button>
          </div>
        </form>
      </details>

      <ErrorLine error={findings.error} />
      <p role="status" className="result-count" data-testid="findings-total">
        {findings.loading ? 'Loading findings…' : `${total} finding${total === 1 ? '' : 's'} match.`}
      </p>

      {selected.size > 0 ? (
        <section className="panel bulk" aria-labelledby="bulk-title">
          <h2 id="bulk-title">
            Triage {selected.size} selected finding{selected.size === 1 ? '' : 's'}
          </h2>
          <TriageForm busy={bulk.busy} submitLabel={`Apply to ${selected.size}`} onSubmit={triage} />
        </section>
      ) : null}
      <ActionResult action={bulk} />

      {findings.loading && !findings.data ? (
        <Loading what="Loading findings" />
      ) : rows.length === 0 ? (
        <p className="muted">No findings match these filters.</p>
      ) : (
        <TableWrap label="Findings">
          <table className="findings" data-testid="findings-table">
            <thead>
              <tr>
                <th scope="col" className="select">
                  <input
                    type="checkbox"
                    aria-label="Select all findings on this page"
                    checked={rows.length > 0 && rows.every((r) => selected.has(r.id))}
                    onChange={(e) =>
                      toggle(
                        rows.map((r) => r.id),
                        e.target.checked,
                      )
                    }
                  />
                </th>
                <th scope="col">Severity</th>
                <th scope="col">Finding</th>
                <th scope="col">Where</th>
                <th scope="col">State</th>
                <th scope="col">Branch</th>
                <th scope="col">SLA due</th>
              </tr>
            </thead>
            {groups.map((g) => (
              <tbody key={g.key || 'all'}>
                {groupBy !== 'none' ? (
                  <tr className="group-row">
                    <th scope="rowgroup" colSpan={7}>
                      <label className="check">
                        <input
                          type="checkbox"
                          checked={g.rows.every((r) => selected.has(r.id))}
                          onChange={(e) =>
                            toggle(
                              g.rows.map((r) => r.id),
                              e.target.checked,
                            )
                          }
                        />
                        <span>
                          {g.key} <span className="muted">({g.rows.length})</span>
                        </span>
                      </label>
                    </th>
                  </tr>
                ) : null}
                {g.rows.map((f) => (
                  <tr key={f.id} className={selected.has(f.id) ? 'selected' : undefined}>
                    <td className="select">
                      <input
                        type="checkbox"
                        aria-label={`Select finding ${f.id}: ${f.title}`}
                        checked={selected.has(f.id)}
                        onChange={(e) => toggle([f.id], e.target.checked)}
                      />
                    </td>
                    <td>
                      <SeverityBadge severity={f.severity} />
                    </td>
                    <td>
                      <Link to={`/findings/${f.id}`}>{f.title}</Link>
                      <div className="muted small">
                        {f.ruleId} · {f.scanner} · {f.tool}
                      </div>
                    </td>
                    <td className="break">{whereOf(f)}</td>
                    <td>
                      <StateBadge state={f.state} />
                    </td>
                    <td>{f.branch}</td>
                    <td>{formatDay(f.slaDueAt)}</td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </TableWrap>
      )}
      {total > PAGE_SIZE ? (
        <nav className="pager" aria-label="Findings pages">
          <button
            type="button"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
          >
            Previous
          </button>
          <span>
            {offset + 1}–{Math.min(offset + PAGE_SIZE, total)} of {total}
          </span>
          <button
            type="button"
            disabled={offset + PAGE_SIZE >= total}
            onClick={() => setOffset(offset + PAGE_SIZE)}
          >
            Next
          </button>
        </nav>
      ) : null}
    </Page>
  );
}
