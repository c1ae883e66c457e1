/** The audit trail, newest first, filtered by actor, action (prefix) and target; older pages on demand. */
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api.js';
import {
  ActionResult,
  ErrorLine,
  formatDate,
  Loading,
  Page,
  TableWrap,
  useAction,
  useAsync,
} from '../components/ui.js';
import { detailsText } from '../logic.js';
import type { AuditEntry } from '../types.js';

const PAGE = 100;

interface Filters {
  actor: string;
  action: string;
  target: string;
}

export function AuditPage() {
  const [draft, setDraft] = useState<Filters>({ actor: '', action: '', target: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const first = useAsync(
    () => api.get<{ entries: AuditEntry[] }>('/api/v1/audit', { ...filters, limit: PAGE }),
    [filters],
  );
  const more = useAction();
  const verify = useAction();
  useEffect(() => {
    if (first.data) setEntries(first.data.entries);
  }, [first.data]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ actor: draft.actor.trim(), action: draft.action.trim(), target: draft.target.trim() });
  };
  const last = entries[entries.length - 1];
  const hasMore = entries.length > 0 && entries.length % PAGE === 0;
  return (
    <Page
      title="Audit trail"
      actions={
        <button
          type="button"
          disabled={verify.busy}
          onClick={() =>
            void verify.run(async () => {
              const r = await api.get<
                { ok: true; count: number } | { ok: false; seq: number; problem: string; detail: string }
              >('/api/v1/audit/verify');
              if (!r.ok)
                throw new Error(`The audit chain breaks at entry ${r.seq}: ${r.problem} (${r.detail})`);
              return `The audit hash chain verifies: ${r.count} entries, none changed, removed or reordered.`;
            })
          }
        >
          Verify chain
        </button>
      }
    >
      <ActionResult action={verify} />
      <form className="panel form-row" onSubmit={submit} aria-label="Filter the audit trail">
        <div className="field">
          <label htmlFor="a-actor">Actor</label>
          <input
            id="a-actor"
            placeholder="user:alice@example.com"
            value={draft.actor}
            onChange={(e) => setDraft({ ...draft, actor: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="a-action">Action (prefix)</label>
          <input
            id="a-action"
            placeholder="finding."
            value={draft.action}
            onChange={(e) => setDraft({ ...draft, action: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="a-target">Target</label>
          <input
            id="a-target"
            placeholder="finding:42"
            value={draft.target}
            onChange={(e) => setDraft({ ...draft, target: e.target.value })}
          />
        </div>
        <button type="submit" className="primary">
          Apply filters
        </button>
      </form>
      <ErrorLine error={first.error} />
      {first.loading && !first.data ? (
        <Loading />
      ) : entries.length === 0 ? (
        <p className="muted">No entries match.</p>
      ) : (
        <TableWrap label="Audit entries">
          <table className="audit">
            <thead>
              <tr>
                <th scope="col" className="num">
                  #
                </th>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.seq}>
                  <td className="num">{e.seq}</td>
                  <td>{formatDate(e.at)}</td>
                  <td className="break">{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td className="break">{e.target}</td>
                  <td className="break small">{detailsText(e.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <ErrorLine error={more.error} />
      {hasMore && last ? (
        <button
          type="button"
          disabled={more.busy}
          onClick={() =>
            void more.run(async () => {
              const r = await api.get<{ entries: AuditEntry[] }>('/api/v1/audit', {
                ...filters,
                before: last.seq,
                limit: PAGE,
              });
              setEntries((prev) => [...prev, ...r.entries]);
            })
          }
        >
          Load older entries
        </button>
      ) : null}
    </Page>
  );
}
