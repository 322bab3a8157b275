import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminController, sendJson } from './admin.controller';
import { AmiServer } from './ami.server';
import type { Log } from './ami.session';
import { CallRecords } from './call.records';
import { OriginateDesk } from './originate.service';
import { UniqueIds, type PbxSinks } from './pbx.model';
import { LivePbx } from './pbx.live';
import { QueueLog } from './queue.log';
import { ReplayRunner } from './replay.runner';
import { seededRandom } from './simulation.random';
import { parseQueues, parseUsers, type SimulatorConfig } from './simulator.config';

export interface RunningTelephonySimulator {
  /** `http://host:port` of the admin API. */
  readonly adminUrl: string;
  readonly amiPort: number;
  readonly host: string;
  readonly live: LivePbx;
  readonly replay: ReplayRunner;
  close(): Promise<void>;
}

interface QueueCounters {
  offered: number;
  answered: number;
  abandoned: number;
}

/** Starts the PBX simulator (AMI on TCP, admin API on HTTP); resolves once both listen. */
export async function startTelephonySimulator(config: SimulatorConfig, seams: { log?: Log } = {}): Promise<RunningTelephonySimulator> {
  const log = seams.log ?? defaultLog(config);
  const queues = parseQueues(config.queues);
  const seed = config.seed ?? Math.floor(Math.random() * 2 ** 31);
  const behaviour = { ...config };
  const ids = new UniqueIds();
  const calls = new CallRecords();
  const queueLog = new QueueLog();
  const counters = new Map<string, QueueCounters>();
  const counter = (queue: string): QueueCounters => {
    let c = counters.get(queue);
    if (!c) counters.set(queue, (c = { offered: 0, answered: 0, abandoned: 0 }));
    return c;
  };

  // The AMI server needs the live clock and the live PBX needs the server's broadcast: wired after both exist.
  const wired: { ami?: AmiServer } = {};
  const sinks: PbxSinks = {
    event: (event) => {
      if (event.name === 'QueueCallerJoin') counter(event.fields.find(([k]) => k === 'Queue')?.[1] ?? '').offered++;
      wired.ami?.broadcast(event);
    },
    queueLog: (entry) => queueLog.append(entry),
    finished: (fact) => {
      counter(fact.queue)[fact.outcome === 'ANSWERED' ? 'answered' : 'abandoned']++;
      calls.add({ ...fact, emittedAt: new Date().toISOString() });
    },
  };
  const live = new LivePbx({ queues, behaviour, callsPerDay: config.callsPerDay, speed: config.speed, startAt: config.start ? Date.parse(config.start) : Date.now(), timeZone: config.timeZone, seed }, ids, sinks);
  const originate = new OriginateDesk(
    { answered: config.originateAnswered, noAnswer: config.originateNoAnswer, busy: config.originateBusy, congested: config.originateCongested },
    config.originateRingSeconds,
    { now: () => live.now(), speed: config.speed },
    ids,
    seededRandom(seed ^ 0x0419),
  );
  const amiServer = new AmiServer(
    {
      users: parseUsers(config.users),
      now: () => live.now(),
      engine: () => {
        live.tick();
        return live.engine;
      },
      originate,
      log,
    },
    config,
    log,
  );
  wired.ami = amiServer;
  const replay = new ReplayRunner({ queues, behaviour, ids, sinks, drained: () => amiServer.drained(), freeze: () => live.freeze(), resume: () => live.resume() });
  const admin = new AdminController({
    token: config.adminToken,
    live,
    ami: amiServer,
    calls,
    queueLog,
    originate,
    replay,
    stats: () => ({ connections: amiServer.connections, connectionsAccepted: amiServer.connectionsAccepted, slowReadersClosed: amiServer.slowReadersClosed, eventsEmitted: amiServer.eventsEmitted, queues: Object.fromEntries(counters), load: live.load(), simulatedNow: new Date(live.now()).toISOString() }),
    reset: () => {
      calls.clear();
      queueLog.clear();
      originate.reset();
      counters.clear();
      live.reset();
    },
  });

  const http: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    void (async () => {
      if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok', connections: amiServer.connections, replay: replay.status.state });
      return admin.handle(req, res, url);
    })().catch((error: unknown) => {
      log({ msg: 'request failed', path: url.pathname, error: error instanceof Error ? error.name : 'unknown' });
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'COMMON.INTERNAL', message: 'Internal error' } });
      else res.destroy();
    });
  });
  const amiPort = await amiServer.listen(config.amiPort, config.host);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.adminPort, config.host, () => resolve());
  });
  const adminPort = (http.address() as AddressInfo).port;
  live.start();
  if (config.replayDay !== undefined && config.replayCalls !== undefined) replay.start({ day: config.replayDay, calls: config.replayCalls, timeZone: config.timeZone, seed: config.replaySeed });
  const dropper = config.dropEverySeconds > 0 ? setInterval(() => amiServer.drop(0), config.dropEverySeconds * 1000) : undefined;
  dropper?.unref();
  log({ msg: 'telephony simulator started', amiPort, adminPort, queues: queues.map((q) => q.name), callsPerDay: config.callsPerDay, speed: config.speed, seed });

  return {
    adminUrl: `http://${config.host}:${adminPort}`,
    amiPort,
    host: config.host,
    live,
    replay,
    close: async () => {
      if (dropper) clearInterval(dropper);
      live.stop();
      originate.close();
      await replay.stop();
      await amiServer.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

function defaultLog(config: SimulatorConfig): Log {
  // Lines carry counts, ports and user names only: never a caller's number.
  return config.logRequests ? (line) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`) : () => undefined;
}
