import { randomUUID } from 'node:crypto';
import * as soap from 'soap';
import { Region, clientsCli, eventually, type SimDoctor, type SimOrganisation, type SimSlot } from './region.process';

/**
 * Who may do what (issue 9, decision record 0015), across REST and the HubService facade, on the
 * real processes: every client below has credentials issued by the clients CLI, and every
 * booking goes through the adapter to the simulated MIS. The MIS offers its slots to the contact
 * centre and the portal only, so a kiosk or the federal portal meets a slot closed to its channel.
 */

interface Appointment {
  readonly appointmentId: string;
  readonly status: string;
  readonly slotId: string;
}
interface ApiError {
  readonly code: string;
  readonly message: string;
}
interface SimPatient {
  readonly idPat: string;
  readonly policyNumber: string;
}
interface AuditPage {
  readonly items: { action: string; outcome: string; clientId: string | null; resourceId: string | null; details: Record<string, unknown> | null }[];
}

const region = new Region({
  name: 'access',
  organisations: 1,
  doctorsPerOrg: 4,
  horizonDays: 4,
  adapterEnv: { SLOT_BOOKING_CHANNELS: 'CONTACT_CENTRE,PORTAL' },
  bookingEnv: { BOOKING_IDENTIFY_PER_MINUTE: '6', BOOKING_MAX_OPEN_HOLDS_PER_CLIENT: '2' },
});

const keys: Record<'portalA' | 'portalB' | 'operations' | 'federal' | 'operatorB', string> = {
  portalA: '',
  portalB: '',
  operations: '',
  federal: '',
  operatorB: '',
};
const kioskGuid = randomUUID();
let org: SimOrganisation;
let doctors: SimDoctor[] = [];
const used = new Set<string>();
let hub: soap.Client;
let hubIdLpu = 0;

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SOAP results are untyped XML

const slotIdOf = (slot: SimSlot): string => `${org.oid}:${slot.IdAppointment}`;

/** A free slot from tomorrow of a doctor any adult may see, that no other step took. */
async function aFreeSlot(): Promise<SimSlot> {
  const { today } = await region.simCall<{ today: string }>('GET', '/admin/state');
  for (const doctor of doctors.filter((d) => !['PED', 'GIN'].includes(d.specialtyCode))) {
    const slots = await region.simCall<SimSlot[]>('GET', `/admin/slots?idLpu=${doctor.idLpu}&idDoc=${doctor.idDoc}&state=free`);
    const slot = slots.find((s) => s.VisitStart.slice(0, 10) > today && !used.has(slotIdOf(s)));
    if (slot) {
      used.add(slotIdOf(slot));
      return slot;
    }
  }
  throw new Error('no free slot left');
}

/** A patient registered at the MIS and identified through medbus by `key`'s client. */
async function identifiedBy(key: string): Promise<{ patientId: string; policyNumber: string }> {
  const registered = await region.simCall<SimPatient>('POST', '/admin/patients', { idLpu: org.idLpu, sex: 'FEMALE' });
  const { status, body } = await region.apiAs<{ patientId: string }>(key, 'POST', '/v1/patients/identify', {
    organisationOid: org.oid,
    policyNumber: registered.policyNumber,
    sex: 'FEMALE',
    birthDate: '1985-03-15',
  });
  if (status !== 200) throw new Error(`identify answered ${status}: ${JSON.stringify(body)}`);
  return { patientId: body.patientId, policyNumber: registered.policyNumber };
}

async function bookAs(key: string, slot: SimSlot, patientId: string, extra: Record<string, unknown> = {}) {
  return region.apiAs<Appointment & ApiError>(key, 'POST', '/v1/appointments', { slotId: slotIdOf(slot), patientId, ...extra });
}

