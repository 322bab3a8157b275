import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AppConfig } from '@medbus/config';
import { introspectionSchema, type Introspection } from '@medbus/service-auth';
import type { ExporterConfig } from '../exporter.config';
import { bookingBadResponse, bookingErrorOf, bookingTimeout, bookingUnreachable, cancelRefused, stillPending } from './booking.errors';

// ---- booking's API as the exporter reads it (apps/booking controllers and mappers) ------------


const adaptersSchema = z.object({
  items: z.array(z.object({ adapterId: z.string().min(1), organisations: z.array(z.string().min(1)) })),
});

/** An MIS adapter and the organisations registered to it (`GET /v1/adapters`). */
export type RegisteredAdapter = z.output<typeof adaptersSchema>['items'][number];

const identifiedPatientSchema = z.object({
  patientId: z.string().uuid(),
  organisationOid: z.string(),
  registered: z.boolean(),
  attached: z.boolean().nullable(),
});

export type IdentifiedPatient = z.output<typeof identifiedPatientSchema>;

/** Who to look up at an organisation's MIS (personal data: sent to booking only, never logged). */
export interface PatientLookup {
  readonly organisationOid: string;
  /** ЕНП, 16 digits. */
  readonly policyNumber?: string;
  readonly snils?: string;
  readonly surname?: string;
  readonly firstName?: string;
  readonly patronymic?: string;
  /** `YYYY-MM-DD`. */
  readonly birthDate?: string;
}

export const appointmentStatuses = ['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLING', 'CANCELLED', 'RESCHEDULED'] as const;

const appointmentSchema = z.object({
  appointmentId: z.string().uuid(),
  status: z.enum(appointmentStatuses),
  slotId: z.string(),
  organisationOid: z.string(),
  resourceId: z.string(),
  startsAt: z.string(),
  endsAt: z.string().nullable(),
  patientId: z.string(),
  misAppointmentId: z.string().nullable(),
  rejection: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
});

export type Appointment = z.output<typeof appointmentSchema>;

const slotSchema = z.object({
  slotId: z.string(),
  organisationOid: z.string(),
  practitionerId: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  status: z.string(),
  bookingChannels: z.array(z.string()),
  room: z.string().nullable(),
});

const slotPageSchema = z.object({ items: z.array(slotSchema), nextCursor: z.string().nullable() });

export type InventorySlot = z.output<typeof slotSchema>;
export type SlotPage = z.output<typeof slotPageSchema>;

/** A search of booking's unified inventory, always as the federal portal's channel sees it. */
export interface SlotSearch {
  readonly organisation?: string;
  /** Resource id, `<organisationOid>:<localResourceId>`. */
  readonly practitioner?: string;
  readonly from?: Date;
  readonly to?: Date;
  /** Default true: only FREE slots. */
  readonly freeOnly?: boolean;
  /** 1..200, default 200. */
  readonly limit?: number;
  readonly cursor?: string;
}

/** The booking channel the exporter books through (its role fixes it at booking; searches ask for it by name). */
export const federalChannel = 'FEDERAL_PORTAL';

// ---- the client -------------------------------------------------------------------------------

type BookingClientConfig = Pick<ExporterConfig, 'BOOKING_URL' | 'EXPORTER_BOOKING_API_KEY' | 'BOOKING_TIMEOUT_MS' | 'BOOKING_PENDING_WAIT_MS'>;

interface Call {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
  /** Whether repeating the call cannot act twice: only these are retried after a connection error. */
  readonly idempotent: boolean;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const attempts = 3;
const retryBaseMs = 200;
const pollFirstMs = 200;
const pollMaxMs = 1_000;

/**
 * The booking service's REST API as the exporter's client: its own API key (role FEDERAL_REGISTRY,
 * channel FEDERAL_PORTAL), a timeout on every request, retries with backoff only for idempotent calls
 * after a connection error, and booking's error answers as AppErrors with booking's own codes.
 */
@Injectable()
export class BookingClient {
  private readonly baseUrl: string;

  constructor(@Inject(AppConfig) private readonly config: BookingClientConfig) {
    this.baseUrl = config.BOOKING_URL.replace(/\/+$/, '');
  }

  /** Whose key `credential` is, as booking knows it now (booking caches credentials for at most 5 s). */
  async introspect(credential: string): Promise<Introspection> {
    const answer = await this.call({ method: 'POST', path: '/v1/auth/introspect', body: { credential }, idempotent: true });
    return this.parse(introspectionSchema, answer, '/v1/auth/introspect');
  }

  /** Every registered MIS adapter with its organisations. */
  async adapters(): Promise<RegisteredAdapter[]> {
    const answer = await this.call({ method: 'GET', path: '/v1/adapters', idempotent: true });
    return this.parse(adaptersSchema, answer, '/v1/adapters').items;
  }

  /** Finds a patient at the organisation's MIS, never registering one. Booking then lets the exporter book for them. */
  async identifyPatient(query: PatientLookup): Promise<IdentifiedPatient> {
    const body = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
    const answer = await this.call({ method: 'POST', path: '/v1/patients/identify', body, idempotent: true });
    return this.parse(identifiedPatientSchema, answer, '/v1/patients/identify');
  }

