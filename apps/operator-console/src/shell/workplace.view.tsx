import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { Shell } from './shell.view';
import { CallPage } from '../call/call.page';
import { PatientProvider } from '../call/patient.context';
import { BookingPage } from '../booking/booking.page';
import { CallbacksPage } from '../callbacks/callbacks.page';
import { AppealsPage } from '../appeals/appeals.page';

// The dashboard's charts (Recharts) are most of the bundle and only supervisors open them: loaded on first visit.
const DashboardPage = lazy(() => import('../dashboard/dashboard.page').then((module) => ({ default: module.DashboardPage })));

const loading = <div className="splash">Загрузка…</div>;

/** Everything behind the sign-in: the shell and its screens (a chunk of its own, fetched while the sign-in form is shown). */
export function Workplace({ home }: { home: string }) {
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
              <Suspense fallback={loading}>
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
