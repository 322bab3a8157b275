import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as soap from 'soap';
import {
  decodeSoapRequest,
  decodeSoapResponse,
  encodeSoapRequest,
  encodeSoapResponse,
  HubErrorCode,
  readLimitedBody,
  SafeXmlCode,
  soapActionOf,
  type DecodedRequest,
} from '@medbus/hubservice';
import { loadSimulatorConfig } from './simulator.config';
import { startSimulator, type RunningSimulator } from './simulator';

const guid = 'test-guid-0001';
const adminToken = 'test-admin-token';
const window = { visitStart: '2026-11-23T00:00:00', visitEnd: '2026-12-06T00:00:00' };

/** A subscriber that records notifications and fails the very first one, to exercise retries. */
class NotificationReceiver {
  readonly received: DecodedRequest[] = [];
  attempts = 0;
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.attempts++;
        if (this.attempts === 1) {
          res.writeHead(503).end();
          return;
        }
        const request = decodeSoapRequest(Buffer.concat(chunks));
        this.received.push(request);
        const body =
          request.operation === 'SendNotificationAboutAppointment'
            ? encodeSoapResponse('SendNotificationAboutAppointment', { Success: true, IdNotification: `n${this.received.length}` })
            : encodeSoapResponse('SendNotificationAboutAppointmentStatus', { Success: true });
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/notifications`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** The value, or a failed test when there is none. */
function defined<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error('expected a value');
  return value;
}

async function eventually<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// node-soap answers [result, rawResponse, soapHeader, rawRequest]; results are loosely typed objects.
type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('HubService simulator over real HTTP', () => {
  let sim: RunningSimulator;
  let client: soap.Client;
  const receiver = new NotificationReceiver();

  async function call(operation: string, args: Loose): Promise<Loose> {
    const method = defined((client as unknown as Record<string, ((a: Loose) => Promise<Loose[]>) | undefined>)[`${operation}Async`]);
    const [result] = await method(args);
    return result?.[`${operation}Result`] as Loose;
  }

  async function admin(path: string, body?: unknown, token = adminToken): Promise<{ status: number; body: Loose }> {
    const response = await fetch(`${sim.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Loose };
  }

  async function rawSoap(body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    const response = await fetch(`${sim.url}/Hub25/HubService.svc`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', ...headers }, body });
    return { status: response.status, text: await response.text() };
  }

  const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

  async function freeAppointments(idLpu: number, idDoc: string): Promise<Loose[]> {
    const result = await call('GetAvaibleAppointments', { idDoc, idLpu, ...window, guid });
    return asList(result['ListAppointments']?.['Appointment']);
  }

  beforeAll(async () => {
    await receiver.start();
    const config = loadSimulatorConfig([], {}, {
      port: 0,
      seed: 42,
      organisations: 3,
      doctorsPerOrg: 3,
      startDate: '2026-11-23',
      guid,
      adminToken,
      notifyUrl: receiver.url,
      notifyShare: 1,
      notifyRetries: 3,
      logRequests: false,
      maxBodyBytes: 64 * 1024,
    });
    sim = await startSimulator(config);
    // Clinic-local date-times stay strings: node-soap would otherwise read them in the process's zone.
    client = await soap.createClientAsync(`${sim.url}/Hub25/HubService.svc?wsdl`, { customDeserializer: { dateTime: (text: string) => text } } as soap.IOptions);
  });

  afterAll(async () => {
    await sim?.close();
    await receiver.stop();
  });

  it('serves the whole booking flow to a soap client built from its own WSDL', async () => {
    const districts = await call('GetDistrictList', { guid, idHistory: 11 });
    expect(districts['Success']).toBe(true);
    expect(districts['IdHistory']).toBe(11);
    const district = defined(asList(districts['Districts']['District'])[0]);

    const clinics = asList((await call('GetLPUList', { idDistrict: district['IdDistrict'], guid }))['ListLPU']['Clinic']);
    expect(clinics.length).toBeGreaterThan(0);
    const clinic = defined(clinics[0]);
    expect(clinic['Oid']).toMatch(/^1\.2\.643\.5\.1\.13\.13\.12\.2\.23\./);
    const idLpu = clinic['IdLPU'] as number;

    const specialities = asList((await call('GetSpesialityList', { idLpu, guid }))['ListSpesiality']['Spesiality']);
    const speciality = defined(specialities.find((s) => s['CountFreeTicket'] > 0));
    const doctors = asList((await call('GetDoctorList', { idSpesiality: speciality['IdSpesiality'], idLpu, guid }))['Docs']['Doctor']);
    const idDoc = defined(doctors[0])['IdDoc'] as string;

    const dates = asList((await call('GetAvailableDates', { idDoc, idLpu, ...window, guid }))['AvailableDateList']['dateTime']);
    expect(dates[0]).toMatch(/^2026-\d{2}-\d{2}T00:00:00$/);

    const appointments = await freeAppointments(idLpu, idDoc);
    const slot = defined(appointments[0]);
    expect(slot['VisitStart']).toMatch(/^2026-\d{2}-\d{2}T\d{2}:\d{2}:00$/);
    expect(slot['Version']).toBeGreaterThan(0);

    const patient = { Surname: 'Орлова', Name: 'Анна', SecondName: 'Павловна', Birthday: '1980-05-01T00:00:00', Polis_N: '2300000000000001' };
    const unknown = await call('CheckPatient', { pat: patient, idLpu, guid });
    expect(unknown['Success']).toBe(false);
    expect(defined(asList(unknown['ErrorList']['Error'])[0])['IdError']).toBe(HubErrorCode.PatientNotRegistered);
    const added = await call('AddNewPatient', { patient, idLpu, guid });
    const idPat = added['IdPat'] as string;
    expect((await call('CheckPatient', { pat: patient, idLpu, guid }))['IdPat']).toBe(idPat);

    const booked = await call('SetAppointment', { idAppointment: slot['IdAppointment'], idLpu, idPat, guid, idHistory: 12 });
    expect(booked).toMatchObject({ Success: true, IdHistory: 12 });
    expect((await freeAppointments(idLpu, idDoc)).map((a) => a['IdAppointment'])).not.toContain(slot['IdAppointment']);

    const other = (await call('AddNewPatient', { patient: { ...patient, Name: 'Мария', Polis_N: '2300000000000002' }, idLpu, guid }))['IdPat'];
    const taken = await call('SetAppointment', { idAppointment: slot['IdAppointment'], idLpu, idPat: other, guid });
    expect(taken['Success']).toBe(false);
    expect(defined(asList(taken['ErrorList']['Error'])[0])['IdError']).toBe(HubErrorCode.SlotTaken);

    expect((await call('CreateClaimForRefusal', { idLpu, idPat, idAppointment: slot['IdAppointment'], guid }))['Success']).toBe(true);
    const again = await call('CreateClaimForRefusal', { idLpu, idPat, idAppointment: slot['IdAppointment'], guid });
    expect(defined(asList(again['ErrorList']['Error'])[0])['IdError']).toBe(HubErrorCode.BookingNotFound);
    const freed = defined((await freeAppointments(idLpu, idDoc)).find((a) => a['IdAppointment'] === slot['IdAppointment']));
    expect(freed['Version']).toBeGreaterThan(slot['Version']);

    const history = await call('GetPatientHistory', { idLpu, idPat, guid });
    expect(asList(history['ListHistoryRefusal']['HistoryVisit']).map((v) => v['IdAppointment'])).toEqual([slot['IdAppointment']]);
  });

  it('takes a front-desk walk-in: the slot leaves GetAvaibleAppointments, the change feed and the subscriber hear of it', async () => {
    const doctor = defined(sim.state.region.doctors[1]);
    const slot = defined((await freeAppointments(doctor.idLpu, doctor.idDoc))[0]);
    const cursor = sim.state.version;

    const walkIn = await admin('/admin/walk-in', { slotId: slot['IdAppointment'] });
    expect(walkIn.status).toBe(200);
    expect(walkIn.body).toMatchObject({ state: 'booked', IdAppointment: slot['IdAppointment'] });

    expect((await freeAppointments(doctor.idLpu, doctor.idDoc)).map((a) => a['IdAppointment'])).not.toContain(slot['IdAppointment']);
    const feed = (await (await fetch(`${sim.url}/Hub25/changes?guid=${guid}&since=${cursor}`)).json()) as Loose;
    expect(feed['changes']).toEqual([expect.objectContaining({ idAppointment: slot['IdAppointment'], change: 'booked', state: 'booked', seq: walkIn.body['version'] })]);

    const notification = await eventually(() =>
      receiver.received.find((r) => r.operation === 'SendNotificationAboutAppointment' && r.params.appointment?.IdAppointment === slot['IdAppointment']),
    );
    expect(notification.params).toMatchObject({ idLpu: doctor.idLpu, appointmentSource: 3, guid: '6bd7b2a4-3c9c-4e43-9b0e-4b3c0c7d2f11' });
    expect(receiver.attempts).toBeGreaterThan(receiver.received.length); // the first delivery failed and was retried
    expect((await admin('/admin/walk-in', { slotId: slot['IdAppointment'] })).status).toBe(409);
  });

  it('creates a known test patient that CheckPatient finds by policy or SNILS, and shows a slot with its booking', async () => {
    const doctor = defined(sim.state.region.doctors[3]);
    const created = await admin('/admin/patients', { idLpu: doctor.idLpu, sex: 'FEMALE', birthDate: '1990-04-02' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ idLpu: doctor.idLpu, sex: 'FEMALE', birthDate: '1990-04-02', attached: true, bookings: [] });
    const { idPat, policyNumber, snils } = created.body;
    expect(policyNumber).toMatch(/^\d{16}$/);
    expect((await call('CheckPatient', { pat: { Polis_N: policyNumber }, idLpu: doctor.idLpu, guid }))['IdPat']).toBe(idPat);
    expect((await call('CheckPatient', { pat: { Snils: String(snils).replace(/\D/g, '') }, idLpu: doctor.idLpu, guid }))['IdPat']).toBe(idPat);
    expect((await admin('/admin/patients', { idLpu: doctor.idLpu, policyNumber })).status).toBe(409);

    const slot = defined((await freeAppointments(doctor.idLpu, doctor.idDoc))[0]);
    expect((await call('SetAppointment', { idAppointment: slot['IdAppointment'], idLpu: doctor.idLpu, idPat, guid }))['Success']).toBe(true);
    expect((await admin(`/admin/slots?slotId=${slot['IdAppointment']}`)).body).toMatchObject({ state: 'booked', booking: { idPat, source: 1 } });
    expect((await admin(`/admin/patients?idLpu=${doctor.idLpu}&idPat=${idPat}`)).body['bookings']).toEqual([
      { idAppointment: slot['IdAppointment'], idDoc: doctor.idDoc, visitStart: slot['VisitStart'] },
    ]);
    expect((await admin('/admin/slots?slotId=nope')).status).toBe(404);
  });

  it("changes a doctor's SNILS on demand, which the next GetDoctorList shows", async () => {
    const doctor = defined(sim.state.region.doctors[0]);
    const listed = async (): Promise<Loose | undefined> =>
      asList((await call('GetDoctorList', { idSpesiality: doctor.specialtyCode, idLpu: doctor.idLpu, guid }))['Docs']?.['Doctor']).find(
        (d: Loose) => d['IdDoc'] === doctor.idDoc,
      );
    const changed = await admin('/admin/doctor-snils', { idLpu: doctor.idLpu, idDoc: doctor.idDoc, snils: '11223344595' });
    expect(changed).toEqual({ status: 200, body: { idLpu: doctor.idLpu, idDoc: doctor.idDoc, snils: '112-233-445 95' } });
    expect((await listed())?.['Snils']).toBe('112-233-445 95');
    expect((await admin('/admin/doctor-snils', { idLpu: doctor.idLpu, idDoc: doctor.idDoc, snils: null })).body['snils']).toBeNull();
    expect((await listed())?.['Snils']).toBeUndefined();
    expect((await admin('/admin/doctor-snils', { idLpu: doctor.idLpu, idDoc: 'D9999', snils: null })).status).toBe(404);
    expect((await admin('/admin/doctor-snils', { idLpu: doctor.idLpu, idDoc: doctor.idDoc, snils: '112-233-445 95' })).status).toBe(400);
  });

  it('loses the answer of a booking on demand: the slot is booked, the caller hears nothing', async () => {
    const doctor = defined(sim.state.region.doctors[4]);
    const { idPat } = (await admin('/admin/patients', { idLpu: doctor.idLpu, sex: 'FEMALE' })).body;
    const slot = defined((await freeAppointments(doctor.idLpu, doctor.idDoc))[0]);
    await admin('/admin/faults', { dropAnswers: 1 });
    await expect(call('SetAppointment', { idAppointment: slot['IdAppointment'], idLpu: doctor.idLpu, idPat, guid })).rejects.toThrow();
    expect((await admin(`/admin/slots?slotId=${slot['IdAppointment']}`)).body).toMatchObject({ state: 'booked', booking: { idPat } });
    expect((await admin('/admin/state')).body['faults']).toMatchObject({ dropAnswers: 0 });
  });

  it('reports a sick day as clinic cancellations to the subscriber', async () => {
    const doctor = defined(sim.state.region.doctors[2]);
    const slot = defined((await freeAppointments(doctor.idLpu, doctor.idDoc))[0]);
    await admin('/admin/walk-in', { slotId: slot['IdAppointment'] });
    const date = String(slot['VisitStart']).slice(0, 10);

    const sick = await admin('/admin/sick-day', { doctorId: doctor.idDoc, idLpu: doctor.idLpu, date });
    expect(sick.status).toBe(200);

    const status = await eventually(() =>
      receiver.received.find((r) => r.operation === 'SendNotificationAboutAppointmentStatus' && r.params.idAppointment === slot['IdAppointment']),
    );
    expect(status.params).toMatchObject({ status: 1 });
    expect((await freeAppointments(doctor.idLpu, doctor.idDoc)).some((a) => String(a['VisitStart']).startsWith(date))).toBe(false);
  });

  it('answers nothing but 503 during an outage, and recovers', async () => {
    expect((await admin('/admin/outage', { on: true })).status).toBe(200);
    await expect(call('GetDistrictList', { guid })).rejects.toThrow();
    expect((await fetch(`${sim.url}/health`)).status).toBe(200);
    await admin('/admin/outage', { on: false });
    expect((await call('GetDistrictList', { guid }))['Success']).toBe(true);
  });

  it('injects server faults at the configured error rate', async () => {
    await admin('/admin/faults', { errorRate: 1 });
    await expect(call('GetDistrictList', { guid })).rejects.toThrow(/internal error/);
    await admin('/admin/faults', { errorRate: 0 });
  });

  it.each([
    ['a billion-laughs body', `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetDistrictList xmlns="http://tempuri.org/"><guid>&b;</guid></GetDistrictList></s:Body></s:Envelope>`, 500],
    ['an XXE body', `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetDistrictList xmlns="http://tempuri.org/"><guid>&x;</guid></GetDistrictList></s:Body></s:Envelope>`, 500],
    ['broken XML', '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetDistrictList>', 500],
    ['deep nesting', `${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`, 500],
    ['an oversized body', `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetDistrictList xmlns="http://tempuri.org/"><guid>${'x'.repeat(200 * 1024)}</guid></GetDistrictList></s:Body></s:Envelope>`, 413],
    ['an unknown guid', encodeSoapRequest('GetDistrictList', { guid: 'stolen' }), 500],
  ])('refuses %s with a SOAP fault that reveals nothing, and keeps serving', async (_name, body, status) => {
    const response = await rawSoap(body, { soapaction: `"${soapActionOf('GetDistrictList')}"` });
    expect(response.status).toBe(status);
    expect(() => decodeSoapResponse('GetDistrictList', response.text)).toThrow(expect.objectContaining({ code: 'SOAP.FAULT', faultCode: 'Client' }));
    expect(response.text).not.toMatch(/at .*\.ts|passwd:|root:/);
    expect((await call('GetDistrictList', { guid }))['Success']).toBe(true);
  });

  it.each([
    ['broken-xml', SafeXmlCode.malformed],
    ['entity-expansion', SafeXmlCode.dtdForbidden],
    ['wrong-types', 'SOAP.BAD_VALUE'],
  ] as const)('answers with %s responses on demand so clients can test their defences', async (malformed, code) => {
    await admin('/admin/faults', { malformed });
    try {
      const response = await rawSoap(encodeSoapRequest('GetLPUList', { guid }));
      expect(() => decodeSoapResponse('GetLPUList', response.text)).toThrow(expect.objectContaining({ code }));
    } finally {
      await admin('/admin/faults', { malformed: 'none' });
    }
  });

  it('streams a huge response on demand that a bounded reader refuses early', async () => {
    await admin('/admin/faults', { malformed: 'huge' });
    const abort = new AbortController();
    try {
      const response = await fetch(`${sim.url}/Hub25/HubService.svc`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: encodeSoapRequest('GetDistrictList', { guid }),
        signal: abort.signal,
      });
      await expect(readLimitedBody(response.body as unknown as AsyncIterable<Buffer>, 1024 * 1024)).rejects.toMatchObject({ code: SafeXmlCode.bodyTooLarge });
    } finally {
      abort.abort();
      await admin('/admin/faults', { malformed: 'none' });
    }
  });

  it('advances the day: the first day leaves, a new one opens at the end of the horizon', async () => {
    const before = await admin('/admin/state');
    const advanced = await admin('/admin/advance-day', {});
    expect(advanced.body).toMatchObject({ today: '2026-11-24', lastDay: '2026-12-07' });
    expect(advanced.body['closed']).toBeGreaterThan(0);
    expect((await admin('/admin/state')).body['version']).toBeGreaterThan(before.body['version']);
  });

  it('serves the code map publicly and keeps the admin API behind its token', async () => {
    const map = (await (await fetch(`${sim.url}/Hub25/code-map.json`)).json()) as Loose;
    expect(map['specialties']).toEqual(expect.arrayContaining([{ code: 'PROF', name: expect.any(String), nsi: null }]));
    expect(map['organisations'][0]).toEqual({ idLpu: 1, oid: expect.stringMatching(/^1\.2\.643\./), timeZone: 'Europe/Moscow' });
    expect((await admin('/admin/state', undefined, 'wrong-token-123')).status).toBe(401);
  });
});