  /**
   * Books `slotId` for `patientId`. Booking answers CONFIRMED, or PENDING while the MIS has not; a
   * PENDING one is polled until it is final or BOOKING_PENDING_WAIT_MS has passed (then
   * EXPORTER.BOOKING_STILL_PENDING: the same call with the same key later finds the outcome).
   * A refusal, booking's or the MIS's, is thrown with booking's code.
   */
  async book(slotId: string, patientId: string, idempotencyKey: string): Promise<Appointment> {
    const deadline = Date.now() + this.config.BOOKING_PENDING_WAIT_MS;
    const answer = await this.call({ method: 'POST', path: '/v1/appointments', body: { slotId, patientId }, idempotencyKey, idempotent: true });
    const first = this.parse(appointmentSchema, answer, '/v1/appointments');
    const final = first.status === 'PENDING' ? await this.settled(first.appointmentId, 'PENDING', deadline) : first;
    if (final.status === 'REJECTED') {
      throw bookingErrorOf(409, { error: { code: final.rejection?.code ?? 'BOOKING.MIS_REFUSED', message: final.rejection?.message, details: { appointmentId: final.appointmentId } } });
    }
    return final;
  }

  /** Cancels one of the exporter's appointments; CANCELLING is polled like a pending booking. */
  async cancel(appointmentId: string, idempotencyKey: string): Promise<Appointment> {
    const deadline = Date.now() + this.config.BOOKING_PENDING_WAIT_MS;
    const path = `/v1/appointments/${encodeURIComponent(appointmentId)}/cancel`;
    const answer = await this.call({ method: 'POST', path, body: {}, idempotencyKey, idempotent: true });
    const first = this.parse(appointmentSchema, answer, path);
    const final = first.status === 'CANCELLING' ? await this.settled(appointmentId, 'CANCELLING', deadline) : first;
    // Booking puts an appointment whose cancellation the MIS refused back to CONFIRMED.
    if (final.status === 'CONFIRMED') throw cancelRefused(appointmentId);
    return final;
  }

  /** One of the exporter's appointments. */
  async appointment(appointmentId: string): Promise<Appointment> {
    const path = `/v1/appointments/${encodeURIComponent(appointmentId)}`;
    return this.parse(appointmentSchema, await this.call({ method: 'GET', path, idempotent: true }), path);
  }

  /** One page of the inventory's slots open to the federal portal's channel, by start time. */
  async searchSlots(search: SlotSearch): Promise<SlotPage> {
    const query = new URLSearchParams({ channel: federalChannel, freeOnly: String(search.freeOnly ?? true), limit: String(search.limit ?? 200) });
    if (search.organisation !== undefined) query.set('organisation', search.organisation);
    if (search.practitioner !== undefined) query.set('practitioner', search.practitioner);
    if (search.from !== undefined) query.set('from', search.from.toISOString());
    if (search.to !== undefined) query.set('to', search.to.toISOString());
    if (search.cursor !== undefined) query.set('cursor', search.cursor);
    const path = `/v1/slots?${query.toString()}`;
    return this.parse(slotPageSchema, await this.call({ method: 'GET', path, idempotent: true }), '/v1/slots');
  }

  /** Every slot of a search, page after page, up to `max` (the rest is cut, never an unbounded read). */
  async allSlots(search: Omit<SlotSearch, 'cursor'>, max: number): Promise<InventorySlot[]> {
    const slots: InventorySlot[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.searchSlots({ ...search, cursor, limit: Math.min(200, max - slots.length) });
      slots.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && slots.length < max);
    return slots;
  }

  private async settled(appointmentId: string, inFlight: 'PENDING' | 'CANCELLING', deadline: number): Promise<Appointment> {
    let wait = pollFirstMs;
    for (;;) {
      await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
      const current = await this.appointment(appointmentId);
      if (current.status !== inFlight) return current;
      if (Date.now() >= deadline) throw stillPending(appointmentId, current.status);
      wait = Math.min(pollMaxMs, wait * 2);
    }
  }

  private async call(call: Call): Promise<Answer> {
    const tries = call.idempotent ? attempts : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(call);
      } catch (error) {
        if (!(error instanceof ConnectionFailure) || attempt >= tries) throw error instanceof ConnectionFailure ? bookingUnreachable(call.path.split('?')[0], error.cause) : error;
        // Full jitter: instances that lost booking together do not come back in step.
        await sleep(Math.random() * retryBaseMs * 2 ** (attempt - 1));
      }
    }
  }

  private async once(call: Call): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.config.EXPORTER_BOOKING_API_KEY}`, accept: 'application/json' };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${call.path}`, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: AbortSignal.timeout(this.config.BOOKING_TIMEOUT_MS),
      });
    } catch (error) {
      if (isTimeout(error)) throw bookingTimeout(call.path.split('?')[0], this.config.BOOKING_TIMEOUT_MS, error);
      throw new ConnectionFailure(error);
    }
    let body: unknown;
    try {
      const text = await response.text();
      body = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      if (isTimeout(error)) throw bookingTimeout(call.path.split('?')[0], this.config.BOOKING_TIMEOUT_MS, error);
      body = undefined;
    }
    if (!response.ok) throw bookingErrorOf(response.status, body);
    return { status: response.status, body };
  }

  private parse<S extends z.ZodTypeAny>(schema: S, answer: Answer, path: string): z.output<S> {
    const result = schema.safeParse(answer.body);
    if (!result.success) {
      const problem = result.error.issues[0];
      throw bookingBadResponse(path, answer.status, problem ? `${problem.path.join('.') || 'body'}: ${problem.message}` : 'unreadable');
    }
    return result.data;
  }
}

/** A request that never reached booking or whose connection broke: retryable when the call is idempotent. */
class ConnectionFailure extends Error {
  constructor(cause: unknown) {
    super('connection to booking failed', { cause });
  }
}

/** AbortSignal.timeout's DOMException; not always an `Error` of this realm (test runners), so by its name. */
function isTimeout(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}
