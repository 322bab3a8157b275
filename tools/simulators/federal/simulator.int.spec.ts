import * as soap from 'soap';
import { FerNamespace, ferRegistryWsdl, type FerFault, type FerLocation, type FerSlot } from '@medbus/federal-registry';
import { startFakeRegion, type FakeRegion } from './er-region.fake';
import { loadSimulatorConfig, type SimulatorOverrides } from './simulator.config';
import { startFederalSimulator, type RunningFederalSimulator } from './simulator';

const mo = '1.2.643.5.1.13.13.12.2.23.1037';
const otherMo = '1.2.643.5.1.13.13.12.2.23.1074';
const adminToken = 'int-test-admin-token';

type Call = (args: Record<string, unknown>, options?: Record<string, unknown>) => Promise<[Record<string, unknown>]>;

interface Harness {
  sim: RunningFederalSimulator;
  client: soap.Client;
  /** Advances the simulator's clock (sessions, rate and quota windows) without sleeping. */
  advance(ms: number): void;
  call(operation: string, args: Record<string, unknown>, options?: Record<string, unknown>): Promise<Record<string, unknown>>;
  admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  session(login?: string): Promise<string>;
}

const running: Harness[] = [];

/** A simulator of its own on port 0, with a clock the test moves, and a soap client from its WSDL. */
async function harness(overrides: SimulatorOverrides = {}, frozen = false): Promise<Harness> {
  let offset = 0;
  const frozenAt = Date.parse('2026-03-02T09:00:00.250Z');
  const config = loadSimulatorConfig([], {}, { port: 0, adminToken, logins: 'region:secret,other:secret2', logRequests: false, ...overrides });
  const sim = await startFederalSimulator(config, { clock: () => (frozen ? frozenAt : Date.now()) + offset });
  const client = await soap.createClientAsync(`${sim.endpoint}?wsdl`, {
    disableCache: true,
    customDeserializer: { dateTime: (text: string) => text, long: (text: string) => Number(text), int: (text: string) => Number(text) },
  });
  const h: Harness = {
    sim,
    client,
    advance: (ms) => (offset += ms),
    call: async (operation, args, options) => {
      const method = (client as unknown as Record<string, Call>)[`${operation}Async`] as Call;
      const [result] = await method.call(client, args, options ?? {});
      return result ?? {};
    },
    admin: async (method, path, body) => {
      const response = await fetch(`${sim.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as never };
    },
    session: async (login = 'region') => String((await h.call('OpenSession', { Login: login, Password: login === 'region' ? 'secret' : 'secret2' }))['Session_ID']),
  };
  running.push(h);
  await h.admin('PUT', '/admin/frmo', { oids: [mo, otherMo] });
  return h;
}

afterAll(async () => {
  await Promise.all(running.map((h) => h.sim.close()));
});

/** The `fer:Fault` of a call node-soap rejected with a SOAP Fault. */
async function faultOf(call: Promise<unknown>): Promise<FerFault & { httpStatus: number | undefined }> {
  const error = (await call.then(
    () => {
      throw new Error('expected a SOAP Fault');
    },
    (e: unknown) => e,
  )) as { root?: { Envelope?: { Body?: { Fault?: { detail?: { Fault?: FerFault } } } } }; response?: { status?: number } };
  const fault = error.root?.Envelope?.Body?.Fault?.detail?.Fault;
  if (!fault) throw error;
  // node-soap types a fault's detail by no schema: Retry_After_Seconds arrives as text.
  const retry = fault.Retry_After_Seconds === undefined ? {} : { Retry_After_Seconds: Number(fault.Retry_After_Seconds) };
  return { ...fault, ...retry, httpStatus: error.response?.status };
}

/** The HTTP status or socket error code a call failed with, when it was not a SOAP answer. */
async function transportFailureOf(call: Promise<unknown>): Promise<string> {
  const error = (await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  )) as { response?: { status?: number }; code?: string };
  return error.response?.status !== undefined ? `HTTP ${error.response.status}` : String(error.code);
}

const aLocation = (n: number, overrides: Partial<FerLocation> = {}): FerLocation => ({
  Location_Id: `${mo}:D01${String(n).padStart(2, '0')}`,
  MO_OID: mo,
  Doctor_SNILS: '11223344595',
  Doctor_Name: 'Терапевт Участковый',
  Specialty_Code: '76',
  Position_Code: '109',
  Room: '101',
  Channels: { Channel: ['FRONT_DESK', 'FEDERAL_PORTAL'] },
  Version: 1,
  ...overrides,
});

const aSlot = (n: number, overrides: Partial<FerSlot> = {}): FerSlot => ({
  Slot_Id: `${mo}:D0101-20260302${String(800 + n * 15).padStart(4, '0')}`,
  Location_Id: `${mo}:D0101`,
  MO_OID: mo,
  Visit_Start: `2026-03-02T${String(8 + Math.floor((n * 15) / 60)).padStart(2, '0')}:${String((n * 15) % 60).padStart(2, '0')}:00+03:00`,
  Visit_End: `2026-03-02T${String(8 + Math.floor((n * 15 + 15) / 60)).padStart(2, '0')}:${String((n * 15 + 15) % 60).padStart(2, '0')}:00+03:00`,
  Status: 'FREE',
  Version: 1,
  ...overrides,
});

describe('the federal registry simulator', () => {
  let h: Harness;
  beforeAll(async () => {
    // Many calls in a second here; the rate limit has its own test.
    h = await harness({ sessionTtlSeconds: 60, ratePerSecond: 1000 });
  });

  it('serves the contract WSDL of @medbus/federal-registry at ?wsdl', async () => {
    const served = await (await fetch(`${h.sim.endpoint}?wsdl`)).text();
    expect(served).toBe(ferRegistryWsdl(h.sim.endpoint));
  });

  it('opens a session for a configured login, refuses a wrong password, and forgets a session after its time', async () => {
    expect(await faultOf(h.call('OpenSession', { Login: 'region', Password: 'wrong' }))).toMatchObject({ Code: 'AUTH_FAILED', httpStatus: 500 });
    const opened = await h.call('OpenSession', { Login: 'region', Password: 'secret' });
    expect(opened['Session_ID']).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/));
    expect(Date.parse(String(opened['Expires_At'])) - Date.now()).toBeGreaterThan(50_000);
    const sessionId = String(opened['Session_ID']);
    await expect(h.call('GetLocations', { Session_ID: sessionId, MO_OID: mo, Page: 1, Page_Size: 10 })).resolves.toMatchObject({ Total: 0 });

    h.advance(61_000);
    expect(await faultOf(h.call('GetLocations', { Session_ID: sessionId, MO_OID: mo, Page: 1, Page_Size: 10 }))).toMatchObject({ Code: 'SESSION_INVALID' });
    expect(await faultOf(h.call('CloseSession', { Session_ID: 'never-opened' }))).toMatchObject({ Code: 'SESSION_INVALID' });
  });

  it('accepts valid locations, rejects one with a wrong SNILS check number with its reason, and keeps it out', async () => {
    const session = await h.session();
    const answer = await h.call('UpdateLocations', {
      Session_ID: session,
      Location: [aLocation(1), aLocation(2, { Doctor_SNILS: '11223344596' }), aLocation(3, { Specialty_Code: '9999' }), aLocation(4, { MO_OID: '1.2.3.4' })],
    });
    expect(answer['Result']).toEqual([
      { Key: `${mo}:D0101`, Status: 'ACCEPTED' },
      { Key: `${mo}:D0102`, Status: 'REJECTED', Reason_Code: 'INVALID_SNILS', Reason: 'Doctor_SNILS check number is wrong' },
      { Key: `${mo}:D0103`, Status: 'REJECTED', Reason_Code: 'UNKNOWN_SPECIALTY', Reason: expect.any(String) },
      { Key: `${mo}:D0104`, Status: 'REJECTED', Reason_Code: 'UNKNOWN_MO', Reason: expect.any(String) },
    ]);
    const state = await h.admin<{ locations: FerLocation[] }>('GET', `/admin/state?mo=${mo}`);
    expect(state.body.locations.map((l) => l.Location_Id)).toEqual([`${mo}:D0101`]);
    const rejections = await h.admin<{ key: string; reasonCode: string }[]>('GET', '/admin/rejections?limit=3');
    expect(rejections.body.map((r) => [r.key, r.reasonCode])).toEqual([
      [`${mo}:D0102`, 'INVALID_SNILS'],
      [`${mo}:D0103`, 'UNKNOWN_SPECIALTY'],
      [`${mo}:D0104`, 'UNKNOWN_MO'],
    ]);
  });

  it('answers UNCHANGED to a resend and to an older version, and replaces on a newer one, never holding a second object', async () => {
    const session = await h.session();
    await h.call('UpdateLocations', { Session_ID: session, Location: [aLocation(1)] });
    const slots = [aSlot(0), aSlot(1)];
    expect((await h.call('UpdateSlots', { Session_ID: session, Slot: slots }))['Result']).toEqual(slots.map((s) => ({ Key: s.Slot_Id, Status: 'ACCEPTED' })));
    expect((await h.call('UpdateSlots', { Session_ID: session, Slot: slots }))['Result']).toEqual(slots.map((s) => ({ Key: s.Slot_Id, Status: 'UNCHANGED' })));

    const busy = aSlot(0, { Status: 'BUSY', Version: 3 });
    expect((await h.call('UpdateSlots', { Session_ID: session, Slot: [busy] }))['Result']).toEqual([{ Key: busy.Slot_Id, Status: 'ACCEPTED' }]);
    expect((await h.call('UpdateSlots', { Session_ID: session, Slot: [aSlot(0, { Version: 2 })] }))['Result']).toEqual([{ Key: busy.Slot_Id, Status: 'UNCHANGED' }]);

    const state = await h.admin<{ slots: FerSlot[] }>('GET', `/admin/state?mo=${mo}`);
    expect(state.body.slots).toEqual([busy, aSlot(1)]);
    const stats = await h.admin<{ operations: Record<string, Record<string, number>>; organisations: Record<string, Record<string, number>> }>('GET', '/admin/stats');
    expect(stats.body.operations['UpdateSlots']).toMatchObject({ accepted: 3, unchanged: 3 });
    expect(stats.body.organisations[mo]).toMatchObject({ slots: 2, locations: 1 });
  });

  it('rejects a slot of a location it does not hold and one that ends before it starts', async () => {
    const session = await h.session();
    const answer = await h.call('UpdateSlots', {
      Session_ID: session,
      Slot: [aSlot(5, { Location_Id: `${mo}:NOPE` }), aSlot(6, { Visit_End: aSlot(6).Visit_Start })],
    });
    expect(answer['Result']).toEqual([
      expect.objectContaining({ Status: 'REJECTED', Reason_Code: 'UNKNOWN_LOCATION' }),
      expect.objectContaining({ Status: 'REJECTED', Reason_Code: 'INVALID_TIME' }),
    ]);
  });

  it('reads back pages of locations and slots, and removes a location with its slots', async () => {
    const session = await h.session();
    await h.call('UpdateLocations', { Session_ID: session, Location: [aLocation(1), aLocation(5), aLocation(6)] });
    await h.call('UpdateSlots', { Session_ID: session, Slot: [aSlot(7, { Location_Id: `${mo}:D0105` })] });
    const first = await h.call('GetLocations', { Session_ID: session, MO_OID: mo, Page: 1, Page_Size: 2 });
    const second = await h.call('GetLocations', { Session_ID: session, MO_OID: mo, Page: 2, Page_Size: 2 });
    expect(first['Total']).toBe(3);
    expect([...(first['Location'] as FerLocation[]), ...(second['Location'] as FerLocation[])].map((l) => l.Location_Id)).toEqual([`${mo}:D0101`, `${mo}:D0105`, `${mo}:D0106`]);
    expect((first['Location'] as FerLocation[])[0]).toEqual(aLocation(1));

    const ofD0105 = await h.call('GetSlots', { Session_ID: session, MO_OID: mo, Location_Id: `${mo}:D0105`, Page: 1, Page_Size: 10 });
    expect(ofD0105).toEqual({ Slot: [aSlot(7, { Location_Id: `${mo}:D0105` })], Total: 1 });

    expect((await h.call('RemoveLocations', { Session_ID: session, Location_Id: [`${mo}:D0105`, `${mo}:GONE`] }))['Result']).toEqual([
      { Key: `${mo}:D0105`, Status: 'ACCEPTED' },
      { Key: `${mo}:GONE`, Status: 'UNCHANGED', Reason: 'Location_Id is not held' },
    ]);
    expect(await h.call('GetSlots', { Session_ID: session, MO_OID: mo, Location_Id: `${mo}:D0105`, Page: 1, Page_Size: 10 })).toEqual({ Total: 0 });
    expect(await faultOf(h.call('GetSlots', { Session_ID: session, MO_OID: mo, Page: 1, Page_Size: 1001 }))).toMatchObject({ Code: 'MALFORMED_REQUEST' });
  });

  it('keeps the booking statuses the region reports', async () => {
    const session = await h.session();
    const report = { Session_ID: session, Book_Id_Mis: 'B-1', Slot_Id: aSlot(1).Slot_Id, MO_OID: mo, Status: 'BOOKED', Version: 1 };
    expect(await h.call('UpdateAppointmentStatus', report)).toEqual({ Result: { Key: 'B-1', Status: 'ACCEPTED' } });
    expect(await h.call('UpdateAppointmentStatus', { ...report, Status: 'CANCELLED', Version: 2 })).toEqual({ Result: { Key: 'B-1', Status: 'ACCEPTED' } });
    expect(await h.call('UpdateAppointmentStatus', { ...report, Version: 1 })).toEqual({ Result: { Key: 'B-1', Status: 'UNCHANGED' } });
    const state = await h.admin<{ bookings: unknown[] }>('GET', `/admin/state?mo=${mo}`);
    expect(state.body.bookings).toEqual([{ Book_Id_Mis: 'B-1', Slot_Id: aSlot(1).Slot_Id, MO_OID: mo, Status: 'CANCELLED', Version: 2, source: 'region' }]);
  });

  it('takes drift injected through the admin API: a slot deleted, one changed, an orphan slot and location added', async () => {
    const session = await h.session();
    await h.call('UpdateLocations', { Session_ID: session, Location: [aLocation(1)] });
    await h.call('UpdateSlots', { Session_ID: session, Slot: [aSlot(10), aSlot(11)] });
    expect((await h.admin('DELETE', `/admin/slots/${encodeURIComponent(aSlot(10).Slot_Id)}`)).status).toBe(200);
    expect((await h.admin('PUT', `/admin/slots/${encodeURIComponent(aSlot(11).Slot_Id)}`, { Status: 'BUSY', Version: 0 })).body).toMatchObject({ Status: 'BUSY', Version: 0 });
    const orphanLocation = aLocation(9, { MO_OID: otherMo, Location_Id: `${otherMo}:X` });
    expect((await h.admin('POST', '/admin/locations', orphanLocation)).status).toBe(201);
    expect((await h.admin('POST', '/admin/slots', aSlot(12, { Slot_Id: `${otherMo}:orphan`, Location_Id: `${otherMo}:X`, MO_OID: otherMo }))).status).toBe(201);
    expect((await h.admin('POST', '/admin/slots', aSlot(11))).status).toBe(409);

    const slots = (await h.call('GetSlots', { Session_ID: session, MO_OID: mo, Location_Id: `${mo}:D0101`, Page: 1, Page_Size: 1000 }))['Slot'] as FerSlot[];
    expect(slots.find((s) => s.Slot_Id === aSlot(10).Slot_Id)).toBeUndefined();
    expect(slots.find((s) => s.Slot_Id === aSlot(11).Slot_Id)).toMatchObject({ Status: 'BUSY', Version: 0 });
    expect((await h.call('GetLocations', { Session_ID: session, MO_OID: otherMo, Page: 1, Page_Size: 10 }))['Total']).toBe(1);
    // A resend of the changed slot now replaces the drifted copy (its version is greater).
    expect((await h.call('UpdateSlots', { Session_ID: session, Slot: [aSlot(11)] }))['Result']).toEqual([{ Key: aSlot(11).Slot_Id, Status: 'ACCEPTED' }]);
  });

  it('refuses a request with a document type declaration or outside the contract, as MALFORMED_REQUEST', async () => {
    const post = (xml: string) =>
      fetch(h.sim.endpoint, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body: xml }).then(async (r) => ({ status: r.status, text: await r.text() }));
    const dtd = await post(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><OpenSession xmlns="${FerNamespace}"><Login>&a;</Login><Password>p</Password></OpenSession></soap:Body></soap:Envelope>`);
    expect(dtd.status).toBe(500);
    expect(dtd.text).toContain('<fer:Code>MALFORMED_REQUEST</fer:Code>');
    const foreign = await post(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><OpenSession xmlns="urn:other"><Login>a</Login><Password>p</Password></OpenSession></soap:Body></soap:Envelope>`);
    expect(foreign.text).toContain('<fer:Code>MALFORMED_REQUEST</fer:Code>');
    const huge = await post(`<x>${'a'.repeat(4 * 1024 * 1024 + 10)}</x>`).catch(() => ({ status: 413, text: '' }));
    expect(huge.status).toBe(413);
  });
});

describe('the simulator\'s limits', () => {
  it('refuses calls over the rate per login with Retry_After_Seconds, and serves them again the next second', async () => {
    const h = await harness({ ratePerSecond: 3 }, true);
    const session = await h.session();
    for (let i = 0; i < 2; i++) await h.call('GetLocations', { Session_ID: session, MO_OID: mo, Page: 1, Page_Size: 1 });
    expect(await faultOf(h.call('GetLocations', { Session_ID: session, MO_OID: mo, Page: 1, Page_Size: 1 }))).toMatchObject({ Code: 'RATE_LIMITED', Retry_After_Seconds: 1 });
    // Another login has its own allowance.
    await expect(h.session('other')).resolves.toEqual(expect.any(String));
    h.advance(1000);
    await expect(h.call('GetLocations', { Session_ID: session, MO_OID: mo, Page: 1, Page_Size: 1 })).resolves.toMatchObject({ Total: 0 });
  });

  it('refuses a batch over Max_Batch and items over the daily quota, whole and without a change', async () => {
    const h = await harness({ maxBatch: 3, dailyQuota: 4 }, true);
    const session = await h.session();
    const four = [1, 2, 3, 4].map((n) => aLocation(n));
    expect(await faultOf(h.call('UpdateLocations', { Session_ID: session, Location: four }))).toMatchObject({ Code: 'BATCH_TOO_LARGE' });
    await h.call('UpdateLocations', { Session_ID: session, Location: four.slice(0, 3) });
    const refused = await faultOf(h.call('UpdateLocations', { Session_ID: session, Location: [aLocation(5), aLocation(6)] }));
    // The frozen clock stands at 09:00:00.250 UTC: the quota resets at midnight, 15 h later.
    expect(refused).toMatchObject({ Code: 'QUOTA_EXCEEDED', Retry_After_Seconds: 15 * 3600 });
    expect((await h.admin<{ held: { locations: number } }>('GET', `/admin/state?mo=${mo}`)).body.held.locations).toBe(3);
    h.advance(15 * 3600 * 1000);
    expect((await h.call('UpdateLocations', { Session_ID: await h.session(), Location: [aLocation(5), aLocation(6)] }))['Result']).toHaveLength(2);
  });
});

describe('the simulator\'s failure modes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.admin('POST', '/admin/faults', { mode: 'up' });
  });

  it('answers 503 to every call when down, and serves again when up', async () => {
    const session = await h.session();
    await h.admin('POST', '/admin/faults', { mode: 'down' });
    expect(await transportFailureOf(h.call('GetLocations', { Session_ID: session, MO_OID: mo, Page: 1, Page_Size: 1 }))).toBe('HTTP 503');
    expect((await fetch(`${h.sim.url}/health`)).status).toBe(200);
    await h.admin('POST', '/admin/faults', { mode: 'up' });
    await expect(h.call('GetLocations', { Session_ID: session, MO_OID: mo, Page: 1, Page_Size: 1 })).resolves.toMatchObject({ Total: 0 });
  });

  it('drops the connection without an answer, and changes nothing', async () => {
    const session = await h.session();
    await h.admin('POST', '/admin/faults', { mode: 'drop' });
    expect(await transportFailureOf(h.call('UpdateLocations', { Session_ID: session, Location: [aLocation(20)] }))).toMatch(/ECONNRESET|socket hang up/i);
    await h.admin('POST', '/admin/faults', { mode: 'up' });
    expect((await h.call('UpdateLocations', { Session_ID: session, Location: [aLocation(20)] }))['Result']).toEqual([{ Key: aLocation(20).Location_Id, Status: 'ACCEPTED' }]);
  });

  it('answers late when slow: a client that gives up has had its change made, and its resend is UNCHANGED', async () => {
    const session = await h.session();
    await h.admin('POST', '/admin/faults', { mode: 'slow', delayMs: 1500 });
    await expect(h.call('UpdateLocations', { Session_ID: session, Location: [aLocation(21)] }, { timeout: 200 })).rejects.toThrow(/timeout/i);
    await h.admin('POST', '/admin/faults', { mode: 'up' });
    expect((await h.call('UpdateLocations', { Session_ID: session, Location: [aLocation(21)] }))['Result']).toEqual([{ Key: aLocation(21).Location_Id, Status: 'UNCHANGED' }]);
  });

  it('answers an internal Fault to the share of calls errorRate says, before handling them', async () => {
    const session = await h.session();
    await h.admin('POST', '/admin/faults', { errorRate: 1 });
    expect(await faultOf(h.call('UpdateLocations', { Session_ID: session, Location: [aLocation(22)] }))).toMatchObject({ Code: 'INTERNAL_ERROR' });
    await h.admin('POST', '/admin/faults', { errorRate: 0 });
    expect((await h.call('UpdateLocations', { Session_ID: session, Location: [aLocation(22)] }))['Result']).toEqual([{ Key: aLocation(22).Location_Id, Status: 'ACCEPTED' }]);
    const stats = await h.admin<{ injected: Record<string, number>; faultsGiven: Record<string, number> }>('GET', '/admin/stats');
    expect(stats.body.injected).toMatchObject({ down: 1, drop: 1, error: 1 });
    expect(stats.body.faultsGiven).toMatchObject({ INTERNAL_ERROR: 1 });
  });

  it('refuses the admin API without its token', async () => {
    expect((await fetch(`${h.sim.url}/admin/state`)).status).toBe(401);
    expect((await fetch(`${h.sim.url}/admin/state`, { headers: { authorization: 'Bearer wrong-token-000' } })).status).toBe(401);
  });
});

describe('the simulated federal portal against a fake region (a test double of ErWebService)', () => {
  let h: Harness;
  let region: FakeRegion;
  beforeAll(async () => {
    region = await startFakeRegion();
    h = await harness({ regionUrl: region.url, regionApiKey: 'concentrator-key', regionTimeoutMs: 1000 });
    const session = await h.session();
    await h.call('UpdateLocations', { Session_ID: session, Location: [aLocation(1)] });
    await h.call('UpdateSlots', { Session_ID: session, Slot: [aSlot(1), aSlot(2)] });
  });
  afterAll(async () => {
    await region.close();
  });
  beforeEach(() => {
    region.calls.length = 0;
  });

  const patient = { omsNumber: '2300000000000042', lastName: 'Тестов', firstName: 'Иван', birthDate: '1985-03-15' };

  it('identifies the patient then books the slot, with its own Session_ID and the API key, and marks its slot BUSY', async () => {
    region.answer = (call) =>
      call.operation === 'GetPatientInfo'
        ? { fields: [['Status_Code', 'SUCCESS'], ['Patient_Id', 'P1-7']] }
        : { fields: [['Status_Code', 'SUCCESS'], ['Book_Id_Mis', 'BK-1'], ['Visit_Time', '2026-03-02T08:15:00+03:00'], ['Room', '101'], ['Slot_Id', String(call.params['Slot_Id'])]] };
    const booked = await h.admin('POST', '/admin/portal/bookings', { moOid: mo, slotId: aSlot(1).Slot_Id, patient });
    expect(booked).toEqual({
      status: 200,
      body: { step: 'CreateAppointment', statusCode: 'SUCCESS', patientId: 'P1-7', bookIdMis: 'BK-1', visitTime: '2026-03-02T08:15:00+03:00', room: '101', slotId: aSlot(1).Slot_Id },
    });
    expect(region.calls.map((c) => c.operation)).toEqual(['GetPatientInfo', 'CreateAppointment']);
    const [identify, book] = region.calls;
    expect(identify?.authorization).toBe('Bearer concentrator-key');
    expect(book?.authorization).toBe('Bearer concentrator-key');
    expect(identify?.soapAction).toBe('"http://www.rt-eu.ru/med/er/v2_0/GetPatientInfo"');
    expect(identify?.params['Session_ID']).toEqual(expect.stringMatching(/^[A-Za-z0-9._-]{1,64}$/));
    expect(book?.params['Session_ID']).toBe(identify?.params['Session_ID']);
    expect(identify?.params['Patient']).toEqual({ OMS_Number: patient.omsNumber, Last_Name: 'Тестов', First_Name: 'Иван', Birth_Date: '1985-03-15' });
    expect(identify?.patientOrder).toEqual(['OMS_Number', 'Last_Name', 'First_Name', 'Birth_Date']);
    expect(book?.params).toMatchObject({ MO_OID: mo, Slot_Id: aSlot(1).Slot_Id, Patient_Id: 'P1-7' });

    const state = await h.admin<{ slots: FerSlot[]; bookings: unknown[] }>('GET', `/admin/state?mo=${mo}`);
    expect(state.body.slots.find((s) => s.Slot_Id === aSlot(1).Slot_Id)).toMatchObject({ Status: 'BUSY', Version: 1 });
    expect(state.body.bookings).toEqual([expect.objectContaining({ Book_Id_Mis: 'BK-1', Status: 'BOOKED', source: 'portal' })]);
  });

  it("answers the region's refusal and leaves its slot as it was", async () => {
    region.answer = (call) =>
      call.operation === 'GetPatientInfo'
        ? { fields: [['Status_Code', 'SUCCESS'], ['Patient_Id', 'P1-7']] }
        : { fields: [['Status_Code', 'SLOT_BUSY'], ['Slot_Id', String(call.params['Slot_Id'])], ['Comment', 'BOOKING.SLOT_TAKEN']] };
    const refused = await h.admin('POST', '/admin/portal/bookings', { moOid: mo, slotId: aSlot(2).Slot_Id, patient });
    expect(refused.body).toMatchObject({ step: 'CreateAppointment', statusCode: 'SLOT_BUSY', comment: 'BOOKING.SLOT_TAKEN' });
    expect((await h.admin<FerSlot>('GET', `/admin/slots/${encodeURIComponent(aSlot(2).Slot_Id)}`)).body.Status).toBe('FREE');

    region.answer = () => ({ fields: [['Status_Code', 'PATIENT_NOT_FOUND']] });
    expect((await h.admin('POST', '/admin/portal/bookings', { moOid: mo, slotId: aSlot(2).Slot_Id, patient })).body).toEqual({ step: 'GetPatientInfo', statusCode: 'PATIENT_NOT_FOUND' });
    expect(region.calls.filter((c) => c.operation === 'CreateAppointment')).toHaveLength(1);
  });

  it('cancels a portal booking through the region and frees its slot', async () => {
    region.answer = () => ({ fields: [['Status_Code', 'SUCCESS']] });
    const cancelled = await h.admin('POST', '/admin/portal/bookings/BK-1/cancel', { moOid: mo });
    expect(cancelled).toEqual({ status: 200, body: { statusCode: 'SUCCESS' } });
    expect(region.calls[0]?.params).toMatchObject({ MO_OID: mo, Book_Id_Mis: 'BK-1' });
    const state = await h.admin<{ slots: FerSlot[]; bookings: unknown[] }>('GET', `/admin/state?mo=${mo}`);
    expect(state.body.slots.find((s) => s.Slot_Id === aSlot(1).Slot_Id)).toMatchObject({ Status: 'FREE' });
    expect(state.body.bookings).toEqual([expect.objectContaining({ Book_Id_Mis: 'BK-1', Status: 'CANCELLED' })]);
  });

  it('reports a region that faults or does not answer in time as 502 / 504', async () => {
    region.answer = () => ({ fault: 'AUTH.INVALID_KEY' });
    expect(await h.admin('POST', '/admin/portal/bookings', { moOid: mo, slotId: aSlot(2).Slot_Id, patient })).toMatchObject({
      status: 502,
      body: { error: { code: 'PORTAL.REGION_FAULT', faultString: 'AUTH.INVALID_KEY', httpStatus: 500 } },
    });
    region.answer = () => ({ hang: true });
    expect(await h.admin('POST', '/admin/portal/bookings', { moOid: mo, slotId: aSlot(2).Slot_Id, patient })).toMatchObject({
      status: 504,
      body: { error: { code: 'PORTAL.REGION_TIMEOUT' } },
    });
  });
});
