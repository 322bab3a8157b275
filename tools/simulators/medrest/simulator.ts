import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { AdminController, sendJson, type Faults } from '../clinic/admin.controller';
import { ClinicLife } from '../clinic/clinic.life';
import { generateRegion } from '../clinic/region.generator';
import { ScheduleState } from '../clinic/schedule.state';
import { AppointmentRegistry } from './appointment.registry';
import { BookingService } from './booking.service';
import { ChangeTracker } from './change.tracker';
import { IdempotencyStore } from './idempotency.store';
import { apiBase, medRestRoutes } from './medrest.controller';
import { slotView } from './medrest.mapper';
import { malformedModes, MedRestEndpoint, sendProblem, type Log } from './medrest.server';
import { ProblemError } from './problem.errors';
import { RateLimiter } from './rate.limiter';
import { ScheduleQuery } from './schedule.query';
import type { SimulatorConfig } from './simulator.config';
import { WebhookClient } from './webhook.client';

export interface RunningSimulator {
  /** `http://host:port`; the API is under `${url}/api/v2`. */
  readonly url: string;
  readonly state: ScheduleState;
  readonly faults: Faults;
  readonly life: ClinicLife;
  readonly tracker: ChangeTracker;
  readonly webhooks: WebhookClient | undefined;
  close(): Promise<void>;
}

/** How often changes made at the front desk or through the admin API are looked for (webhooks, updated_at). */
const syncIntervalMs = 200;

/** Builds the region and starts the MedREST API + admin server; resolves once it listens. */
export async function startSimulator(config: SimulatorConfig, log: Log = defaultLog(config)): Promise<RunningSimulator> {
  const region = generateRegion({
    seed: config.seed,
    organisations: config.organisations,
    doctorsPerOrg: config.doctorsPerOrg,
    notifyShare: config.webhookShare,
    oidRoot: config.oidRoot,
    doctorsWithoutSnils: config.doctorsWithoutSnils,
  });
  const state = new ScheduleState(region, {
    seed: config.seed,
    startDate: config.startDate,
    horizonDays: config.horizonDays,
    initialBookedShare: config.initialBookedShare,
  });
  const apiKeys = config.apiKey.split(',').map((k) => k.trim()).filter(Boolean);
  const faults: Faults = { latencyMs: config.latencyMs, errorRate: config.errorRate, outage: config.outage, malformed: 'none', dropAnswers: 0 };
  const webhooks = config.webhookUrl ? new WebhookClient({ url: config.webhookUrl, secret: config.webhookSecret, retries: config.webhookRetries, log }) : undefined;
  const registry = new AppointmentRegistry(state);
  const tracker = new ChangeTracker(state, registry, webhooks);
  const schedule = new ScheduleQuery(state, tracker, randomBytes(6).toString('base64url'));
  const booking = new BookingService(state, registry, schedule);
  const endpoint = new MedRestEndpoint(medRestRoutes(schedule, booking), {
    apiKeys,
    maxBodyBytes: config.maxBodyBytes,
    faults,
    limiter: new RateLimiter(config.rateLimit, config.rateLimit * 2),
    idempotency: new IdempotencyStore(),
    tracker,
    log,
  });
  const admin = new AdminController(state, faults, config.adminToken, new Set(apiKeys), {
    wireSlot: (slot, org) => slotView(slot, org, tracker.updatedAt(slot.version)),
    malformedModes,
    extraState: () => ({ webhooks: webhooks?.stats() ?? null }),
  });
  const life = new ClinicLife(state, { ...config, log });

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    void (async () => {
      if (path === '/health') return sendJson(res, 200, { status: faults.outage ? 'outage' : 'ok', outage: faults.outage, today: state.today, version: state.version });
      if (path.startsWith('/admin/')) return admin.handle(req, res, url);
      if (path === apiBase || path.startsWith(`${apiBase}/`)) return endpoint.handle(req, res, url);
      sendProblem(res, new ProblemError('not_found', `The API is under ${apiBase}.`));
    })().catch((error: unknown) => {
      log({ msg: 'request failed', error: error instanceof Error ? error.name : 'unknown' });
      if (!res.headersSent) sendProblem(res, new ProblemError('internal_error', 'The request could not be processed.'));
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
  const syncTimer = setInterval(() => tracker.sync(), syncIntervalMs);
  syncTimer.unref();
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${config.host}:${port}`,
    state,
    faults,
    life,
    tracker,
    webhooks,
    close: async () => {
      clearInterval(syncTimer);
      life.stop();
      webhooks?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
    },
  };
}

function defaultLog(config: SimulatorConfig): Log {
  // Lines carry route names, statuses and problem codes only: never ids, queries or bodies (patient data).
  return config.logRequests ? (line) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`) : () => undefined;
}
