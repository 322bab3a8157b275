import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorKind } from '@medbus/errors';
import { BookingClient, type Appointment } from './booking.client';
import { BookingClientCode } from './booking.errors';

const apiKey = `mbk.0123456789abcdef.${'k'.repeat(43)}`;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (seen: Seen, res: ServerResponse) => void;

/** A stand-in for booking's REST API answering what each test scripts, and recording what it was sent. */
async function fakeBooking(handler: Handler): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      handler(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

function anAppointment(overrides: Partial<Appointment> = {}): Appointment {
  return {
    appointmentId: randomUUID(),
    status: 'CONFIRMED',
    slotId: '1.2.3:S-1',
    organisationOid: '1.2.3',
    resourceId: '1.2.3:D-1',
    startsAt: '2031-03-03T05:00:00.000Z',
    endsAt: '2031-03-03T05:15:00.000Z',
    patientId: randomUUID(),
    misAppointmentId: 'M-1',
    rejection: null,
    ...overrides,
  };
}

const clientOf = (url: string, overrides: Partial<{ BOOKING_TIMEOUT_MS: number; BOOKING_PENDING_WAIT_MS: number }> = {}) =>
  new BookingClient({ BOOKING_URL: `${url}/`, EXPORTER_BOOKING_API_KEY: apiKey, BOOKING_TIMEOUT_MS: 2_000, BOOKING_PENDING_WAIT_MS: 5_000, ...overrides });

const rejected = (promise: Promise<unknown>): Promise<AppError> =>
  promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => {
      if (!(error instanceof AppError)) throw error;
      return error;
    },
  );

