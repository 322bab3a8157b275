import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { Topics } from '@medbus/contracts';
import { adapterTopicsOf, deleteNamespaceTopics, ensureTopics, isPerAdapterTopic } from '@medbus/kafka';
import { freePort, stackAddresses, startProcess, testConnection, waitForHttp, type ServiceProcess } from '@medbus/testing';
import { compiledServices, nodeCommandOf } from '../build/build-services';
import type { SiteContext, VendorUnderTest } from '../conformance/vendor';
import { hubserviceGuid, hubserviceVendor } from '../conformance/vendors/hubservice.vendor';

/**
 * A small simulated region as real processes for end-to-end tests: one or more vendors' MIS
 * simulators with their medbus adapters (the first, by default HubService, is the region's primary
 * site) and a booking service, each with its own consumer groups (positioned at "now" on the shared
 * topics), Postgres schema and ports. Services can be killed and started again with the same identity.
 */

export const root = join(__dirname, '..', '..');
export const misGuid = hubserviceGuid;

/**
 * Registers an MIS adapter for organisations in a booking service's registry (its schema migrated
 * first) with the clients CLI: the booking service refuses what an adapter publishes for
 * organisations not registered to it (0012), so this comes before the adapter publishes.
 */
export async function registerAdapterIn(bookingSchema: string, adapterId: string, organisationOids: readonly string[], databaseUrl?: string): Promise<void> {
  await clientsCli(bookingSchema, ['issue', '--client', adapterId, '--role', 'MIS_ADAPTER', '--organisations', organisationOids.join(',')], databaseUrl);
}

/**
 * Runs the booking service's clients CLI against its schema (in the stack's test database unless told
 * which); answers what it printed on stdout (a new secret).
 */
export async function clientsCli(bookingSchema: string, args: readonly string[], databaseUrl = stackAddresses().databaseUrl): Promise<string> {
  const { stdout } = await promisify(execFile)(
    join(root, 'node_modules', '.bin', 'tsx'),
    ['--tsconfig', 'tsconfig.base.json', 'apps/booking/src/clients/clients.cli.ts', ...args],
    { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl, BOOKING_DATABASE_SCHEMA: bookingSchema }, timeout: 120_000 },
  );
  return stdout.trim();
}

export interface RegionOptions {
  readonly name: string;
  /** The vendors whose clinics the region has, the primary first; default HubService alone. */
  readonly vendors?: readonly VendorUnderTest[];
  readonly organisations: number;
  readonly doctorsPerOrg: number;
  readonly horizonDays: number;
  /** Added to every adapter's environment. */
  readonly adapterEnv?: Record<string, string>;
  readonly bookingEnv?: Record<string, string>;
  /** Added to the primary site's simulator arguments. */
  readonly simArgs?: readonly string[];
  /**
   * How many of each site's organisations (the last ones) its adapter is not given in
   * ADAPTER_ORGANISATIONS while booking registers them all: what the adapter's own scope guard must hold back.
   */
  readonly outOfScope?: number;
  /** Also start the federal registry's simulator and the registry exporter (issue 10). */
  readonly federal?: boolean;
  readonly exporterEnv?: Record<string, string>;
  readonly federalSimArgs?: readonly string[];
}

/** A doctor in the simulator's code map (`GET /admin/code-map`). */
export interface SimDoctor {
  readonly idLpu: number;
  readonly idDoc: string;
  readonly specialtyCode: string;
}

/** A slot as the simulator's admin API shows it (`GET /admin/slots`). */
export interface SimSlot {
  readonly idLpu: number;
  readonly idDoc: string;
  readonly state: string;
  readonly IdAppointment: string;
  /** Clinic-local `YYYY-MM-DDTHH:MM:SS`. */
  readonly VisitStart: string;
  readonly booking: { readonly idPat: string } | null;
}

export interface SimOrganisation {
  readonly idLpu: number;
  readonly oid: string;
  readonly timeZone: string;
  readonly notifies: boolean;
}

