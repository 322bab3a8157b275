import { keepPreviousData, useInfiniteQuery, useQueries, useQuery } from '@tanstack/react-query';
import { booking, newIdempotencyKey } from '../api/http.client';
import {
  isSettling,
  slotQueryOf,
  type AppointmentView,
  type HoldView,
  type OrganisationView,
  type Page,
  type PractitionerView,
  type SlotSearchForm,
  type SlotView,
  type SpecialtyView,
} from './booking.mapper';

/** The lists only count slots the contact centre may book: the operator's channel. */
const channel = 'CONTACT_CENTRE';
/** Freshness changes with the adapters' heartbeats: the lists are read again while on screen. */
const catalogueRefreshMs = 30_000;

export function useOrganisations(filter: { district?: string; specialty?: string } = {}) {
  return useQuery({
    queryKey: ['booking', 'organisations', filter.district ?? '', filter.specialty ?? ''],
    queryFn: () => booking.get<{ items: OrganisationView[] }>('/v1/organisations', { channel, district: filter.district, specialty: filter.specialty }),
    staleTime: 20_000,
    refetchInterval: catalogueRefreshMs,
    placeholderData: keepPreviousData,
  });
}

export function useSpecialties(filter: { district?: string; organisation?: string }) {
  return useQuery({
    queryKey: ['booking', 'specialties', filter.district ?? '', filter.organisation ?? ''],
    queryFn: () => booking.get<{ items: SpecialtyView[] }>('/v1/specialties', { channel, district: filter.district, organisation: filter.organisation }),
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
}

/** Practitioners need an organisation or a specialty (the API refuses a region-wide list). */
export function usePractitioners(filter: { district?: string; organisation?: string; specialty?: string }) {
  return useQuery({
    queryKey: ['booking', 'practitioners', filter.district ?? '', filter.organisation ?? '', filter.specialty ?? ''],
    queryFn: () =>
      booking.get<{ items: PractitionerView[] }>('/v1/practitioners', {
        channel,
        district: filter.district,
        organisation: filter.organisation,
        specialty: filter.specialty,
      }),
    enabled: Boolean(filter.organisation || filter.specialty),
    staleTime: 60_000,
  });
}

/** Practitioners' names by resource id, for the organisations given (an appointment names its doctor by id only). */
export function usePractitionerNames(organisations: readonly string[]): ReadonlyMap<string, string> {
  return useQueries({
    queries: organisations.map((organisation) => ({
      queryKey: ['booking', 'practitioners', '', organisation, ''],
      queryFn: () => booking.get<{ items: PractitionerView[] }>('/v1/practitioners', { channel, organisation }),
      staleTime: 60_000,
    })),
    combine: (results) => {
      const names = new Map<string, string>();
      for (const r of results) for (const p of r.data?.items ?? []) if (p.displayName) names.set(p.practitionerId, p.displayName);
      return names;
    },
  });
}

/** Free slots of a submitted search, a page at a time (cursor), never the whole region. */
export function useSlotSearch(search: { form: SlotSearchForm; serial: number } | null) {
  return useInfiniteQuery({
    queryKey: ['booking', 'slots', search?.form, search?.serial],
    queryFn: ({ pageParam }) => booking.get<Page<SlotView>>('/v1/slots', slotQueryOf(search?.form ?? ({} as SlotSearchForm), pageParam || undefined)),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: search !== null,
    staleTime: 0,
    retry: false,
  });
}

export const takeHold = (slotId: string) => booking.post<HoldView>('/v1/holds', { slotId });
export const releaseHold = (holdId: string) => booking.delete<void>(`/v1/holds/${encodeURIComponent(holdId)}`);
/** A booking of a hold is one action: sent again (a lost answer, a second click) it answers the first booking. */
export const bookSlot = (body: { slotId: string; patientId: string; holdId?: string }) =>
  booking.post<AppointmentView>('/v1/appointments', body, body.holdId ? `book-${body.holdId}` : newIdempotencyKey());
export const readAppointment = (id: string) => booking.get<AppointmentView>(`/v1/appointments/${encodeURIComponent(id)}`);
export const cancelAppointment = (id: string) => booking.post<AppointmentView>(`/v1/appointments/${encodeURIComponent(id)}/cancel`, {});
export const rescheduleAppointment = (id: string, body: { slotId: string; holdId?: string }) =>
  booking.post<AppointmentView>(`/v1/appointments/${encodeURIComponent(id)}/reschedule`, body);

export interface WaitlistBody {
  readonly patientId: string;
  readonly organisationOid: string;
  readonly specialtyCode?: string;
  readonly resourceId?: string;
  readonly preferredIntervals: readonly { from: string; to: string }[];
  readonly reason?: 'NO_FREE_SLOTS' | 'NO_CONVENIENT_TIME' | 'NO_SPECIALIST';
}

export interface WaitlistEntry {
  readonly entryId: string;
  readonly status: string;
  readonly organisationOid: string;
}

export const addToWaitlist = (body: WaitlistBody) => booking.post<WaitlistEntry>('/v1/waitlist', body);

const pollEveryMs = 1_000;
/** The MIS answers a booking within BOOKING_RESPONSE_TIMEOUT_MS or the booking is expired: past this, stop asking. */
const pollForMs = 120_000;

/**
 * Reads the appointment again until the MIS has answered (PENDING → CONFIRMED/REJECTED, CANCELLING →
 * CANCELLED), telling each reading; stops when `cancelled()` says the screen moved on.
 */
export async function settleAppointment(view: AppointmentView, onUpdate: (view: AppointmentView) => void, cancelled: () => boolean): Promise<AppointmentView> {
  let current = view;
  const until = Date.now() + pollForMs;
  while (isSettling(current.status) && Date.now() < until && !cancelled()) {
    await new Promise((resolve) => setTimeout(resolve, pollEveryMs));
    if (cancelled()) break;
    current = await readAppointment(current.appointmentId);
    onUpdate(current);
  }
  return current;
}
