import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import * as soap from 'soap';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { AllEvents, BookingChannel, Topics, type EventName, type EventOf } from '@medbus/contracts';
import { AddBackboneRetentionIndexes1795910400000, CreateKafkaBackboneTables1732406400000, EventConsumer, EventPublisher, adapterTopicOf, adapterTopicsOf, deleteNamespaceTopics, ensureTopics, type ConsumedEvent } from '@medbus/kafka';
import { dropSchemas, freePort, schemaDataSource, stackAddresses, stackKafkaEnv, startProcess, testConnection, uniqueName, waitFor, waitForHttp, type ServiceProcess } from '@medbus/testing';
import { AuthGuard, CredentialsService } from '@medbus/service-auth';
import { BookingClient } from '../booking/booking.client';
import { FederalViewQuery } from '../export/federal-view.query';
import { CreateExportTables1796400000000 } from '../migrations/export-tables.migration';
import { erServicePath } from './er-service.contract';
import { FederalServiceController } from './federal-service.controller';
import { FederalService } from './federal-service.service';
import { FederalSlotQuery } from './federal-slot.query';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * ErWebService over a real booking service (its own process, schema and bus namespace) with a
 * scripted MIS adapter answering its commands: the federal concentrator's key books through booking
 * exactly as any client does, so booking's rules hold for federal bookings.
 */

const root = join(__dirname, '..', '..', '..', '..');
const run = uniqueName('er').replace(/[^a-z0-9]/g, '');
const namespace = uniqueName('er-it');
const adapterId = `er-adapter-${run}`.slice(0, 40);
const adapterKey = `er-adapter-key-${randomBytes(8).toString('hex')}`;
const organisationOid = `7.${run}.1`;
const bookingSchema = `booking_er_${run}`.slice(0, 60);
const exporterSchema = `exporter_er_${run}`.slice(0, 60);
const zone = 'Asia/Yekaterinburg';
// 2031-03-03 09:00 in Yekaterinburg (UTC+5).
const day0 = Date.UTC(2031, 2, 3, 4, 0);
const minutes = (n: number) => n * 60_000;
const doctorSnils = '11223344595';
const resourceId = `${organisationOid}:doc-1`;
const slotIds = { open: `${organisationOid}:s1`, closed: `${organisationOid}:s2`, second: `${organisationOid}:s3`, removed: `${organisationOid}:s4` };

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

/** The clinic's MIS behind its adapter: identifies patients over HTTP, confirms every command over Kafka. */
class ScriptedAdapter {
  private server?: Server;
  private consumer?: EventConsumer;
  url = '';

  constructor(private readonly publisher: EventPublisher) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.headers.authorization !== `Bearer ${adapterKey}`) return void res.writeHead(401).end();
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { policyNumber?: string };
        if (!body.policyNumber || body.policyNumber.startsWith('9999')) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'PATIENT.NOT_FOUND', message: 'Пациент не найден' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ misPatientId: `P-${body.policyNumber}`, registered: false, attached: true }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.consumer = new EventConsumer({
      connection: { ...testConnection(), namespace },
      groupId: uniqueName('er-scripted-adapter'),
      topics: [adapterTopicOf(Topics.bookingCommand, adapterId)],
      deadLetters: this.publisher,
      handle: (event) => this.onCommand(event),
    });
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async onCommand(event: ConsumedEvent): Promise<void> {
    if (event.eventType === 'CancelAppointment') {
      const cancel = event.value as EventOf<'CancelAppointment'>;
      await this.publisher.publish({
        event: AllEvents.AppointmentCancellationConfirmed,
        key: cancel.appointmentId,
        value: { commandId: cancel.commandId, appointmentId: cancel.appointmentId, organisationOid, slotId: cancel.slotId, occurredAt: Date.now() },
      });
      return;
    }
    const book = event.value as EventOf<'BookSlot'>;
    await this.publisher.publish({
      event: AllEvents.SlotBookingConfirmed,
      key: book.appointmentId,
      value: { commandId: book.commandId, appointmentId: book.appointmentId, organisationOid, slotId: book.slotId, misAppointmentId: book.localSlotId, occurredAt: Date.now() },
    });
  }
}

