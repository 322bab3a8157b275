import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hubServiceWsdl } from '@medbus/hubservice';
import { CircuitBreaker, ManualClock, MisCircuitOpenError, MisResponseRejectedError, MisUnavailableError, TokenBucket } from '@medbus/mis-adapter-kit';
import { recordedXml } from './__fixtures__/recorded';
import { HubServiceClient, mayHaveReachedMis } from './hubservice.client';

/** A MIS that answers each operation with a recorded payload, or whatever a test puts in `answers`. */
async function aRecordedMis(): Promise<{ url: string; answers: Map<string, () => string | number>; calls: string[]; server: Server; wsdlStatus: { code: number } }> {
  const wsdlStatus = { code: 200 };
  const answers = new Map<string, () => string | number>();
  const calls: string[] = [];
  const files: Record<string, string> = {
    GetDistrictList: 'get-district-list.response.xml',
    GetLPUList: 'get-lpu-list.response.xml',
    GetAvaibleAppointments: 'get-avaible-appointments.response.xml',
  };
  const server = createServer((req, res) => {
    const { port } = server.address() as AddressInfo;
    if (req.method === 'GET') {
      if (wsdlStatus.code !== 200) {
        res.writeHead(wsdlStatus.code);
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'text/xml' });
      return res.end(hubServiceWsdl(`http://127.0.0.1:${port}/Hub25/HubService.svc`));
    }
    req.resume();
    const operation = /IHubService\/(\w+)/.exec(String(req.headers.soapaction))?.[1] ?? '';
    calls.push(operation);
    const answer = answers.get(operation)?.() ?? recordedXml(files[operation]);
    if (typeof answer === 'number') {
      res.writeHead(answer, { 'content-type': 'text/html' });
      return res.end('<html>down</html>');
    }
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
    res.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/Hub25/HubService.svc?wsdl`, answers, calls, server, wsdlStatus };
}

describe('HubServiceClient against a MIS answering recorded payloads', () => {
  let mis: Awaited<ReturnType<typeof aRecordedMis>>;
  let clock: ManualClock;
  let breaker: CircuitBreaker;
  let client: HubServiceClient;
  let rejected: string[];

  beforeEach(async () => {
    mis = await aRecordedMis();
    clock = new ManualClock();
    breaker = new CircuitBreaker(clock, { failureThreshold: 2, openMs: 1_000 });
    rejected = [];
    client = new HubServiceClient({
      wsdlUrl: mis.url,
      guid: 'g',
      timeoutMs: 2_000,
      maxResponseBytes: 64 * 1024,
      clock,
      breaker,
      limiter: new TokenBucket(clock, { ratePerSecond: 1_000, burst: 1_000 }),
      retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      onRejected: (operation, reason) => rejected.push(`${operation}:${reason}`),
    });
  });

  afterEach(() => new Promise((resolve) => mis.server.close(resolve)));

  it('reads districts, clinics and appointments with typed values and clinic-local times kept as text', async () => {
    expect((await client.getDistricts()).Districts).toEqual([{ IdDistrict: 1, DistrictName: 'г. Краснодар', Okato: 3401000000 }]);
    expect((await client.getClinics(1)).ListLPU[0]).toMatchObject({ IdLPU: 1, IsActive: true, Oid: '1.2.643.5.1.13.13.12.2.23.1037' });
    const [first] = (await client.getAppointments(1, 'D0101', '2026-11-24T00:00:00', '2026-11-24T23:59:59')).ListAppointments;
    expect(first).toMatchObject({ IdAppointment: 'D0101-202611240820', VisitStart: '2026-11-24T08:20:00', Num: 2, Room: '351' });
    expect(client.misReachable).toBe(true);
  });

  it.each([
    ['an entity-expansion bomb', 'hostile-entity-expansion.response.xml', 'dtd'],
    ['broken XML', 'hostile-broken-xml.response.xml', 'malformed'],
    ['wrong types (Success=maybe, dd.mm.yyyy dates)', 'hostile-wrong-types.response.xml', 'invalid_shape'],
  ])('refuses %s and counts it, without opening the circuit', async (_what, file, reason) => {
    mis.answers.set('GetAvaibleAppointments', () => recordedXml(file));
    await expect(client.getAppointments(1, 'D0101', '2026-11-24T00:00:00', '2026-11-24T23:59:59')).rejects.toThrow(MisResponseRejectedError);
    expect(rejected).toEqual([`GetAvaibleAppointments:${reason}`]);
    expect(breaker.state).toBe('closed');
    expect(client.misReachable).toBe(true);
  });

  it('stops reading a huge answer at the size limit', async () => {
    mis.answers.set('GetDistrictList', () => recordedXml('get-district-list.response.xml').replace('г. Краснодар', 'x'.repeat(200_000)));
    await expect(client.getDistricts()).rejects.toMatchObject({ reason: 'too_large' });
    expect(rejected).toEqual(['GetDistrictList:too_large']);
  });

  it('treats an HTTP 503 as the MIS being down and opens the circuit, then calls again after the cool-down', async () => {
    await client.getDistricts();
    mis.answers.set('GetDistrictList', () => 503);
    await expect(client.getDistricts()).rejects.toThrow(MisUnavailableError);
    await expect(client.getDistricts()).rejects.toThrow(MisUnavailableError);
    expect(client.misReachable).toBe(false);
    const callsBefore = mis.calls.length;
    await expect(client.getDistricts()).rejects.toThrow(MisCircuitOpenError);
    expect(mis.calls.length).toBe(callsBefore);

    mis.answers.delete('GetDistrictList');
    clock.advance(1_000);
    await expect(client.getDistricts()).resolves.toMatchObject({ Success: true });
    expect(breaker.state).toBe('closed');
    expect(client.misReachable).toBe(true);
  });

  it('survives a MIS that is down when the adapter starts, and loads its WSDL once it is back', async () => {
    mis.wsdlStatus.code = 503;
    await expect(client.getDistricts()).rejects.toThrow(MisUnavailableError);
    expect(client.misReachable).toBe(false);
    mis.wsdlStatus.code = 200;
    await expect(client.getDistricts()).resolves.toMatchObject({ Success: true });
  });
});

describe('whether a failed call may have changed something at the MIS', () => {
  const failed = (code: string) => new MisUnavailableError(`HubService SetAppointment failed: ${code}`, { cause: Object.assign(new Error(code), { code }) });

  it('says no for an open circuit, a refused connection and a front end that answered 502/503', () => {
    expect(mayHaveReachedMis(new MisCircuitOpenError(new Date()))).toBe(false);
    expect(mayHaveReachedMis(failed('ECONNREFUSED'))).toBe(false);
    expect(mayHaveReachedMis(new MisUnavailableError('HubService SetAppointment answered HTTP 503', { details: { status: 503 } }))).toBe(false);
  });

  it('says maybe for a timeout, a reset connection, a server fault and a garbled answer', () => {
    expect(mayHaveReachedMis(failed('ECONNABORTED'))).toBe(true);
    expect(mayHaveReachedMis(failed('ECONNRESET'))).toBe(true);
    expect(mayHaveReachedMis(new MisUnavailableError('HubService SetAppointment answered HTTP 500', { details: { status: 500 } }))).toBe(true);
    expect(mayHaveReachedMis(new MisResponseRejectedError('malformed', 'garbled'))).toBe(true);
  });
});
