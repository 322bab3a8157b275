import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import * as soap from 'soap';
import type { DataSource } from 'typeorm';
import { HubErrorCode } from '@medbus/hubservice';
import { dropSchemas, stackAddresses, stackKafkaEnv, uniqueName } from '@medbus/testing';
import { AppModule } from '../app.module';
import { ClientsService, registerAdapter } from '../clients/clients.service';
import { FacadeErrorCode } from './hub-error.mapper';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const run = uniqueName('hub').replace(/[^a-z0-9]/g, '');
const schema = `booking_hub_it_${run}`.slice(0, 60);
const guid = randomUUID().toUpperCase();
const portalGuid = randomUUID();
const idHistory = 4242;
const minutes = (n: number) => n * 60_000;
// 2031-03-03 09:00 in Yekaterinburg (UTC+5): far enough ahead for every window of the run.
const day0 = Date.UTC(2031, 2, 3, 4, 0);

const defined = <T>(value: T | undefined | null): T => {
  if (value === undefined || value === null) throw new Error('expected a value');
  return value;
};
const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

interface Org {
  oid: string;
  district: string;
  zone: string | null;
}

const north: Org = { oid: `9.${run}.1`, district: `district-${run}`, zone: 'Asia/Yekaterinburg' };
const south: Org = { oid: `9.${run}.2`, district: `district-${run}`, zone: null };
const numbered: Org = { oid: `9.${run}.3`, district: '77', zone: 'Europe/Moscow' };
const cardiology = `sp-${run}-cardio`;
const cardiologist = `${north.oid}:doc-1`;
const unmapped = `${north.oid}:doc-2`;

