import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as soap from 'soap';
import { Region, eventually, type SimDoctor, type SimOrganisation, type SimSlot } from './region.process';

/**
 * The booking flow end to end over REST, every piece a real process: the HubService simulator
 * (the MIS, with its front desk), its medbus adapter executing booking commands, and the booking
 * service, over the local stack's Kafka and Postgres.
 */

interface SimPatient {
  readonly idPat: string;
  readonly policyNumber: string;
  readonly bookings: readonly { readonly idAppointment: string }[];
}

interface Appointment {
  readonly appointmentId: string;
  readonly status: string;
  readonly slotId: string;
  readonly patientId: string;
  readonly replacesAppointmentId: string | null;
}

interface ApiError {
  readonly code: string;
  readonly details?: { readonly appointmentId?: string };
}

interface Patient {
  readonly patientId: string;
  readonly idPat: string;
  readonly idLpu: number;
}

const region = new Region({
  name: 'booking',
  organisations: 2,
  doctorsPerOrg: 4,
  horizonDays: 4,
  bookingEnv: {
    BOOKING_RESPONSE_TIMEOUT_MS: '4000',
    BOOKING_COMMAND_DEADLINE_MS: '90000',
    BOOKING_HOLD_TTL_MS: '4000',
    BOOKING_SWEEP_INTERVAL_MS: '250',
    WAITLIST_RESERVATION_MS: '60000',
  },
  adapterEnv: { COMMAND_RETRY_INITIAL_MS: '100', COMMAND_RETRY_MAX_MS: '500' },
});

let doctors: SimDoctor[] = [];
let specialtyNsi = new Map<string, string>();
const used = new Set<string>();

function orgOf(idLpu: number): SimOrganisation {
  const org = region.organisations.find((o) => o.idLpu === idLpu);
  if (!org) throw new Error(`no organisation ${idLpu}`);
  return org;
}

const slotIdOf = (slot: SimSlot): string => `${orgOf(slot.idLpu).oid}:${slot.IdAppointment}`;
const resourceIdOf = (doctor: SimDoctor): string => `${orgOf(doctor.idLpu).oid}:${doctor.idDoc}`;

/** Doctors any adult patient attached to the clinic may see (no sex or age rule). */
function openDoctors(): SimDoctor[] {
  return doctors.filter((d) => !['PED', 'GIN'].includes(d.specialtyCode));
}

/** Free slots of a doctor from tomorrow (clinic-local), in time order, that no other step took. */
async function freeSlots(doctor: SimDoctor, count: number): Promise<SimSlot[]> {
  const { today } = await region.simCall<{ today: string }>('GET', '/admin/state');
  const slots = await region.simCall<SimSlot[]>('GET', `/admin/slots?idLpu=${doctor.idLpu}&idDoc=${doctor.idDoc}&state=free`);
  const picked = slots.filter((s) => s.VisitStart.slice(0, 10) > today && !used.has(slotIdOf(s))).slice(0, count);
  if (picked.length < count) throw new Error(`doctor ${doctor.idDoc} has ${picked.length} free slots, ${count} wanted`);
  for (const slot of picked) used.add(slotIdOf(slot));
  return picked;
}

async function simSlot(slot: SimSlot): Promise<SimSlot> {
  return region.simCall<SimSlot>('GET', `/admin/slots?slotId=${encodeURIComponent(slot.IdAppointment)}`);
}

/** A patient registered at the clinic's MIS, then identified through medbus by policy number. */
async function aPatient(idLpu: number, extra: Record<string, unknown> = {}): Promise<Patient> {
  const registered = await region.simCall<SimPatient>('POST', '/admin/patients', { idLpu, sex: 'FEMALE', ...extra });
  const { status, body } = await region.api<{ patientId: string }>('POST', '/v1/patients/identify', {
    organisationOid: orgOf(idLpu).oid,
    policyNumber: registered.policyNumber,
    sex: 'FEMALE',
    birthDate: '1985-03-15',
  });
  if (status !== 200) throw new Error(`identify answered ${status}: ${JSON.stringify(body)}`);
  return { patientId: body.patientId, idPat: registered.idPat, idLpu };
}

