import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Client } from 'pg';
import { DataSource as TypeOrmDataSource } from 'typeorm';
import { AllEvents, Topics, type EventName, type EventOf } from '@medbus/contracts';
import { EventPublisher, Headers, adapterTopicOf, adapterTopicsOf, deadLetterTopicOf, ensureTopics, deleteNamespaceTopics } from '@medbus/kafka';
import { collectTopic, dropSchemas, stackAddresses, stackKafkaEnv, testConnection, uniqueName, waitFor } from '@medbus/testing';
import { bookingMigrations, startBookingApp } from '../app.module';
import { ClientsService, registerAdapter } from '../clients/clients.service';
import type { OrganisationList, PractitionerList, SpecialtyList } from './catalogue.query';
import type { SlotPage, SlotView } from './slots.query';

let apiKey = '';
const run = uniqueName('run').replace(/[^a-z0-9]/g, '');
const district = `district-${run}`;
const cardiology = `sp-${run}-cardiology`;
const neurology = `sp-${run}-neurology`;
const therapist = `pos-${run}-therapist`;
// Far enough ahead that "from now" includes every slot of the run.
const day0 = Date.UTC(2031, 2, 3, 5, 0);
const minutes = (n: number) => n * 60_000;
// A bus of the run's own: the per-adapter topics of its two adapters, read by pattern from the start.
const namespace = uniqueName('booking-inventory-it');
const adapterId = 'clinics-vendor';
const otherVendor = 'other-vendor';

let oidSeq = 0;
let slotSeq = 0;

function anOrganisation(overrides: Partial<EventOf<'OrganisationPublished'>> = {}): EventOf<'OrganisationPublished'> {
  const organisationOid = `9.${run}.${++oidSeq}`;
  return {
    organisationOid,
    fullName: `Городская поликлиника №${oidSeq}`,
    shortName: `ГП-${oidSeq}`,
    districtId: district,
    districtName: 'Прикубанский',
    misVendor: 'medialog',
    timeZone: 'Europe/Moscow',
    active: true,
    address: null,
    sourceVersion: 1,
    occurredAt: Date.now(),
    ...overrides,
  };
}

function aResource(
  organisation: EventOf<'OrganisationPublished'>,
  overrides: Partial<EventOf<'ResourcePublished'>> = {},
): EventOf<'ResourcePublished'> {
  const localResourceId = `doc-${randomUUID().slice(0, 8)}`;
  return {
    resourceId: `${organisation.organisationOid}:${localResourceId}`,
    organisationOid: organisation.organisationOid,
    localResourceId,
    federalPractitionerId: null,
    practitionerSnils: null,
    displayName: `Иванова А. П. ${localResourceId}`,
    specialty: { nsiCode: cardiology, misCode: 'C1', misName: 'Кардиология' },
    position: { nsiCode: therapist, misCode: 'P1', misName: 'Врач' },
    departmentOid: null,
    departmentName: null,
    room: '101',
    active: true,
    sourceVersion: 1,
    occurredAt: Date.now(),
    patientSex: null,
    minPatientAgeYears: null,
    maxPatientAgeYears: null,
    attachmentRequired: false,
    ...overrides,
  };
}

function aSlot(resource: EventOf<'ResourcePublished'>, startsAt: number, overrides: Partial<EventOf<'SlotPublished'>> = {}): EventOf<'SlotPublished'> {
  const localSlotId = `s${++slotSeq}-${randomUUID().slice(0, 6)}`;
  return {
    slotId: `${resource.organisationOid}:${localSlotId}`,
    localSlotId,
    organisationOid: resource.organisationOid,
    resourceId: resource.resourceId,
    localResourceId: resource.localResourceId,
    startsAt,
    endsAt: startsAt + minutes(15),
    status: 'FREE',
    bookingChannels: ['CONTACT_CENTRE', 'PORTAL'],
    room: null,
    sourceVersion: 1,
    occurredAt: Date.now(),
    ...overrides,
  };
}

