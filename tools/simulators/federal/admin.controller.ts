import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { FerAppointmentStatus, FerChannel, FerSlotStatus, type FerLocation, type FerSlot } from '@medbus/federal-registry';
import { readBodyUpTo } from '@medbus/hubservice';
import { faultModes, type Faults } from './fer.server';
import { ErStatusCode, PortalCallError, portalPatientSchema, type RegionPortalClient } from './portal.client';
import type { ReferenceRegisters } from './reference.registers';
import type { RegistryService } from './registry.service';
import type { RegistryState } from './registry.state';
import type { RegistryStats } from './registry.stats';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const problem = (res: ServerResponse, status: number, code: string, message: string): void => sendJson(res, status, { error: { code, message } });

const oid = z.string().regex(/^[0-9]+(\.[0-9]+)+$/, 'expected a dotted OID');
const text = z.string().min(1).max(1000);
const dateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, 'expected a dateTime with an offset');
const version = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const channels = z.object({ Channel: z.array(z.enum(Object.values(FerChannel) as [FerChannel, ...FerChannel[]])) }).strict();
const slotStatus = z.enum([FerSlotStatus.Free, FerSlotStatus.Busy]);

const frmoBody = z.object({ oids: z.array(oid).max(100_000) }).strict();
const faultsBody = z
  .object({ mode: z.enum(faultModes).optional(), delayMs: z.number().int().min(0).max(300_000).optional(), errorRate: z.number().min(0).max(1).optional() })
  .strict();
const slotBody = z
  .object({ Slot_Id: text, Location_Id: text, MO_OID: text, Visit_Start: dateTime, Visit_End: dateTime, Room: text.optional(), Status: slotStatus, Version: version })
  .strict();
const slotPatch = slotBody.omit({ Slot_Id: true }).partial().strict();
const locationBody = z
  .object({
    Location_Id: text,
    MO_OID: text,
    Department_OID: text.optional(),
    Doctor_SNILS: text,
    Doctor_Name: text,
    Specialty_Code: text,
    Position_Code: text.optional(),
    Room: text.optional(),
    Channels: channels,
    Version: version,
  })
  .strict();
const locationPatch = locationBody.omit({ Location_Id: true }).partial().strict();
const bookingBody = z.object({ moOid: text, slotId: text, patient: portalPatientSchema }).strict();
const cancelBody = z.object({ moOid: text }).strict();

export interface AdminDependencies {
  readonly state: RegistryState;
  readonly stats: RegistryStats;
  readonly registry: RegistryService;
  readonly references: ReferenceRegisters;
  readonly faults: Faults;
  readonly portal: RegionPortalClient;
  readonly token: string;
}

/** Routes with an id in the path: `/admin/slots/<id>`, `/admin/portal/bookings/<id>/cancel`. */
const slotPath = /^\/admin\/slots\/([^/]+)$/;
const locationPath = /^\/admin\/locations\/([^/]+)$/;
const cancelPath = /^\/admin\/portal\/bookings\/([^/]+)\/cancel$/;

/**
 * The admin JSON API under `/admin/*` (bearer token): read-back, statistics, rejections, the ФРМО
 * register, faults, drift injection, and the simulated federal portal.
 */