export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? ` (last error: ${lastError.message})` : ''}`);
    await sleep(everyMs);
  }
}

/** The test's environment without `without` (inherited only: a value in `extra` is kept), then `extra`. */
export function childEnv(extra: Record<string, string>, without: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NODE_OPTIONS', 'NODE_ENV', 'JEST_WORKER_ID', ...without]) delete env[name];
  return { ...env, ...extra };
}

/** An OID root under an arc no real organisation uses, unique per test run. */
export function e2eOidRoot(): string {
  return `1.2.643.5.1.13.13.12.2.99.${Date.now() % 1_000_000_000}${randomBytes(1)[0]}`;
}


/** One vendor's clinics in a region: its simulator and its adapter, with ids of their own. */
export class VendorSite {
  readonly oidRoot = e2eOidRoot();
  readonly adapterId: string;
  readonly adapterSchema: string;
  simPort = 0;
  adapterPort = 0;
  organisations: SimOrganisation[] = [];
  sim?: ServiceProcess;
  adapter?: ServiceProcess;

  constructor(
    readonly vendor: VendorUnderTest,
    private readonly region: { readonly name: string; readonly runId: string; readonly adminToken: string; readonly options: RegionOptions },
    private readonly index: number,
  ) {
    const suffix = index === 0 ? '' : `-${index}`;
    const name = region.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    this.adapterId = `${vendor.vendor}-${name}-${region.runId}`.slice(0, 40 - suffix.length) + suffix;
    this.adapterSchema = `adapter_${region.name.replace(/[^a-z0-9]/g, '_')}_${region.runId}${index === 0 ? '' : `_${index}`}`;
  }

  get simUrl(): string {
    return `http://127.0.0.1:${this.simPort}`;
  }

  /** The organisations the adapter is told are its own (all, unless the region holds some back: `outOfScope`). */
  get inScope(): SimOrganisation[] {
    return this.organisations.slice(0, Math.max(1, this.organisations.length - (this.region.options.outOfScope ?? 0)));
  }

  get adapterUrl(): string {
    return `http://127.0.0.1:${this.adapterPort}`;
  }

  get context(): SiteContext {
    const { options } = this.region;
    return {
      name: `${this.region.name}-${this.vendor.vendor}`,
      simPort: this.simPort,
      adapterPort: this.adapterPort,
      oidRoot: this.oidRoot,
      adminToken: this.region.adminToken,
      adapterId: this.adapterId,
      organisations: options.organisations,
      doctorsPerOrg: options.doctorsPerOrg,
      horizonDays: options.horizonDays,
      seed: 7,
    };
  }

  async allocatePorts(): Promise<void> {
    [this.simPort, this.adapterPort] = await Promise.all([freePort(), freePort()]);
  }

  async startSimulator(logFile: string): Promise<void> {
    const extra = this.index === 0 ? (this.region.options.simArgs ?? []) : [];
    this.sim = startProcess({
      name: `${this.vendor.vendor}-simulator`,
      ...nodeCommandOf(this.vendor.simulator, [...this.vendor.simulatorArgs(this.context), ...extra]),
      env: childEnv({}),
      cwd: root,
      logFile,
    });
    await waitForHttp(`${this.simUrl}/health`, this.sim);
    this.organisations = await this.simCall<SimOrganisation[]>('GET', '/admin/organisations');
  }

  /** Starts the adapter with the runtime's variables, the vendor's, then `shared` and the region's overrides. */
  async startAdapter(shared: Record<string, string>, logFile: string): Promise<void> {
    const adapter = startProcess({
      name: `${this.vendor.vendor}-adapter`,
      ...nodeCommandOf(this.vendor.adapter),
      env: childEnv(
        {
          ADAPTER_ID: this.adapterId,
          ADAPTER_DATABASE_SCHEMA: this.adapterSchema,
          KAFKA_CLIENT_ID: this.adapterId,
          OTEL_SERVICE_NAME: `mis-adapter-${this.vendor.vendor}-${this.region.name}`,
          OTEL_SDK_DISABLED: 'true',
          HTTP_PORT: String(this.adapterPort),
          ADAPTER_ORGANISATIONS: this.inScope.map((o) => o.oid).join(','),
          POLL_INTERVAL_MS: '5000',
          HEARTBEAT_INTERVAL_MS: '1000',
          BREAKER_OPEN_MS: '1000',
          ...this.vendor.adapterEnv(this.context, this.organisations),
          ...shared,
          ...this.region.options.adapterEnv,
        },
        ['RAW_PAYLOAD_DIR', 'TEST_DATABASE_URL'],
      ),
      cwd: root,
      logFile,
    });
    this.adapter = adapter;
    await waitForHttp(`${this.adapterUrl}/health`, adapter);
  }

  /** The simulator's shared admin API (tools/simulators/clinic). */
  async simCall<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.simUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.region.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${this.vendor.vendor} simulator ${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  /** Lets the adapter see the MIS's current state now (a dump produced...), for vendors whose adapter only reads. */
  async publishChanges(): Promise<void> {
    await this.vendor.publishChanges?.(this.context, { call: (method, path, body) => this.simCall(method, path, body) });
  }
}

