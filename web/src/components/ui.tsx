/** Small shared pieces: page frame with focus management, alerts, badges, tables, dialogs, data loading. */
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { errorText } from '../api.js';
import { useRouter } from '../router.js';

export { formatDate, formatDay, shortArtifact, shortDigest } from '../logic.js';
import type { FindingState, Severity } from '../types.js';

/** The first path rendered: no focus move on first load, only after navigations. */
let firstPath: string | undefined;

/**
 * A page: sets the document title and, after a navigation, moves focus to the page heading so
 * screen-reader and keyboard users start at the new content (not on first load, and not when only
 * the title changes as data arrives).
 */
export function Page({
  title,
  actions,
  children,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { location } = useRouter();
  useEffect(() => {
    document.title = `${title} · Rampart`;
  }, [title]);
  useEffect(() => {
    firstPath ??= location.path;
    if (location.path !== firstPath) {
      firstPath = '';
      heading.current?.focus();
    }
  }, [location.path]);
  return (
    <>
      <div className="page-head">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
      {children}
    </>
  );
}

export function Alert({
  kind = 'error',
  children,
}: {
  kind?: 'error' | 'info' | 'success';
  children: ReactNode;
}) {
  if (kind === 'error')
    return (
      <p className="alert alert-error" role="alert">
        {children}
      </p>
    );
  return (
    <p className={`alert alert-${kind}`} role="status">
      {children}
    </p>
  );
}

export function ErrorLine({ error }: { error: unknown }) {
  if (!error) return null;
  return <Alert>{errorText(error)}</Alert>;
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted" role="status">
      {what}…
    </p>
  );
}

export function SeverityBadge({ severity }: { severity: Severity | string }) {
  return <span className={`badge sev-${severity}`}>{severity}</span>;
}

export function StateBadge({ state }: { state: FindingState | string }) {
  return <span className={`badge state-${state}`}>{state}</span>;
}

/** A table that scrolls sideways on narrow screens; the scroll region is focusable for keyboards. */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={`${label} (table)`} tabIndex={0}>
      {children}
    </div>
  );
}

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Loads data when `deps` change; `reload()` loads again. Stale answers are ignored. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    setLoading(true);
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
    // callers pass the dependencies of `load`
  }, [...deps, tick]);
  return { data, error, loading, reload };
}

/**
 * A modal dialog on the native <dialog> element: the browser traps focus, Escape closes it, and focus
 * returns to the element that opened it.
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose(): void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  // Several dialogs may live on one page: each needs its own title id.
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} className="dialog">
      <h2 id={titleId}>{title}</h2>
      {open ? children : null}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}

/** Runs an action, tracking busy state and its error / success message. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [message, setMessage] = useState<string>();
  const run = useCallback(async (fn: () => Promise<string | void>) => {
    setBusy(true);
    setError(undefined);
    setMessage(undefined);
    try {
      const m = await fn();
      if (m) setMessage(m);
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, message, run, setError };
}

export function ActionResult({ action }: { action: { error: unknown; message?: string } }) {
  return (
    <>
      <ErrorLine error={action.error} />
      {action.message ? <Alert kind="success">{action.message}</Alert> : null}
    </>
  );
}

/** A fieldset of checkboxes over a fixed list of values. */
export function CheckGroup<T extends string>({
  legend,
  options,
  value,
  onChange,
}: {
  legend: string;
  options: readonly T[];
  value: T[];
  onChange(v: T[]): void;
}) {
  return (
    <fieldset className="checks">
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o} className="check">
          <input
            type="checkbox"
            checked={value.includes(o)}
            onChange={(e) => onChange(e.target.checked ? [...value, o] : value.filter((x) => x !== o))}
          />
          {o}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * A row's destructive action (revoke, delete, remove): runs `perform` through `action` (busy state,
 * error and success message) and is named for screen readers by `label`.
 */
export function DangerButton({
  action,
  label,
  perform,
  children,
}: {
  action: { busy: boolean; run(fn: () => Promise<string | void>): Promise<boolean> };
  label: string;
  perform: () => Promise<string | void>;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className="danger"
      disabled={action.busy}
      aria-label={label}
      onClick={() => void action.run(perform)}
    >
      {children}
    </button>
  );
}