/** A slot the inventory shows FREE (the adapter's first sync has reached it). */
async function inInventory(slot: SimSlot): Promise<void> {
  await eventually(
    async () => {
      const { body } = await region.api<{ items: { slotId: string; status: string }[] }>(
        'GET',
        `/v1/slots?practitioner=${encodeURIComponent(`${org.oid}:${slot.idDoc}`)}&from=${encodeURIComponent(`${slot.VisitStart}+03:00`)}&limit=5`,
      );
      return body.items.some((s) => s.slotId === slotIdOf(slot) && s.status === 'FREE');
    },
    'the slot in the inventory',
    60_000,
  );
}

async function call(guid: string, operation: string, args: Loose): Promise<Loose> {
  const method = (hub as unknown as Record<string, (a: Loose) => Promise<Loose[]>>)[`${operation}Async`];
  const [result] = await method.call(hub, { ...args, guid });
  return result[`${operation}Result`] as Loose;
}

const idErrorsOf = (result: Loose): { IdError: number; ErrorDescription: string }[] => {
  const errors = result['ErrorList']?.['Error'];
  return errors === undefined ? [] : Array.isArray(errors) ? errors : [errors];
};

async function audit(query: string): Promise<AuditPage['items']> {
  const { status, body } = await region.apiAs<AuditPage>(keys.operations, 'GET', `/v1/audit?${query}`);
  if (status !== 200) throw new Error(`audit answered ${status}`);
  return body.items;
}

beforeAll(async () => {
  try {
    await region.start();
    const issued = await Promise.all([
      region.issue('PORTAL', `portal-a-${region.runId}`),
      region.issue('PORTAL', `portal-b-${region.runId}`),
      region.issue('OPERATIONS', `operations-${region.runId}`),
      region.issue('FEDERAL_REGISTRY', `federal-${region.runId}`),
      region.issue('OPERATOR', `operator-b-${region.runId}`),
      clientsCli(region.bookingSchema, ['issue', '--client', `kiosk-${region.runId}`, '--role', 'HUB_CLIENT', '--channel', 'KIOSK', '--guid', kioskGuid]),
    ]);
    [keys.portalA, keys.portalB, keys.operations, keys.federal, keys.operatorB] = issued;
    org = region.organisations[0];
    doctors = (await region.simCall<{ doctors: SimDoctor[] }>('GET', '/admin/code-map')).doctors;
    hub = await soap.createClientAsync(`${region.bookingUrl}/Hub25/HubService.svc?wsdl`, { customDeserializer: { dateTime: (text: string) => text } } as soap.IOptions);
    const clinics = (await call(region.hubGuid, 'GetLPUList', {}))['ListLPU']?.['Clinic'];
    hubIdLpu = ([] as Loose[]).concat(clinics ?? []).find((c) => c['Oid'] === org.oid)?.['IdLPU'];
  } catch (error) {
    console.log(region.logs());
    throw error;
  }
}, 240_000);

afterAll(() => region.stop(), 60_000);