export class Region {
  readonly runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  /** The region's contact-centre operator's API key, issued by the clients CLI when the region starts. */
  apiKey = '';
  readonly adapterKey = `e2e-adapter-${randomBytes(12).toString('hex')}`;
  readonly adminToken = `e2e-admin-${randomBytes(8).toString('hex')}`;
  readonly hubGuid = randomUUID();
  /** Booking's BOOKING_DATA_KEYS: one key of the region's own. */
  readonly dataKeys = `e2e=${randomBytes(32).toString('base64')}`;
  /** The region's own organisation OIDs: no other simulator (the demo, another test) publishes for them. */
  /** The region's vendors' sites, the primary first. */
  readonly sites: VendorSite[];
  /** The region's own bus: its topics, subjects and groups are invisible to the demo, other tests and the bench. */
  readonly namespace: string;
  readonly bookingGroup: string;
  readonly bookingSchema: string;
  bookingPort = 0;
  booking?: ServiceProcess;
  /** The federal side (simulated) and the region's exporter to it, when options.federal. */
  federalSim?: ServiceProcess;
  exporter?: ServiceProcess;
  federalSimPort = 0;
  exporterPort = 0;
  readonly federalAdminToken = `e2e-fer-admin-${randomBytes(8).toString('hex')}`;
  readonly federalLogin = 'region-e2e';
  readonly federalPassword = randomBytes(12).toString('hex');
  /** The exporter's API key at booking (FEDERAL_REGISTRY) and the federal concentrator's at the exporter (FEDERAL_REGISTRY). */
  exporterKey = '';
  concentratorKey = '';
  readonly exporterSchema: string;
  readonly exporterGroup: string;
  private starts = 0;

  constructor(readonly options: RegionOptions) {
    const vendors = options.vendors ?? [hubserviceVendor];
    this.sites = vendors.map((vendor, index) => new VendorSite(vendor, { name: options.name, runId: this.runId, adminToken: this.adminToken, options }, index));
    this.namespace = `e2e-${options.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${this.runId}`;
    this.bookingGroup = `booking-${options.name}-${this.runId}`;
    this.bookingSchema = `booking_${options.name.replace(/[^a-z0-9]/g, '_')}_${this.runId}`;
    this.exporterSchema = `exporter_${options.name.replace(/[^a-z0-9]/g, '_')}_${this.runId}`;
    this.exporterGroup = `exporter-${options.name}-${this.runId}`;
  }

  get exporterUrl(): string {
    return `http://127.0.0.1:${this.exporterPort}`;
  }

  get federalSimUrl(): string {
    return `http://127.0.0.1:${this.federalSimPort}`;
  }

  get bookingUrl(): string {
    return `http://127.0.0.1:${this.bookingPort}`;
  }

  /** The primary site (the first vendor's): its simulator, adapter and organisations. */
  get primary(): VendorSite {
    const [site] = this.sites;
    if (!site) throw new Error('a region has at least one vendor');
    return site;
  }

  get adapterId(): string {
    return this.primary.adapterId;
  }

  get adapterSchema(): string {
    return this.primary.adapterSchema;
  }

  get oidRoot(): string {
    return this.primary.oidRoot;
  }

  get simPort(): number {
    return this.primary.simPort;
  }

  /** The primary adapter's HTTP port (its notifications, patient API and health). */
  get notifyPort(): number {
    return this.primary.adapterPort;
  }

  get organisations(): SimOrganisation[] {
    return this.primary.organisations;
  }

  get sim(): ServiceProcess | undefined {
    return this.primary.sim;
  }

  get adapter(): ServiceProcess | undefined {
    return this.primary.adapter;
  }

  get simUrl(): string {
    return this.primary.simUrl;
  }

  /** The site of a vendor (the first of it). */
  site(vendor: string): VendorSite {
    const site = this.sites.find((s) => s.vendor.vendor === vendor);
    if (!site) throw new Error(`the region has no ${vendor} site`);
    return site;
  }

  private logFile(name: string): string {
    return join(root, '.medbus', 'logs', `e2e-${this.options.name}-${name}-${this.runId}-${++this.starts}.log`);
  }

