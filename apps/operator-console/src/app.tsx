import { lazy, Suspense, useEffect } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router-dom';
import { ApiError } from './api/http.client';
import { SessionProvider, useSession } from './api/session.context';
import { LoginPage } from './login/login.page';

/**
 * The first load carries only what the sign-in form needs; the workplace behind it is a chunk of its own,
 * requested as soon as the form is on screen, so it is there by the time the person has typed his key.
 */
const loadWorkplace = () => import('./shell/workplace.view');
const Workplace = lazy(() => loadWorkplace().then((module) => ({ default: module.Workplace })));

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      refetchOnWindowFocus: false,
      // A refusal (4xx) is an answer, not a fault: retry only the network and 5xx.
      retry: (count, error) => count < 2 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
    },
  },
});

const loading = <div className="splash">Загрузка…</div>;

function SignIn() {
  useEffect(() => {
    void loadWorkplace().catch(() => undefined);
  }, []);
  return <LoginPage />;
}

function Routed() {
  const { session, loading: checking } = useSession();
  if (checking) return loading;
  if (!session) return <SignIn />;
  const home = session.role === 'OPERATOR' ? '/call' : session.role === 'SECOND_LINE' ? '/appeals' : '/dashboard';
  return (
    <Suspense fallback={loading}>
      <Workplace home={home} />
    </Suspense>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queries}>
      <SessionProvider>
        <BrowserRouter basename="/console">
          <Routed />
        </BrowserRouter>
      </SessionProvider>
    </QueryClientProvider>
  );
}