describe('clients see and change only what they created, unless their role is region-wide', () => {
  let booked: Appointment;
  let patientId = '';

  beforeAll(async () => {
    const slot = await aFreeSlot();
    await inInventory(slot);
    patientId = (await identifiedBy(keys.portalA)).patientId;
    const { status, body } = await bookAs(keys.portalA, slot, patientId);
    expect([status, body.status]).toEqual([201, 'CONFIRMED']);
    booked = body;
  }, 120_000);

  it(
    "refuses another portal every read and change of it, as if it did not exist, and any booking for a patient it did not identify",
    region.withLogs(async () => {
      const path = `/v1/appointments/${booked.appointmentId}`;
      const read = await region.apiAs<ApiError>(keys.portalB, 'GET', path);
      expect([read.status, read.body.code]).toEqual([404, 'BOOKING.APPOINTMENT_NOT_FOUND']);
      const cancel = await region.apiAs<ApiError>(keys.portalB, 'POST', `${path}/cancel`, {});
      expect([cancel.status, cancel.body.code]).toEqual([404, 'BOOKING.APPOINTMENT_NOT_FOUND']);
      const moved = await region.apiAs<ApiError>(keys.portalB, 'POST', `${path}/reschedule`, { slotId: slotIdOf(await aFreeSlot()) });
      expect([moved.status, moved.body.code]).toEqual([404, 'BOOKING.APPOINTMENT_NOT_FOUND']);
      const list = await region.apiAs<{ items: Appointment[] }>(keys.portalB, 'GET', `/v1/appointments?patientId=${patientId}`);
      expect([list.status, list.body.items]).toEqual([200, []]);
      const forTheirPatient = await bookAs(keys.portalB, await aFreeSlot(), patientId);
      expect([forTheirPatient.status, forTheirPatient.body.code]).toEqual([404, 'BOOKING.PATIENT_NOT_FOUND']);
      // And the appointment is untouched.
      const own = await region.apiAs<Appointment>(keys.portalA, 'GET', path);
      expect([own.status, own.body.status]).toEqual([200, 'CONFIRMED']);
    }),
  );

  it(
    'lets operators and operations read it; operations change nothing',
    region.withLogs(async () => {
      const path = `/v1/appointments/${booked.appointmentId}`;
      for (const key of [region.apiKey, keys.operatorB, keys.operations]) {
        const read = await region.apiAs<Appointment>(key, 'GET', path);
        expect([read.status, read.body.appointmentId]).toEqual([200, booked.appointmentId]);
      }
      const list = await region.apiAs<{ items: Appointment[] }>(keys.operatorB, 'GET', `/v1/appointments?patientId=${patientId}`);
      expect(list.body.items.map((a) => a.appointmentId)).toEqual([booked.appointmentId]);
      const cancel = await region.apiAs<ApiError>(keys.operations, 'POST', `${path}/cancel`, {});
      expect([cancel.status, cancel.body.code]).toEqual([403, 'AUTH.FORBIDDEN']);
      const book = await bookAs(keys.operations, await aFreeSlot(), patientId);
      expect([book.status, book.body.code]).toEqual([403, 'AUTH.FORBIDDEN']);
      const identify = await region.apiAs<ApiError>(keys.operations, 'POST', '/v1/patients/identify', { organisationOid: org.oid, policyNumber: '1234567890123456' });
      expect([identify.status, identify.body.code]).toEqual([403, 'AUTH.FORBIDDEN']);
      const auditByPortal = await region.apiAs<ApiError>(keys.portalA, 'GET', '/v1/audit');
      expect([auditByPortal.status, auditByPortal.body.code]).toEqual([403, 'AUTH.FORBIDDEN']);
      expect((await region.bookingDb<{ status: string }>(`SELECT status FROM booking_appointment WHERE appointment_id = $1`, [booked.appointmentId]))[0].status).toBe(
        'CONFIRMED',
      );
    }),
  );

  it(
    "refuses a HubService client's CreateClaimForRefusal of a booking another client made over REST, and hides it from its history",
    region.withLogs(async () => {
      const localId = booked.slotId.slice(org.oid.length + 1);
      // The facade's IdAppointment is medbus's slot id, as GetAvaibleAppointments gives it.
      const refused = await call(region.hubGuid, 'CreateClaimForRefusal', { idPat: patientId, idAppointment: booked.slotId, idLpu: hubIdLpu });
      expect(refused['Success']).toBe(false);
      expect(idErrorsOf(refused).map((e) => e.IdError)).toEqual([309]);
      const history = await call(region.hubGuid, 'GetPatientHistory', { idPat: patientId, idLpu: hubIdLpu });
      expect([].concat(history['ListHistoryVisit']?.['HistoryVisit'] ?? [])).toEqual([]);
      // The MIS still has the booking, and the owner can still cancel it.
      const atMis = await region.simCall<SimSlot>('GET', `/admin/slots?slotId=${encodeURIComponent(localId)}`);
      expect(atMis.booking).not.toBeNull();
      const cancelled = await region.apiAs<Appointment>(keys.portalA, 'POST', `/v1/appointments/${booked.appointmentId}/cancel`, {});
      expect([cancelled.status, cancelled.body.status]).toEqual([200, 'CANCELLED']);
      const entries = await audit(`action=hub.CreateClaimForRefusal&clientId=hub-client-${region.runId}`);
      expect(entries.map((e) => e.outcome)).toEqual(['REFUSED']);
    }),
  );
});