  async start(): Promise<void> {
    this.bookingPort = await freePort();
    await Promise.all(this.sites.map((site) => site.allocatePorts()));
    const shared = Object.values(Topics).filter((topic) => !isPerAdapterTopic(topic));
    await ensureTopics({ ...testConnection(), namespace: this.namespace }, [...shared, ...this.sites.flatMap((site) => adapterTopicsOf(site.adapterId))], 3);
    await Promise.all(this.sites.map((site) => site.startSimulator(this.logFile(`${site.vendor.vendor}-simulator`))));
    await this.registerAdapter();
    [this.apiKey] = await Promise.all([
      this.issue('OPERATOR', `operator-${this.runId}`),
      clientsCli(this.bookingSchema, ['issue', '--client', `hub-client-${this.runId}`, '--role', 'HUB_CLIENT', '--guid', this.hubGuid]),
    ]);
    await Promise.all([...this.sites.map((site) => this.startAdapter(site)), this.startBooking()]);
    if (this.options.federal) {
      [this.federalSimPort, this.exporterPort] = await Promise.all([freePort(), freePort()]);
      [this.exporterKey, this.concentratorKey] = await Promise.all([
        this.issue('FEDERAL_REGISTRY', `registry-exporter-${this.runId}`),
        this.issue('FEDERAL_REGISTRY', `fer-concentrator-${this.runId}`),
      ]);
      await this.startFederalSim();
      await this.startExporter();
    }
  }

  /** The simulated federal registry, knowing the region's organisations in its ФРМО register. */
  async startFederalSim(): Promise<void> {
    this.federalSim = startProcess({
      name: 'federal-simulator',
      ...nodeCommandOf(compiledServices.federalSimulator, [
        ...['--host', '127.0.0.1', '--port', String(this.federalSimPort), '--region-url', `${this.exporterUrl}/er/v2_0/ErWebService`],
        ...(this.options.federalSimArgs ?? []),
      ]),
      env: childEnv({
        FERSIM_ADMIN_TOKEN: this.federalAdminToken,
        FERSIM_LOGINS: `${this.federalLogin}:${this.federalPassword}`,
        FERSIM_REGION_API_KEY: this.concentratorKey,
      }),
      cwd: root,
      logFile: this.logFile('federal-simulator'),
    });
    await waitForHttp(`${this.federalSimUrl}/health`, this.federalSim);
    await this.federalCall('PUT', '/admin/frmo', { oids: this.organisations.map((o) => o.oid) });
  }

  async startExporter(): Promise<void> {
    this.exporter = startProcess({
      name: 'registry-exporter',
      ...nodeCommandOf(compiledServices.registryExporter),
      env: childEnv(
        {
          HTTP_PORT: String(this.exporterPort),
          DATABASE_URL: stackAddresses().databaseUrl,
          EXPORTER_DATABASE_SCHEMA: this.exporterSchema,
          EXPORTER_CONSUMER_GROUP: this.exporterGroup,
          BOOKING_URL: this.bookingUrl,
          EXPORTER_BOOKING_API_KEY: this.exporterKey,
          FER_URL: `${this.federalSimUrl}/fer/RegistryService`,
          FER_LOGIN: this.federalLogin,
          FER_PASSWORD: this.federalPassword,
          FER_RETRY_MAX_DELAY_MS: '2000',
          EXPORT_INTERVAL_MS: '200',
          KAFKA_CLIENT_ID: `exporter-${this.options.name}-${this.runId}`,
          KAFKA_NAMESPACE: this.namespace,
          OTEL_SERVICE_NAME: `registry-exporter-${this.options.name}`,
          OTEL_SDK_DISABLED: 'true',
          ...this.options.exporterEnv,
        },
        ['TEST_DATABASE_URL'],
      ),
      cwd: root,
      logFile: this.logFile('registry-exporter'),
    });
    await waitForHttp(`${this.exporterUrl}/health/ready`, this.exporter);
  }

  /** Issues a client of the region's booking service a credential (an API key; a HUB_CLIENT's guid) and answers it. */
  issue(role: string, clientId: string, options: { channel?: string; branch?: string } = {}): Promise<string> {
    return clientsCli(this.bookingSchema, [
      ...['issue', '--client', clientId, '--role', role],
      ...(options.channel ? ['--channel', options.channel] : []),
      ...(options.branch ? ['--branch', options.branch] : []),
    ]);
  }

  /** Registers each site's adapter for its simulator's organisations before the adapter publishes anything. */
  private async registerAdapter(): Promise<void> {
    for (const site of this.sites) await registerAdapterIn(this.bookingSchema, site.adapterId, site.organisations.map((o) => o.oid));
  }

  /** Starts a site's adapter (the primary's by default), again after a kill with the same identity. */
  async startAdapter(site: VendorSite = this.primary): Promise<void> {
    await site.startAdapter(
      // DATABASE_URL is inherited: the stack's, as the tests that read the adapter's tables expect.
      { ADAPTER_API_KEYS: this.adapterKey, KAFKA_NAMESPACE: this.namespace },
      this.logFile(`${site.vendor.vendor}-adapter`),
    );
  }

