import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as soap from 'soap';
import { stackAddresses } from '@medbus/testing';
import { formsOf, leaksIn as leaksOf, namespaceMessages, tablesAsText, zipkinTraces } from './patient-data.search';
import { Region, eventually, type SimDoctor, type SimOrganisation, type SimSlot } from './region.process';

/**
 * The proof that medbus keeps no patient's identity where it should not (issue 9, docs/decisions/0014):
 * patients with known names, policy numbers, SNILS and phones go through the whole flow over the real
 * services (identify by policy, SNILS, name and birth date, register; book, cancel, waitlist with a
 * phone, the HubService facade), then every place the run wrote is searched for every one of those
 * values: the services' logs, their traces in Zipkin, every message of the run's Kafka namespace
 * (keys, values, headers), the raw payload archive and the booking's and adapter's tables as text.
 * Birth dates may be in booking_patient (the booking rules need them) and nowhere else.
 */

interface SeededPatient {
  readonly surname: string;
  readonly firstName: string;
  readonly patronymic: string;
  readonly birthDate: string;
  readonly policyNumber: string;
  readonly snils: string;
  readonly phone: string;
}

interface Patient {
  readonly patientId: string;
}

const suffix = randomBytes(3).toString('hex');
const services = { booking: `booking-pd-${suffix}`, adapter: `mis-adapter-pd-${suffix}` };

// Unusual names, so a hit is ours and not a generated patient's.
const people: readonly SeededPatient[] = [
  ['Зюзикова', 'Евлампия', 'Аристарховна', '1961-04-12', '+7 916 417-22-81'],
  ['Пуговкина', 'Изольда', 'Феоктистовна', '1977-09-03', '+7 925 309-64-17'],
  ['Шмыглёв', 'Порфирий', 'Евграфович', '1958-01-27', '+7 903 781-45-29'],
  ['Крендельков', 'Ипполит', 'Мефодьевич', '1983-11-30', '+7 917 552-03-66'],
  ['Люлюкина', 'Мелитриса', 'Авдеевна', '1990-06-08', '+7 926 640-18-93'],
].map(([surname, firstName, patronymic, birthDate, phone], n) => ({
  surname,
  firstName,
  patronymic,
  birthDate,
  policyNumber: `77${n}${String(Date.now()).slice(-13)}`,
  snils: snilsOf(300_000_000 + ((Date.now() + n * 7_919) % 600_000_000)),
  phone,
}));
const [byPolicy, bySnils, byName, registered, viaFacade] = people;
const archiveDirectory = mkdtempSync(join(tmpdir(), 'medbus-pd-archive-'));

const region = new Region({
  name: 'patientdata',
  organisations: 1,
  doctorsPerOrg: 4,
  horizonDays: 3,
  bookingEnv: {
    OTEL_SDK_DISABLED: 'false',
    OTEL_SERVICE_NAME: services.booking,
    BOOKING_RESPONSE_TIMEOUT_MS: '5000',
    WAITLIST_RESERVATION_MS: '60000',
  },
  adapterEnv: {
    OTEL_SDK_DISABLED: 'false',
    OTEL_SERVICE_NAME: services.adapter,
    RAW_PAYLOAD_DIR: archiveDirectory,
    COMMAND_RETRY_INITIAL_MS: '100',
    COMMAND_RETRY_MAX_MS: '500',
  },
});
let organisation: SimOrganisation;
let doctors: SimDoctor[] = [];
const startedAt = Date.now();

const identities = people.flatMap((p) =>
  [p.surname, p.firstName, p.patronymic, p.policyNumber, p.snils, p.phone].flatMap((value) => formsOf(value).map((form) => ({ value, form }))),
);
// Birth dates are kept for the booking rules in booking_patient, and nowhere else.
const birthDates = people.map((p) => ({ value: p.birthDate, form: p.birthDate }));
const leaksIn = (where: string, text: string, needles = [...identities, ...birthDates]): string[] => leaksOf(where, text, needles);