describe('the HubService facade over the booking service', () => {
  let app: INestApplication;
  let baseUrl: string;
  let dataSource: DataSource;
  let client: soap.Client;

  async function call(operation: string, args: Loose, through = client): Promise<Loose> {
    const method = defined((through as unknown as Record<string, ((a: Loose) => Promise<Loose[]>) | undefined>)[`${operation}Async`]);
    const [result] = await method.call(through, args);
    return result?.[`${operation}Result`] as Loose;
  }

  async function faultOf(operation: string, args: Loose): Promise<Loose> {
    const error: Loose = await call(operation, args).then(
      () => {
        throw new Error(`${operation} answered without a fault`);
      },
      (e: unknown) => e as Loose,
    );
    return { status: error['response']?.['status'], ...defined(error['root']?.['Envelope']?.['Body']?.['Fault']) };
  }

  const errorOf = (result: Loose): Loose => defined(asList(result['ErrorList']?.['Error'])[0]);

  async function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    const response = await fetch(`${baseUrl}/Hub25/HubService.svc`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"http://tempuri.org/IHubService/GetLPUList"', ...headers },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  async function assignedLpus(): Promise<number> {
    const rows: { n: number }[] = await dataSource.query(`SELECT count(*)::int AS n FROM hub_facade_lpu`);
    return rows[0].n;
  }

  async function insertInventory(): Promise<void> {
    for (const [n, org] of [north, south, numbered].entries()) {
      await dataSource.query(
        `INSERT INTO inventory_organisation (organisation_oid, full_name, short_name, district_id, district_name, mis_vendor, time_zone, active, address, removed, source_version, occurred_at)
         VALUES ($1, $2, $3, $4, $5, 'hubservice', $6, true, $7, false, 1, now())`,
        [org.oid, `Городская поликлиника №${n + 1}`, `ГП-${run}-${n + 1}`, org.district, org.district === '77' ? 'Центральный' : 'Прикубанский', org.zone, `ул. Красная, ${n + 1}`],
      );
    }
    const practitioner = (resourceId: string, nsi: string | null, misCode: string, name: string) =>
      dataSource.query(
        `INSERT INTO inventory_practitioner (resource_id, organisation_oid, local_resource_id, display_name, specialty_nsi_code, specialty_mis_code, specialty_name,
           position_name, room, active, removed, source_version, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'Врач-кардиолог', '101', true, false, 1, now())`,
        [resourceId, north.oid, resourceId.split(':')[1], name, nsi, misCode, name === 'Петров П. П.' ? 'Терапия (МИС)' : 'Кардиология'],
      );
    await practitioner(cardiologist, cardiology, 'C1', 'Иванова А. П.');
    await practitioner(unmapped, null, `mis-${run}`, 'Петров П. П.');
    const slot = (id: string, resourceId: string, startsAt: number, status = 'FREE', channels = ['CONTACT_CENTRE', 'PORTAL']) =>
      dataSource.query(
        `INSERT INTO inventory_slot (slot_id, organisation_oid, resource_id, local_slot_id, local_resource_id, starts_at, ends_at, status, booking_channels, room,
           removed, source_version, occurred_at, district_id, specialty_nsi_code, offered)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, false, 7, now(), $10, $11, true)`,
        [`${north.oid}:${id}`, north.oid, resourceId, id, resourceId.split(':')[1], new Date(startsAt), new Date(startsAt + minutes(15)), status, channels, north.district, cardiology],
      );
    await slot('s1', cardiologist, day0);
    await slot('s2', cardiologist, day0 + minutes(15), 'BOOKED');
    await slot('s3', cardiologist, day0 + minutes(30), 'FREE', ['PORTAL']);
    await slot('s4', cardiologist, day0 + minutes(24 * 60));
    await slot('s5', cardiologist, day0 + minutes(40 * 60)); // 2031-03-05 01:00 local, still 03-04 in UTC
    await slot('s6', unmapped, day0);
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
      BOOKING_DATA_KEYS: `it=${randomBytes(32).toString('base64')}`,
      BOOKING_CONSUMER_GROUP: uniqueName('booking-hub-it'),
      BOOKING_RESPONSE_TIMEOUT_MS: '300',
      OTEL_SDK_DISABLED: 'true',
    };
    app = await NestFactory.create(AppModule.forRoot(env), { logger: false });
    await app.listen(0);
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    dataSource = app.get<DataSource>(getDataSourceToken());
    // The facade's clients, registered as the clients CLI registers them: a contact-centre system and a portal.
    const clients = app.get(ClientsService);
    await clients.issue({ clientId: 'hub-contact-centre', role: 'HUB_CLIENT' }, { guid });
    await clients.issue({ clientId: 'hub-portal', role: 'HUB_CLIENT', channel: 'PORTAL' }, { guid: portalGuid });
    await insertInventory();
    // Clinic-local date-times stay strings: node-soap would otherwise read them in the process's zone.
    client = await soap.createClientAsync(`${baseUrl}/Hub25/HubService.svc?wsdl`, { customDeserializer: { dateTime: (text: string) => text } } as soap.IOptions);
  });

  afterAll(async () => {
    await app?.close();
    await dropSchemas(schema);
  });

  describe('refuses hostile requests before parsing, and does nothing else', () => {
    it('answers a DTD with entity expansion with a client fault', async () => {
      const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
      const body = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${entities}]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetLPUList xmlns="http://tempuri.org/"><guid>${guid}</guid><idHistory>&lol9;</idHistory></GetLPUList></s:Body></s:Envelope>`;
      const { status, text } = await post(body);
      expect(status).toBe(500);
      expect(text).toContain('<faultcode>s:Client</faultcode>');
      expect(text).toContain('DTD');
      expect(text).not.toContain('lol');
      expect(await assignedLpus()).toBe(0);
    });

    it('answers an external entity (XXE) with a client fault', async () => {
      const body = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetLPUList xmlns="http://tempuri.org/"><guid>&xxe;</guid></GetLPUList></s:Body></s:Envelope>`;
      const { status, text } = await post(body);
      expect(status).toBe(500);
      expect(text).toContain('<faultcode>s:Client</faultcode>');
      expect(text).not.toContain('root:');
      expect(await assignedLpus()).toBe(0);
    });

    it('answers a body over 1 MiB with 413 and a client fault', async () => {
      const padding = `<!-- ${'x'.repeat(2 * 1024 * 1024)} -->`;
      const body = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetLPUList xmlns="http://tempuri.org/"><guid>${guid}</guid></GetLPUList>${padding}</s:Body></s:Envelope>`;
      const { status, text } = await post(body);
      expect(status).toBe(413);
      expect(text).toContain('<faultcode>s:Client</faultcode>');
      expect(await assignedLpus()).toBe(0);
    });

    it('answers a SOAPAction that names another operation with a client fault', async () => {
      const body = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetDistrictList xmlns="http://tempuri.org/"><guid>${guid}</guid></GetDistrictList></s:Body></s:Envelope>`;
      const { status, text } = await post(body);
      expect(status).toBe(500);
      expect(text).toContain('<faultcode>s:Client</faultcode>');
      expect(await assignedLpus()).toBe(0);
    });

    it('answers what is not SOAP 1.1 XML with a client fault', async () => {
      expect((await post('{"guid":"x"}', { 'content-type': 'application/json' })).status).toBe(415);
      const broken = await post('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetLPUList>');
      expect(broken.status).toBe(500);
      expect(broken.text).toContain('<faultcode>s:Client</faultcode>');
      expect(await assignedLpus()).toBe(0);
    });
  });

  describe('WSDL', () => {
    it('serves the WSDL at ?wsdl and ?singleWsdl with this server as soap:address', async () => {
      for (const query of ['wsdl', 'singleWsdl', 'WSDL']) {
        const response = await fetch(`${baseUrl}/Hub25/HubService.svc?${query}`);
        expect(response.status).toBe(200);
        const wsdl = await response.text();
        expect(wsdl).toContain(`<soap:address location="${baseUrl}/Hub25/HubService.svc"/>`);
        expect(wsdl).toContain('soapAction="http://tempuri.org/IHubService/SetWaitingList"');
        expect(wsdl).toContain('soapAction="http://tempuri.org/IHubService/GetAvaibleAppointments"');
      }
    });

    it('needs no API key, and refuses an unknown guid with a client fault', async () => {
      const fault = await faultOf('GetDistrictList', { guid: randomUUID() });
      expect(fault.status).toBe(500);
      expect(fault['faultcode']).toBe('s:Client');
      expect(fault['faultstring']?.['$value'] ?? fault['faultstring']).toMatch(/guid/);
      const missing = await faultOf('GetDistrictList', {});
      expect(missing['faultcode']).toBe('s:Client');
    });
  });

  describe('catalogue, through a client generated from the WSDL', () => {
    let idLpu: number;

    it('lists districts with stable int ids: numeric MIS ids kept, text ones numbered from 10^9', async () => {
      const result = await call('GetDistrictList', { guid, idHistory });
      expect(result).toMatchObject({ Success: true, IdHistory: idHistory });
      const districts = asList(result['Districts']['District']);
      expect(districts).toEqual(expect.arrayContaining([{ DistrictName: 'Центральный', IdDistrict: 77 }]));
      const text = defined(districts.find((d) => d['DistrictName'] === 'Прикубанский'));
      expect(text['IdDistrict']).toBeGreaterThanOrEqual(1_000_000_000);
      expect(asList((await call('GetDistrictList', { guid }))['Districts']['District'])).toEqual(districts);
    });

    it('lists the clinics of a district with their OID and an IdLPU that does not change', async () => {
      const districts = asList((await call('GetDistrictList', { guid }))['Districts']['District']);
      const idDistrict = defined(districts.find((d) => d['DistrictName'] === 'Прикубанский'))['IdDistrict'];
      const clinics = asList((await call('GetLPUList', { idDistrict, guid, idHistory }))['ListLPU']['Clinic']);
      expect(clinics.map((c) => c['Oid']).sort()).toEqual([north.oid, south.oid].sort());
      const clinic = defined(clinics.find((c) => c['Oid'] === north.oid));
      expect(clinic).toMatchObject({ District: idDistrict, IsActive: true, LPUFullName: 'Городская поликлиника №1', LPUShortName: `ГП-${run}-1`, Description: 'ул. Красная, 1', LPUType: 0 });
      idLpu = clinic['IdLPU'];
      const all = asList((await call('GetLPUList', { guid }))['ListLPU']['Clinic']);
      expect(defined(all.find((c) => c['Oid'] === north.oid))['IdLPU']).toBe(idLpu);
      expect(all.map((c) => c['Oid'])).toEqual(expect.arrayContaining([numbered.oid]));
    });

    it('lists specialties with NSI codes (MIS code when unmapped), free counts for the caller channel and clinic-local dates', async () => {
      const result = await call('GetSpesialityList', { idLpu, guid, idHistory });
      expect(result).toMatchObject({ Success: true, IdHistory: idHistory });
      expect(asList(result['ListSpesiality']['Spesiality'])).toEqual([
        {
          CountFreeParticipantIE: 3,
          CountFreeTicket: 3,
          FerIdSpesiality: cardiology,
          IdSpesiality: cardiology,
          LastDate: '2031-03-05T01:00:00',
          NameSpesiality: 'Кардиология',
          NearestDate: '2031-03-03T09:00:00',
        },
        {
          CountFreeParticipantIE: 1,
          CountFreeTicket: 1,
          IdSpesiality: `mis-${run}`,
          LastDate: '2031-03-03T09:00:00',
          NameSpesiality: 'Терапия (МИС)',
          NearestDate: '2031-03-03T09:00:00',
        },
      ]);
      const portal = asList((await call('GetSpesialityList', { idLpu, guid: portalGuid }))['ListSpesiality']['Spesiality']);
      expect(defined(portal[0])['CountFreeTicket']).toBe(4);
    });

    it('lists the doctors of a specialty with IdDoc = the medbus resource id', async () => {
      const result = await call('GetDoctorList', { idSpesiality: cardiology, idLpu, guid });
      expect(asList(result['Docs']['Doctor'])).toEqual([
        expect.objectContaining({ IdDoc: cardiologist, Name: 'Иванова А. П.', Comment: 'Врач-кардиолог', CountFreeTicket: 3, NearestDate: '2031-03-03T09:00:00' }),
      ]);
    });

    it('gives the clinic-local days with free slots in a window; a bare end date covers that whole day', async () => {
      const result = await call('GetAvailableDates', { idDoc: cardiologist, idLpu, visitStart: '2031-03-01T00:00:00', visitEnd: '2031-03-04T00:00:00', guid, idHistory });
      expect(result).toMatchObject({ Success: true, IdHistory: idHistory });
      expect(asList(result['AvailableDateList']['dateTime'])).toEqual(['2031-03-03T00:00:00', '2031-03-04T00:00:00']);
      const narrow = await call('GetAvailableDates', { idDoc: cardiologist, idLpu, visitStart: '2031-03-03T10:00:00', visitEnd: '2031-03-04T12:00:00', guid });
      expect(asList(narrow['AvailableDateList']['dateTime'])).toEqual(['2031-03-04T00:00:00']);
      const nextDay = await call('GetAvailableDates', { idDoc: cardiologist, idLpu, visitStart: '2031-03-05T00:00:00', visitEnd: '2031-03-05T00:00:00', guid });
      expect(asList(nextDay['AvailableDateList']['dateTime'])).toEqual(['2031-03-05T00:00:00']);
    });

    it('lists free appointments with the slot id, clinic-local times and the room, not the booked nor other channels', async () => {
      const result = await call('GetAvaibleAppointments', { idDoc: cardiologist, idLpu, visitStart: '2031-03-03T00:00:00', visitEnd: '2031-03-03T00:00:00', guid });
      expect(asList(result['ListAppointments']['Appointment'])).toEqual([
        { Address: 'ул. Красная, 1', IdAppointment: `${north.oid}:s1`, Room: '101', Version: 7, VisitEnd: '2031-03-03T09:15:00', VisitStart: '2031-03-03T09:00:00' },
      ]);
      const portal = await call('GetAvaibleAppointments', { idDoc: cardiologist, idLpu, visitStart: '2031-03-03T00:00:00', visitEnd: '2031-03-03T00:00:00', guid: portalGuid });
      expect(asList(portal['ListAppointments']['Appointment']).map((a) => a['IdAppointment'])).toEqual([`${north.oid}:s1`, `${north.oid}:s3`]);
    });

    it("gives the doctor's working days from the schedule, booked slots included", async () => {
      const result = await call('GetWorkingTime', { idDoc: cardiologist, idLpu, visitStart: '2031-03-03T00:00:00', visitEnd: '2031-03-04T00:00:00', guid, idHistory });
      expect(result).toMatchObject({ Success: true, IdHistory: idHistory });
      expect(asList(result['WorkingTimeList']['WorkingTime'])).toEqual([
        { RecordableDay: true, VisitEnd: '2031-03-03T09:45:00', VisitStart: '2031-03-03T09:00:00' },
        { RecordableDay: true, VisitEnd: '2031-03-04T09:15:00', VisitStart: '2031-03-04T09:00:00' },
      ]);
    });

    it('answers 305 for a doctor of another clinic, and a fault for an unknown IdLPU', async () => {
      const other = await call('GetAvaibleAppointments', { idDoc: `${south.oid}:doc-1`, idLpu, guid, idHistory });
      expect(other).toMatchObject({ Success: false, IdHistory: idHistory });
      expect(errorOf(other)['IdError']).toBe(HubErrorCode.NoScheduleOnDate);
      const fault = await faultOf('GetSpesialityList', { idLpu: 999_999_999, guid });
      expect(fault['faultcode']).toBe('s:Client');
    });
  });

  describe('booking operations, without a MIS behind them', () => {
    let idLpu: number;
    const patientId = randomUUID();

    beforeAll(async () => {
      const clinics = asList((await call('GetLPUList', { guid }))['ListLPU']['Clinic']);
      idLpu = defined(clinics.find((c) => c['Oid'] === north.oid))['IdLPU'];
      await dataSource.query(`INSERT INTO booking_patient (patient_id, organisation_oid, mis_patient_id, sex, birth_date, attached) VALUES ($1, $2, $3, 'FEMALE', '1980-05-01', true)`, [
        patientId,
        north.oid,
        `mis-${run}`,
      ]);
      // As if this client had identified the patient through CheckPatient (which needs a MIS behind it).
      await dataSource.query(`INSERT INTO booking_patient_client (patient_id, client_id) VALUES ($1, 'hub-contact-centre')`, [patientId]);
      // Commands go to the organisation's registered adapter (none answers here).
      await registerAdapter(dataSource, `adapter-${run}`.slice(0, 40), [north.oid, south.oid]);
    });

    it('answers 302 for an IdPat that is no medbus patient', async () => {
      const notUuid = await call('SetAppointment', { idAppointment: `${north.oid}:s1`, idLpu, idPat: '12345', guid, idHistory });
      expect(notUuid).toMatchObject({ Success: false, IdHistory: idHistory });
      expect(errorOf(notUuid)['IdError']).toBe(HubErrorCode.PatientNotFound);
      const unknown = await call('SetAppointment', { idAppointment: `${north.oid}:s1`, idLpu, idPat: randomUUID(), guid });
      expect(errorOf(unknown)['IdError']).toBe(HubErrorCode.PatientNotFound);
      const waitlist = await call('SetWaitingList', { idSpesiality: cardiology, idLpu, idPat: randomUUID(), guid });
      expect(errorOf(waitlist)['IdError']).toBe(HubErrorCode.PatientNotFound);
    });

    it('answers 306 for a slot of another clinic and 308 for a taken one', async () => {
      const elsewhere = await call('SetAppointment', { idAppointment: `${south.oid}:s1`, idLpu, idPat: patientId, guid });
      expect(errorOf(elsewhere)['IdError']).toBe(HubErrorCode.NoAppointmentAtTime);
      const taken = await call('SetAppointment', { idAppointment: `${north.oid}:s2`, idLpu, idPat: patientId, guid });
      expect(errorOf(taken)['IdError']).toBe(HubErrorCode.SlotTaken);
    });

    it('answers 500 (the MIS unavailable) for a clinic no adapter is registered for, and books nothing', async () => {
      // BOOKING.ORGANISATION_NOT_SERVED: the inventory knows the clinic, but no adapter may carry a command to it.
      const resourceId = `${numbered.oid}:doc-9`;
      const slotId = `${numbered.oid}:n1`;
      const unservedPatient = randomUUID();
      await dataSource.query(
        `INSERT INTO inventory_practitioner (resource_id, organisation_oid, local_resource_id, display_name, specialty_nsi_code, specialty_name, active, removed, source_version, occurred_at)
         VALUES ($1, $2, 'doc-9', 'Сидоров С. С.', $3, 'Кардиология', true, false, 1, now())`,
        [resourceId, numbered.oid, cardiology],
      );
      await dataSource.query(
        `INSERT INTO inventory_slot (slot_id, organisation_oid, resource_id, local_slot_id, local_resource_id, starts_at, ends_at, status, booking_channels,
           removed, source_version, occurred_at, district_id, specialty_nsi_code, offered)
         VALUES ($1, $2, $3, 'n1', 'doc-9', $4, $5, 'FREE', ARRAY['CONTACT_CENTRE'], false, 1, now(), $6, $7, true)`,
        [slotId, numbered.oid, resourceId, new Date(day0), new Date(day0 + minutes(15)), numbered.district, cardiology],
      );
      await dataSource.query(`INSERT INTO booking_patient (patient_id, organisation_oid, mis_patient_id, attached) VALUES ($1, $2, $3, true)`, [
        unservedPatient,
        numbered.oid,
        `mis-n-${run}`,
      ]);
      await dataSource.query(`INSERT INTO booking_patient_client (patient_id, client_id) VALUES ($1, 'hub-contact-centre')`, [unservedPatient]);
      const clinics = asList((await call('GetLPUList', { guid }))['ListLPU']['Clinic']);
      const numberedLpu = defined(clinics.find((c) => c['Oid'] === numbered.oid))['IdLPU'];

      const refused = await call('SetAppointment', { idAppointment: slotId, idLpu: numberedLpu, idPat: unservedPatient, guid });
      expect(refused['Success']).toBe(false);
      expect(errorOf(refused)['IdError']).toBe(FacadeErrorCode.MisUnavailable);
      expect(await dataSource.query(`SELECT appointment_id FROM booking_appointment WHERE slot_id = $1`, [slotId])).toEqual([]);
      expect(await dataSource.query(`SELECT held_until FROM inventory_slot WHERE slot_id = $1`, [slotId])).toEqual([{ held_until: null }]);
    });

    it('answers "в обработке" (312) with the appointment id while the MIS has not confirmed, and a retry finds the same booking', async () => {
      const first = await call('SetAppointment', { idAppointment: `${north.oid}:s1`, idLpu, idPat: patientId, guid, idHistory });
      expect(first).toMatchObject({ Success: false, IdHistory: idHistory });
      expect(errorOf(first)['IdError']).toBe(FacadeErrorCode.InProgress);
      const appointmentId = defined(/[0-9a-f-]{36}/.exec(errorOf(first)['ErrorDescription']))[0];
      expect(errorOf(first)['ErrorDescription']).toContain('в обработке');

      const retry = await call('SetAppointment', { idAppointment: `${north.oid}:s1`, idLpu, idPat: patientId, guid });
      expect(errorOf(retry)['ErrorDescription']).toContain(appointmentId);
      const rows: { appointment_id: string }[] = await dataSource.query(`SELECT appointment_id FROM booking_appointment WHERE patient_id = $1`, [patientId]);
      expect(rows).toEqual([{ appointment_id: appointmentId }]);

      const history = await call('GetPatientHistory', { idLpu, idPat: patientId, guid, idHistory });
      expect(history).toMatchObject({ Success: true, IdHistory: idHistory });
      expect(asList(history['ListHistoryVisit']['HistoryVisit'])).toEqual([
        expect.objectContaining({
          IdAppointment: `${north.oid}:s1`,
          VisitStart: '2031-03-03T09:00:00',
          DoctorRendingConsultation: expect.objectContaining({ IdDoc: cardiologist, Name: 'Иванова А. П.' }),
          SpecialityRendingConsultation: expect.objectContaining({ IdSpesiality: cardiology, NameSpesiality: 'Кардиология' }),
        }),
      ]);
      expect(asList(history['ListHistoryRefusal']?.['HistoryVisit'])).toEqual([]);
    });

    it('confirms a booking the MIS has confirmed, and cancels it through CreateClaimForRefusal', async () => {
      // The MIS's answer, as the outcome consumer would record it.
      await dataSource.query(`UPDATE booking_appointment SET status = 'CONFIRMED', mis_appointment_id = 'mis-1' WHERE patient_id = $1`, [patientId]);
      const confirmed = await call('SetAppointment', { idAppointment: `${north.oid}:s1`, idLpu, idPat: patientId, guid, idHistory });
      expect(confirmed).toEqual({ IdHistory: idHistory, Success: true, Type: 'Кардиология' });

      const cancel = await call('CreateClaimForRefusal', { idLpu, idPat: patientId, idAppointment: `${north.oid}:s1`, guid, idHistory });
      expect(cancel).toMatchObject({ Success: false, IdHistory: idHistory });
      expect(errorOf(cancel)['IdError']).toBe(FacadeErrorCode.InProgress);
      const history = await call('GetPatientHistory', { idLpu, idPat: patientId, guid });
      expect(asList(history['ListHistoryRefusal']['HistoryVisit']).map((v) => v['IdAppointment'])).toEqual([`${north.oid}:s1`]);

      await dataSource.query(`UPDATE booking_appointment SET status = 'CANCELLED' WHERE patient_id = $1`, [patientId]);
      expect(await call('CreateClaimForRefusal', { idLpu, idPat: patientId, idAppointment: `${north.oid}:s1`, guid })).toMatchObject({ Success: true });
      const unknown = await call('CreateClaimForRefusal', { idLpu, idPat: patientId, idAppointment: `${north.oid}:s4`, guid });
      expect(errorOf(unknown)['IdError']).toBe(HubErrorCode.BookingNotFound);

      // The same idHistory booking the slot again is a new booking, not a replay of the cancelled one.
      const again = await call('SetAppointment', { idAppointment: `${north.oid}:s1`, idLpu, idPat: patientId, guid, idHistory });
      expect(errorOf(again)['IdError']).toBe(FacadeErrorCode.InProgress);
      const rows: { status: string }[] = await dataSource.query(`SELECT status FROM booking_appointment WHERE patient_id = $1 ORDER BY created_at`, [patientId]);
      expect(rows.map((row) => row.status)).toEqual(['CANCELLED', 'PENDING']);
    });

    it('registers a patient on the waiting list and answers the claim id', async () => {
      const result = await call('SetWaitingList', {
        idDoc: cardiologist,
        idSpesiality: cardiology,
        idLpu,
        rule: { End: '2031-03-10T00:00:00', Start: '2031-03-05T00:00:00' },
        claim: 1,
        idPat: patientId,
        phone: '+7 918 000-00-00',
        guid,
        idHistory,
      });
      expect(result).toMatchObject({ Success: true, IdHistory: idHistory });
      const entries: { entry_id: string; specialty_code: string; resource_id: string; reason: string }[] = await dataSource.query(
        `SELECT entry_id, specialty_code, resource_id, reason FROM booking_waitlist_entry WHERE patient_id = $1`,
        [patientId],
      );
      expect(entries).toEqual([{ entry_id: result['GuidClaim'], specialty_code: cardiology, resource_id: cardiologist, reason: 'NO_FREE_SLOTS' }]);
    });

    it('answers a MIS that cannot be reached with 500', async () => {
      const result = await call('CheckPatient', { pat: { Surname: 'Орлова', Name: 'Анна', Birthday: '1980-05-01T00:00:00', Polis_N: '2300000000000001' }, idLpu, guid, idHistory });
      expect(result).toMatchObject({ Success: false, IdHistory: idHistory });
      expect(errorOf(result)['IdError']).toBe(FacadeErrorCode.MisUnavailable);
    });
  });
});
