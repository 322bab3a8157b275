import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import * as soap from 'soap';
import type { DataSource } from 'typeorm';
import { dropSchemas, stackAddresses, stackKafkaEnv, uniqueName } from '@medbus/testing';
import { AppModule } from '../app.module';
import { ClientsService } from '../clients/clients.service';
import { freeSlotsCountCap, type OrganisationList, type PractitionerList, type SpecialtyList } from './catalogue.query';
import type { SlotPage } from './slots.query';

const run = uniqueName('free').replace(/[^a-z0-9]/g, '');
const schema = `booking_free_it_${run}`.slice(0, 60);
let apiKey = '';
const guid = randomUUID().toUpperCase();
const organisationOid = `9.${run}.1`;
const district = `district-${run}`;
const specialty = `sp-${run}`;
const doctor = `${organisationOid}:doc-1`;
// 2031-03-03 09:00 and 09:30 in Moscow (UTC+3): far enough ahead for every reader's "from now".
const heldAt = Date.UTC(2031, 2, 3, 6, 0);
const freeAt = Date.UTC(2031, 2, 3, 6, 30);
const heldSlot = `${organisationOid}:s-held`;
const freeSlot = `${organisationOid}:s-free`;

type Soap = Record<string, unknown>;

const field = (value: unknown, name: string): unknown => (typeof value === 'object' && value !== null ? (value as Soap)[name] : undefined);
const listOf = (value: unknown): Soap[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]) as Soap[];

/**
 * The readers of the inventory must agree on what "free" is: a slot an operator holds is not free
 * for anyone else in REST search, the catalogue's counts and nearest dates, and the HubService facade.
 */
