/**
 * Pure rules of the booking screen: how slot times read (Moscow time: the contact centre's
 * region), what an organisation's freshness badge says, how the search form becomes the
 * slots query, and how appointment statuses read. No DOM, no `import.meta`: unit-tested.
 */

/** Freshness of an organisation's data as booking reports it (inventory/freshness.mapper.ts). */
export interface Freshness {
  readonly stale: boolean;
  readonly reason: 'NO_HEARTBEAT' | 'HEARTBEAT_OVERDUE' | 'MIS_UNREACHABLE' | 'NEVER_SYNCED' | null;
  readonly lastSyncAt: string | null;
  readonly lastHeartbeatAt: string | null;
}

export interface Coding {
  readonly nsiCode: string | null;
  readonly name: string | null;
}

export interface OrganisationView {
  readonly organisationOid: string;
  readonly shortName: string | null;
  readonly fullName: string | null;
  readonly districtId: string | null;
  readonly districtName: string | null;
  readonly address: string | null;
  readonly freeSlots: number;
  readonly moreFreeSlots: boolean;
  readonly nearestFreeAt: string | null;
  readonly freshness: Freshness;
}

export interface SpecialtyView {
  readonly nsiCode: string;
  readonly name: string | null;
  readonly practitioners: number;
  readonly freeSlots: number;
  readonly moreFreeSlots: boolean;
}

export interface PractitionerView {
  readonly practitionerId: string;
  readonly displayName: string | null;
  readonly organisationOid: string;
  readonly organisationName: string | null;
  readonly specialty: Coding;
  readonly freeSlots: number;
  readonly moreFreeSlots: boolean;
  readonly freshness: Freshness;
}