async function storedPhoneOf(entryId: string): Promise<string | null | undefined> {
  return (await region.bookingDb<{ contact_phone: string | null }>(`SELECT contact_phone FROM booking_waitlist_entry WHERE entry_id = $1`, [entryId]))[0]?.contact_phone;
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

function snilsOf(number: number): string {
  const digits = String(number).padStart(9, '0');
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (9 - i);
  const check = sum % 101 === 100 ? 0 : sum % 101;
  return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6, 9)} ${String(check).padStart(2, '0')}`;
}

const slotIdOf = (slot: SimSlot): string => `${organisation.oid}:${slot.IdAppointment}`;
const used = new Set<string>();

async function freeSlots(doctor: SimDoctor, count: number): Promise<SimSlot[]> {
  const { today } = await region.simCall<{ today: string }>('GET', '/admin/state');
  const slots = await region.simCall<SimSlot[]>('GET', `/admin/slots?idLpu=${doctor.idLpu}&idDoc=${doctor.idDoc}&state=free`);
  const picked = slots.filter((s) => s.VisitStart.slice(0, 10) > today && !used.has(s.IdAppointment)).slice(0, count);
  if (picked.length < count) throw new Error(`doctor ${doctor.idDoc} has ${picked.length} free slots, ${count} wanted`);
  for (const slot of picked) used.add(slot.IdAppointment);
  return picked;
}

async function seed(patient: SeededPatient): Promise<{ idPat: string }> {
  return region.simCall<{ idPat: string }>('POST', '/admin/patients', {
    idLpu: organisation.idLpu,
    surname: patient.surname,
    firstName: patient.firstName,
    patronymic: patient.patronymic,
    birthDate: patient.birthDate,
    policyNumber: patient.policyNumber,
    snils: patient.snils,
    phone: patient.phone,
    attached: true,
  });
}

async function identify(body: Record<string, unknown>): Promise<Patient> {
  const { status, body: answer } = await region.api<Patient>('POST', '/v1/patients/identify', { organisationOid: organisation.oid, ...body });
  if (status !== 200) throw new Error(`identify answered ${status}: ${JSON.stringify(answer)}`);
  return answer;
}

async function book(slot: SimSlot, patient: Patient, extra: Record<string, unknown> = {}) {
  const answer = await region.api<{ appointmentId: string; status: string }>('POST', '/v1/appointments', { slotId: slotIdOf(slot), patientId: patient.patientId, ...extra });
  if (answer.status !== 201 || answer.body.status !== 'CONFIRMED') throw new Error(`booking answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SOAP results are untyped XML

async function facadeCall(client: soap.Client, guid: string, operation: string, args: Loose): Promise<Loose> {
  const method = (client as unknown as Record<string, (a: Loose) => Promise<Loose[]>>)[`${operation}Async`];
  const [result] = await method.call(client, { ...args, guid });
  return result[`${operation}Result`] as Loose;
}

async function filesAsText(directory: string): Promise<{ files: number; text: string }> {
  const parts: string[] = [];
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath ?? entry.path, entry.name), 'utf8'));
  }
  return { files: parts.length, text: parts.join('\n') };
}

const withLogs = (body: () => Promise<void>) => region.withLogs(body);

