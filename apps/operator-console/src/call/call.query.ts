import { useQueries, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { booking, cc, request } from '../api/http.client';
import { useCaller } from '../api/session.context';
import type { AppointmentView, Page } from '../booking/booking.mapper';
import type { CallCard, IdentifyBody } from './call-card.mapper';

/** booking's answer to an identification: medbus's id of the patient at that organisation. */
export interface IdentifiedPatient {
  readonly patientId: string;
  readonly organisationOid: string;
  readonly registered: boolean;
  readonly attached: boolean | null;
}

/**
 * The call now connected to this seat, read once per sign-in (live calls come by push, not by asking
 * again); keyed by the person and seat, as the query cache outlives a sign-out.
 */
export function useCurrentCallQuery() {
  const caller = useCaller();
  return useQuery({
    queryKey: ['console', 'current-call', caller.clientId, caller.seat],
    queryFn: () => request<{ call: CallCard | null }>('GET', '/calls/current'),
    staleTime: Infinity,
  });
}

/** The card of one call: earlier calls of the caller, his open call-backs and appeals. */
export function useCallCard(uniqueid: string | undefined) {
  return useQuery({
    queryKey: ['console', 'card', uniqueid],
    queryFn: () => request<CallCard>('GET', `/cards/${encodeURIComponent(uniqueid ?? '')}`),
    enabled: Boolean(uniqueid),
    staleTime: 30_000,
  });
}

/** The documents travel in the body only: never in a URL, storage or a log. */
export const identifyPatient = (body: IdentifyBody) => booking.post<IdentifiedPatient>('/v1/patients/identify', body);

export const appointmentsKey = (patientId: string) => ['booking', 'appointments', patientId] as const;

/**
 * The patient's appointments across the region: one list per organisation the patient was identified
 * at (booking's patient id is per organisation), newest first, the first 50 of each.
 */
export function usePatientAppointments(patientIds: readonly string[]) {
  return useQueries({
    queries: patientIds.map((patientId) => ({
      queryKey: appointmentsKey(patientId),
      queryFn: () => booking.get<Page<AppointmentView>>('/v1/appointments', { patientId, limit: 50 }),
      staleTime: 10_000,
    })),
    combine: (results) => ({
      items: results
        .flatMap((r) => r.data?.items ?? [])
        .sort((a, b) => b.startsAt.localeCompare(a.startsAt) || b.createdAt.localeCompare(a.createdAt)),
      loading: results.some((r) => r.isLoading),
      error: results.find((r) => r.error)?.error ?? null,
    }),
  });
}

/** Appeal type names by code (the card gives codes); the same cache entry as the appeals screen's. */
export function useAppealTypeNames(): ReadonlyMap<string, string> {
  const types = useQuery({
    queryKey: ['appeal-types'],
    queryFn: () => cc.get<{ items: { code: string; name: string }[] }>('/v1/appeal-types'),
    staleTime: 300_000,
  });
  return useMemo(() => new Map((types.data?.items ?? []).map((t) => [t.code, t.name])), [types.data]);
}
