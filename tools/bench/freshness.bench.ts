import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startProcess, waitForHttp, type ServiceProcess } from '@medbus/testing';
import { percentiles, type BookingUnderTest, type Percentiles } from './pipeline.bench';

const root = join(__dirname, '..', '..');
const adminToken = 'bench-admin-token';
const guid = '6bd7b2a4-3c9c-4e43-9b0e-4b3c0c7d2f11';

export interface FreshnessResult {
  readonly changes: number;
  readonly backgroundWalkInsPerSecond: number;
  readonly latencyMs: Percentiles;
  /** Changes still visible as free after 10 s (counted at 10 s in the percentiles). */
  readonly missed: number;
  readonly adapterRssMb: number;
}

interface SimOrganisation {
  idLpu: number;
  oid: string;
  timeZone: string;
  notifies: boolean;
}

interface SimSlot {
  idDoc: string;
  IdAppointment: string;
  VisitStart: string;
}

function launch(name: string, args: string[], env: NodeJS.ProcessEnv): ServiceProcess {
  const command = 'npx';
  const logFile = join(root, '.medbus', 'logs', `bench-${name}.log`);
  return startProcess({ name, command, args: ['tsx', '--tsconfig', 'tsconfig.base.json', ...args], env, cwd: root, logFile });
}

/**
 * A change at the MIS's front desk → gone from the inventory's free search: a simulator whose
 * clinics all notify, with walk-ins going on in the background, the HubService adapter, and the
 * bench's booking service.
 */
export async function measureFreshness(
  booking: BookingUnderTest,
  env: Record<string, string>,
  changes: number,
  backgroundWalkInsPerSecond: number,
  progress: (message: string) => void,
  rssOf: (pid: number) => number,
): Promise<FreshnessResult> {
  const simPort = await freePort();
  const notifyPort = await freePort();
  const sim = launch(
    'simulator',
    ['tools/simulators/hubservice/main.ts', '--port', String(simPort), '--seed', String(Date.now() % 100_000), '--organisations', '10', '--doctors-per-org', '6',
      '--walkin-rate', String(backgroundWalkInsPerSecond), '--notify-url', `http://127.0.0.1:${notifyPort}/notifications`, '--notify-share', '1'],
    { ...process.env, HUBSIM_ADMIN_TOKEN: adminToken },
  );
  const adapterEnv: NodeJS.ProcessEnv = {
    ...process.env, ...env, MIS_WSDL_URL: `http://127.0.0.1:${simPort}/Hub25/HubService.svc?wsdl`, MIS_GUID: guid,
    ADAPTER_ID: `bench-${Date.now().toString(36)}`, KAFKA_CLIENT_ID: 'bench-adapter', OTEL_SERVICE_NAME: 'bench-adapter', NOTIFY_PORT: String(notifyPort),
    POLL_INTERVAL_MS: '60000', OTEL_SDK_DISABLED: 'true', MIS_RATE_PER_SECOND: '200', MIS_RATE_BURST: '200',
  };
  delete adapterEnv.DATABASE_URL;
  const adapter = launch('adapter', ['apps/mis-adapters/hubservice/src/main.ts'], adapterEnv);
  try {
    await waitForHttp(`http://127.0.0.1:${simPort}/health`, sim, 120_000);
    await waitForHttp(`http://127.0.0.1:${notifyPort}/health`, adapter, 120_000);
    const admin = (path: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${simPort}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const organisations = ((await (await admin('/admin/organisations')).json()) as SimOrganisation[]).filter((o) => o.notifies && o.timeZone === 'Europe/Moscow');
    const codeMap = (await (await admin('/admin/code-map')).json()) as { doctors: Array<{ idLpu: number; idDoc: string }> };
    const free = async (oid: string, slot: SimSlot): Promise<boolean> => {
      const from = new Date(`${slot.VisitStart}+03:00`);
      const query = new URLSearchParams({ practitioner: `${oid}:${slot.idDoc}`, freeOnly: 'true', from: from.toISOString(), to: new Date(from.getTime() + 60_000).toISOString() });
      const response = await fetch(`${booking.url}/v1/slots?${query}`, { headers: { authorization: `Bearer ${booking.apiKey}` } });
      const page = (await response.json()) as { items: Array<{ slotId: string }> };
      return page.items.some((item) => item.slotId === `${oid}:${slot.IdAppointment}`);
    };
    progress(`freshness: waiting for the adapter's first sync of ${organisations.length} notifying clinics`);
    const samples: number[] = [];
    let missed = 0;
    let adapterRssMb = 0;
    const deadline = Date.now() + 600_000;
    while (samples.length < changes && Date.now() < deadline) {
      const org = organisations[samples.length % organisations.length];
      const doctors = codeMap.doctors.filter((d) => d.idLpu === org.idLpu);
      const doctor = doctors[Math.floor(Math.random() * doctors.length)];
      const slots = (await (await admin(`/admin/slots?idLpu=${org.idLpu}&idDoc=${doctor.idDoc}&state=free`)).json()) as SimSlot[];
      const slot = slots.filter((s) => new Date(`${s.VisitStart}+03:00`).getTime() > Date.now() + 86_400_000)[Math.floor(Math.random() * 10)];
      if (!slot || !(await free(org.oid, slot))) {
        await sleep(500);
        continue;
      }
      const started = performance.now();
      const walkIn = await admin('/admin/walk-in', { slotId: slot.IdAppointment });
      if (!walkIn.ok) continue;
      while (await free(org.oid, slot)) {
        if (performance.now() - started > 10_000) {
          missed++;
          break;
        }
        await sleep(20);
      }
      samples.push(performance.now() - started);
      adapterRssMb = Math.max(adapterRssMb, rssOf(adapter.child.pid as number));
    }
    if (samples.length < changes) throw new Error(`only ${samples.length} of ${changes} changes measured in 10 min`);
    return { changes, backgroundWalkInsPerSecond, latencyMs: percentiles(samples), missed, adapterRssMb };
  } finally {
    await adapter.stop();
    await sim.stop();
  }
}
