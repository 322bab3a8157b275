import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminController, sendJson, type Faults } from '../clinic/admin.controller';
import { ClinicLife } from '../clinic/clinic.life';
import { generateRegion } from '../clinic/region.generator';
import { ScheduleState } from '../clinic/schedule.state';
import { BookingService } from './booking.service';
import { DumpPublisher, type DumpFaults } from './dump.publisher';
import { hhmm, ticketStateOf } from './dump.writer';
import { DumpSftpServer, generateHostKey } from './sftp.server';
import type { XmlDumpConfig } from './simulator.config';
import { malformedModes, XmlDumpHttp, type Log } from './xmldump.server';

export interface RunningXmlDump {
  /** `http://host:port` */
  readonly url: string;
  readonly sftpPort: number;
  readonly dumpDir: string;
  readonly state: ScheduleState;
  readonly faults: Faults;
  readonly dumpFaults: DumpFaults;
  readonly publisher: DumpPublisher;
  readonly life: ClinicLife;
  close(): Promise<void>;
}

/**
 * Builds the region, writes the first full dump, then starts the HTTP server (dumps, booking, admin)
 * and the SFTP server; resolves once both listen.
 */
export async function startXmlDumpSimulator(config: XmlDumpConfig, log: Log = defaultLog(config), now: () => Date = () => new Date()): Promise<RunningXmlDump> {
  const region = generateRegion({
    seed: config.seed,
    organisations: config.organisations,
    doctorsPerOrg: config.doctorsPerOrg,
    notifyShare: 0,
    oidRoot: config.oidRoot,
    doctorsWithoutSnils: config.doctorsWithoutSnils,
  });
  const state = new ScheduleState(region, {
    seed: config.seed,
    startDate: config.startDate,
    horizonDays: config.horizonDays,
    initialBookedShare: config.initialBookedShare,
  });
  const faults: Faults = { latencyMs: config.latencyMs, errorRate: config.errorRate, outage: config.outage, malformed: 'none', dropAnswers: 0 };
  const dumpFaults: DumpFaults = { truncateNext: false, corruptNext: null };
  const temporary = config.dumpDir === undefined;
  const dumpDir = config.dumpDir ?? (await mkdtemp(join(tmpdir(), 'xmldump-')));
  const publisher = new DumpPublisher(state, { dir: dumpDir, partialIntervalSec: config.partialInterval, now, log }, dumpFaults);
  let sftpPort = 0;
  const admin = new AdminController(state, faults, config.adminToken, new Set(), {
    wireSlot: (slot) => ({ ticketId: slot.id, date: slot.date, time: hhmm(slot.startMinute), minutes: slot.minutes, room: slot.room, ticketState: ticketStateOf[slot.state] }),
    malformedModes,
    extraState: () => ({ dumps: { dir: dumpDir, base: publisher.baseSeq, listed: publisher.listed() }, dumpFaults, sftpPort }),
  });
  // Nights are driven here rather than by ClinicLife's own timer, so each is followed by its full dump.
  const life = new ClinicLife(state, { ...config, dayLength: 0, log });
  const http = new XmlDumpHttp({
    state,
    publisher,
    booking: new BookingService(state),
    admin,
    faults,
    dumpFaults,
    login: config.login,
    password: config.password,
    adminToken: config.adminToken,
    maxBodyBytes: config.maxBodyBytes,
    log,
  });
  const sftp = new DumpSftpServer({
    host: config.host,
    port: config.sftpPort,
    login: config.login,
    password: config.password,
    hostKey: config.hostKey === undefined ? generateHostKey() : readFileSync(config.hostKey),
    publisher,
    faults,
    dumpFaults,
    log,
  });

  await publisher.start();
  const server: Server = createServer((req, res) => {
    http.handle(req, res).catch((error: unknown) => {
      log({ msg: 'request failed', path: req.url?.split('?')[0], error: error instanceof Error ? error.name : 'unknown' });
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'COMMON.INTERNAL', message: 'Internal error' } });
      else res.destroy();
    });
  });
  server.headersTimeout = 15_000;
  server.requestTimeout = 300_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  sftpPort = await sftp.listen();
  life.start();
  const nights =
    config.dayLength > 0
      ? setInterval(() => {
          life.night();
          publisher.catchUpDay();
        }, config.dayLength * 1000)
      : undefined;
  nights?.unref();
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${config.host}:${port}`,
    sftpPort,
    dumpDir,
    state,
    faults,
    dumpFaults,
    publisher,
    life,
    close: async () => {
      life.stop();
      clearInterval(nights);
      await publisher.close();
      await sftp.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      if (temporary) await rm(dumpDir, { recursive: true, force: true });
    },
  };
}

function defaultLog(config: XmlDumpConfig): Log {
  // Lines carry message names, clinic codes, dump names and codes only: never patient data.
  return config.logRequests ? (line) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`) : () => undefined;
}