function aHeartbeat(organisationOids: string[], overrides: Partial<EventOf<'AdapterHeartbeatRecorded'>> = {}): EventOf<'AdapterHeartbeatRecorded'> {
  const now = Date.now();
  return {
    adapterId,
    misVendor: 'medialog',
    adapterVersion: '1.0.0',
    organisationOids,
    misReachable: true,
    lastSuccessfulSyncAt: now - 2_000,
    syncLagMs: 2_000,
    heartbeatIntervalMs: 10_000,
    occurredAt: now,
    lastReassertedAt: null,
    ...overrides,
  };
}

function keyOf(name: EventName, value: object): string {
  const ids = value as { slotId?: string; resourceId?: string; organisationOid?: string; adapterId?: string };
  const key = ids.slotId ?? ids.resourceId ?? ids.adapterId ?? ids.organisationOid;
  if (key === undefined) throw new Error(`no key for ${name}`);
  return key;
}

describe('the booking inventory, fed from Kafka and searched over HTTP', () => {
  const group = uniqueName('booking-inventory-it');
  const schema = `booking_it_${run}`.slice(0, 60);
  let app: INestApplication;
  let baseUrl: string;
  const publishers = new Map<string, EventPublisher>();
  /** Every organisation registered to each adapter, so a replay's empty database can be given the same registry. */
  const registered = new Map<string, Set<string>>();

  const env = (overrides: Record<string, string>) => {
    const stack = stackAddresses();
    return {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      ...stackKafkaEnv(),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      KAFKA_NAMESPACE: namespace,
      DATABASE_URL: stack.databaseUrl,
      HTTP_PORT: '8080',
      OTEL_SDK_DISABLED: 'true',
      ...overrides,
    };
  };

  /** Registers the organisations the adapter speaks for in the booking service's registry. */
  async function register(adapter: string, organisationOids: readonly string[], dataSource = app.get<DataSource>(getDataSourceToken())): Promise<void> {
    await registerAdapter(dataSource, adapter, organisationOids);
    const oids = registered.get(adapter) ?? new Set<string>();
    for (const oid of organisationOids) oids.add(oid);
    registered.set(adapter, oids);
  }

  function publisherOf(adapter: string): EventPublisher {
    let publisher = publishers.get(adapter);
    if (!publisher) {
      publisher = new EventPublisher({ ...testConnection(), namespace }, { origin: adapter });
      publishers.set(adapter, publisher);
    }
    return publisher;
  }

  /** Publishes as the clinics' adapter, which is registered for every organisation it publishes first. */
  async function publish<N extends EventName>(name: N, value: EventOf<N>, eventId?: string): Promise<string> {
    const organisations = name === 'AdapterHeartbeatRecorded' ? [...(value as EventOf<'AdapterHeartbeatRecorded'>).organisationOids] : [(value as { organisationOid: string }).organisationOid];
    const unregistered = organisations.filter((oid) => !registered.get(adapterId)?.has(oid));
    if (unregistered.length > 0) await register(adapterId, unregistered);
    return publisherOf(adapterId).publish({ event: AllEvents[name], key: keyOf(name, value), value, eventId });
  }

  async function get<T>(path: string, key: string | null = apiKey, url = baseUrl): Promise<{ status: number; body: T }> {
    const response = await fetch(`${url}${path}`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as T };
  }

  async function slots(query: string): Promise<SlotView[]> {
    const { status, body } = await get<SlotPage>(`/v1/slots?${query}`);
    if (status !== 200) throw new Error(`GET /v1/slots?${query} answered ${status}: ${JSON.stringify(body)}`);
    return body.items;
  }

  async function eventualSlots(query: string, done: (items: SlotView[]) => boolean, what: string): Promise<SlotView[]> {
    return waitFor(async () => {
      const items = await slots(query);
      return done(items) && items;
    }, what);
  }

  async function wasHandled(eventId: string): Promise<boolean> {
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const rows: unknown[] = await dataSource.query(`SELECT 1 FROM medbus_processed_event WHERE consumer_group = $1 AND event_id = $2`, [group, eventId]);
    return rows.length > 0;
  }

  beforeAll(async () => {
    await ensureTopics({ ...testConnection(), namespace }, [Topics.appointment, Topics.waitlist, ...adapterTopicsOf(adapterId)], 3);
    // One partition: a marker the other vendor publishes last is applied after everything it published before.
    await ensureTopics({ ...testConnection(), namespace }, adapterTopicsOf(otherVendor), 1);
    app = await startBookingApp(env({ BOOKING_CONSUMER_GROUP: group, BOOKING_DATABASE_SCHEMA: schema }), { port: 0, logger: false });
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    apiKey = (await app.get(ClientsService).issue({ clientId: `operator-${run}`.slice(0, 60), role: 'OPERATOR' })).secret;
  });

  afterAll(async () => {
    await app?.close();
    await dropSchemas(schema, `${schema}_replay`);
    for (const publisher of publishers.values()) await publisher.close();
    await deleteNamespaceTopics(testConnection(), namespace).catch(() => undefined);
  });

  describe('search', () => {
    const north = anOrganisation();
    const south = anOrganisation();
    const cardiologist = aResource(north);
    const neurologist = aResource(south, { specialty: { nsiCode: neurology, misCode: 'N1', misName: 'Неврология' }, position: null });
    const early = aSlot(cardiologist, day0);
    const booked = aSlot(cardiologist, day0 + minutes(15), { status: 'BOOKED' });
    const portalOnly = aSlot(neurologist, day0 + minutes(30), { bookingChannels: ['PORTAL'] });
    const nextDay = aSlot(cardiologist, day0 + minutes(24 * 60));
    const sameTime = aSlot(neurologist, day0);
    const all = [early, sameTime, booked, portalOnly, nextDay];

    beforeAll(async () => {
      for (const organisation of [north, south]) await publish('OrganisationPublished', organisation);
      for (const resource of [cardiologist, neurologist]) await publish('ResourcePublished', resource);
      for (const slot of all) await publish('SlotPublished', slot);
      await eventualSlots(`district=${district}`, (items) => items.length === all.length, 'the slots of the district');
    });

    it('returns the slots of a district sorted by start time, then slot id, a page at a time', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const { body }: { body: SlotPage } = await get<SlotPage>(`/v1/slots?district=${district}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...body.items.map((item) => item.slotId));
        cursor = body.nextCursor;
        pages++;
      } while (cursor !== null);

      const expected = [...all].sort((a, b) => a.startsAt - b.startsAt || (a.slotId < b.slotId ? -1 : 1)).map((slot) => slot.slotId);
      expect(seen).toEqual(expected);
      expect(pages).toBe(3);
    });

    it('describes each slot with its organisation, practitioner, NSI codes and time', async () => {
      const [item] = await slots(`practitioner=${encodeURIComponent(cardiologist.resourceId)}&limit=1`);
      expect(item).toEqual({
        slotId: early.slotId,
        organisationOid: north.organisationOid,
        organisationName: north.shortName,
        districtId: district,
        practitionerId: cardiologist.resourceId,
        practitionerName: cardiologist.displayName,
        specialty: { nsiCode: cardiology, name: 'Кардиология' },
        position: { nsiCode: therapist, name: 'Врач' },
        startsAt: new Date(early.startsAt).toISOString(),
        endsAt: new Date(early.endsAt).toISOString(),
        status: 'FREE',
        bookingChannels: ['CONTACT_CENTRE', 'PORTAL'],
        room: '101',
        freshness: expect.objectContaining({ stale: true, reason: 'NO_HEARTBEAT' }),
      });
    });

    it('filters by organisation, specialty, position, practitioner, channel, time window and free only', async () => {
      const ids = (items: SlotView[]) => items.map((item) => item.slotId).sort();
      const sorted = (...slots: EventOf<'SlotPublished'>[]) => slots.map((slot) => slot.slotId).sort();

      expect(ids(await slots(`organisation=${north.organisationOid}`))).toEqual(sorted(early, booked, nextDay));
      expect(ids(await slots(`specialty=${neurology}`))).toEqual(sorted(sameTime, portalOnly));
      expect(ids(await slots(`position=${therapist}`))).toEqual(sorted(early, booked, nextDay));
      expect(ids(await slots(`practitioner=${encodeURIComponent(neurologist.resourceId)}`))).toEqual(sorted(sameTime, portalOnly));
      expect(ids(await slots(`district=${district}&channel=CONTACT_CENTRE`))).toEqual(sorted(early, sameTime, booked, nextDay));
      expect(ids(await slots(`district=${district}&freeOnly=true`))).toEqual(sorted(early, sameTime, portalOnly, nextDay));
      const window = `from=${new Date(day0 + minutes(10)).toISOString()}&to=${new Date(day0 + minutes(60)).toISOString()}`;
      expect(ids(await slots(`district=${district}&${window}`))).toEqual(sorted(booked, portalOnly));
    });

    it('counts free slots and the nearest free date per organisation, specialty and practitioner', async () => {
      const organisations = await get<OrganisationList>(`/v1/organisations?district=${district}`);
      expect(organisations.body.items.filter((o) => [north.organisationOid, south.organisationOid].includes(o.organisationOid))).toEqual([
        expect.objectContaining({ organisationOid: north.organisationOid, freeSlots: 2, nearestFreeAt: new Date(early.startsAt).toISOString(), nearestFreeDate: '2031-03-03' }),
        expect.objectContaining({ organisationOid: south.organisationOid, freeSlots: 2, nearestFreeAt: new Date(sameTime.startsAt).toISOString() }),
      ]);

      const specialties = await get<SpecialtyList>(`/v1/specialties?district=${district}`);
      expect(specialties.body.items).toEqual([
        { nsiCode: cardiology, name: 'Кардиология', practitioners: 1, freeSlots: 2, moreFreeSlots: false, nearestFreeAt: new Date(early.startsAt).toISOString() },
        { nsiCode: neurology, name: 'Неврология', practitioners: 1, freeSlots: 2, moreFreeSlots: false, nearestFreeAt: new Date(sameTime.startsAt).toISOString() },
      ]);

      const practitioners = await get<PractitionerList>(`/v1/practitioners?specialty=${neurology}&channel=CONTACT_CENTRE`);
      expect(practitioners.body.items).toEqual([
        expect.objectContaining({ practitionerId: neurologist.resourceId, organisationOid: south.organisationOid, freeSlots: 1, nearestFreeDate: '2031-03-03' }),
      ]);
    });
  });

  describe('projection', () => {
    const organisation = anOrganisation();
    const resource = aResource(organisation);

    beforeAll(async () => {
      await publish('OrganisationPublished', organisation);
      await publish('ResourcePublished', resource);
    });

    it('drops a slot from free-only searches once the MIS reports it booked', async () => {
      const slot = aSlot(resource, day0 + minutes(120));
      await publish('SlotPublished', slot);
      await eventualSlots(`practitioner=${encodeURIComponent(resource.resourceId)}&freeOnly=true`, (items) => items.some((i) => i.slotId === slot.slotId), 'the free slot');

      await publish('SlotChanged', { ...slot, status: 'BOOKED', sourceVersion: 2 });

      await eventualSlots(`practitioner=${encodeURIComponent(resource.resourceId)}&freeOnly=true`, (items) => !items.some((i) => i.slotId === slot.slotId), 'the booked slot to leave free search');
      expect((await slots(`practitioner=${encodeURIComponent(resource.resourceId)}`)).find((i) => i.slotId === slot.slotId)?.status).toBe('BOOKED');
    });

    it('ignores an older version that arrives after a newer one', async () => {
      const slot = aSlot(resource, day0 + minutes(150));
      await publish('SlotChanged', { ...slot, status: 'BOOKED', sourceVersion: 3 });
      const late = await publish('SlotPublished', { ...slot, status: 'FREE', sourceVersion: 2 });
      await waitFor(() => wasHandled(late), 'the late event to be handled');

      const items = await slots(`practitioner=${encodeURIComponent(resource.resourceId)}`);
      expect(items.filter((i) => i.slotId === slot.slotId).map((i) => i.status)).toEqual(['BOOKED']);
    });

    it('applies an event id once, even when its second copy carries a newer version', async () => {
      const slot = aSlot(resource, day0 + minutes(180), { room: 'first' });
      const eventId = randomUUID();
      await publish('SlotPublished', slot, eventId);
      await publish('SlotPublished', slot, eventId);
      await publish('SlotChanged', { ...slot, room: 'second copy', sourceVersion: 2 }, eventId);
      const marker = await publish('SlotChanged', { ...aSlot(resource, day0 + minutes(900)) });
      await waitFor(() => wasHandled(marker), 'a later event to be handled');
      await waitFor(() => wasHandled(eventId), 'the event to be handled');

      const items = await slots(`practitioner=${encodeURIComponent(resource.resourceId)}`);
      expect(items.filter((i) => i.slotId === slot.slotId).map((i) => i.room)).toEqual(['first']);
    });

    it('removes a slot and keeps it removed when an older copy arrives late', async () => {
      const slot = aSlot(resource, day0 + minutes(210));
      await publish('SlotPublished', slot);
      await eventualSlots(`practitioner=${encodeURIComponent(resource.resourceId)}`, (items) => items.some((i) => i.slotId === slot.slotId), 'the slot');

      await publish('SlotRemoved', { slotId: slot.slotId, organisationOid: slot.organisationOid, resourceId: slot.resourceId, sourceVersion: 5, occurredAt: Date.now() });
      const late = await publish('SlotChanged', { ...slot, sourceVersion: 4 });
      await waitFor(() => wasHandled(late), 'the late copy to be handled');

      expect((await slots(`practitioner=${encodeURIComponent(resource.resourceId)}`)).map((i) => i.slotId)).not.toContain(slot.slotId);
    });

    it('offers a slot that arrived before its practitioner once the practitioner arrives, and hides it when the practitioner is deactivated', async () => {
      const newcomer = aResource(organisation, { specialty: { nsiCode: `${cardiology}-late`, misCode: 'C9', misName: 'Кардиология' } });
      const slot = aSlot(newcomer, day0 + minutes(240));
      const slotEvent = await publish('SlotPublished', slot);
      await waitFor(() => wasHandled(slotEvent), 'the slot event to be handled');
      expect(await slots(`specialty=${cardiology}-late`)).toEqual([]);

      await publish('ResourcePublished', newcomer);
      await eventualSlots(`specialty=${cardiology}-late`, (items) => items.length === 1, 'the slot to be offered');

      await publish('ResourcePublished', { ...newcomer, active: false, sourceVersion: 2 });
      await eventualSlots(`specialty=${cardiology}-late`, (items) => items.length === 0, 'the slot to be hidden');
    });
    it('stops offering anything of an organisation the MIS adapter removed', async () => {
      const closing = anOrganisation();
      const doctor = aResource(closing);
      const slot = aSlot(doctor, day0 + minutes(270));
      await publish('OrganisationPublished', closing);
      await publish('ResourcePublished', doctor);
      await publish('SlotPublished', slot);
      await eventualSlots(`organisation=${closing.organisationOid}`, (items) => items.length === 1, 'the slot');

      await publish('OrganisationRemoved', { organisationOid: closing.organisationOid, sourceVersion: 2, occurredAt: Date.now() });

      await eventualSlots(`organisation=${closing.organisationOid}`, (items) => items.length === 0, 'the slot to be withdrawn');
      const { body } = await get<OrganisationList>(`/v1/organisations?district=${district}`);
      expect(body.items.map((o) => o.organisationOid)).not.toContain(closing.organisationOid);
    });
  });

  describe('freshness', () => {
    it('marks an organisation stale when its adapter reports the MIS unreachable or stops sending heartbeats', async () => {
      const [fresh, unreachable, silent, unknown] = [anOrganisation(), anOrganisation(), anOrganisation(), anOrganisation()];
      for (const organisation of [fresh, unreachable, silent, unknown]) await publish('OrganisationPublished', organisation);
      const lastSync = Date.now() - 5_000;
      await publish('AdapterHeartbeatRecorded', aHeartbeat([fresh.organisationOid], { lastSuccessfulSyncAt: lastSync }));
      await publish('AdapterHeartbeatRecorded', aHeartbeat([unreachable.organisationOid], { misReachable: false }));
      await publish('AdapterHeartbeatRecorded', aHeartbeat([silent.organisationOid], { occurredAt: Date.now() - minutes(10) }));

      const oids = [fresh, unreachable, silent, unknown].map((o) => o.organisationOid);
      const items = await waitFor(async () => {
        const { body } = await get<OrganisationList>(`/v1/organisations?district=${district}`);
        const ours = body.items.filter((o) => oids.includes(o.organisationOid));
        return ours.length === 4 && ours.filter((o) => o.freshness.lastHeartbeatAt !== null).length === 3 && ours;
      }, 'the heartbeats');
      const reasonOf = (oid: string) => items.find((o) => o.organisationOid === oid)?.freshness;

      expect(reasonOf(fresh.organisationOid)).toEqual({ stale: false, reason: null, lastSyncAt: new Date(lastSync).toISOString(), lastHeartbeatAt: expect.any(String) });
      expect(reasonOf(unreachable.organisationOid)).toMatchObject({ stale: true, reason: 'MIS_UNREACHABLE' });
      expect(reasonOf(silent.organisationOid)).toMatchObject({ stale: true, reason: 'HEARTBEAT_OVERDUE' });
      expect(reasonOf(unknown.organisationOid)).toEqual({ stale: true, reason: 'NO_HEARTBEAT', lastSyncAt: null, lastHeartbeatAt: null });
    });
  });

  describe('the API', () => {
    it('refuses a request without an API key or with an unknown one', async () => {
      expect(await get('/v1/slots', null)).toEqual({ status: 401, body: { error: expect.objectContaining({ code: 'AUTH.MISSING_API_KEY' }) } });
      expect(await get('/v1/organisations', 'not-a-key-of-ours-at-all')).toEqual({ status: 401, body: { error: expect.objectContaining({ code: 'AUTH.INVALID_API_KEY' }) } });
    });

    it('answers bad parameters with 400 and a stable code naming each problem', async () => {
      const bad = await get<{ error: { code: string; details: { problems: string[] } } }>('/v1/slots?channel=FAX&limit=500&from=yesterday&colour=red');
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('BOOKING.INVALID_QUERY');
      expect(bad.body.error.details.problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^channel must be one of CONTACT_CENTRE/),
          'limit must be between 1 and 200',
          expect.stringMatching(/^from must be an ISO 8601 date-time/),
          'unknown parameter colour',
        ]),
      );
      expect(await get('/v1/slots?cursor=not-ours')).toMatchObject({ status: 400, body: { error: { code: 'BOOKING.INVALID_CURSOR' } } });
      expect(await get('/v1/practitioners')).toMatchObject({ status: 400, body: { error: { code: 'BOOKING.INVALID_QUERY' } } });
    });

    it('serves its OpenAPI document and health without a key', async () => {
      const docs = await get<{ paths: Record<string, unknown> }>('/docs-json', null);
      expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/v1/slots', '/v1/organisations', '/v1/specialties', '/v1/practitioners']));
      expect(await get('/health/ready', null)).toEqual({ status: 200, body: expect.objectContaining({ status: 'ready', checks: expect.objectContaining({ database: 'up', kafkaConsumer: 'up' }), consumers: { inventory: expect.objectContaining({ deadLettered: 0 }), outcomes: expect.objectContaining({ deadLettered: 0 }) } }) });
    });
  });

  /** A database schema migrated and given the run's adapter registrations, before a booking service starts on it. */
  async function withRegistry(inSchema: string): Promise<void> {
    const admin = new Client({ connectionString: stackAddresses().databaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${inSchema}`);
    await admin.end();
    const dataSource = new TypeOrmDataSource({
      type: 'postgres',
      url: stackAddresses().databaseUrl,
      extra: { options: `-c search_path=${inSchema}`, max: 1 },
      migrations: bookingMigrations,
      migrationsTableName: 'booking_migrations',
    });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
      for (const [adapter, oids] of registered) await registerAdapter(dataSource, adapter, [...oids]);
    } finally {
      await dataSource.destroy();
    }
  }

  describe('vendors scoped to their organisations', () => {
    it("refuses a slot another registered vendor publishes for this vendor's clinic: dead letter with the reason, audit line, inventory unchanged", async () => {
      const clinic = anOrganisation({ districtId: `${district}-vendors` });
      const doctor = aResource(clinic);
      const genuine = aSlot(doctor, day0 + minutes(60));
      await publish('OrganisationPublished', clinic);
      await publish('ResourcePublished', doctor);
      await publish('SlotPublished', genuine);
      await eventualSlots(`organisation=${clinic.organisationOid}`, (items) => items.length === 1, "the clinic's own slot");
      const ownClinic = anOrganisation({ districtId: `${district}-vendors` });
      await register(otherVendor, [ownClinic.organisationOid]);
      const deadLetters = await collectTopic(deadLetterTopicOf(adapterTopicOf(Topics.slot, otherVendor, namespace), namespace));

      const forged = aSlot(doctor, day0 + minutes(75));
      const overwritten = { ...genuine, status: 'BOOKED' as const, sourceVersion: 2 };
      await publisherOf(otherVendor).publish({ event: AllEvents.SlotPublished, key: forged.slotId, value: forged });
      await publisherOf(otherVendor).publish({ event: AllEvents.SlotPublished, key: overwritten.slotId, value: overwritten });
      // Barrier: a valid slot of the other vendor's own clinic, published after them on the same partition, applied.
      const ownDoctor = aResource(ownClinic);
      const marker = aSlot(ownDoctor, day0 + minutes(90));
      await publisherOf(otherVendor).publish({ event: AllEvents.OrganisationPublished, key: ownClinic.organisationOid, value: ownClinic });
      await publisherOf(otherVendor).publish({ event: AllEvents.ResourcePublished, key: ownDoctor.resourceId, value: ownDoctor });
      await publisherOf(otherVendor).publish({ event: AllEvents.SlotPublished, key: marker.slotId, value: marker });
      await eventualSlots(`organisation=${ownClinic.organisationOid}`, (items) => items.length === 1, "the other vendor's marker slot");
      const letters = await waitFor(async () => deadLetters.records.length >= 2 && deadLetters.records, 'both forged slots dead-lettered');
      await deadLetters.stop();

      expect(await slots(`organisation=${clinic.organisationOid}`)).toEqual([expect.objectContaining({ slotId: genuine.slotId, status: 'FREE' })]);
      expect(letters.map((letter) => [letter.key, letter.headers[Headers.deadLetterCode]]).sort()).toEqual(
        [
          [forged.slotId, 'MIS.ORGANISATION_NOT_SERVED'],
          [genuine.slotId, 'MIS.ORGANISATION_NOT_SERVED'],
        ].sort(),
      );
      const audit: { client_id: string; outcome: string; resource_id: string; details: { code: string; events: number } }[] = await app
        .get<DataSource>(getDataSourceToken())
        .query(`SELECT client_id, outcome, resource_id, details FROM audit_event WHERE action = 'mis.publish' AND resource_id = $1`, [clinic.organisationOid]);
      expect(audit.length).toBeGreaterThanOrEqual(1);
      expect(audit.every((row) => row.client_id === otherVendor && row.outcome === 'REFUSED' && row.details.code === 'MIS.ORGANISATION_NOT_SERVED')).toBe(true);
      expect(audit.reduce((sum, row) => sum + row.details.events, 0)).toBe(2);
      const ready = await get<{ consumers: { inventory: { refused: number } } }>('/health/ready', null);
      expect(ready.body.consumers.inventory.refused).toBe(2);
    });
  });

  describe('replay', () => {
    const tables = ['inventory_organisation', 'inventory_practitioner', 'inventory_slot', 'inventory_organisation_heartbeat'];
    const rowsOf = async (dataSource: DataSource, inSchema: string) => {
      const result: Record<string, unknown[]> = {};
      for (const table of tables) {
        result[table] = await dataSource.query(
          `SELECT * FROM ${inSchema}.${table} WHERE organisation_oid LIKE $1 ORDER BY 1`,
          [`9.${run}.%`],
        );
      }
      return result;
    };

    it("rebuilds exactly the same inventory from the topics (from this run's start) into an empty database", async () => {
      const replaySchema = `${schema}_replay`;
      const replayGroup = uniqueName('booking-replay-it');
      await withRegistry(replaySchema);
      const replay = await startBookingApp(
        env({ BOOKING_CONSUMER_GROUP: replayGroup, BOOKING_DATABASE_SCHEMA: replaySchema }),
        { port: 0, logger: false },
      );
      try {
        const dataSource = app.get<DataSource>(getDataSourceToken());
        const original = await rowsOf(dataSource, schema);
        expect(original['inventory_slot'].length).toBeGreaterThan(10);
        const rebuilt = await waitFor(async () => {
          const rows = await rowsOf(dataSource, replaySchema);
          return JSON.stringify(rows) === JSON.stringify(original) && rows;
        }, 'the replayed inventory to match', 90_000).catch(async () => rowsOf(dataSource, replaySchema));
        expect(rebuilt).toEqual(original);
      } finally {
        await replay.close();
      }
    }, 120_000);
  });
});
