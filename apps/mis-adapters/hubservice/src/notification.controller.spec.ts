import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSoapRequest } from '@medbus/hubservice';
import { NotificationEndpoint, type ReadRequest } from './notification.controller';

const guid = 'mis-secret-guid';

describe('NotificationEndpoint (POST /notifications)', () => {
  let endpoint: NotificationEndpoint;
  let server: Server;
  let url: string;
  let reads: ReadRequest[];

  beforeEach(async () => {
    reads = [];
    endpoint = new NotificationEndpoint({ guid, maxBodyBytes: 16 * 1024, onRead: (r) => reads.push(r) });
    server = createServer((req, res) => void endpoint.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notifications`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body });

  it('re-reads the doctor and day a front-desk booking names, and answers with a SOAP envelope', async () => {
    const res = await post(
      encodeSoapRequest('SendNotificationAboutAppointment', {
        idLpu: 3,
        doctor: { IdDoc: 'D0301', CountFreeParticipantIE: 0, CountFreeTicket: 0 },
        appointment: { IdAppointment: 'D0301-202611251020', VisitStart: '2026-11-25T10:20:00', VisitEnd: '2026-11-25T10:40:00' },
        patient: { Surname: 'Иванова', Snils: '112-233-445 95' },
        appointmentSource: 3,
        guid,
      }),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<a:Success>true</a:Success>');
    expect(reads).toEqual([{ kind: 'doctor-day', idLpu: 3, idDoc: 'D0301', localDay: '2026-11-25' }]);
  });

  it('re-reads the slot a status notification names', async () => {
    await post(encodeSoapRequest('SendNotificationAboutAppointmentStatus', { idLpu: 3, idAppointment: 'D0301-202611251020', status: 2, guid }));
    expect(reads).toEqual([{ kind: 'slot', idLpu: 3, idAppointment: 'D0301-202611251020' }]);
  });

  it('refuses a notification without the right guid', async () => {
    const res = await post(encodeSoapRequest('SendNotificationAboutAppointmentStatus', { idLpu: 3, idAppointment: 'X', status: 2, guid: 'guess' }));
    expect(res.status).toBe(403);
    expect(reads).toEqual([]);
  });

  it('refuses a DTD, an oversized body and broken XML with a SOAP fault, and keeps serving', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&b;</s:Body></s:Envelope>`;
    const statuses = [];
    for (const body of [bomb, `<s:Envelope>${'x'.repeat(32 * 1024)}</s:Envelope>`, '<s:Envelope><s:Body>']) {
      const res = await post(body);
      statuses.push([res.status, (await res.text()).match(/SOAP\.[A-Z_]+/)?.[0]]);
    }
    expect(statuses).toEqual([
      [400, 'SOAP.DTD_FORBIDDEN'],
      [413, 'SOAP.BODY_TOO_LARGE'],
      [400, 'SOAP.MALFORMED'],
    ]);
    expect(endpoint.counters).toEqual({ accepted: 0, refused: 3 });
    await post(encodeSoapRequest('SendNotificationAboutAppointmentStatus', { idLpu: 3, idAppointment: 'X', status: 1, guid }));
    expect(reads).toHaveLength(1);
  });
});