export interface SlotView {
  readonly slotId: string;
  readonly organisationOid: string;
  readonly organisationName: string | null;
  readonly districtId: string | null;
  readonly practitionerId: string;
  readonly practitionerName: string | null;
  readonly specialty: Coding;
  readonly position: Coding;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly status: string;
  readonly room: string | null;
  readonly freshness: Freshness;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export type AppointmentStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLING' | 'CANCELLED' | 'RESCHEDULED';

export interface AppointmentView {
  readonly appointmentId: string;
  readonly status: AppointmentStatus;
  readonly slotId: string;
  readonly organisationOid: string;
  readonly resourceId: string;
  readonly startsAt: string;
  readonly endsAt: string | null;
  readonly patientId: string;
  readonly misAppointmentId: string | null;
  readonly replacesAppointmentId: string | null;
  readonly rejection: { readonly code: string; readonly message: string } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface HoldView {
  readonly holdId: string;
  readonly slotId: string;
  readonly expiresAt: string;
}

export const regionTimeZone = 'Europe/Moscow';

const slotFormat = new Intl.DateTimeFormat('ru-RU', {
  timeZone: regionTimeZone,
  weekday: 'short',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

interface MoscowParts {
  readonly weekday: string;
  readonly day: string;
  readonly month: string;
  readonly year: string;
  readonly hour: string;
  readonly minute: string;
}

/** Parts read one by one: the joined text of Intl differs between ICU versions (commas, spaces). */
function moscowParts(iso: string): MoscowParts | undefined {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  const parts: Record<string, string> = {};
  for (const part of slotFormat.formatToParts(date)) parts[part.type] = part.value;
  return {
    weekday: (parts.weekday ?? '').replace('.', ''),
    day: parts.day ?? '',
    month: parts.month ?? '',
    year: parts.year ?? '',
    hour: parts.hour ?? '',
    minute: parts.minute ?? '',
  };
}

/** "пн 02.03 08:00": a slot's start in Moscow time, as the operator says it to the patient. */
export function slotTimeText(iso: string): string {
  const p = moscowParts(iso);
  return p ? `${p.weekday} ${p.day}.${p.month} ${p.hour}:${p.minute}` : '—';
}

/** "02.03.2026 08:00" in Moscow time. */
export function dateTimeText(iso: string | null): string {
  if (!iso) return '—';
  const p = moscowParts(iso);
  return p ? `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}` : '—';
}

/** "08:00" in Moscow time. */
export function clockText(iso: string | null): string {
  if (!iso) return '—';
  const p = moscowParts(iso);
  return p ? `${p.hour}:${p.minute}` : '—';
}

/** "08:00–08:15": a slot's span in Moscow time. */
export function slotSpanText(startsAt: string, endsAt: string | null): string {
  return endsAt ? `${clockText(startsAt)}–${clockText(endsAt)}` : clockText(startsAt);
}

export type FreshnessLevel = 'FRESH' | 'STALE' | 'UNKNOWN';

export interface FreshnessBadge {
  /** FRESH, STALE (the MIS or its adapter is down: do not promise), UNKNOWN (never heard of, never synced). */
  readonly level: FreshnessLevel;
  readonly text: string;
  /** The longer explanation for the title (tooltip). */
  readonly hint: string;
}

/**
 * What the operator reads before promising a slot. A stale organisation's slots may already be gone
 * at its MIS: the badge says why and since when the data was last read.
 */
export function freshnessBadge(freshness: Freshness): FreshnessBadge {
  const synced = freshness.lastSyncAt ? `расписание прочитано ${dateTimeText(freshness.lastSyncAt)}` : 'расписание ещё не прочитано';
  if (!freshness.stale) return { level: 'FRESH', text: 'актуально', hint: `МИС на связи, ${synced}` };
  switch (freshness.reason) {
    case 'HEARTBEAT_OVERDUE':
      return {
        level: 'STALE',
        text: 'нет связи с МИС',
        hint: `Адаптер МИС не на связи с ${dateTimeText(freshness.lastHeartbeatAt)}; ${synced}. Время может быть уже занято — предупредите пациента.`,
      };
    case 'MIS_UNREACHABLE':
      return { level: 'STALE', text: 'МИС недоступна', hint: `МИС поликлиники не отвечает; ${synced}. Время может быть уже занято — предупредите пациента.` };
    case 'NEVER_SYNCED':
      return { level: 'UNKNOWN', text: 'расписание не загружено', hint: 'Адаптер на связи, но ещё ни разу не прочитал расписание МИС.' };
    default:
      return { level: 'UNKNOWN', text: 'нет сведений', hint: 'От адаптера МИС этой поликлиники не было ни одного сигнала.' };
  }
}

/** The search form as the operator filled it: codes and ids, dates as YYYY-MM-DD (Moscow days). */
export interface SlotSearchForm {
  readonly district: string;
  readonly organisation: string;
  readonly specialty: string;
  readonly practitioner: string;
  readonly from: string;
  readonly to: string;
}

export const emptySearch: SlotSearchForm = { district: '', organisation: '', specialty: '', practitioner: '', from: '', to: '' };

/** Moscow has kept UTC+3 since 2014 and the API wants an offset: a Moscow day starts at 00:00+03:00. */
const moscowOffset = '+03:00';

/** The day after `day` (YYYY-MM-DD), calendar arithmetic in UTC so no zone shifts it. */
export function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

/** Slots per page: one screen at 1366×768 and a cheap query on a region of 2 M slots. */
export const slotPageSize = 25;

/**
 * `GET v1/slots` parameters of a search: free slots the contact centre may book, between the
 * start of the `from` day and the end of the `to` day (Moscow), a page at a time. Empty fields
 * are left out; a date that is no date is left out rather than sent for a 400.
 */
export function slotQueryOf(form: SlotSearchForm, cursor?: string): Record<string, string | number> {
  const query: Record<string, string | number> = { freeOnly: 'true', channel: 'CONTACT_CENTRE', limit: slotPageSize };
  if (form.district) query.district = form.district;
  if (form.organisation) query.organisation = form.organisation;
  if (form.specialty) query.specialty = form.specialty;
  if (form.practitioner) query.practitioner = form.practitioner;
  if (dayPattern.test(form.from)) query.from = `${form.from}T00:00:00${moscowOffset}`;
  if (dayPattern.test(form.to)) query.to = `${nextDay(form.to)}T00:00:00${moscowOffset}`;
  if (cursor) query.cursor = cursor;
  return query;
}

/** Why the form cannot be searched as it is, or undefined. */
export function searchProblem(form: SlotSearchForm): string | undefined {
  if (form.from && !dayPattern.test(form.from)) return 'Дата «с» указана неверно.';
  if (form.to && !dayPattern.test(form.to)) return 'Дата «по» указана неверно.';
  if (dayPattern.test(form.from) && dayPattern.test(form.to) && form.to < form.from) return 'Дата «по» раньше даты «с».';
  return undefined;
}

/**
 * The waitlist's preferred interval from the search dates: the searched days (Moscow), else the
 * next two weeks from `now`.
 */
export function waitlistIntervalOf(form: SlotSearchForm, now: Date): { from: string; to: string } {
  const from = dayPattern.test(form.from) ? `${form.from}T00:00:00${moscowOffset}` : now.toISOString();
  const to = dayPattern.test(form.to)
    ? `${nextDay(form.to)}T00:00:00${moscowOffset}`
    : new Date((dayPattern.test(form.from) ? new Date(`${form.from}T00:00:00${moscowOffset}`) : now).getTime() + 14 * 86_400_000).toISOString();
  return { from, to };
}

const statusTexts: Record<AppointmentStatus, string> = {
  PENDING: 'ожидает ответа МИС',
  CONFIRMED: 'записан',
  REJECTED: 'отказано',
  CANCELLING: 'отменяется',
  CANCELLED: 'отменена',
  RESCHEDULED: 'перенесена',
};

export function appointmentStatusText(status: string): string {
  return statusTexts[status as AppointmentStatus] ?? status;
}

/** The MIS has not answered yet: the screen keeps asking. */
export const isSettling = (status: string): boolean => status === 'PENDING' || status === 'CANCELLING';

/** Nothing can be done with it any more: cancelled, moved or refused. */
export const isFinished = (status: string): boolean => status === 'CANCELLED' || status === 'RESCHEDULED' || status === 'REJECTED';

/** Only a confirmed appointment can be cancelled or moved (the API refuses the others). */
export const isChangeable = (status: string): boolean => status === 'CONFIRMED';

export interface District {
  readonly id: string;
  readonly name: string;
}

/** The districts of the organisations, by name (the API has no district list of its own). */
export function districtsOf(organisations: readonly OrganisationView[]): District[] {
  const byId = new Map<string, string>();
  for (const o of organisations) if (o.districtId && !byId.has(o.districtId)) byId.set(o.districtId, o.districtName ?? o.districtId);
  return [...byId].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, 'ru'));
}

/** "12" or "50+": free slots counted up to the API's cap. */
export function freeSlotsText(counted: { freeSlots: number; moreFreeSlots: boolean }): string {
  return counted.moreFreeSlots ? `${counted.freeSlots}+` : String(counted.freeSlots);
}

export const organisationName = (o: Pick<OrganisationView, 'shortName' | 'fullName' | 'organisationOid'>): string =>
  o.shortName ?? o.fullName ?? o.organisationOid;

/** A new row index after an arrow key, kept inside the list. */
export function movedIndex(index: number, key: string, count: number): number {
  if (count === 0) return -1;
  if (key === 'ArrowDown') return Math.min(index + 1, count - 1);
  if (key === 'ArrowUp') return Math.max(index - 1, 0);
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return index;
}
