import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';

/** A call the PBX connected to this operator's seat (`event: call`). */
export interface ConnectedCall {
  readonly uniqueid: string;
  readonly branch: string;
  readonly queue: string;
  readonly callerNumber: string | null;
  readonly connectedAt: string;
}

interface LiveState {
  /** The call now on the operator's line, null when none. */
  readonly currentCall: ConnectedCall | null;
  /** The last call of this session (it stays on screen after the caller hangs up). */
  readonly lastCall: ConnectedCall | null;
  /** The last `live` figures (same JSON as GET /v1/statistics/live), null until the first. */
  readonly live: unknown;
  readonly connected: boolean;
}

const initial: LiveState = { currentCall: null, lastCall: null, live: null, connected: false };
const LiveContext = createContext<LiveState>(initial);

/** One EventSource per signed-in session: the backend pushes calls and live figures; the browser never polls for them. */
export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<LiveState>(initial);

  useEffect(() => {
    const source = new EventSource(`${import.meta.env.BASE_URL}api/events`, { withCredentials: true });
    const parse = (event: MessageEvent<string>): unknown => {
      try {
        return JSON.parse(event.data);
      } catch {
        return undefined;
      }
    };
    source.onopen = () => setState((s) => ({ ...s, connected: true }));
    source.onerror = () => setState((s) => ({ ...s, connected: false }));
    source.addEventListener('call', (event) => {
      const call = parse(event as MessageEvent<string>) as ConnectedCall | undefined;
      if (call) setState((s) => ({ ...s, currentCall: call, lastCall: call }));
    });
    source.addEventListener('call-ended', (event) => {
      const ended = parse(event as MessageEvent<string>) as { uniqueid?: string } | undefined;
      setState((s) => (s.currentCall && s.currentCall.uniqueid === ended?.uniqueid ? { ...s, currentCall: null } : s));
    });
    source.addEventListener('live', (event) => {
      const live = parse(event as MessageEvent<string>);
      if (live !== undefined) setState((s) => ({ ...s, live }));
    });
    return () => source.close();
  }, []);

  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}

export const useLiveEvents = (): LiveState => useContext(LiveContext);