export class AdminController {
  constructor(private readonly deps: AdminDependencies) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!this.authorised(req)) return problem(res, 401, 'ADMIN.UNAUTHORIZED', 'admin token required');
    const raw = req.method === 'POST' || req.method === 'PUT' ? await readBodyUpTo(req, 4 * 1024 * 1024) : Buffer.alloc(0);
    if (raw === undefined) return problem(res, 413, 'ADMIN.BODY_TOO_LARGE', 'body too large');
    let body: unknown = {};
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      return problem(res, 400, 'ADMIN.MALFORMED', 'body is not JSON');
    }
    const parse = <T>(schema: z.ZodType<T>): T | undefined => {
      const result = schema.safeParse(body);
      if (!result.success) problem(res, 400, 'ADMIN.VALIDATION', result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      return result.success ? result.data : undefined;
    };
    const { state, stats, references, faults } = this.deps;
    const path = url.pathname;
    const route = `${req.method} ${path}`;

    const slotId = slotPath.exec(path)?.[1];
    if (slotId !== undefined) return this.slot(req.method ?? '', decodeURIComponent(slotId), res, parse);
    const locationId = locationPath.exec(path)?.[1];
    if (locationId !== undefined) return this.location(req.method ?? '', decodeURIComponent(locationId), res, parse);
    const bookIdMis = cancelPath.exec(path)?.[1];
    if (bookIdMis !== undefined && req.method === 'POST') {
      const input = parse(cancelBody);
      return input && this.cancel(decodeURIComponent(bookIdMis), input.moOid, res);
    }

    switch (route) {
      case 'GET /admin/state': {
        const mo = url.searchParams.get('mo');
        if (mo !== null) {
          const slots = state.slotsOf(mo);
          return sendJson(res, 200, { mo, held: state.held(mo), locations: state.locationsOf(mo), slots, bookings: state.bookingsOf(mo), receivedAt: state.receivedAtOf(slots) });
        }
        return sendJson(res, 200, {
          totals: state.totals(),
          organisations: state.organisations().map((oid) => ({ mo: oid, ...state.held(oid) })),
          faults,
          registers: references.sizes(),
          sessions: this.deps.registry.sessions.size,
        });
      }
      case 'GET /admin/stats': {
        const snapshot = stats.snapshot();
        const mos = new Set([...state.organisations(), ...Object.keys(snapshot.organisations)]);
        const organisations = Object.fromEntries(
          [...mos].sort().map((oid) => [oid, { ...state.held(oid), ...(snapshot.organisations[oid] ?? { accepted: 0, unchanged: 0, rejected: 0 }) }]),
        );
        return sendJson(res, 200, { ...snapshot, organisations, totals: state.totals(), quotaSpent: this.deps.registry.limiter.spent(), faults });
      }
      case 'GET /admin/rejections': {
        const limit = Math.min(10_000, Math.max(1, Number(url.searchParams.get('limit') ?? '100') || 100));
        return sendJson(res, 200, stats.lastRejections(limit));
      }
      case 'GET /admin/frmo':
        return sendJson(res, 200, { oids: references.organisations() });
      case 'PUT /admin/frmo': {
        const input = parse(frmoBody);
        if (!input) return;
        const added = references.addOrganisations(input.oids);
        return sendJson(res, 200, { added, total: references.sizes().frmo });
      }
      case 'GET /admin/faults':
        return sendJson(res, 200, faults);
      case 'POST /admin/faults': {
        const input = parse(faultsBody);
        if (!input) return;
        // "up" is a healthy side: it clears the delay and the error rate unless the same body sets them.
        if (input.mode === 'up') Object.assign(faults, { delayMs: 0, errorRate: 0 });
        Object.assign(faults, input);
        return sendJson(res, 200, faults);
      }
      case 'POST /admin/slots': {
        const input = parse(slotBody);
        if (!input) return;
        if (state.slot(input.Slot_Id)) return problem(res, 409, 'ADMIN.SLOT_EXISTS', 'the slot is held; PUT /admin/slots/:id changes it');
        state.putSlot(input as FerSlot);
        return sendJson(res, 201, state.slot(input.Slot_Id));
      }
      case 'POST /admin/locations': {
        const input = parse(locationBody);
        if (!input) return;
        if (state.location(input.Location_Id)) return problem(res, 409, 'ADMIN.LOCATION_EXISTS', 'the location is held; PUT /admin/locations/:id changes it');
        state.putLocation(input as FerLocation);
        return sendJson(res, 201, state.location(input.Location_Id));
      }
      case 'POST /admin/portal/bookings': {
        const input = parse(bookingBody);
        return input && this.book(input, res);
      }
      case 'POST /admin/reset':
        state.clear();
        stats.clear();
        return sendJson(res, 200, { totals: state.totals() });
      default:
        return problem(res, 404, 'ADMIN.NOT_FOUND', `no route ${route}`);
    }
  }

  private slot(method: string, id: string, res: ServerResponse, parse: <T>(schema: z.ZodType<T>) => T | undefined): void {
    const { state } = this.deps;
    const held = state.slot(id);
    if (!held) return problem(res, 404, 'ADMIN.SLOT_NOT_FOUND', 'the slot is not held');
    switch (method) {
      case 'GET':
        return sendJson(res, 200, held);
      case 'DELETE':
        state.deleteSlot(id);
        return sendJson(res, 200, held);
      case 'PUT': {
        const patch = parse(slotPatch);
        if (!patch) return;
        state.putSlot({ ...held, ...patch } as FerSlot);
        return sendJson(res, 200, state.slot(id));
      }
      default:
        return problem(res, 405, 'ADMIN.METHOD', `${method} is not allowed here`);
    }
  }

  private location(method: string, id: string, res: ServerResponse, parse: <T>(schema: z.ZodType<T>) => T | undefined): void {
    const { state } = this.deps;
    const held = state.location(id);
    if (!held) return problem(res, 404, 'ADMIN.LOCATION_NOT_FOUND', 'the location is not held');
    switch (method) {
      case 'GET':
        return sendJson(res, 200, held);
      case 'DELETE':
        state.deleteLocation(id);
        return sendJson(res, 200, held);
      case 'PUT': {
        const patch = parse(locationPatch);
        if (!patch) return;
        state.putLocation({ ...held, ...patch } as FerLocation);
        return sendJson(res, 200, state.location(id));
      }
      default:
        return problem(res, 405, 'ADMIN.METHOD', `${method} is not allowed here`);
    }
  }

  /** The federal portal books: the region identifies the patient, then books the slot; on SUCCESS our copy turns BUSY. */
  private async book(input: z.infer<typeof bookingBody>, res: ServerResponse): Promise<void> {
    const { state, portal } = this.deps;
    try {
      const outcome = await portal.book(input.moOid, input.slotId, input.patient);
      if (outcome.step === 'CreateAppointment' && outcome.statusCode === ErStatusCode.Success && outcome.bookIdMis) {
        state.markSlot(input.slotId, FerSlotStatus.Busy);
        state.recordPortalBooking({ Book_Id_Mis: outcome.bookIdMis, Slot_Id: input.slotId, MO_OID: input.moOid, Status: FerAppointmentStatus.Booked });
      }
      return sendJson(res, 200, outcome);
    } catch (error) {
      return this.portalFailed(error, res);
    }
  }

  private async cancel(bookIdMis: string, moOid: string, res: ServerResponse): Promise<void> {
    const { state, portal } = this.deps;
    try {
      const outcome = await portal.cancel(moOid, bookIdMis);
      const booking = state.booking(bookIdMis);
      if (outcome.statusCode === ErStatusCode.Success && booking) {
        state.recordPortalBooking({ Book_Id_Mis: bookIdMis, Slot_Id: booking.Slot_Id, MO_OID: booking.MO_OID, Status: FerAppointmentStatus.Cancelled });
        if (booking.source === 'portal') state.markSlot(booking.Slot_Id, FerSlotStatus.Free);
      }
      return sendJson(res, 200, outcome);
    } catch (error) {
      return this.portalFailed(error, res);
    }
  }

  private portalFailed(error: unknown, res: ServerResponse): void {
    if (!(error instanceof PortalCallError)) throw error;
    const status = error.code === 'PORTAL.REGION_TIMEOUT' ? 504 : error.code === 'PORTAL.REGION_NOT_CONFIGURED' ? 409 : 502;
    return sendJson(res, status, { error: { code: error.code, message: error.message, ...error.detail } });
  }

  private authorised(req: IncomingMessage): boolean {
    const header = String(req.headers['authorization'] ?? '');
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    const expected = Buffer.from(this.deps.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