describe('a held slot, as every reader of the inventory sees it', () => {
  let app: INestApplication;
  let baseUrl: string;
  let client: soap.Client;
  let idLpu: number;

  async function get<T>(path: string): Promise<T> {
    const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }

  async function call(operation: string, args: Soap): Promise<unknown> {
    const method = (client as unknown as Record<string, (a: Soap) => Promise<unknown[]>>)[`${operation}Async`];
    const [result] = await method.call(client, { guid, ...args });
    return field(result, `${operation}Result`);
  }

  /** What each reader says is free for the doctor (who is the organisation's only one). */
  async function freeAsEveryReaderSeesIt() {
    const slots = await get<SlotPage>(`/v1/slots?practitioner=${encodeURIComponent(doctor)}&freeOnly=true`);
    const organisations = await get<OrganisationList>(`/v1/organisations?district=${district}`);
    const specialties = await get<SpecialtyList>(`/v1/specialties?organisation=${organisationOid}`);
    const practitioners = await get<PractitionerList>(`/v1/practitioners?organisation=${organisationOid}`);
    const hubSpecialties = listOf(field(field(await call('GetSpesialityList', { idLpu }), 'ListSpesiality'), 'Spesiality'));
    const hubDoctors = listOf(field(field(await call('GetDoctorList', { idLpu, idSpesiality: specialty }), 'Docs'), 'Doctor'));
    const day = { idLpu, idDoc: doctor, visitStart: '2031-03-03T00:00:00', visitEnd: '2031-03-03T00:00:00' };
    const hubAppointments = listOf(field(field(await call('GetAvaibleAppointments', day), 'ListAppointments'), 'Appointment'));
    const organisation = organisations.items.find((o) => o.organisationOid === organisationOid);
    return {
      search: slots.items.map((s) => s.slotId),
      organisation: [organisation?.freeSlots, organisation?.nearestFreeAt],
      specialty: specialties.items.map((s) => [s.freeSlots, s.nearestFreeAt]),
      practitioner: practitioners.items.map((p) => [p.freeSlots, p.nearestFreeAt]),
      hubSpecialty: hubSpecialties.map((s) => [s['CountFreeTicket'], s['NearestDate']]),
      hubDoctor: hubDoctors.map((d) => [d['CountFreeTicket'], d['NearestDate']]),
      hubAppointments: hubAppointments.map((a) => a['IdAppointment']),
    };
  }

  beforeAll(async () => {
    const stack = stackAddresses();
    const env = {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      ...stackKafkaEnv(),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      DATABASE_URL: stack.databaseUrl,
      HTTP_PORT: '8080',
      BOOKING_DATABASE_SCHEMA: schema,
      BOOKING_CONSUMER_GROUP: uniqueName('booking-free-it'),
      OTEL_SDK_DISABLED: 'true',
    };
    app = await NestFactory.create(AppModule.forRoot(env), { logger: false });
    await app.listen(0);
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const db = app.get<DataSource>(getDataSourceToken());
    apiKey = (await app.get(ClientsService).issue({ clientId: 'operator-free-slot', role: 'OPERATOR' })).secret;
    await app.get(ClientsService).issue({ clientId: 'hub-free-slot', role: 'HUB_CLIENT' }, { guid });
    await db.query(
      `INSERT INTO inventory_organisation (organisation_oid, short_name, district_id, district_name, mis_vendor, time_zone, active, removed, source_version, occurred_at)
       VALUES ($1, 'ГП-1', $2, 'Прикубанский', 'medialog', 'Europe/Moscow', true, false, 1, now())`,
      [organisationOid, district],
    );
    await db.query(
      `INSERT INTO inventory_practitioner (resource_id, organisation_oid, local_resource_id, display_name, specialty_nsi_code, specialty_name, active, removed, source_version, occurred_at)
       VALUES ($1, $2, 'doc-1', 'Иванова А. П.', $3, 'Кардиология', true, false, 1, now())`,
      [doctor, organisationOid, specialty],
    );
    for (const [slotId, startsAt] of [[heldSlot, heldAt], [freeSlot, freeAt]] as const) {
      await db.query(
        `INSERT INTO inventory_slot (slot_id, organisation_oid, resource_id, local_slot_id, local_resource_id, starts_at, ends_at, status, booking_channels,
           removed, source_version, occurred_at, district_id, specialty_nsi_code, offered)
         VALUES ($1, $2, $3, $1, 'doc-1', $4, $4::timestamptz + interval '15 minutes', 'FREE', ARRAY['CONTACT_CENTRE'], false, 1, now(), $5, $6, true)`,
        [slotId, organisationOid, doctor, new Date(startsAt), district, specialty],
      );
    }
    client = await soap.createClientAsync(`${baseUrl}/Hub25/HubService.svc?wsdl`, { customDeserializer: { dateTime: (text: string) => text } } as soap.IOptions);
    const clinics = listOf(field(field(await call('GetLPUList', {}), 'ListLPU'), 'Clinic'));
    idLpu = Number(clinics.find((c) => c['Oid'] === organisationOid)?.['IdLPU']);
  });

  afterAll(async () => {
    await app?.close();
    await dropSchemas(schema);
  });

  it('is left out of search, counts, nearest dates and the facade while held, and counted again once released', async () => {
    const both = {
      search: [heldSlot, freeSlot],
      organisation: [2, new Date(heldAt).toISOString()],
      specialty: [[2, new Date(heldAt).toISOString()]],
      practitioner: [[2, new Date(heldAt).toISOString()]],
      hubSpecialty: [[2, '2031-03-03T09:00:00']],
      hubDoctor: [[2, '2031-03-03T09:00:00']],
      hubAppointments: [heldSlot, freeSlot],
    };
    expect(await freeAsEveryReaderSeesIt()).toEqual(both);

    const taken = await fetch(`${baseUrl}/v1/holds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slotId: heldSlot }),
    });
    expect(taken.status).toBe(201);
    const { holdId } = (await taken.json()) as { holdId: string };

    expect(await freeAsEveryReaderSeesIt()).toEqual({
      search: [freeSlot],
      organisation: [1, new Date(freeAt).toISOString()],
      specialty: [[1, new Date(freeAt).toISOString()]],
      practitioner: [[1, new Date(freeAt).toISOString()]],
      hubSpecialty: [[1, '2031-03-03T09:30:00']],
      hubDoctor: [[1, '2031-03-03T09:30:00']],
      hubAppointments: [freeSlot],
    });
    const all = await get<SlotPage>(`/v1/slots?practitioner=${encodeURIComponent(doctor)}`);
    expect(all.items.map((s) => [s.slotId, s.status])).toEqual([
      [heldSlot, 'HELD'],
      [freeSlot, 'FREE'],
    ]);

    const released = await fetch(`${baseUrl}/v1/holds/${holdId}`, { method: 'DELETE', headers: { authorization: `Bearer ${apiKey}` } });
    expect(released.status).toBe(204);
    expect(await freeAsEveryReaderSeesIt()).toEqual(both);
  });

  it('counts free slots in a list up to the cap and then says there are more, keeping the nearest one', async () => {
    const db = app.get<DataSource>(getDataSourceToken());
    const busy = `${organisationOid}:doc-busy`;
    await db.query(
      `INSERT INTO inventory_practitioner (resource_id, organisation_oid, local_resource_id, display_name, specialty_nsi_code, specialty_name, active, removed, source_version, occurred_at)
       VALUES ($1, $2, 'doc-busy', 'Петров П. П.', $3, 'Кардиология', true, false, 1, now())`,
      [busy, organisationOid, `${specialty}-busy`],
    );
    const first = Date.UTC(2031, 2, 4, 6, 0);
    await db.query(
      `INSERT INTO inventory_slot (slot_id, organisation_oid, resource_id, local_slot_id, local_resource_id, starts_at, ends_at, status, booking_channels,
         removed, source_version, occurred_at, district_id, specialty_nsi_code, offered)
       SELECT $1 || ':busy-' || n, $1, $2, 'busy-' || n, 'doc-busy', $3::timestamptz + n * interval '15 minutes', $3::timestamptz + (n + 1) * interval '15 minutes',
              'FREE', ARRAY['CONTACT_CENTRE'], false, 1, now(), $4, $5, true
       FROM generate_series(0, $6::int) AS n`,
      [organisationOid, busy, new Date(first), district, `${specialty}-busy`, freeSlotsCountCap],
    );

    const practitioners = await get<PractitionerList>(`/v1/practitioners?organisation=${organisationOid}`);
    expect(practitioners.items.map((p) => [p.practitionerId, p.freeSlots, p.moreFreeSlots, p.nearestFreeAt])).toEqual([
      [doctor, 2, false, new Date(heldAt).toISOString()],
      [busy, freeSlotsCountCap, true, new Date(first).toISOString()],
    ]);
    const specialties = await get<SpecialtyList>(`/v1/specialties?organisation=${organisationOid}`);
    expect(specialties.items.map((s) => [s.nsiCode, s.freeSlots, s.moreFreeSlots])).toEqual([
      [specialty, 2, false],
      [`${specialty}-busy`, freeSlotsCountCap, true],
    ]);
    const organisations = await get<OrganisationList>(`/v1/organisations?district=${district}`);
    expect(organisations.items.map((o) => [o.freeSlots, o.moreFreeSlots, o.nearestFreeAt])).toEqual([[freeSlotsCountCap, true, new Date(heldAt).toISOString()]]);
  });
});