describe('the booking service as the exporter calls it', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });
  const start = async (handler: Handler) => {
    const fake = await fakeBooking(handler);
    servers.push(fake.server);
    return fake;
  };

  it('books with its own key and the idempotency key, and answers the confirmed appointment', async () => {
    const appointment = anAppointment();
    const fake = await start((_seen, res) => json(res, 201, appointment));
    await expect(clientOf(fake.url).book('1.2.3:S-1', appointment.patientId, 'er.key-0001')).resolves.toEqual(appointment);
    expect(fake.seen).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/v1/appointments',
        headers: expect.objectContaining({ authorization: `Bearer ${apiKey}`, 'idempotency-key': 'er.key-0001' }),
      }),
    ]);
    expect(JSON.parse(fake.seen[0].body)).toEqual({ slotId: '1.2.3:S-1', patientId: appointment.patientId });
  });

  it('polls a PENDING booking until the MIS has answered', async () => {
    const pending = anAppointment({ status: 'PENDING', misAppointmentId: null });
    let reads = 0;
    const fake = await start((seen, res) => {
      if (seen.method === 'POST') return json(res, 202, pending);
      reads++;
      json(res, 200, reads < 2 ? pending : { ...pending, status: 'CONFIRMED', misAppointmentId: 'M-9' });
    });
    await expect(clientOf(fake.url).book(pending.slotId, pending.patientId, 'er.key-0002')).resolves.toMatchObject({ status: 'CONFIRMED', misAppointmentId: 'M-9' });
    expect(fake.seen.filter((seen) => seen.method === 'GET').map((seen) => seen.url)).toEqual([
      `/v1/appointments/${pending.appointmentId}`,
      `/v1/appointments/${pending.appointmentId}`,
    ]);
  });

  it("throws the MIS's refusal of a pending booking with booking's code", async () => {
    const pending = anAppointment({ status: 'PENDING' });
    const fake = await start((seen, res) =>
      seen.method === 'POST' ? json(res, 202, pending) : json(res, 200, { ...pending, status: 'REJECTED', rejection: { code: 'BOOKING.PATIENT_NOT_ATTACHED', message: 'no' } }),
    );
    const error = await rejected(clientOf(fake.url).book(pending.slotId, pending.patientId, 'er.key-0003'));
    expect(error).toMatchObject({ code: 'BOOKING.PATIENT_NOT_ATTACHED', kind: ErrorKind.conflict });
  });

  it('gives up polling at the deadline with a code that says the booking may still complete', async () => {
    const pending = anAppointment({ status: 'PENDING' });
    const fake = await start((seen, res) => json(res, seen.method === 'POST' ? 202 : 200, pending));
    const error = await rejected(clientOf(fake.url, { BOOKING_PENDING_WAIT_MS: 300 }).book(pending.slotId, pending.patientId, 'er.key-0004'));
    expect(error).toMatchObject({ code: BookingClientCode.stillPending, kind: ErrorKind.timeout, details: { appointmentId: pending.appointmentId } });
  });

  it.each([
    [409, 'BOOKING.SLOT_TAKEN', ErrorKind.conflict],
    [404, 'BOOKING.SLOT_NOT_FOUND', ErrorKind.notFound],
    [400, 'BOOKING.INVALID_REQUEST', ErrorKind.validation],
    [503, 'BOOKING.ORGANISATION_NOT_SERVED', ErrorKind.unavailable],
    [429, 'BOOKING.RATE_LIMITED', ErrorKind.tooManyRequests],
  ])("maps booking's %i %s to an AppError with that code", async (status, code, kind) => {
    const fake = await start((_seen, res) => json(res, status, { error: { code, message: 'refused', details: { slotId: 'x' } } }));
    await expect(rejected(clientOf(fake.url).book('x', randomUUID(), 'er.key-0005'))).resolves.toMatchObject({ code, kind, details: { slotId: 'x', status } });
  });

  it("reads booking refusing the exporter's own key as the exporter's outage, not its caller's fault", async () => {
    const fake = await start((_seen, res) => json(res, 401, { error: { code: 'AUTH.INVALID_API_KEY', message: 'no' } }));
    await expect(rejected(clientOf(fake.url).adapters())).resolves.toMatchObject({
      code: BookingClientCode.accessRefused,
      kind: ErrorKind.unavailable,
      details: { bookingCode: 'AUTH.INVALID_API_KEY' },
    });
  });

  it('refuses an answer that is not what the API promises', async () => {
    const fake = await start((_seen, res) => json(res, 200, { items: [{ adapterId: 7 }] }));
    await expect(rejected(clientOf(fake.url).adapters())).resolves.toMatchObject({ code: BookingClientCode.badResponse });
  });

  it('searches free slots as the federal portal channel sees them, with every filter given', async () => {
    const fake = await start((_seen, res) => json(res, 200, { items: [], nextCursor: null }));
    await clientOf(fake.url).searchSlots({ organisation: '1.2.3', practitioner: '1.2.3:D-1', from: new Date('2031-03-03T00:00:00Z'), to: new Date('2031-03-04T00:00:00Z') });
    const query = new URL(fake.seen[0].url, 'http://x').searchParams;
    expect(Object.fromEntries(query)).toEqual({
      channel: 'FEDERAL_PORTAL',
      freeOnly: 'true',
      limit: '200',
      organisation: '1.2.3',
      practitioner: '1.2.3:D-1',
      from: '2031-03-03T00:00:00.000Z',
      to: '2031-03-04T00:00:00.000Z',
    });
  });

  it('answers an unreachable booking service with a stable code after retrying', async () => {
    const fake = await start((_seen, res) => json(res, 200, {}));
    const url = fake.url;
    await new Promise((resolve) => fake.server.close(resolve));
    servers.splice(servers.indexOf(fake.server), 1);
    await expect(rejected(clientOf(url).introspect(apiKey))).resolves.toMatchObject({ code: BookingClientCode.unreachable, kind: ErrorKind.unavailable });
  });

  it('answers a booking service that does not answer in time with a timeout', async () => {
    const fake = await start(() => undefined);
    await expect(rejected(clientOf(fake.url, { BOOKING_TIMEOUT_MS: 200 }).adapters())).resolves.toMatchObject({ code: BookingClientCode.timeout, kind: ErrorKind.timeout });
    fake.server.closeAllConnections();
  });

  it('treats a cancellation the MIS refused (the appointment confirmed again) as a refusal', async () => {
    const cancelling = anAppointment({ status: 'CANCELLING' });
    const fake = await start((seen, res) => json(res, 200, seen.method === 'POST' ? cancelling : { ...cancelling, status: 'CONFIRMED' }));
    await expect(rejected(clientOf(fake.url).cancel(cancelling.appointmentId, 'er.cancel-1'))).resolves.toMatchObject({ code: BookingClientCode.cancelRefused });
  });
});
