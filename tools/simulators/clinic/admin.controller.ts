import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { codeMapOf, type SimOrganisation } from './region.generator';
import { readBodyUpTo } from '@medbus/hubservice';
import { sexFromName, type ScheduleState, type SimSlot, type SlotState } from './schedule.state';

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const walkInBody = z.object({ slotId: z.string().min(1).optional() }).strict();
const removeSlotBody = z.object({ slotId: z.string().min(1) }).strict();
const sickDayBody = z.object({ doctorId: z.string().min(1), idLpu: z.number().int().optional(), date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }).strict();
const doctorSnilsBody = z
  .object({
    idLpu: z.number().int(),
    idDoc: z.string().min(1),
    // Any 11 digits: a wrong check number is what an MIS may really hold, and what an adapter must report.
    snils: z.string().regex(/^\d{11}$/, 'must be 11 digits').nullable(),
  })
  .strict();
const outageBody = z.object({ on: z.boolean() }).strict();
const faultsBody = z
  .object({
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    errorRate: z.number().min(0).max(1).optional(),
    malformed: z.string().min(1).max(40).optional(),
    dropAnswers: z.number().int().min(0).max(1000).optional(),
  })
  .strict();
const patientBody = z
  .object({
    idLpu: z.number().int(),
    surname: z.string().min(1).max(100).optional(),
    firstName: z.string().min(1).max(100).optional(),
    patronymic: z.string().min(1).max(100).optional(),
    birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    sex: z.enum(['MALE', 'FEMALE']).optional(),
    policyNumber: z.string().regex(/^\d{16}$/).optional(),
    snils: z.string().regex(/^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$/).optional(),
    phone: z.string().min(1).max(30).optional(),
    attached: z.boolean().optional(),
  })
  .strict();

/** A valid SNILS `XXX-XXX-XXX YY` for a number above 001-001-998 (the check-number rule). */
export function snilsOf(number: number): string {
  const digits = String(number).padStart(9, '0');
  const sum = [...digits].reduce((acc, d, i) => acc + Number(d) * (9 - i), 0);
  const check = sum < 100 ? sum : sum % 101 === 100 ? 0 : sum % 101;
  return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6, 9)} ${String(check).padStart(2, '0')}`;
}

/**
 * The faults every simulated MIS can be given at run time. `malformed` names a way of garbling
 * answers that only the vendor's protocol knows (the simulator lists its modes); `dropAnswers`
 * loses the next answers of calls that change the schedule, after the change is made.
 */
export interface Faults {
  latencyMs: number;
  errorRate: number;
  outage: boolean;
  malformed: string;
  dropAnswers: number;
}

/** What a vendor's simulator adds to the shared admin API: its wire view of a slot, its modes of garbling, its own state. */
export interface AdminDialect {
  /** The slot as the vendor's protocol shows it (merged into the admin view). */
  readonly wireSlot: (slot: SimSlot, organisation: SimOrganisation) => Record<string, unknown>;
  /** Accepted values of `malformed` (the first is "none"). */
  readonly malformedModes: readonly string[];
  /** Extra state for `GET /admin/state` (a notifier's counters). */
  readonly extraState?: () => Record<string, unknown>;
}

/** A slot as the admin API shows it: its wire form plus state and version. */
function slotView(state: ScheduleState, slot: SimSlot, dialect: AdminDialect): Record<string, unknown> {
  const org = state.organisations.get(slot.idLpu);
  return {
    idLpu: slot.idLpu,
    idDoc: slot.idDoc,
    state: slot.state,
    version: slot.version,
    booking: slot.booking ? { idPat: slot.booking.idPat, source: slot.booking.source, createdAt: slot.booking.createdAt } : null,
    ...(org ? dialect.wireSlot(slot, org) : {}),
    // The same for every vendor (the conformance kit reads these): the model's id, clinic-local start, the zone.
    modelSlotId: slot.id,
    localStart: slot.start,
    timeZone: org?.timeZone ?? null,
  };
}

/** A patient as the admin API shows it: what identifies them, their attachment and active bookings. */
function patientView(state: ScheduleState, idLpu: number, idPat: string): Record<string, unknown> | undefined {
  const patient = state.patient(idLpu, idPat);
  const facts = state.patientFacts(idLpu, idPat);
  if (!patient || !facts) return undefined;
  return {
    idLpu,
    idPat,
    surname: patient.Surname ?? null,
    firstName: patient.Name ?? null,
    patronymic: patient.SecondName ?? null,
    birthDate: patient.Birthday?.slice(0, 10) ?? null,
    sex: facts.sex ?? null,
    policyNumber: patient.Polis_N ?? null,
    snils: patient.Snils ?? null,
    phone: patient.CellPhone ?? null,
    attached: facts.attached,
    bookings: state
      .historyOf(idLpu, idPat)
      .filter((v) => !v.refused && state.slot(idLpu, v.idAppointment)?.booking?.idPat === idPat)
      .map((v) => ({ idAppointment: v.idAppointment, idDoc: v.idDoc, visitStart: v.visitStart })),
  };
}

/**
 * The admin JSON API under `/admin/*` (bearer token) for tests and the demo, plus the vendor's
 * public reference data (`/Hub25/code-map.json`) and change feed (`/Hub25/changes`, guid-protected).
 */
