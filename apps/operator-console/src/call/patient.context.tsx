import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiError } from '../api/http.client';
import { useLiveEvents } from '../live/live-events.context';
import type { AppointmentView } from '../booking/booking.mapper';
import { identifyBodyOf, identifiedByText, type PatientDocuments } from './call-card.mapper';
import { identifyPatient, type IdentifiedPatient } from './call.query';

/** The patient on the line: React state only (never storage, URLs or logs), gone with the call or the page. */
interface PatientState {
  /** The call the patient was identified on (null: none was connected). */
  readonly callId: string | null;
  readonly documents: PatientDocuments | null;
  /** The first identification, the one the operator made. */
  readonly primary: IdentifiedPatient | null;
  /** booking's patient id at each organisation the patient was identified at. */
  readonly byOrganisation: ReadonlyMap<string, IdentifiedPatient>;
  /** An appointment being moved: the booking screen is choosing its new time. */
  readonly rescheduling: AppointmentView | null;
}

export interface PatientApi {
  readonly primary: IdentifiedPatient | null;
  readonly identified: readonly IdentifiedPatient[];
  /** How the patient was identified ("по полису ОМС"), without the values. */
  readonly identifiedBy: string | null;
  readonly rescheduling: AppointmentView | null;
  identify(organisationOid: string, documents: PatientDocuments): Promise<IdentifiedPatient>;
  /** The patient's id at an organisation, identifying him there with the same documents when not yet. */
  patientAt(organisationOid: string): Promise<string>;
  forget(): void;
  startReschedule(appointment: AppointmentView): void;
  stopReschedule(): void;
}

export const patientNotIdentified = 'CONSOLE.PATIENT_NOT_IDENTIFIED';

const empty = (callId: string | null): PatientState => ({ callId, documents: null, primary: null, byOrganisation: new Map(), rescheduling: null });

const PatientContext = createContext<PatientApi | undefined>(undefined);

/**
 * Shared by the call card and the booking screen. A new call is a new caller: what was identified on
 * another call is no longer shown (the state belongs to the call that was last connected).
 */
export function PatientProvider({ children }: { children: ReactNode }) {
  const { lastCall } = useLiveEvents();
  const callId = lastCall?.uniqueid ?? null;
  const [stored, setStored] = useState<PatientState>(() => empty(null));
  const state = useMemo(() => (stored.callId === callId ? stored : empty(callId)), [stored, callId]);

  const identify = useCallback(
    async (organisationOid: string, documents: PatientDocuments) => {
      const found = await identifyPatient(identifyBodyOf(organisationOid, documents));
      setStored({ callId, documents, primary: found, byOrganisation: new Map([[found.organisationOid, found]]), rescheduling: null });
      return found;
    },
    [callId],
  );

  const patientAt = useCallback(
    async (organisationOid: string) => {
      const known = state.byOrganisation.get(organisationOid);
      if (known) return known.patientId;
      if (!state.documents) throw new ApiError(400, patientNotIdentified, 'identify the patient first');
      const found = await identifyPatient(identifyBodyOf(organisationOid, state.documents));
      setStored((s) => (s.callId === callId ? { ...s, byOrganisation: new Map(s.byOrganisation).set(found.organisationOid, found) } : s));
      return found.patientId;
    },
    [state, callId],
  );

  const forget = useCallback(() => setStored(empty(callId)), [callId]);
  const startReschedule = useCallback((appointment: AppointmentView) => setStored((s) => ({ ...(s.callId === callId ? s : empty(callId)), rescheduling: appointment })), [callId]);
  const stopReschedule = useCallback(() => setStored((s) => (s.callId === callId ? { ...s, rescheduling: null } : s)), [callId]);

  const value = useMemo<PatientApi>(
    () => ({
      primary: state.primary,
      identified: [...state.byOrganisation.values()],
      identifiedBy: state.documents ? identifiedByText(state.documents) : null,
      rescheduling: state.rescheduling,
      identify,
      patientAt,
      forget,
      startReschedule,
      stopReschedule,
    }),
    [state, identify, patientAt, forget, startReschedule, stopReschedule],
  );
  return <PatientContext.Provider value={value}>{children}</PatientContext.Provider>;
}

export function usePatient(): PatientApi {
  const api = useContext(PatientContext);
  if (!api) throw new Error('usePatient outside PatientProvider');
  return api;
}