/** Booking's clients CLI against the test's schema; answers the secret it printed. */
async function clientsCli(args: readonly string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(join(root, 'node_modules', '.bin', 'tsx'), ['--tsconfig', 'tsconfig.base.json', 'apps/booking/src/clients/clients.cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: stackAddresses().databaseUrl, BOOKING_DATABASE_SCHEMA: bookingSchema },
    timeout: 120_000,
  });
  return stdout.trim();
}

interface HostileCase {
  readonly name: string;
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly auth?: 'operator' | 'none';
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
    readonly pad?: { readonly unit: string; readonly times: number };
  };
  readonly expect: { readonly status: number; readonly code: string | null; readonly bodyIncludes?: readonly string[]; readonly bodyExcludes?: readonly string[] };
}

const fill = (text: string, values: Readonly<Record<string, string>>): string =>
  text.replace(/\{\{(\w+)\}\}/g, (match, name: string) => {
    if (!(name in values)) throw new Error(`unknown placeholder ${match}`);
    return values[name];
  });

/** One corpus case over a plain socket (content-length as the case says, even a false one), the whole answer read. */
function sendCase(port: number, testCase: HostileCase, values: Readonly<Record<string, string>>, federalKey: string): Promise<{ status: number; body: string; code: string | null }> {
  const { request } = testCase;
  const headers: Record<string, string> = {};
  if ((request.auth ?? 'operator') === 'operator') headers['authorization'] = `Bearer ${federalKey}`;
  const text = request.body === undefined ? undefined : request.pad ? request.body.replace('{{pad}}', request.pad.unit.repeat(request.pad.times)) : request.body;
  const body = text === undefined ? undefined : Buffer.from(fill(text, values));
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = fill(value, values);
  if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: request.method, path: request.path, headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const answer = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: answer, code: /<ErrorCode[^>]*>([^<]+)<\/ErrorCode>/.exec(answer)?.[1] ?? null });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    // A server may answer and close before the whole body is written.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.end(body);
  });
}

function exporterModule(providers: { booking: BookingClient; dataSource: DataSource; config: Loose }): DynamicModule {
  @Module({})
  class FederalServiceTestModule {}
  return {
    module: FederalServiceTestModule,
    controllers: [FederalServiceController],
    providers: [
      { provide: AppConfig, useValue: providers.config },
      { provide: BookingClient, useValue: providers.booking },
      { provide: CredentialsService, useValue: new CredentialsService(providers.booking) },
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: FederalViewQuery, useValue: new FederalViewQuery(providers.dataSource) },
      { provide: FederalSlotQuery, useValue: new FederalSlotQuery(providers.dataSource) },
      FederalService,
    ],
  };
}