export class AdminController {
  constructor(
    private readonly state: ScheduleState,
    private readonly faults: Faults,
    private readonly token: string,
    private readonly guids: ReadonlySet<string>,
    private readonly dialect: AdminDialect,
  ) {}

  private testPatients = 0;

  codeMap(res: ServerResponse): void {
    json(res, 200, codeMapOf(this.state.region));
  }

  changes(url: URL, res: ServerResponse): void {
    if (!this.guids.has(url.searchParams.get('guid') ?? '')) return json(res, 403, { error: { code: 'HUB.ACCESS_DENIED', message: 'unknown guid' } });
    const since = Number(url.searchParams.get('since') ?? '0');
    const limit = Math.min(5000, Math.max(1, Number(url.searchParams.get('limit') ?? '1000')));
    if (!Number.isSafeInteger(since) || since < 0) return json(res, 400, { error: { code: 'HUB.BAD_SINCE', message: 'since must be a non-negative integer' } });
    const changes = this.state.changesSince(since, limit);
    json(res, 200, {
      version: this.state.version,
      // The log is bounded, and a restarted simulator starts over: a cursor behind the log or ahead
      // of the counter has missed changes, and its poller must re-read the schedule.
      reset: since > this.state.version || (since > 0 && since < this.state.oldestChange - 1),
      next: changes.at(-1)?.seq ?? Math.max(since, 0),
      more: changes.length === limit,
      changes,
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!this.authorised(req)) return json(res, 401, { error: { code: 'ADMIN.UNAUTHORIZED', message: 'admin token required' } });
    const route = `${req.method} ${url.pathname}`;
    const raw = req.method === 'POST' ? await readBodyUpTo(req, 64 * 1024) : Buffer.alloc(0);
    if (raw === undefined) return json(res, 413, { error: { code: 'ADMIN.BODY_TOO_LARGE', message: 'body too large' } });
    let body: unknown = {};
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      return json(res, 400, { error: { code: 'ADMIN.MALFORMED', message: 'body is not JSON' } });
    }
    const parse = <T>(schema: z.ZodType<T>): T | undefined => {
      const result = schema.safeParse(body);
      if (!result.success) json(res, 400, { error: { code: 'ADMIN.VALIDATION', message: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } });
      return result.success ? result.data : undefined;
    };

    switch (route) {
      case 'GET /admin/state':
        return json(res, 200, {
          today: this.state.today,
          lastDay: this.state.lastDay,
          version: this.state.version,
          organisations: this.state.region.organisations.length,
          doctors: this.state.region.doctors.length,
          ...this.state.counts(),
          faults: this.faults,
          ...this.dialect.extraState?.(),
        });
      case 'GET /admin/code-map':
        return this.codeMap(res);
      case 'GET /admin/organisations':
        return json(res, 200, this.state.region.organisations);
      case 'GET /admin/slots': {
        const slotId = url.searchParams.get('slotId');
        if (slotId) {
          const slot = this.state.slotById(slotId);
          if (!slot) return json(res, 404, { error: { code: 'ADMIN.SLOT_NOT_FOUND', message: 'no such slot' } });
          return json(res, 200, slotView(this.state, slot, this.dialect));
        }
        const idLpu = Number(url.searchParams.get('idLpu'));
        const idDoc = url.searchParams.get('idDoc');
        const stateFilter = url.searchParams.get('state') as SlotState | null;
        const filter = stateFilter ? { state: stateFilter } : {};
        // Without idDoc: the whole organisation, for comparing an inventory with the MIS slot by slot.
        const slots = idDoc === null ? this.state.slotsOfOrganisation(idLpu, filter) : this.state.slotsOf(idLpu, idDoc, filter);
        return json(res, 200, slots.map((s) => slotView(this.state, s, this.dialect)));
      }
      case 'POST /admin/walk-in': {
        const input = parse(walkInBody);
        if (!input) return;
        if (input.slotId && !this.state.slotById(input.slotId)) return json(res, 404, { error: { code: 'ADMIN.SLOT_NOT_FOUND', message: 'no such slot' } });
        const slot = this.state.walkIn(input.slotId);
        if (!slot) return json(res, 409, { error: { code: 'ADMIN.SLOT_NOT_FREE', message: 'the slot is not free' } });
        return json(res, 200, slotView(this.state, slot, this.dialect));
      }
      case 'POST /admin/remove-slot': {
        const input = parse(removeSlotBody);
        if (!input) return;
        const slot = this.state.removeSlot(input.slotId);
        if (!slot) return json(res, 404, { error: { code: 'ADMIN.SLOT_NOT_FOUND', message: 'no such slot' } });
        return json(res, 200, { ...slotView(this.state, slot, this.dialect), state: 'removed' });
      }
      case 'POST /admin/patients': {
        const input = parse(patientBody);
        if (!input) return;
        if (!this.state.organisations.has(input.idLpu)) return json(res, 404, { error: { code: 'ADMIN.ORGANISATION_NOT_FOUND', message: 'no such organisation' } });
        const n = ++this.testPatients;
        const sex = input.sex ?? (input.firstName ? sexFromName({ Name: input.firstName, SecondName: input.patronymic }) : undefined) ?? 'MALE';
        const female = sex === 'FEMALE';
        const policy = input.policyNumber ?? `2399${String(Date.now() % 1e6).padStart(6, '0')}${String(n).padStart(6, '0')}`;
        if (this.state.findPatients(input.idLpu, { Polis_N: policy }).length > 0) {
          return json(res, 409, { error: { code: 'ADMIN.PATIENT_EXISTS', message: 'a patient with this policy number exists' } });
        }
        const idPat = this.state.addPatient(
          input.idLpu,
          {
            Surname: input.surname ?? (female ? 'Тестова' : 'Тестов'),
            Name: input.firstName ?? (female ? 'Анна' : 'Иван'),
            SecondName: input.patronymic ?? (female ? 'Петровна' : 'Петрович'),
            Birthday: `${input.birthDate ?? '1985-03-15'}T00:00:00`,
            Polis_N: policy,
            Snils: input.snils ?? snilsOf(200_000_000 + ((Date.now() * 7 + n * 7919) % 700_000_000)),
            CellPhone: input.phone ?? `+7900${String(n).padStart(7, '0')}`,
          },
          { sex, attached: input.attached ?? true },
        );
        return json(res, 201, patientView(this.state, input.idLpu, idPat));
      }
      case 'GET /admin/patients': {
        const view = patientView(this.state, Number(url.searchParams.get('idLpu')), url.searchParams.get('idPat') ?? '');
        if (!view) return json(res, 404, { error: { code: 'ADMIN.PATIENT_NOT_FOUND', message: 'no such patient' } });
        return json(res, 200, view);
      }
      case 'POST /admin/front-desk-cancel': {
        const slot = this.state.frontDeskCancel();
        if (!slot) return json(res, 409, { error: { code: 'ADMIN.NOTHING_BOOKED', message: 'no booking to cancel' } });
        return json(res, 200, slotView(this.state, slot, this.dialect));
      }
      case 'POST /admin/sick-day': {
        const input = parse(sickDayBody);
        if (!input) return;
        const doctor = this.state.region.doctors.find((d) => d.idDoc === input.doctorId && (input.idLpu === undefined || d.idLpu === input.idLpu));
        if (!doctor) return json(res, 404, { error: { code: 'ADMIN.DOCTOR_NOT_FOUND', message: 'no such doctor' } });
        const changed = this.state.sickDay(doctor.idLpu, doctor.idDoc, input.date);
        return json(res, 200, { idLpu: doctor.idLpu, idDoc: doctor.idDoc, date: input.date, blockedSlots: changed });
      }
      case 'POST /admin/doctor-snils': {
        const input = parse(doctorSnilsBody);
        if (!input) return;
        const doctor = this.state.setDoctorSnils(input.idLpu, input.idDoc, input.snils);
        if (!doctor) return json(res, 404, { error: { code: 'ADMIN.DOCTOR_NOT_FOUND', message: 'no such doctor' } });
        return json(res, 200, { idLpu: doctor.idLpu, idDoc: doctor.idDoc, snils: this.state.doctorSnils(doctor) });
      }
      case 'POST /admin/advance-day':
        return json(res, 200, { ...this.state.advanceDay(), today: this.state.today, lastDay: this.state.lastDay });
      case 'POST /admin/outage': {
        const input = parse(outageBody);
        if (!input) return;
        this.faults.outage = input.on;
        return json(res, 200, this.faults);
      }
      case 'POST /admin/faults': {
        const input = parse(faultsBody);
        if (!input) return;
        if (input.latencyMs !== undefined) this.faults.latencyMs = input.latencyMs;
        if (input.errorRate !== undefined) this.faults.errorRate = input.errorRate;
        if (input.malformed !== undefined) {
          if (!this.dialect.malformedModes.includes(input.malformed)) {
            return json(res, 400, { error: { code: 'ADMIN.VALIDATION', message: `malformed: one of ${this.dialect.malformedModes.join(', ')}` } });
          }
          this.faults.malformed = input.malformed;
        }
        if (input.dropAnswers !== undefined) this.faults.dropAnswers = input.dropAnswers;
        return json(res, 200, this.faults);
      }
      default:
        return json(res, 404, { error: { code: 'ADMIN.NOT_FOUND', message: `no route ${route}` } });
    }
  }

  private authorised(req: IncomingMessage): boolean {
    const header = String(req.headers['authorization'] ?? '');
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : String(req.headers['x-admin-token'] ?? ''));
    const expected = Buffer.from(this.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

export { json as sendJson };
