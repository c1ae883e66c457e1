/**
 * Sign-in: e-mail + password, then the authenticator code when the account has TOTP, or TOTP
 * enrolment when the role requires it and the account has none yet (the otpauth URI and the secret
 * are shown as text to type or paste into an authenticator app).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, setCsrfToken } from '../api.js';
import { Alert, ErrorLine, useAction } from '../components/ui.js';
import { useSession } from '../session.js';
import type { LoginAnswer } from '../types.js';

function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => ref.current?.focus(), []);
  return ref;
}

function PasswordStep({ onTicket }: { onTicket(ticket: string): void }) {
  const [sso, setSso] = useState(false);
  useEffect(() => {
    api.get<{ sso: boolean }>('/api/v1/auth/methods').then(
      (m) => setSso(m.sso),
      () => setSso(false),
    );
  }, []);
  const { refresh } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      const answer = await api.post<LoginAnswer>('/api/v1/auth/login', { email, password });
      if (answer.mfa === 'required') return onTicket(answer.ticket);
      setCsrfToken(answer.csrfToken);
      await refresh(answer.csrfToken);
    });
  };
  return (
    <form onSubmit={submit} className="stack" aria-describedby="login-help">
      <p id="login-help" className="muted">
        Sign in with your Rampart account.
      </p>
      <div className="field">
        <label htmlFor="login-email">E-mail</label>
        <input
          id="login-email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      <ErrorLine error={action.error} />
      <button type="submit" className="primary" disabled={action.busy}>
        {action.busy ? 'Signing in…' : 'Sign in'}
      </button>
      {sso ? (
        <p>
          <a href="/api/v1/auth/oidc/login">Sign in with your identity provider</a> (single sign-on)
        </p>
      ) : null}
    </form>
  );
}

function TotpStep({ ticket, onRestart }: { ticket: string; onRestart(): void }) {
  const { refresh } = useSession();
  const [code, setCode] = useState('');
  const action = useAction();
  const input = useFocusOnMount<HTMLInputElement>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      const answer = await api.post<LoginAnswer>('/api/v1/auth/login/totp', { ticket, code: code.trim() });
      if (answer.mfa === 'required') throw new Error('unexpected answer from the server');
      setCsrfToken(answer.csrfToken);
      await refresh(answer.csrfToken);
    });
  };
  return (
    <form onSubmit={submit} className="stack">
      <div className="field">
        <label htmlFor="login-code">Authenticator code</label>
        <input
          ref={input}
          id="login-code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6,8}"
          required
          aria-describedby="login-code-help"
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        <span id="login-code-help" className="hint">
          The 6-digit code from your authenticator app.
        </span>
      </div>
      <ErrorLine error={action.error} />
      <div className="row">
        <button type="submit" className="primary" disabled={action.busy}>
          Verify
        </button>
        <button type="button" onClick={onRestart}>
          Start again
        </button>
      </div>
    </form>
  );
}

/** TOTP enrolment for a signed-in user (forced for admin and security-admin; optional for others). */
export function TotpEnrolment({ onDone }: { onDone(): void }) {
  const [enrolment, setEnrolment] = useState<{ secret: string; uri: string }>();
  const [code, setCode] = useState('');
  const start = useAction();
  const confirm = useAction();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section className="stack" aria-labelledby="enrol-title">
      <h2 id="enrol-title" ref={heading} tabIndex={-1}>
        Set up two-factor authentication
      </h2>
      {!enrolment ? (
        <>
          <p>Add Rampart to an authenticator app (any TOTP app), then confirm with a code from it.</p>
          <ErrorLine error={start.error} />
          <button
            type="button"
            className="primary"
            disabled={start.busy}
            onClick={() =>
              void start.run(async () => {
                setEnrolment(await api.post<{ secret: string; uri: string }>('/api/v1/me/totp/enrol'));
              })
            }
          >
            Start set-up
          </button>
        </>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void confirm.run(async () => {
              await api.post('/api/v1/me/totp/confirm', { code: code.trim() });
              onDone();
            });
          }}
        >
          <p>Enter this key in your authenticator app (or open the link on the device that has it):</p>
          <dl className="kv">
            <dt>Secret key</dt>
            <dd>
              <code data-testid="totp-secret" className="break">
                {enrolment.secret}
              </code>
            </dd>
            <dt>otpauth URI</dt>
            <dd>
              <code className="break">{enrolment.uri}</code>
            </dd>
          </dl>
          <div className="field">
            <label htmlFor="enrol-code">Code from the app</label>
            <input
              id="enrol-code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6,8}"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </div>
          <ErrorLine error={confirm.error} />
          <button type="submit" className="primary" disabled={confirm.busy}>
            Confirm
          </button>
        </form>
      )}
    </section>
  );
}

/**
 * A single sign-on of a user with TOTP enrolled comes back as `/#totp-ticket=<ticket>`: the second
 * factor is asked here. The ticket leaves the address bar at once (it is short-lived and single-use).
 */
function ticketFromAddress(): string | undefined {
  const m = /^#totp-ticket=([^&]+)$/.exec(window.location.hash);
  if (!m) return undefined;
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return decodeURIComponent(m[1]!);
}

export function LoginPage({ mfaPending }: { mfaPending: boolean }) {
  const { refresh, logout } = useSession();
  const [ticket, setTicket] = useState<string | undefined>(ticketFromAddress);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = 'Sign in · Rampart';
  }, []);
  return (
    <main id="main" className="login" tabIndex={-1}>
      <div className="login-card">
        <h1 ref={heading} tabIndex={-1}>
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Rampart
        </h1>
        {mfaPending ? (
          <>
            <Alert kind="info">Your role requires two-factor authentication before you can continue.</Alert>
            <TotpEnrolment onDone={() => void refresh()} />
            <button type="button" className="link-button" onClick={() => void logout()}>
              Sign out
            </button>
          </>
        ) : ticket ? (
          <TotpStep ticket={ticket} onRestart={() => setTicket(undefined)} />
        ) : (
          <PasswordStep onTicket={setTicket} />
        )}
      </div>
    </main>
  );
}
