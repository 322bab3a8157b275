import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Patient } from '@medbus/hubservice';
import { AdminController, sendJson, type Faults } from '../clinic/admin.controller';
import { ClinicLife } from '../clinic/clinic.life';
import { HubSoapEndpoint, malformedModes, servicePath, type Log } from './hub.server';
import { appointmentOf, HubService } from './hub.service';
import { NotificationClient } from './notification.client';
import { generateRegion, localSpecialties } from '../clinic/region.generator';
import { ScheduleState } from '../clinic/schedule.state';
import type { SimulatorConfig } from './simulator.config';

export interface RunningSimulator {
  /** `http://host:port` */
  readonly url: string;
  readonly state: ScheduleState;
  readonly faults: Faults;
  readonly life: ClinicLife;
  readonly notifier: NotificationClient | undefined;
  close(): Promise<void>;
}

/** Local wall-clock time of a zone as `HH:MM:SS`. */
function clockIn(zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date());
}

/** Builds the region and starts the SOAP + admin server; resolves once it listens. */
export async function startSimulator(config: SimulatorConfig, log: Log = defaultLog(config)): Promise<RunningSimulator> {
  const region = generateRegion({
    seed: config.seed,
    organisations: config.organisations,
    doctorsPerOrg: config.doctorsPerOrg,
    notifyShare: config.notifyShare,
    oidRoot: config.oidRoot,
    doctorsWithoutSnils: config.doctorsWithoutSnils,
  });
  const state = new ScheduleState(region, {
    seed: config.seed,
    startDate: config.startDate,
    horizonDays: config.horizonDays,
    initialBookedShare: config.initialBookedShare,
  });
  const guids = new Set(config.guid.split(',').map((g) => g.trim()).filter(Boolean));
  const faults: Faults = { latencyMs: config.latencyMs, errorRate: config.errorRate, outage: config.outage, malformed: 'none', dropAnswers: 0 };
  const hub = new HubService(state, guids);
  const endpoint = new HubSoapEndpoint(hub, faults, config.maxBodyBytes, log);
  const notifier = config.notifyUrl ? new NotificationClient({ url: config.notifyUrl, retries: config.notifyRetries, log }) : undefined;
  const admin = new AdminController(state, faults, config.adminToken, guids, {
    wireSlot: (slot, org) => ({ ...appointmentOf(slot, org) }),
    malformedModes,
    extraState: () => ({ notifications: notifier?.stats() ?? null }),
  });
  const life = new ClinicLife(state, { ...config, log });

  if (notifier) wireNotifications(state, hub, notifier, config.notifyGuid);

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    void (async () => {
      if (path === '/health') return sendJson(res, 200, { status: 'ok', outage: faults.outage, today: state.today, version: state.version });
      if (path.startsWith('/admin/')) return admin.handle(req, res, url);
      if (faults.outage) {
        res.writeHead(503, { 'content-type': 'text/html', connection: 'close' });
        return res.end('<html><body><h1>Service Unavailable</h1></body></html>');
      }
      if (path === servicePath && req.method === 'GET' && ['wsdl', 'WSDL', 'singleWsdl'].some((p) => url.searchParams.has(p))) return endpoint.wsdl(req, res, false);
      if (path === '/Hub25/HubServiceNotifications.wsdl' && req.method === 'GET') return endpoint.wsdl(req, res, true);
      if (path === servicePath && req.method === 'POST') return endpoint.soap(req, res);
      if (path === '/Hub25/code-map.json' && req.method === 'GET') return admin.codeMap(res);
      if (path === '/Hub25/changes' && req.method === 'GET') return admin.changes(url, res);
      sendJson(res, 404, { error: { code: 'HTTP.404', message: 'not found' } });
    })().catch((error: unknown) => {
      log({ msg: 'request failed', path, error: error instanceof Error ? error.name : 'unknown' });
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'COMMON.INTERNAL', message: 'Internal error' } });
      else res.destroy();
    });
  });
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  life.start();
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;

  return {
    url,
    state,
    faults,
    life,
    notifier,
    close: async () => {
      life.stop();
      notifier?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
    },
  };
}

/** Front-desk changes of organisations that notify become SOAP notifications to the subscriber. */
function wireNotifications(state: ScheduleState, hub: HubService, notifier: NotificationClient, guid: string): void {
  state.on('booked', (slot, patient: Patient) => {
    const org = state.organisations.get(slot.idLpu);
    const doctor = state.doctor(slot.idLpu, slot.idDoc);
    if (!org?.notifies || !doctor) return;
    const spec = localSpecialties.find((s) => s.code === doctor.specialtyCode);
    notifier.enqueue(
      'SendNotificationAboutAppointment',
      {
        doctor: hub.doctorContract(doctor),
        spesiality: { CountFreeParticipantIE: 0, CountFreeTicket: 0, FerIdSpesiality: spec?.nsi ?? undefined, IdSpesiality: doctor.specialtyCode, NameSpesiality: spec?.name },
        idLpu: slot.idLpu,
        patient,
        appointment: appointmentOf(slot, org),
        appointmentSource: slot.booking?.source ?? 3,
        eventDatetime: `${state.today}T${clockIn(org.timeZone)}`,
        guid,
      },
      slot.idLpu,
    );
  });
  state.on('status', (slot, idPat, status) => {
    const org = state.organisations.get(slot.idLpu);
    if (!org?.notifies) return;
    notifier.enqueue(
      'SendNotificationAboutAppointmentStatus',
      { idLpu: slot.idLpu, idPat, idAppointment: slot.id, status, eventDatetime: `${state.today}T${clockIn(org.timeZone)}`, guid },
      slot.idLpu,
    );
  });
}

function defaultLog(config: SimulatorConfig): Log {
  // Lines carry operation names, ids and codes only: never request parameters (patient data).
  return config.logRequests ? (line) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`) : () => undefined;
}
