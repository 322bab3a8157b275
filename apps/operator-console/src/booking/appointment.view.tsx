import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { useCaller } from '../api/session.context';
import { appointmentsKey } from '../call/call.query';
import { usePatient } from '../call/patient.context';
import { appointmentStatusText, isChangeable, isFinished, type AppointmentView } from './booking.mapper';
import { cancelAppointment, settleAppointment } from './booking.query';
import { Refusal, rejectionError } from '../api/refusal.view';

/** Only operators book, cancel and move: the keys of the second line and supervisors only search. */
export function useCanBook(): boolean {
  return useCaller().role === 'OPERATOR';
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{appointmentStatusText(status)}</span>;
}

/**
 * Cancel and reschedule of one appointment. Cancelling waits for the MIS (CANCELLING → CANCELLED);
 * rescheduling sends the operator to the booking screen to choose the new time.
 */
export function AppointmentActions({
  appointment,
  onChanged,
  disabled = false,
}: {
  appointment: AppointmentView;
  onChanged?: (view: AppointmentView) => void;
  /** Another action on this appointment is under way (a move being sent). */
  disabled?: boolean;
}) {
  const canBook = useCanBook();
  const { startReschedule, rescheduling } = usePatient();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const gone = useRef(false);
  useEffect(() => {
    gone.current = false;
    return () => {
      gone.current = true;
    };
  }, []);

  if (!canBook || isFinished(appointment.status)) return error === null ? null : <Refusal error={error} />;

  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      const first = await cancelAppointment(appointment.appointmentId);
      onChanged?.(first);
      const settled = await settleAppointment(first, (view) => onChanged?.(view), () => gone.current);
      // A refusal the MIS sends later puts the appointment back to CONFIRMED (its reason is not on the view).
      if (settled.status === 'CONFIRMED' && !gone.current) setError(rejectionError(settled.rejection ?? { code: 'BOOKING.MIS_REFUSED', message: '' }));
    } catch (failure) {
      if (!gone.current) setError(failure);
    } finally {
      void queries.invalidateQueries({ queryKey: appointmentsKey(appointment.patientId) });
      if (!gone.current) setBusy(false);
    }
  };

  const reschedule = () => {
    startReschedule(appointment);
    navigate('/booking');
  };

  const changeable = isChangeable(appointment.status);
  return (
    <span className="appointment-actions">
      <button type="button" data-testid="appointment-cancel" disabled={!changeable || busy || disabled} onClick={() => void cancel()} title="Отменить запись в МИС">
        {busy ? 'Отмена…' : 'Отменить'}
      </button>
      <button
        type="button"
        data-testid="appointment-reschedule"
        disabled={!changeable || busy || disabled || rescheduling?.appointmentId === appointment.appointmentId}
        onClick={reschedule}
        title="Перенести: выбрать новое время в поиске"
      >
        Перенести
      </button>
      {error !== null && <Refusal error={error} />}
    </span>
  );
}