describe('the region’s federal service booking through the booking service', () => {
  let booking: ServiceProcess | undefined;
  let bookingUrl = '';
  let publisher: EventPublisher;
  let adapter: ScriptedAdapter;
  let dataSource: DataSource;
  let app: INestApplication;
  let exporterUrl = '';
  let exporterPort = 0;
  let exporterKey = '';
  let concentratorKey = '';
  let portalKey = '';
  let concentrator: soap.Client;

  async function call(operation: string, args: Loose, through = concentrator): Promise<Loose> {
    const method = (through as unknown as Record<string, (a: Loose) => Promise<Loose[]>>)[`${operation}Async`];
    const [result] = await method.call(through, args);
    return result as Loose;
  }

  async function faultOf(operation: string, args: Loose, through: soap.Client): Promise<{ status: number; code: string }> {
    const error: Loose = await call(operation, args, through).then(
      () => {
        throw new Error(`${operation} answered without a fault`);
      },
      (e: unknown) => e as Loose,
    );
    return { status: error['response']?.['status'], code: error['root']?.['Envelope']?.['Body']?.['Fault']?.['detail']?.['ErrorCode'] };
  }

  /** A client of the live WSDL; date-times stay the strings on the wire (node-soap would read them in this process's zone). */
  function soapClient(): Promise<soap.Client> {
    return soap.createClientAsync(`${exporterUrl}${erServicePath}?wsdl`, { customDeserializer: { dateTime: (text: string) => text } } as soap.IOptions);
  }

  async function bookingApi<T>(path: string): Promise<T> {
    const response = await fetch(`${bookingUrl}${path}`, { headers: { authorization: `Bearer ${exporterKey}` } });
    if (!response.ok) throw new Error(`booking answered ${response.status} to ${path}`);
    return (await response.json()) as T;
  }

  async function publish<N extends EventName>(name: N, key: string, value: EventOf<N>): Promise<void> {
    await publisher.publish({ event: AllEvents[name], key, value });
  }

  function aSlot(localSlotId: string, startsAt: number, channels: BookingChannel[]): EventOf<'SlotPublished'> {
    return {
      slotId: `${organisationOid}:${localSlotId}`,
      localSlotId,
      organisationOid,
      resourceId,
      localResourceId: 'doc-1',
      startsAt,
      endsAt: startsAt + minutes(15),
      status: 'FREE',
      bookingChannels: channels,
      room: '214',
      sourceVersion: 1,
      occurredAt: Date.now(),
    };
  }

  /** The federal view the export projection would hold for the same clinic (its tables, written as it writes them). */
  async function federalViewFixture(): Promise<void> {
    await dataSource.query(
      `INSERT INTO fer_organisation (organisation_oid, full_name, short_name, address, time_zone, district_id, district_name, active, removed, source_version, occurred_at)
       VALUES ($1, 'Городская поликлиника №7', 'ГП-7', 'ул. Ленина, 1', $2, '66', 'Ленинский', true, false, 1, now())`,
      [organisationOid, zone],
    );
    await dataSource.query(
      `INSERT INTO fer_location (location_id, organisation_oid, local_resource_id, practitioner_snils, display_name, specialty_nsi_code, specialty_name,
         position_nsi_code, position_mis_code, position_name, room, active, removed, source_version, occurred_at)
       VALUES ($1, $2, 'doc-1', $3, 'Иванова А. П.', '76', 'Терапия', '109', 'T1', 'Врач-терапевт участковый', '214', true, false, 1, now())`,
      [resourceId, organisationOid, doctorSnils],
    );
    const slot = (slotId: string, startsAt: number, channels: string[], removed: boolean) =>
      dataSource.query(
        `INSERT INTO fer_slot (slot_id, organisation_oid, location_id, local_slot_id, starts_at, ends_at, status, booking_channels, federal_portal, room, removed, source_version, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'FREE', $7, $8, '214', $9, 1, now())`,
        [slotId, organisationOid, resourceId, slotId.split(':')[1], new Date(startsAt), new Date(startsAt + minutes(15)), channels, channels.includes('FEDERAL_PORTAL'), removed],
      );
    await slot(slotIds.open, day0, ['FEDERAL_PORTAL', 'FRONT_DESK'], false);
    await slot(slotIds.closed, day0 + minutes(15), ['FRONT_DESK'], false);
    await slot(slotIds.second, day0 + minutes(30), ['FEDERAL_PORTAL'], false);
    // Known to the exporter, but the MIS took it away: booking no longer has it.
    await slot(slotIds.removed, day0 + minutes(45), ['FEDERAL_PORTAL'], true);
  }

  beforeAll(async () => {
    await ensureTopics({ ...testConnection(), namespace }, [Topics.appointment, Topics.waitlist, ...adapterTopicsOf(adapterId)], 3);
    publisher = new EventPublisher({ ...testConnection(), namespace }, { origin: adapterId });
    adapter = new ScriptedAdapter(publisher);
    await adapter.start();

    // Clients as operations issue them: the adapter first (it migrates the schema), then the rest at once.
    await clientsCli(['issue', '--client', adapterId, '--role', 'MIS_ADAPTER', '--organisations', organisationOid]);
    [exporterKey, concentratorKey, portalKey] = await Promise.all([
      clientsCli(['issue', '--client', `exporter-${run}`.slice(0, 60), '--role', 'FEDERAL_REGISTRY']),
      clientsCli(['issue', '--client', `concentrator-${run}`.slice(0, 60), '--role', 'FEDERAL_REGISTRY']),
      clientsCli(['issue', '--client', `portal-${run}`.slice(0, 60), '--role', 'PORTAL']),
    ]);

    const stack = stackAddresses();
    const bookingPort = await freePort();
    bookingUrl = `http://127.0.0.1:${bookingPort}`;
    booking = startProcess({
      name: 'booking',
      command: join(root, 'node_modules', '.bin', 'tsx'),
      args: ['--tsconfig', 'tsconfig.base.json', 'apps/booking/src/main.ts'],
      cwd: root,
      logFile: join(root, '.medbus', 'logs', `er-it-booking-${run}.log`),
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: stack.kafkaBrokers.join(','),
        ...stackKafkaEnv(),
        SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
        KAFKA_NAMESPACE: namespace,
        DATABASE_URL: stack.databaseUrl,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(bookingPort),
        OTEL_SDK_DISABLED: 'true',
        BOOKING_CONSUMER_GROUP: uniqueName('er-it-booking'),
        BOOKING_DATABASE_SCHEMA: bookingSchema,
        BOOKING_RESPONSE_TIMEOUT_MS: '5000',
        BOOKING_MIS_ADAPTERS: `${adapterId}=${adapter.url}`,
        BOOKING_MIS_ADAPTER_API_KEY: adapterKey,
        BOOKING_DATA_KEYS: `er=${randomBytes(32).toString('base64')}`,
      },
    });
    await waitForHttp(`${bookingUrl}/health/live`, booking, 120_000);

    await publish('OrganisationPublished', organisationOid, {
      organisationOid,
      fullName: 'Городская поликлиника №7',
      shortName: 'ГП-7',
      districtId: '66',
      districtName: 'Ленинский',
      misVendor: 'scripted',
      timeZone: zone,
      active: true,
      address: null,
      sourceVersion: 1,
      occurredAt: Date.now(),
    });
    await publish('ResourcePublished', resourceId, {
      resourceId,
      organisationOid,
      localResourceId: 'doc-1',
      federalPractitionerId: null,
      practitionerSnils: doctorSnils,
      displayName: 'Иванова А. П.',
      specialty: { nsiCode: '76', misCode: 'T', misName: 'Терапия' },
      position: null,
      departmentOid: null,
      departmentName: null,
      room: '214',
      active: true,
      sourceVersion: 1,
      occurredAt: Date.now(),
      patientSex: null,
      minPatientAgeYears: null,
      maxPatientAgeYears: null,
      attachmentRequired: false,
    });
    for (const slot of [aSlot('s1', day0, [BookingChannel.FEDERAL_PORTAL, BookingChannel.FRONT_DESK]), aSlot('s2', day0 + minutes(15), [BookingChannel.FRONT_DESK]), aSlot('s3', day0 + minutes(30), [BookingChannel.FEDERAL_PORTAL])]) {
      await publish('SlotPublished', slot.slotId, slot);
    }
    await waitFor(
      async () => (await bookingApi<{ items: unknown[] }>(`/v1/slots?organisation=${encodeURIComponent(organisationOid)}&from=2031-01-01T00:00:00Z`)).items.length === 3,
      'the three slots in the inventory',
      60_000,
    );

    dataSource = await schemaDataSource(exporterSchema, {
      migrations: [CreateKafkaBackboneTables1732406400000, AddBackboneRetentionIndexes1795910400000, CreateExportTables1796400000000],
      migrationsTableName: 'exporter_migrations',
    });
    await federalViewFixture();
    const config = {
      BOOKING_URL: bookingUrl,
      EXPORTER_BOOKING_API_KEY: exporterKey,
      BOOKING_TIMEOUT_MS: 10_000,
      BOOKING_PENDING_WAIT_MS: 20_000,
      ER_MAX_BODY_BYTES: 262_144,
      ER_SERVICE_PUBLIC_URL: undefined,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: 0,
    };
    app = await NestFactory.create(exporterModule({ booking: new BookingClient(config), dataSource, config }), { logger: false });
    await app.listen(0, '127.0.0.1');
    exporterPort = (app.getHttpServer().address() as AddressInfo).port;
    exporterUrl = `http://127.0.0.1:${exporterPort}`;
    concentrator = await soapClient();
    concentrator.setSecurity(new soap.BearerSecurity(concentratorKey));
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    await booking?.stop();
    await dataSource?.destroy();
    await dropSchemas(exporterSchema, bookingSchema);
    await adapter?.stop();
    await publisher?.close();
    await deleteNamespaceTopics(testConnection(), namespace).catch(() => undefined);
  }, 60_000);

  afterEach(() => {
    const state = expect.getState();
    if (state.assertionCalls > state.numPassingAsserts) console.log(booking?.tail(60));
  });

  it('describes the clinic, its specialties and its exportable doctors from the federal view', async () => {
    const mo = await call('GetMOInfoExtended', { Session_ID: 'sess-read', MO_OID: organisationOid });
    expect(mo['Status_Code']).toBe('SUCCESS');
    expect(asList(mo['MO_List']?.['MO'])).toEqual([
      { MO_OID: organisationOid, MO_Name: 'Городская поликлиника №7', MO_Short_Name: 'ГП-7', Address: 'ул. Ленина, 1', District_Code: '66', District_Name: 'Ленинский' },
    ]);
    const specs = await call('GetServicePostSpecsInfo', { Session_ID: 'sess-read', MO_OID: organisationOid });
    expect(asList(specs['Service_Post_Specs']?.['Item'])).toEqual([{ Spec_Code: '76', Spec_Name: 'Терапия', Post_Code: '109', Post_Name: 'Врач-терапевт участковый' }]);
    const resources = await call('GetMOResourceInfo', { Session_ID: 'sess-read', MO_OID: organisationOid, Spec_Code: '76' });
    expect(asList(resources['Resources']?.['Resource'])).toEqual([
      { Resource_Id: resourceId, Doctor_SNILS: doctorSnils, Doctor_Name: 'Иванова А. П.', Spec_Code: '76', Post_Code: '109', Room: '214' },
    ]);
    expect((await call('GetMOInfoExtended', { Session_ID: 'sess-read', MO_OID: `${organisationOid}.404` }))['Status_Code']).toBe('NOT_FOUND');
  });

  it("lists the resource's free slots open to the federal portal, in the clinic's time with its offset", async () => {
    const schedule = await call('GetScheduleInfo', { Session_ID: 'sess-read', MO_OID: organisationOid, Resource_Id: resourceId, Start_Date: '2031-03-03', End_Date: '2031-03-03' });
    expect(schedule['Status_Code']).toBe('SUCCESS');
    expect(asList(schedule['Slots']?.['Slot']).map((slot: Loose) => [slot['Slot_Id'], slot['Visit_Time'], slot['Room']])).toEqual([
      [slotIds.open, '2031-03-03T09:00:00+05:00', '214'],
      [slotIds.second, '2031-03-03T09:30:00+05:00', '214'],
    ]);
  });

  it('identifies a patient at the MIS through booking, and says when it cannot', async () => {
    const found = await call('GetPatientInfo', { Session_ID: 'sess-p', MO_OID: organisationOid, Patient: { OMS_Number: '1000000000000001' } });
    expect(found).toEqual({ Status_Code: 'SUCCESS', Patient_Id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const missing = await call('GetPatientInfo', { Session_ID: 'sess-p', MO_OID: organisationOid, Patient: { OMS_Number: '9999000000000001' } });
    expect(missing).toMatchObject({ Status_Code: 'PATIENT_NOT_FOUND', Comment: expect.stringContaining('PATIENT.NOT_FOUND') });
    expect(JSON.stringify(missing)).not.toContain('9999000000000001');
  });

  it('books a slot for the federal portal once, however often the same call is retried, and a second booking of it is SLOT_BUSY', async () => {
    const patientOf = async (policy: string) => (await call('GetPatientInfo', { Session_ID: `sess-${policy}`, MO_OID: organisationOid, Patient: { OMS_Number: policy } }))['Patient_Id'] as string;
    const alice = await patientOf('1000000000000002');
    const bob = await patientOf('1000000000000003');
    const request = { Session_ID: 'sess-alice', MO_OID: organisationOid, Slot_Id: slotIds.open, Patient_Id: alice };

    const booked = await call('CreateAppointment', request);
    expect(booked).toEqual({ Status_Code: 'SUCCESS', Book_Id_Mis: expect.any(String), Visit_Time: '2031-03-03T09:00:00+05:00', Room: '214', Slot_Id: slotIds.open });
    const retried = await call('CreateAppointment', request);
    expect(retried['Book_Id_Mis']).toBe(booked['Book_Id_Mis']);
    const history = await fetch(`${bookingUrl}/v1/appointments?patientId=${alice}`, { headers: { authorization: `Bearer ${exporterKey}` } });
    expect(((await history.json()) as { items: { status: string }[] }).items.map((a) => a.status)).toEqual(['CONFIRMED']);

    const second = await call('CreateAppointment', { Session_ID: 'sess-bob', MO_OID: organisationOid, Slot_Id: slotIds.open, Patient_Id: bob });
    expect(second).toEqual({ Status_Code: 'SLOT_BUSY', Slot_Id: slotIds.open, Comment: expect.stringMatching(/^BOOKING\.SLOT_(TAKEN|HELD)/) });
  });

  it('refuses slots closed to the federal portal or removed as SLOT_NOT_AVAILABLE, and an unknown slot as NOT_FOUND', async () => {
    const patient = (await call('GetPatientInfo', { Session_ID: 'sess-c', MO_OID: organisationOid, Patient: { OMS_Number: '1000000000000004' } }))['Patient_Id'] as string;
    const book = (slotId: string) => call('CreateAppointment', { Session_ID: 'sess-c', MO_OID: organisationOid, Slot_Id: slotId, Patient_Id: patient });
    expect(await book(slotIds.closed)).toMatchObject({ Status_Code: 'SLOT_NOT_AVAILABLE', Comment: expect.stringContaining('BOOKING.SLOT_CLOSED_TO_CHANNEL') });
    expect(await book(slotIds.removed)).toMatchObject({ Status_Code: 'SLOT_NOT_AVAILABLE', Comment: expect.stringContaining('ER.SLOT_NOT_AVAILABLE') });
    expect(await book(`${organisationOid}:no-such-slot`)).toMatchObject({ Status_Code: 'NOT_FOUND', Comment: expect.stringContaining('BOOKING.SLOT_NOT_FOUND') });
  });

  it('cancels a federal booking at the MIS', async () => {
    const patient = (await call('GetPatientInfo', { Session_ID: 'sess-d', MO_OID: organisationOid, Patient: { OMS_Number: '1000000000000005' } }))['Patient_Id'] as string;
    const booked = await call('CreateAppointment', { Session_ID: 'sess-d', MO_OID: organisationOid, Slot_Id: slotIds.second, Patient_Id: patient });
    expect(booked['Status_Code']).toBe('SUCCESS');
    expect(await call('CancelAppointment', { Session_ID: 'sess-d', MO_OID: organisationOid, Book_Id_Mis: booked['Book_Id_Mis'] })).toEqual({ Status_Code: 'SUCCESS' });
    expect((await bookingApi<{ status: string }>(`/v1/appointments/${booked['Book_Id_Mis']}`)).status).toBe('CANCELLED');
    expect(await call('CancelAppointment', { Session_ID: 'sess-d', MO_OID: `${organisationOid}.9`, Book_Id_Mis: booked['Book_Id_Mis'] })).toMatchObject({ Status_Code: 'NOT_FOUND' });
  });

  it('refuses a key of any other role, and no key, with a SOAP Fault', async () => {
    const portal = await soapClient();
    portal.setSecurity(new soap.BearerSecurity(portalKey));
    expect(await faultOf('GetMOInfoExtended', { Session_ID: 's' }, portal)).toEqual({ status: 403, code: 'AUTH.FORBIDDEN' });
    const anonymous = await soapClient();
    expect(await faultOf('CreateAppointment', { Session_ID: 's', MO_OID: organisationOid, Slot_Id: slotIds.second, Patient_Id: 'x' }, anonymous)).toEqual({
      status: 401,
      code: 'AUTH.MISSING_API_KEY',
    });
  });

  describe('under the hostile corpus (tools/e2e/hostile/federal-service.json)', () => {
    const corpus = JSON.parse(readFileSync(join(root, 'tools', 'e2e', 'hostile', 'federal-service.json'), 'utf8')) as { cases: HostileCase[] };

    it.each(corpus.cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
      const answer = await sendCase(exporterPort, testCase, { organisationOid, apiKey: portalKey }, concentratorKey);
      expect({ status: answer.status, code: answer.code }).toEqual({ status: testCase.expect.status, code: testCase.expect.code });
      for (const text of testCase.expect.bodyIncludes ?? []) expect(answer.body).toContain(text);
      for (const text of testCase.expect.bodyExcludes ?? []) expect(answer.body).not.toContain(text);
    });

    it('still answers a real call afterwards', async () => {
      expect((await call('GetMOInfoExtended', { Session_ID: 'after-hostile', MO_OID: organisationOid }))['Status_Code']).toBe('SUCCESS');
    });
  });
});
