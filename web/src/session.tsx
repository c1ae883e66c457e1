/**
 * Who is signed in. The page learns it from GET /api/v1/me (the cookie is HttpOnly); the CSRF token
 * for unsafe calls comes from the login answer or GET /api/v1/auth/csrf and stays in memory.
 * What the UI offers follows the same role table as the server (src/server/authz/roles.ts); the
 * server still decides, and its 403 is shown when the two disagree.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { roleGrants, roleSeesAllProjects, type Permission } from '../../src/server/authz/roles.js';
import { api, ApiError, setCsrfToken } from './api.js';
import type { Me } from './types.js';

type State =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'mfa-pending'; me: Me }
  | { status: 'signed-in'; me: Me };

interface SessionValue {
  state: State;
  /** Re-reads /me (after login, MFA enrolment, logout). */
  refresh(csrf?: string): Promise<void>;
  logout(): Promise<void>;
  can(permission: Permission): boolean;
  seesAllProjects: boolean;
}

const SessionContext = createContext<SessionValue | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });

  const refresh = useCallback(async (csrf?: string) => {
    try {
      const me = await api.get<Me>('/api/v1/me');
      if (csrf) setCsrfToken(csrf);
      else setCsrfToken((await api.get<{ csrfToken: string }>('/api/v1/auth/csrf')).csrfToken);
      setState(me.mfaSatisfied ? { status: 'signed-in', me } : { status: 'mfa-pending', me });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setCsrfToken(undefined);
        setState({ status: 'signed-out' });
      } else throw err;
    }
  }, []);

  useEffect(() => {
    refresh().catch(() => setState({ status: 'signed-out' }));
    const onExpired = () => {
      setCsrfToken(undefined);
      setState({ status: 'signed-out' });
    };
    window.addEventListener('rampart:unauthenticated', onExpired);
    return () => window.removeEventListener('rampart:unauthenticated', onExpired);
  }, [refresh]);

  const logout = useCallback(async () => {
    try {
      await api.post('/api/v1/auth/logout');
    } finally {
      setCsrfToken(undefined);
      setState({ status: 'signed-out' });
    }
  }, []);

  const value = useMemo<SessionValue>(() => {
    const me = state.status === 'signed-in' ? state.me : undefined;
    return {
      state,
      refresh,
      logout,
      can: (permission) => (me ? roleGrants(me.role, permission) : false),
      seesAllProjects: me ? roleSeesAllProjects(me.role) : false,
    };
  }, [state, refresh, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in user; only for pages rendered behind the sign-in gate. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe before sign-in');
  return state.me;
}
