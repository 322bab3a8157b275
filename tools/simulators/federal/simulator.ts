import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FerLimits, ferRegistryPath } from '@medbus/federal-registry';
import { AdminController, sendJson } from './admin.controller';
import { FerSoapEndpoint, type Faults, type Log } from './fer.server';
import { RegionPortalClient } from './portal.client';
import { ReferenceRegisters } from './reference.registers';
import { RegistryService, parseLogins } from './registry.service';
import { RegistryState } from './registry.state';
import { RegistryStats } from './registry.stats';
import type { Clock } from './session.store';
import type { SimulatorConfig } from './simulator.config';

export interface RunningFederalSimulator {
  /** `http://host:port` */
  readonly url: string;
  /** `<url>/fer/RegistryService`; the WSDL is at `?wsdl`. */
  readonly endpoint: string;
  readonly state: RegistryState;
  readonly stats: RegistryStats;
  readonly references: ReferenceRegisters;
  readonly faults: Faults;
  close(): Promise<void>;
}

export interface SimulatorSeams {
  readonly log?: Log;
  readonly clock?: Clock;
  readonly random?: () => number;
}

/** Starts the federal registry simulator (push API + admin API); resolves once it listens. */
export async function startFederalSimulator(config: SimulatorConfig, seams: SimulatorSeams = {}): Promise<RunningFederalSimulator> {
  const log = seams.log ?? defaultLog(config);
  const clock = seams.clock ?? Date.now;
  const references = ReferenceRegisters.load({ nsiFile: config.nsiFile, frmoFile: config.frmoFile });
  const state = new RegistryState(references, clock);
  const stats = new RegistryStats(config.rejectionsKept, clock);
  const limits = { ...config, maxPageSize: FerLimits.maxPageSize };
  const registry = new RegistryService(state, stats, parseLogins(config.logins), limits, clock);
  const faults: Faults = { mode: config.faultMode, delayMs: config.delayMs, errorRate: config.errorRate };
  const endpoint = new FerSoapEndpoint(registry, stats, faults, config.maxBodyBytes, log, seams.random);
  const portal = new RegionPortalClient({ url: config.regionUrl, apiKey: config.regionApiKey, timeoutMs: config.regionTimeoutMs, log });
  const admin = new AdminController({ state, stats, registry, references, faults, portal, token: config.adminToken });

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    void (async () => {
      if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok', mode: faults.mode, ...state.totals() });
      if (url.pathname.startsWith('/admin/')) return admin.handle(req, res, url);
      if (await endpoint.serve(req, res, url)) return;
      sendJson(res, 404, { error: { code: 'HTTP.404', message: 'not found' } });
    })().catch((error: unknown) => {
      log({ msg: 'request failed', path: url.pathname, error: error instanceof Error ? error.name : 'unknown' });
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'COMMON.INTERNAL', message: 'Internal error' } });
      else res.destroy();
    });
  });
  server.headersTimeout = 15_000;
  server.requestTimeout = 120_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  return {
    url,
    endpoint: `${url}${ferRegistryPath}`,
    state,
    stats,
    references,
    faults,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
    },
  };
}

function defaultLog(config: SimulatorConfig): Log {
  // Lines carry operations, logins, counts and codes only: never an item's values, never patient data.
  return config.logRequests ? (line) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`) : () => undefined;
}