beforeAll(async () => {
  try {
    await region.start();
    organisation = region.organisations[0];
    doctors = (await region.simCall<{ doctors: SimDoctor[] }>('GET', '/admin/code-map')).doctors.filter((d) => !['PED', 'GIN'].includes(d.specialtyCode));
    await eventually(
      async () => {
        const { body } = await region.api<{ items?: unknown[] }>(
          'GET',
          `/v1/slots?practitioner=${encodeURIComponent(`${organisation.oid}:${doctors[0].idDoc}`)}&freeOnly=true&limit=1`,
        );
        return (body.items?.length ?? 0) > 0;
      },
      'the initial sync of the simulated clinic',
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
  await rm(archiveDirectory, { recursive: true, force: true });
}, 60_000);

describe("patients' data at rest and in flight", () => {
  it(
    'leaves no seeded name, policy number, SNILS or phone in logs, traces, Kafka, the raw archive or the databases after a full flow, and birth dates only in booking_patient',
    withLogs(async () => {
      for (const patient of [byPolicy, bySnils, byName, viaFacade]) await seed(patient);
      const [doctor, other] = doctors;

      // Identification: by policy, by SNILS, by name and birth date, and a registration at the MIS.
      const anna = await identify({ policyNumber: byPolicy.policyNumber, sex: 'FEMALE', birthDate: byPolicy.birthDate });
      const bella = await identify({ snils: bySnils.snils, phone: bySnils.phone, sex: 'FEMALE', birthDate: bySnils.birthDate });
      const carl = await identify({ surname: byName.surname, firstName: byName.firstName, patronymic: byName.patronymic, birthDate: byName.birthDate, sex: 'MALE' });
      const dan = await identify({
        surname: registered.surname,
        firstName: registered.firstName,
        patronymic: registered.patronymic,
        birthDate: registered.birthDate,
        policyNumber: registered.policyNumber,
        snils: registered.snils,
        phone: registered.phone,
        sex: 'MALE',
        register: true,
      });

      // Book, cancel, and a waitlisted patient (with a phone) offered the freed slot.
      const [first, second] = await freeSlots(doctor, 2);
      const booked = await book(first, anna);
      await book(second, carl);
      const startsAt = Date.parse(`${first.VisitStart}+03:00`);
      const entry = await region.api<{ entryId: string; contactPhone: string }>('POST', '/v1/waitlist', {
        patientId: bella.patientId,
        organisationOid: organisation.oid,
        resourceId: `${organisation.oid}:${doctor.idDoc}`,
        preferredIntervals: [{ from: new Date(startsAt - 60_000).toISOString(), to: new Date(startsAt + 60_000).toISOString() }],
        contactPhone: bySnils.phone,
      });
      expect(entry.status).toBe(201);
      expect(entry.body.contactPhone).toBe(bySnils.phone);
      expect(await storedPhoneOf(entry.body.entryId)).toMatch(/^v1:e2e:/);
      const inAYear = Date.now() + 365 * 86_400_000;
      const waiting = await region.api<{ entryId: string }>('POST', '/v1/waitlist', {
        patientId: carl.patientId,
        organisationOid: organisation.oid,
        specialtyCode: doctor.specialtyCode,
        preferredIntervals: [{ from: new Date(inAYear).toISOString(), to: new Date(inAYear + 3_600_000).toISOString() }],
        contactPhone: byName.phone,
      });
      expect(waiting.status).toBe(201);
      const cancelled = await region.api<{ status: string }>('POST', `/v1/appointments/${booked.appointmentId}/cancel`, {});
      expect(cancelled.body.status).toBe('CANCELLED');
      const offer = await eventually(
        async () => (await region.api<{ offer: { offerId: string } | null }>('GET', `/v1/waitlist/${entry.body.entryId}`)).body.offer,
        'the waitlist offer',
        15_000,
      );
      await book(first, bella, { holdId: offer.offerId });
      const [third] = await freeSlots(other, 1);
      await book(third, dan);

      // The HubService facade (a contact centre's system): CheckPatient with the whole identity, then SetAppointment; its answer is the last outcome.
      const guid = await region.issue('HUB_CLIENT', `pd-hub-${suffix}`, { channel: 'CONTACT_CENTRE' });
      const client = await soap.createClientAsync(`${region.bookingUrl}/Hub25/HubService.svc?wsdl`, { customDeserializer: { dateTime: (text: string) => text } } as soap.IOptions);
      const clinics = [(await facadeCall(client, guid, 'GetLPUList', {}))['ListLPU']?.['Clinic']].flat() as Loose[];
      const idLpu = clinics.find((c) => c['Oid'] === organisation.oid)?.['IdLPU'];
      const checked = await facadeCall(client, guid, 'CheckPatient', {
        pat: {
          Birthday: `${viaFacade.birthDate}T00:00:00`,
          CellPhone: viaFacade.phone,
          Name: viaFacade.firstName,
          Polis_N: viaFacade.policyNumber,
          SecondName: viaFacade.patronymic,
          Snils: viaFacade.snils,
          Surname: viaFacade.surname,
        },
        idLpu,
      });
      expect({ success: checked['Success'], errors: [checked['ErrorList']?.['Error'] ?? []].flat() }).toEqual({ success: true, errors: [] });
      const [fourth] = await freeSlots(other, 1);
      const last = await eventually(
        async () => {
          const answer = await facadeCall(client, guid, 'SetAppointment', { idAppointment: slotIdOf(fourth), idLpu, idPat: checked['IdPat'] });
          return [answer['ErrorList']?.['Error']].flat()[0]?.['IdError'] === 312 ? undefined : answer;
        },
        'the facade booking answered',
        60_000,
        1_000,
      );
      expect({ success: last['Success'], errors: [last['ErrorList']?.['Error'] ?? []].flat() }).toEqual({ success: true, errors: [] });

      // The barrier: the last booking's outcome applied; then a last request, whose trace in Zipkin says the services flushed theirs on stopping.
      await eventually(
        async () => (await region.bookingDb<{ status: string }>(`SELECT status FROM booking_appointment WHERE slot_id = $1`, [slotIdOf(fourth)]))[0]?.status === 'CONFIRMED',
        'the last appointment confirmed',
        30_000,
      );
      // Served, the entry keeps no phone; one still waiting keeps it encrypted.
      expect(await storedPhoneOf(entry.body.entryId)).toBeNull();
      expect(await storedPhoneOf(waiting.body.entryId)).toMatch(/^v1:e2e:/);
      expect((await region.api('GET', `/v1/waitlist/${entry.body.entryId}`)).status).toBe(200);
      await Promise.all([region.booking?.stop(), region.adapter?.stop()]);
      await eventually(async () => (await zipkinTraces(services.booking, startedAt)).includes(`/v1/waitlist/${entry.body.entryId}`), 'the last request traced in Zipkin', 30_000, 500);

      const logs = await Promise.all([region.booking, region.adapter].map(async (service) => readFile(service?.logFile ?? '', 'utf8')));
      const traces = await Promise.all([services.booking, services.adapter].map((name) => zipkinTraces(name, startedAt)));
      const kafka = await namespaceMessages(region.namespace);
      const archive = await filesAsText(archiveDirectory);
      const bookingTables = await tablesAsText(stackAddresses().databaseUrl, region.bookingSchema);
      // The adapter inherits the stack's DATABASE_URL (the launcher passes booking the test database).
      const adapterTables = await tablesAsText(process.env.DATABASE_URL ?? stackAddresses().databaseUrl, region.adapterSchema);

      // Each place was really searched: it holds what this run did.
      expect(logs.every((log) => log.length > 0)).toBe(true);
      expect(traces.map((trace) => trace.length > 1_000)).toEqual([true, true]);
      expect(kafka.text).toContain(bella.patientId);
      expect(archive.text).toContain('CheckPatientResponse');
      expect(bookingTables.text).toContain(dan.patientId);
      expect(bookingTables.text).toContain(`booking_patient (${dan.patientId}`);
      const [patientRows, otherBookingRows] = partition(bookingTables.text.split('\n'), (row) => row.startsWith('booking_patient ('));
      expect(patientRows.join('\n')).toContain(byName.birthDate);
      expect(adapterTables.text).toContain('SlotBookingConfirmed');

      const leaks = [
        ...leaksIn('booking log', logs[0]),
        ...leaksIn('adapter log', logs[1]),
        ...leaksIn('booking traces', traces[0]),
        ...leaksIn('adapter traces', traces[1]),
        ...leaksIn(`Kafka (${kafka.count} messages of ${kafka.topics.length} topics)`, kafka.text),
        ...leaksIn(`raw archive (${archive.files} files)`, archive.text),
        ...leaksIn('booking_patient', patientRows.join('\n'), identities),
        ...leaksIn('booking tables', otherBookingRows.join('\n')),
        ...leaksIn('adapter tables', adapterTables.text),
      ];
      expect(leaks).toEqual([]);
    }),
    300_000,
  );
});