  async startBooking(): Promise<void> {
    this.booking = startProcess({
      name: 'booking',
      ...nodeCommandOf(compiledServices.booking),
      env: childEnv(
        {
          HTTP_PORT: String(this.bookingPort),
          DATABASE_URL: stackAddresses().databaseUrl,
          BOOKING_DATA_KEYS: this.dataKeys,
          BOOKING_CONSUMER_GROUP: this.bookingGroup,
          BOOKING_DATABASE_SCHEMA: this.bookingSchema,
          BOOKING_MIS_ADAPTERS: this.sites.map((site) => `${site.adapterId}=${site.adapterUrl}`).join(','),
          BOOKING_MIS_ADAPTER_API_KEY: this.adapterKey,
          KAFKA_CLIENT_ID: `booking-${this.options.name}-${this.runId}`,
          KAFKA_NAMESPACE: this.namespace,
          OTEL_SERVICE_NAME: `booking-${this.options.name}`,
          OTEL_SDK_DISABLED: 'true',
          ...this.options.bookingEnv,
        },
        ['BOOKING_STALE_AFTER_HEARTBEATS', 'TEST_DATABASE_URL'],
      ),
      cwd: root,
      logFile: this.logFile('booking'),
    });
    await waitForHttp(`${this.bookingUrl}/health/ready`, this.booking);
  }

  /** SIGKILL, as a crashed host would: no shutdown hooks run. */
  kill(service: 'adapter' | 'booking' | 'exporter' | 'federalSim'): void {
    const process = this[service];
    if (process?.child.pid) {
      try {
        globalThis.process.kill(-process.child.pid, 'SIGKILL');
      } catch {
        process.child.kill('SIGKILL');
      }
    }
  }

  async stop(): Promise<void> {
    await Promise.all([this.exporter, this.federalSim, this.booking, ...this.sites.flatMap((site) => [site.adapter, site.sim])].map((service) => service?.stop()));
    await deleteNamespaceTopics(testConnection(), this.namespace).catch((error: unknown) =>
      console.warn(`could not delete the region's topics: ${error instanceof Error ? error.message : String(error)}`),
    );
    const db = new Client({ connectionString: stackAddresses().databaseUrl });
    try {
      await db.connect();
      await db.query(`DROP SCHEMA IF EXISTS "${this.bookingSchema}" CASCADE`);
      for (const site of this.sites) await db.query(`DROP SCHEMA IF EXISTS "${site.adapterSchema}" CASCADE`);
      await db.query(`DROP SCHEMA IF EXISTS "${this.exporterSchema}" CASCADE`);
    } catch (error) {
      console.warn(`could not drop the region's schemas: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await db.end().catch(() => undefined);
    }
  }

  /** A test body that prints the region's log tails when it fails. */
  withLogs(body: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await body();
      } catch (error) {
        console.log(this.logs());
        throw error;
      }
    };
  }

  logs(): string {
    return [...this.sites.flatMap((site) => [site.sim, site.adapter]), this.booking, this.federalSim, this.exporter]
      .filter((s): s is ServiceProcess => s !== undefined)
      .map((s) => `---- ${s.name} (${s.alive() ? 'alive' : `exited ${s.child.exitCode}`}), ${s.logFile}\n${s.tail(30)}`)
      .join('\n');
  }

  /** A query on booking's own schema (for assertions the API does not expose, like holds). */
  async bookingDb<T>(sql: string, values: unknown[] = []): Promise<T[]> {
    const db = new Client({ connectionString: stackAddresses().databaseUrl, options: `-c search_path=${this.bookingSchema}` });
    await db.connect();
    try {
      return (await db.query(sql, values)).rows as T[];
    } finally {
      await db.end();
    }
  }

  /** The primary simulator's admin API. */
  simCall<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    return this.primary.simCall<T>(method, path, body);
  }

  /** The federal simulator's admin API (its state, faults, drift, the federal portal). */
  async federalCall<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.federalSimUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.federalAdminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`federal simulator ${method} ${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** An exporter REST call (export status, reconciliations) with a key of the region's booking service. */
  async exporterApi<T>(key: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.exporterUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const parsed = (text ? JSON.parse(text) : undefined) as { error?: unknown } | undefined;
    return { status: response.status, body: (parsed?.error ?? parsed) as T };
  }

  /** A booking API call as the region's operator; the error body `{ error: { code, message, details } }` comes back as `body`. */
  api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    return this.apiAs<T>(this.apiKey, method, path, body, headers);
  }

  /** A booking API call with another client's API key. */
  async apiAs<T>(key: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.bookingUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const parsed = (text ? JSON.parse(text) : undefined) as { error?: unknown } | undefined;
    return { status: response.status, body: (parsed?.error ?? parsed) as T };
  }
}