describe('the channel of a booking is the caller\'s, never the request\'s', () => {
  it(
    'refuses a slot closed to the federal portal over REST, and one closed to kiosks through the facade',
    region.withLogs(async () => {
      const slot = await aFreeSlot();
      await inInventory(slot);
      const federalPatient = (await identifiedBy(keys.federal)).patientId;
      const federal = await bookAs(keys.federal, slot, federalPatient);
      expect([federal.status, federal.body.code]).toEqual([409, 'BOOKING.SLOT_CLOSED_TO_CHANNEL']);
      const claimed = await bookAs(keys.federal, slot, federalPatient, { channel: 'CONTACT_CENTRE' });
      expect([claimed.status, claimed.body.code]).toEqual([400, 'BOOKING.INVALID_REQUEST']);
      expect(claimed.body.message).toContain('channel');

      const registered = await region.simCall<SimPatient>('POST', '/admin/patients', { idLpu: org.idLpu, sex: 'FEMALE' });
      const checked = await call(kioskGuid, 'CheckPatient', { pat: { Polis_N: registered.policyNumber }, idLpu: hubIdLpu });
      expect(checked['Success']).toBe(true);
      const kiosk = await call(kioskGuid, 'SetAppointment', { idPat: checked['IdPat'], idAppointment: slotIdOf(slot), idLpu: hubIdLpu });
      expect(kiosk['Success']).toBe(false);
      expect(idErrorsOf(kiosk)[0].ErrorDescription).toContain('BOOKING.SLOT_CLOSED_TO_CHANNEL');
      // Nobody booked it: a portal, to which the MIS offers it, still can.
      const portalPatient = (await identifiedBy(keys.portalA)).patientId;
      const portal = await bookAs(keys.portalA, slot, portalPatient);
      expect([portal.status, portal.body.status]).toEqual([201, 'CONFIRMED']);
    }),
  );
});

describe('holds belong to their client', () => {
  it(
    'keeps another client from reading, releasing or booking with a hold, and caps the open holds of one client',
    region.withLogs(async () => {
      const [first, second, third] = [await aFreeSlot(), await aFreeSlot(), await aFreeSlot()];
      await inInventory(third);
      const hold = await region.apiAs<{ holdId: string } & ApiError>(keys.portalA, 'POST', '/v1/holds', { slotId: slotIdOf(first) });
      expect(hold.status).toBe(201);
      const read = await region.apiAs<ApiError>(keys.portalB, 'GET', `/v1/holds/${hold.body.holdId}`);
      expect([read.status, read.body.code]).toEqual([404, 'BOOKING.HOLD_NOT_FOUND']);
      const release = await region.apiAs<ApiError>(keys.portalB, 'DELETE', `/v1/holds/${hold.body.holdId}`);
      expect([release.status, release.body.code]).toEqual([404, 'BOOKING.HOLD_NOT_FOUND']);
      const patientB = (await identifiedBy(keys.portalB)).patientId;
      const stolen = await bookAs(keys.portalB, first, patientB, { holdId: hold.body.holdId });
      expect([stolen.status, stolen.body.code]).toEqual([409, 'BOOKING.SLOT_HELD']);

      expect((await region.apiAs(keys.portalA, 'POST', '/v1/holds', { slotId: slotIdOf(second) })).status).toBe(201);
      const capped = await region.apiAs<ApiError>(keys.portalA, 'POST', '/v1/holds', { slotId: slotIdOf(third) });
      expect([capped.status, capped.body.code]).toEqual([429, 'BOOKING.CLIENT_LIMIT_REACHED']);
      // Another client's cap is its own.
      expect((await region.apiAs(keys.portalB, 'POST', '/v1/holds', { slotId: slotIdOf(third) })).status).toBe(201);
    }),
  );
});

