import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, request } from './http.client';

export type Role = 'OPERATOR' | 'SECOND_LINE' | 'BRANCH_SUPERVISOR' | 'HEAD_SUPERVISOR';

export interface Session {
  readonly clientId: string;
  readonly role: Role;
  /** null: the head centre. */
  readonly branch: string | null;
  /** The operator's PBX interface, e.g. PJSIP/sochi-op01. */
  readonly seat: string | null;
}

interface SessionState {
  readonly session: Session | null;
  readonly loading: boolean;
  signIn(apiKey: string, seat: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [loading, setLoading] = useState(true);
  const queries = useQueryClient();

  useEffect(() => {
    request<Session>('GET', '/session')
      .then(setSession)
      .catch((error: unknown) => {
        if (!(error instanceof ApiError) || error.status !== 401) console.warn('session check failed', error instanceof ApiError ? error.code : error);
      })
      .finally(() => setLoading(false));
    // What one person's session read never shows to the next person signing in at the same screen.
    const lost = () => {
      queries.clear();
      setSession(null);
    };
    window.addEventListener('medbus:session-lost', lost);
    return () => window.removeEventListener('medbus:session-lost', lost);
  }, [queries]);

  const signIn = useCallback(async (apiKey: string, seat: string) => {
    const body = seat.trim() ? { apiKey: apiKey.trim(), seat: seat.trim() } : { apiKey: apiKey.trim() };
    const signedIn = await request<Session>('POST', '/session', { body });
    queries.clear();
    setSession(signedIn);
  }, [queries]);

  const signOut = useCallback(async () => {
    await request<void>('DELETE', '/session').catch(() => undefined);
    queries.clear();
    setSession(null);
  }, [queries]);

  const value = useMemo(() => ({ session, loading, signIn, signOut }), [session, loading, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The signed-in person; only inside the shell, which renders nothing without one. */
export function useCaller(): Session {
  const { session } = useSession();
  if (!session) throw new Error('useCaller without a session');
  return session;
}

export const isSupervisor = (role: Role) => role === 'BRANCH_SUPERVISOR' || role === 'HEAD_SUPERVISOR';
