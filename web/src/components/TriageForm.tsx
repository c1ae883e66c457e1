/**
 * The triage form for one finding or a selection: dismiss (with a reason), accept risk until a date
 * (security-admin / admin only: hidden for other roles, and the server's 403 shown if it disagrees),
 * reopen, or comment.
 */
import { useId, useState, type FormEvent } from 'react';
import { useSession } from '../session.js';
import { triageBody, type TriageAction, type TriageRequest } from '../logic.js';
import { DISMISS_REASONS } from '../types.js';

export type { TriageAction, TriageRequest };

export function TriageForm({
  busy,
  submitLabel,
  onSubmit,
  allowed = ['dismiss', 'accept-risk', 'reopen', 'comment'],
}: {
  busy: boolean;
  submitLabel: string;
  onSubmit(body: TriageRequest): void;
  allowed?: TriageAction[];
}) {
  const { can } = useSession();
  const id = useId();
  const actions = allowed.filter((a) => a !== 'accept-risk' || can('findings:accept-risk'));
  const [action, setAction] = useState<TriageAction>(actions[0] ?? 'comment');
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<string>();
  const labels: Record<TriageAction, string> = {
    dismiss: 'Dismiss',
    'accept-risk': 'Accept risk',
    reopen: 'Reopen',
    comment: 'Comment',
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = triageBody(action, { reason, until, comment });
    if (typeof body === 'string') return setProblem(body);
    setProblem(undefined);
    onSubmit(body);
  };
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  return (
    <form className="triage stack" onSubmit={submit} aria-label="Triage">
      <fieldset>
        <legend>Action</legend>
        <div className="radios">
          {actions.map((a) => (
            <label key={a} className="radio">
              <input
                type="radio"
                name={`${id}-action`}
                value={a}
                checked={action === a}
                onChange={() => setAction(a)}
              />
              {labels[a]}
            </label>
          ))}
        </div>
      </fieldset>
      {action === 'dismiss' ? (
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason</label>
          <select id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} required>
            <option value="">Choose a reason…</option>
            {DISMISS_REASONS.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {action === 'accept-risk' ? (
        <div className="field">
          <label htmlFor={`${id}-until`}>Accepted until</label>
          <input
            id={`${id}-until`}
            type="date"
            min={tomorrow}
            required
            value={until}
            onChange={(e) => setUntil(e.target.value)}
          />
        </div>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-comment`}>
          Comment{action === 'accept-risk' || action === 'comment' ? '' : ' (optional)'}
        </label>
        <textarea
          id={`${id}-comment`}
          rows={2}
          maxLength={2000}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
      </div>
      {problem ? (
        <p className="alert alert-error" role="alert">
          {problem}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