describe('identification', () => {
  it(
    'is rate-limited per client and audited without patient data',
    region.withLogs(async () => {
      const key = await region.issue('PORTAL', `portal-identify-${region.runId}`);
      const statuses: number[] = [];
      let policyNumber = '';
      for (let n = 0; n < 7; n++) {
        const registered = await region.simCall<SimPatient>('POST', '/admin/patients', { idLpu: org.idLpu, sex: 'FEMALE' });
        policyNumber = registered.policyNumber;
        statuses.push((await region.apiAs<ApiError>(key, 'POST', '/v1/patients/identify', { organisationOid: org.oid, policyNumber })).status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
      // Another client is not slowed by it.
      expect((await region.apiAs(keys.portalB, 'POST', '/v1/patients/identify', { organisationOid: org.oid, policyNumber })).status).toBe(200);

      const entries = await eventually(
        async () => {
          const found = await audit(`clientId=portal-identify-${region.runId}&action=patient.identify`);
          return found.length === 7 ? found : undefined;
        },
        'seven audit entries',
        10_000,
      );
      expect(entries.map((e) => e.outcome)).toEqual(['REFUSED', ...Array(6).fill('ALLOWED')]);
      expect(entries[0].details).toEqual({ code: 'BOOKING.RATE_LIMITED' });
      expect(JSON.stringify(entries)).not.toContain(policyNumber);
    }),
  );
});

describe('credentials', () => {
  it(
    'rotate with both valid for the grace period, and stop working when revoked; refusals are audited',
    region.withLogs(async () => {
      const clientId = `portal-rotated-${region.runId}`;
      const first = await region.issue('PORTAL', clientId);
      const second = await clientsCli(region.bookingSchema, ['rotate', '--client', clientId, '--grace-hours', '1']);
      expect(second).not.toBe(first);
      for (const key of [first, second]) expect((await region.apiAs(key, 'GET', '/v1/organisations')).status).toBe(200);

      await clientsCli(region.bookingSchema, ['revoke', '--client', clientId, '--credential', first.split('.')[1]]);
      // Instances re-read a credential within 5 s.
      const revoked = await eventually(
        async () => {
          const answer = await region.apiAs<ApiError>(first, 'GET', '/v1/organisations');
          return answer.status === 401 ? answer : undefined;
        },
        'the revoked key refused',
        15_000,
      );
      expect(revoked.body.code).toBe('AUTH.CREDENTIAL_REVOKED');
      expect((await region.apiAs(second, 'GET', '/v1/organisations')).status).toBe(200);

      await clientsCli(region.bookingSchema, ['revoke', '--client', clientId]);
      await eventually(async () => (await region.apiAs(second, 'GET', '/v1/organisations')).status === 401, 'the client revoked', 15_000);

      const forged = await region.apiAs<ApiError>(`${second.slice(0, -4)}AAAA`, 'GET', '/v1/organisations');
      expect([forged.status, forged.body.code]).toEqual([401, 'AUTH.INVALID_API_KEY']);
      const refusals = await eventually(
        async () => {
          const found = await audit(`action=auth.authenticate&outcome=REFUSED`);
          const codes = found.map((e) => e.details?.['code']);
          return codes.includes('AUTH.CREDENTIAL_REVOKED') && codes.includes('AUTH.INVALID_API_KEY') ? found : undefined;
        },
        'the refusals audited',
        10_000,
      );
      expect(JSON.stringify(refusals)).not.toContain(second.split('.')[2]);
    }),
  );

  it(
    'answers a facade call with an unknown guid with the access fault, before any work',
    region.withLogs(async () => {
      await expect(call(randomUUID(), 'GetDistrictList', {})).rejects.toThrow();
      await eventually(
        async () => (await audit(`action=auth.authenticate&outcome=REFUSED`)).some((e) => e.details?.['route'] === 'hub-facade'),
        'the refused guid audited',
        10_000,
      );
    }),
  );
});
