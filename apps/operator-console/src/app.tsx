import { lazy, Suspense } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { ApiError } from './api/http.client';
import { SessionProvider, useSession } from './api/session.context';
import { LoginPage } from './login/login.page';
import { Shell } from './shell/shell.view';
import { CallPage } from './call/call.page';
import { PatientProvider } from './call/patient.context';
import { BookingPage } from './booking/booking.page';
import { CallbacksPage } from './callbacks/callbacks.page';
import { AppealsPage } from './appeals/appeals.page';

// The dashboard's charts (Recharts) are most of the bundle and only supervisors open them: loaded on first visit.
const DashboardPage = lazy(() => import('./dashboard/dashboard.page').then((module) => ({ default: module.DashboardPage })));

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

function Routed() {
  const { session, loading } = useSession();
  if (loading) return <div className="splash">Загрузка…</div>;
  if (!session) return <LoginPage />;
  const home = session.role === 'OPERATOR' ? '/call' : session.role === 'SECOND_LINE' ? '/appeals' : '/dashboard';
  return (
    <Shell>
      <PatientProvider>
        <Routes>
          <Route path="/call" element={<CallPage />} />
          <Route path="/booking" element={<BookingPage />} />
          <Route path="/callbacks" element={<CallbacksPage />} />
          <Route path="/appeals" element={<AppealsPage />} />
          <Route
            path="/dashboard"
            element={
              <Suspense fallback={<div className="splash">Загрузка…</div>}>
                <DashboardPage />
              </Suspense>
            }
          />
          <Route path="*" element={<Navigate to={home} replace />} />
        </Routes>
      </PatientProvider>
    </Shell>
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