async function inventoryStatus(slot: SimSlot): Promise<string | undefined> {
  const from = `${slot.VisitStart}+03:00`;
  const to = new Date(Date.parse(from) + 60_000).toISOString();
  const doctorId = `${orgOf(slot.idLpu).oid}:${slot.idDoc}`;
  const { body } = await region.api<{ items: { slotId: string; status: string }[] }>(
    'GET',
    `/v1/slots?practitioner=${encodeURIComponent(doctorId)}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
  );
  return body.items.find((s) => s.slotId === slotIdOf(slot))?.status;
}

async function book(slot: SimSlot, patient: Patient, extra: Record<string, unknown> = {}, key?: string) {
  return region.api<Appointment & ApiError>(
    'POST',
    '/v1/appointments',
    { slotId: slotIdOf(slot), patientId: patient.patientId, ...extra },
    key ? { 'idempotency-key': key } : {},
  );
}

async function appointment(id: string): Promise<Appointment> {
  return (await region.api<Appointment>('GET', `/v1/appointments/${id}`)).body;
}

const withLogs = (body: () => Promise<void>) => region.withLogs(body);

beforeAll(async () => {
  try {
    await region.start();
    const codeMap = await region.simCall<{ doctors: SimDoctor[]; specialties: { code: string; nsi: string | null }[] }>('GET', '/admin/code-map');
    doctors = codeMap.doctors;
    specialtyNsi = new Map(codeMap.specialties.map((s) => [s.code, s.nsi ?? s.code]));
    expect(region.organisations.every((o) => o.timeZone === 'Europe/Moscow')).toBe(true);
    // The initial sync: every open doctor's slots are searchable.
    await eventually(
      async () => {
        const counts = await Promise.all(
          openDoctors().map(async (d) => {
            const { body } = await region.api<{ items: unknown[] }>('GET', `/v1/slots?practitioner=${encodeURIComponent(resourceIdOf(d))}&freeOnly=true&limit=1`);
            return body.items?.length ?? 0;
          }),
        );
        return counts.every((n) => n > 0);
      },
      'the initial sync of the simulated clinics',
      90_000,
      500,
    );
  } catch (error) {
    console.log(region.logs());
    throw error;
  }
}, 180_000);

afterAll(async () => {
  await region.stop();
}, 60_000);

describe('booking flow over REST: booking service → Kafka → adapter → simulated MIS', () => {
  it(
    'searches, identifies, books, shows it in the history, reschedules, cancels, and offers the freed slot to the waitlisted patient first',
    withLogs(async () => {
      const doctor = openDoctors()[0];
      const resourceId = resourceIdOf(doctor);
      const [first, second] = await freeSlots(doctor, 2);
      const search = await region.api<{ items: { slotId: string }[] }>(
        'GET',
        `/v1/slots?practitioner=${encodeURIComponent(resourceId)}&freeOnly=true&from=${encodeURIComponent(`${first.VisitStart}+03:00`)}&limit=5`,
      );
      expect(search.body.items.map((s) => s.slotId)).toContain(slotIdOf(first));
      const anna = await aPatient(doctor.idLpu);

      const booked = await book(first, anna);
      expect(booked.status).toBe(201);
      expect(booked.body.status).toBe('CONFIRMED');
      expect((await simSlot(first)).booking?.idPat).toBe(anna.idPat);
      const history = await region.api<{ items: Appointment[] }>('GET', `/v1/appointments?patientId=${anna.patientId}`);
      expect(history.body.items).toEqual([expect.objectContaining({ appointmentId: booked.body.appointmentId, status: 'CONFIRMED' })]);

      const moved = await region.api<Appointment>('POST', `/v1/appointments/${booked.body.appointmentId}/reschedule`, { slotId: slotIdOf(second) });
      expect(moved.status).toBe(201);
      expect(moved.body).toMatchObject({ status: 'CONFIRMED', replacesAppointmentId: booked.body.appointmentId });
      expect((await simSlot(second)).booking?.idPat).toBe(anna.idPat);
      expect((await simSlot(first)).state).toBe('free');
      expect((await appointment(booked.body.appointmentId)).status).toBe('RESCHEDULED');
      await eventually(async () => (await inventoryStatus(first)) === 'FREE', 'the old slot free in search', 10_000);

      const waiting = await aPatient(doctor.idLpu);
      const startsAt = Date.parse(`${second.VisitStart}+03:00`);
      const entry = await region.api<{ entryId: string }>('POST', '/v1/waitlist', {
        patientId: waiting.patientId,
        organisationOid: orgOf(doctor.idLpu).oid,
        resourceId,
        preferredIntervals: [{ from: new Date(startsAt - 60_000).toISOString(), to: new Date(startsAt + 60_000).toISOString() }],
        contactPhone: '+7 900 123-45-67',
      });
      expect(entry.status).toBe(201);

      const cancelled = await region.api<Appointment>('POST', `/v1/appointments/${moved.body.appointmentId}/cancel`, {});
      expect(cancelled.body.status).toBe('CANCELLED');
      expect((await simSlot(second)).state).toBe('free');
      const offer = await eventually(
        async () => {
          const { body } = await region.api<{ status: string; offer: { offerId: string; slotId: string } | null }>('GET', `/v1/waitlist/${entry.body.entryId}`);
          return body.status === 'OFFERED' && body.offer;
        },
        'the waitlist offer',
        10_000,
      );
      expect(offer.slotId).toBe(slotIdOf(second));
      const latecomer = await aPatient(doctor.idLpu);
      const refused = await book(second, latecomer);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('BOOKING.SLOT_RESERVED');
      const served = await book(second, waiting, { holdId: offer.offerId });
      expect(served.status).toBe(201);
      expect((await simSlot(second)).booking?.idPat).toBe(waiting.idPat);
    }),
    90_000,
  );

  it(
    'refuses with SLOT_TAKEN (308) a slot the front desk booked between our hold and our booking, and shows it taken',
    withLogs(async () => {
      const doctor = openDoctors()[1];
      const [slot] = await freeSlots(doctor, 1);
      const patient = await aPatient(doctor.idLpu);
      const hold = await region.api<{ holdId: string }>('POST', '/v1/holds', { slotId: slotIdOf(slot) });
      expect(hold.status).toBe(201);
      await region.simCall('POST', '/admin/walk-in', { slotId: slot.IdAppointment });
      const refused = await book(slot, patient, { holdId: hold.body.holdId });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('BOOKING.SLOT_TAKEN');
      expect((await appointment(refused.body.details?.appointmentId ?? '')).status).toBe('REJECTED');
      expect((await simSlot(slot)).booking?.idPat).not.toBe(patient.idPat);
      expect(await inventoryStatus(slot)).toBe('BOOKED');
    }),
    60_000,
  );

  it(
    'answers PENDING within the timeout while the MIS is down, and applies the booking once when it is back',
    withLogs(async () => {
      const doctor = openDoctors()[2];
      const [slot] = await freeSlots(doctor, 1);
      const patient = await aPatient(doctor.idLpu);
      await region.simCall('POST', '/admin/outage', { on: true });
      let pending: Appointment;
      try {
        const started = Date.now();
        const answer = await book(slot, patient, {}, `outage-${randomUUID()}`);
        expect(Date.now() - started).toBeLessThan(8_000);
        expect(answer.status).toBe(202);
        expect(answer.body.status).toBe('PENDING');
        pending = answer.body;
        await sleep(1_500);
        expect((await appointment(pending.appointmentId)).status).toBe('PENDING');
      } finally {
        await region.simCall('POST', '/admin/outage', { on: false });
      }
      await eventually(async () => (await appointment(pending.appointmentId)).status === 'CONFIRMED', 'the booking once the MIS is back', 30_000, 250);
      expect((await simSlot(slot)).booking?.idPat).toBe(patient.idPat);
      const mine = await region.simCall<SimPatient>('GET', `/admin/patients?idLpu=${patient.idLpu}&idPat=${encodeURIComponent(patient.idPat)}`);
      expect(mine.bookings.map((b) => b.idAppointment)).toEqual([slot.IdAppointment]);
      const list = await region.api<{ items: Appointment[] }>('GET', `/v1/appointments?patientId=${patient.patientId}`);
      expect(list.body.items).toHaveLength(1);
    }),
    60_000,
  );

  it(
    'loses and doubles nothing when the booking service and the adapter are killed with -9 in the middle of bookings, and leaves no hold past its expiry',
    withLogs(async () => {
      const pairs: { slot: SimSlot; patient: Patient; key: string }[] = [];
      for (const doctor of openDoctors().slice(0, 4)) {
        for (const slot of await freeSlots(doctor, 3)) pairs.push({ slot, patient: await aPatient(doctor.idLpu), key: `kill-${randomUUID()}` });
      }
      const heldDoctor = openDoctors()[3];
      const heldSlots = await freeSlots(heldDoctor, 2);
      for (const slot of heldSlots) expect((await region.api('POST', '/v1/holds', { slotId: slotIdOf(slot) })).status).toBe(201);

      const firstTries = pairs.map(({ slot, patient, key }) => book(slot, patient, {}, key).catch(() => undefined));
      await sleep(150);
      region.kill('booking');
      const died = (await Promise.all(firstTries)).filter((answer) => answer === undefined).length;
      console.log(`kill -9 of booking: ${died} of ${pairs.length} first calls died with it`);
      await region.startBooking();
      region.kill('adapter');
      await sleep(500);
      await region.startAdapter();

      // Callers whose call died retry with the same key, as the API asks.
      const answers = await Promise.all(
        pairs.map(({ slot, patient, key }) =>
          eventually(
            async () => {
              const answer = await book(slot, patient, {}, key).catch(() => undefined);
              return answer && answer.status < 500 ? answer : undefined;
            },
            `an answer for ${slotIdOf(slot)}`,
            60_000,
            500,
          ),
        ),
      );
      const ids = answers.map((a) => a.body.appointmentId ?? a.body.details?.appointmentId).filter((id): id is string => typeof id === 'string');
      const settled = await eventually(
        async () => {
          const all = await Promise.all(ids.map(appointment));
          return all.every((a) => a.status !== 'PENDING') && all;
        },
        'every appointment settled',
        90_000,
        500,
      );
      expect(settled.filter((a) => a.status === 'CONFIRMED')).toHaveLength(pairs.length);

      for (const { slot, patient } of pairs) {
        expect((await simSlot(slot)).booking?.idPat).toBe(patient.idPat);
        const atMis = await region.simCall<SimPatient>('GET', `/admin/patients?idLpu=${patient.idLpu}&idPat=${encodeURIComponent(patient.idPat)}`);
        expect(atMis.bookings.map((b) => b.idAppointment)).toEqual([slot.IdAppointment]);
        const mine = await region.api<{ items: Appointment[] }>('GET', `/v1/appointments?patientId=${patient.patientId}`);
        expect(mine.body.items.filter((a) => a.status === 'CONFIRMED')).toHaveLength(1);
      }
      const doubles = await region.bookingDb<{ slot_id: string }>(
        `SELECT slot_id FROM booking_appointment WHERE status IN ('PENDING', 'CONFIRMED', 'CANCELLING') GROUP BY slot_id HAVING count(*) > 1`,
      );
      expect(doubles).toEqual([]);

      await eventually(
        async () => (await region.bookingDb(`SELECT 1 FROM booking_hold WHERE released_at IS NULL AND expires_at < now()`)).length === 0,
        'expired holds released after the restart',
        15_000,
      );
      for (const slot of heldSlots) await eventually(async () => (await inventoryStatus(slot)) === 'FREE', 'the held slot free again', 10_000);
    }),
    240_000,
  );
});

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SOAP results are untyped XML

function listOf(value: unknown): Loose[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as Loose[];
}

describe('booking flow over the HubService SOAP facade, with a client generated from our WSDL', () => {
  let client: soap.Client;
  const guid = () => region.hubGuid;

  async function call(operation: string, args: Loose): Promise<Loose> {
    const method = (client as unknown as Record<string, (a: Loose) => Promise<Loose[]>>)[`${operation}Async`];
    const [result] = await method.call(client, args);
    return result[`${operation}Result`] as Loose;
  }

  const idErrorOf = (result: Loose): number | undefined => listOf(result['ErrorList']?.['Error'])[0]?.['IdError'];
  const localIdOf = (slotId: string, idLpu: number): string => slotId.slice(orgOf(idLpu).oid.length + 1);

  beforeAll(async () => {
    // Clinic-local date-times stay strings: node-soap would otherwise read them in this process's zone.
    client = await soap.createClientAsync(`${region.bookingUrl}/Hub25/HubService.svc?wsdl`, {
      customDeserializer: { dateTime: (text: string) => text },
    } as soap.IOptions);
  });

  it(
    'identifies, books, shows the history, reschedules with idAppointmentPrev, cancels, and gives the freed slot to the waiting list first',
    withLogs(async () => {
      const doctor = openDoctors().find((d) => d.idLpu === 2) ?? openDoctors()[0];
      const org = orgOf(doctor.idLpu);
      const districts = listOf((await call('GetDistrictList', { guid: guid() }))['Districts']?.['District']);
      expect(districts.length).toBeGreaterThan(0);
      const clinics = listOf((await call('GetLPUList', { guid: guid() }))['ListLPU']?.['Clinic']);
      const clinic = clinics.find((c) => c['Oid'] === org.oid) ?? {};
      expect(districts.map((d) => d['IdDistrict'])).toContain(clinic['District']);
      const idLpu = clinic['IdLPU'] as number;
      const inDistrict = listOf((await call('GetLPUList', { idDistrict: clinic['District'], guid: guid() }))['ListLPU']?.['Clinic']);
      expect(inDistrict.map((c) => c['Oid'])).toContain(org.oid);

      const known = await region.simCall<SimPatient>('POST', '/admin/patients', { idLpu: doctor.idLpu, sex: 'FEMALE' });
      const checked = await call('CheckPatient', { pat: { Polis_N: known.policyNumber }, idLpu, guid: guid() });
      expect(checked['Success']).toBe(true);
      const idPat: string = checked['IdPat'];
      const unknownPolicy = `7${String(Date.now()).padStart(15, '0').slice(-15)}`;
      const added = await call('AddNewPatient', {
        patient: { Birthday: '1990-07-01T00:00:00', Name: 'Ольга', Polis_N: unknownPolicy, SecondName: 'Игоревна', Surname: 'Новикова' },
        idLpu,
        guid: guid(),
      });
      expect(added['Success']).toBe(true);
      const waitingIdPat: string = added['IdPat'];

      const specialties = listOf((await call('GetSpesialityList', { idLpu, idPat, guid: guid() }))['ListSpesiality']?.['Spesiality']);
      const idSpesiality = specialtyNsi.get(doctor.specialtyCode);
      expect(specialties.map((s) => s['IdSpesiality'])).toContain(idSpesiality);
      const docs = listOf((await call('GetDoctorList', { idSpesiality, idLpu, idPat, guid: guid() }))['Docs']?.['Doctor']);
      const idDoc = resourceIdOf(doctor);
      expect(docs.map((d) => d['IdDoc'])).toContain(idDoc);
      const { today } = await region.simCall<{ today: string }>('GET', '/admin/state');
      const dates = listOf((await call('GetAvailableDates', { idDoc, idLpu, idPat, visitStart: `${today}T00:00:00`, visitEnd: '2099-01-01T00:00:00', guid: guid() }))['AvailableDateList']?.['dateTime']);
      const day = (dates as unknown as string[]).map((d) => String(d).slice(0, 10)).find((d) => d > today);
      expect(day).toBeDefined();
      const offered = listOf(
        (await call('GetAvaibleAppointments', { idDoc, idLpu, idPat, visitStart: `${day}T00:00:00`, visitEnd: `${day}T00:00:00`, guid: guid() }))['ListAppointments']?.['Appointment'],
      ).filter((a) => !used.has(a['IdAppointment']));
      expect(offered.length).toBeGreaterThanOrEqual(3);
      const [first, second, third] = offered.map((a) => a['IdAppointment'] as string);
      for (const id of [first, second, third]) used.add(id);
      const atMis = (slotId: string) => region.simCall<SimSlot>('GET', `/admin/slots?slotId=${encodeURIComponent(localIdOf(slotId, doctor.idLpu))}`);

      // 312 "в обработке" is the contract's answer while the MIS has not confirmed yet (e.g. the adapter's
      // consumer group still rebalancing after the kill -9 above); a client repeats the call, which finds the same booking.
      const booked = await eventually(
        async () => {
          const answer = await call('SetAppointment', { idAppointment: first, idLpu, idPat, guid: guid(), idHistory: 41 });
          return idErrorOf(answer) === 312 ? undefined : answer;
        },
        'SetAppointment answered',
        60_000,
        1_000,
      );
      expect({ ...booked, ErrorList: listOf(booked['ErrorList']?.['Error']) }).toMatchObject({ Success: true, IdHistory: 41, ErrorList: [] });
      expect((await atMis(first)).booking?.idPat).toBe(known.idPat);
      const history = await call('GetPatientHistory', { idLpu, idPat, guid: guid() });
      expect(listOf(history['ListHistoryVisit']?.['HistoryVisit']).map((v) => v['IdAppointment'])).toContain(first);

      const moved = await call('SetAppointment', { idAppointment: second, idLpu, idPat, idAppointmentPrev: first, guid: guid() });
      expect(moved['Success']).toBe(true);
      expect((await atMis(second)).booking?.idPat).toBe(known.idPat);
      expect((await atMis(first)).state).toBe('free');

      const claim = await call('SetWaitingList', {
        idDoc,
        idSpesiality,
        idLpu,
        rule: { End: `${day}T23:59:59`, Start: `${day}T00:00:00` },
        claim: 2,
        idPat: waitingIdPat,
        phone: '+79001234567',
        guid: guid(),
      });
      expect(claim['Success']).toBe(true);
      const cancelled = await call('CreateClaimForRefusal', { idLpu, idPat, idAppointment: second, guid: guid() });
      expect(cancelled['Success']).toBe(true);
      expect((await atMis(second)).state).toBe('free');
      const afterCancel = await call('GetPatientHistory', { idLpu, idPat, guid: guid() });
      expect(listOf(afterCancel['ListHistoryRefusal']?.['HistoryVisit']).map((v) => v['IdAppointment'])).toContain(second);

      await eventually(
        async () => (await region.api<{ status: string; offer: { slotId: string } | null }>('GET', `/v1/waitlist/${claim['GuidClaim']}`)).body.offer?.slotId === second,
        'the waiting-list offer of the freed slot',
        10_000,
      );
      const someoneElse = await call('SetAppointment', { idAppointment: second, idLpu, idPat, guid: guid() });
      expect(idErrorOf(someoneElse)).toBe(308);
      const served = await call('SetAppointment', { idAppointment: second, idLpu, idPat: waitingIdPat, guid: guid() });
      expect(served['Success']).toBe(true);

      await region.simCall('POST', '/admin/walk-in', { slotId: localIdOf(third, doctor.idLpu) });
      const walkedIn = await call('SetAppointment', { idAppointment: third, idLpu, idPat, guid: guid() });
      expect(walkedIn['Success']).toBe(false);
      expect(idErrorOf(walkedIn)).toBe(308);
    }),
    90_000,
  );
});
