import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, stackAddresses, startProcess, waitForHttp, type ServiceProcess } from '@medbus/testing';
import { compiledServices, nodeCommandOf } from '../build/build-services';
import { childEnv, eventually, root, type Region } from './region.process';

/** A call as the PBX simulator's ground truth records it (`GET /admin/calls`). */
export interface PbxCall {
  readonly uniqueid: string;
  readonly queue: string;
  readonly callerNumber: string;
  readonly joinedAt: string;
  readonly answeredAt: string | null;
  readonly endedAt: string;
  readonly holdSeconds: number;
  readonly talkSeconds: number | null;
  readonly outcome: 'ANSWERED' | 'ABANDONED';
  readonly agent: string | null;
  readonly emittedAt: string;
}

/** A call-back task as the contact-centre API lists it. */
export interface CallbackTask {
  readonly id: string;
  readonly branch: string;
  readonly status: 'OPEN' | 'DIALLING' | 'DONE' | 'UNREACHED';
  readonly closeReason: string | null;
  readonly lostCalls: number;
  readonly callerNumber: string;
  readonly createdAt: string;
}

export interface CallbackTaskDetail extends CallbackTask {
  readonly calls: readonly { readonly uniqueid: string }[];
  readonly attemptLog: readonly { readonly outcome: string | null }[];
}

export const branches = ['head', 'sochi', 'novorossiysk'] as const;

/**
 * The contact centre of an end-to-end region (issue 11): the PBX simulator (AMI, its head centre and
 * two branches, no traffic of its own unless told) and the contact-centre service on the region's
 * booking service and bus, with staff of every role.
 */
export class ContactCentre {
  readonly adminToken = `e2e-pbx-admin-${randomBytes(8).toString('hex')}`;
  readonly amiSecret = randomBytes(12).toString('hex');
  readonly schema: string;
  readonly group: string;
  readonly dataKeys = `e2e=${randomBytes(32).toString('base64')}`;
  readonly phoneHashKey = randomBytes(32).toString('base64');
  amiPort = 0;
  pbxAdminPort = 0;
  port = 0;
  pbx?: ServiceProcess;
  service?: ServiceProcess;
  private starts = 0;
  /** Keys of the service itself and its staff, issued at the region's booking. */
  readonly keys = { service: '', headOperator: '', sochiOperator: '', secondLine: '', headSupervisor: '', sochiSupervisor: '' };

  constructor(
    private readonly region: Region,
    private readonly options: {
      readonly env?: Record<string, string>;
      readonly pbxArgs?: readonly string[];
      /** The PBX's queues (= branches) and operators logged in to each, `--queues` of the telephony simulator. */
      readonly queues?: string;
      /** The built operator console the service serves (CC_CONSOLE_DIR); default dist/operator-console. */
      readonly consoleDir?: string;
    } = {},
  ) {
    this.schema = `cc_${region.runId}`;
    this.group = `contact-center-${region.runId}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The operator console, served by the service (issue 12). */
  get consoleUrl(): string {
    return `${this.url}/console/`;
  }

  get pbxUrl(): string {
    return `http://127.0.0.1:${this.pbxAdminPort}`;
  }

  private logFile(name: string): string {
    return join(root, '.medbus', 'logs', `e2e-cc-${name}-${this.region.runId}-${++this.starts}.log`);
  }

  async start(): Promise<void> {
    [this.amiPort, this.pbxAdminPort, this.port] = await Promise.all([freePort(), freePort(), freePort()]);
    const id = this.region.runId;
    const issues: (() => Promise<string>)[] = [
      () => this.region.issue('CONTACT_CENTRE', `contact-center-${id}`),
      () => this.region.issue('OPERATOR', `cc-op-head-${id}`),
      () => this.region.issue('OPERATOR', `cc-op-sochi-${id}`, { branch: 'sochi' }),
      () => this.region.issue('SECOND_LINE', `cc-second-${id}`),
      () => this.region.issue('HEAD_SUPERVISOR', `cc-head-sup-${id}`),
      () => this.region.issue('BRANCH_SUPERVISOR', `cc-sochi-sup-${id}`, { branch: 'sochi' }),
    ];
    // Two CLIs at a time: each loads booking's module graph (seconds of CPU), and six at once on a
    // loaded two-core machine ran past the CLI's 120 s timeout; on an idle one pairs take as long.
    const issued: string[] = [];
    for (let i = 0; i < issues.length; i += 2) issued.push(...(await Promise.all(issues.slice(i, i + 2).map((issue) => issue()))));
    const [service, headOperator, sochiOperator, secondLine, headSupervisor, sochiSupervisor] = issued;
    Object.assign(this.keys, { service, headOperator, sochiOperator, secondLine, headSupervisor, sochiSupervisor });
    await this.startPbx();
    await this.startService();
  }

  async startPbx(): Promise<void> {
    this.pbx = startProcess({
      name: 'telephony-simulator',
      ...nodeCommandOf(compiledServices.telephonySimulator, [
        ...['--host', '127.0.0.1', '--ami-port', String(this.amiPort), '--admin-port', String(this.pbxAdminPort)],
        ...['--admin-token', this.adminToken, '--users', `medbus:${this.amiSecret}`],
        ...['--queues', this.options.queues ?? 'head:6,sochi:3,novorossiysk:3', '--calls-per-day', '0'],
        ...(this.options.pbxArgs ?? []),
      ]),
      env: childEnv({}),
      cwd: root,
      logFile: this.logFile('telephony-simulator'),
    });
    await waitForHttp(`${this.pbxUrl}/health`, this.pbx);
  }

  async startService(): Promise<void> {
    this.service = startProcess({
      name: 'contact-center',
      ...nodeCommandOf(compiledServices.contactCenter),
      env: childEnv(
        {
          HTTP_PORT: String(this.port),
          DATABASE_URL: stackAddresses().databaseUrl,
          CC_DATABASE_SCHEMA: this.schema,
          CC_CONSUMER_GROUP: this.group,
          BOOKING_URL: this.region.bookingUrl,
          CC_BOOKING_API_KEY: this.keys.service,
          CC_AMI_HOST: '127.0.0.1',
          CC_AMI_PORT: String(this.amiPort),
          CC_AMI_USERNAME: 'medbus',
          CC_AMI_SECRET: this.amiSecret,
          CC_QUEUE_LOG_URL: `${this.pbxUrl}/queue_log`,
          CC_QUEUE_LOG_TOKEN: this.adminToken,
          CC_DATA_KEYS: this.dataKeys,
          CC_PHONE_HASH_KEY: this.phoneHashKey,
          // The console built by npm run build, whatever the service's working directory.
          CC_CONSOLE_DIR: this.options.consoleDir ?? join(root, 'dist', 'operator-console'),
          KAFKA_CLIENT_ID: `contact-center-${this.region.runId}`,
          KAFKA_NAMESPACE: this.region.namespace,
          OTEL_SERVICE_NAME: `contact-center-${this.region.runId}`,
          OTEL_SDK_DISABLED: 'true',
          ...this.options.env,
        },
        ['TEST_DATABASE_URL'],
      ),
      cwd: root,
      logFile: this.logFile('contact-center'),
    });
    await waitForHttp(`${this.url}/health/ready`, this.service);
  }

  async stop(): Promise<void> {
    await Promise.all([this.service, this.pbx].map((process) => process?.stop()));
    const db = new Client({ connectionString: stackAddresses().databaseUrl });
    try {
      await db.connect();
      await db.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
    } catch (error) {
      console.warn(`could not drop the contact centre's schema: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await db.end().catch(() => undefined);
    }
  }

  logs(): string {
    return [this.pbx, this.service]
      .filter((s): s is ServiceProcess => s !== undefined)
      .map((s) => `---- ${s.name} (${s.alive() ? 'alive' : `exited ${s.child.exitCode}`}), ${s.logFile}\n${s.tail(40)}`)
      .join('\n');
  }

  /** The PBX simulator's admin API. */
  async pbxCall<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.pbxUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`PBX simulator ${method} ${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Every call of the PBX's ground truth in [from, to), page after page. */
  async pbxCalls(from: string, to: string): Promise<PbxCall[]> {
    const calls: PbxCall[] = [];
    let after = '';
    for (;;) {
      const query = new URLSearchParams({ from, to, limit: '5000', ...(after ? { after } : {}) });
      const page = await this.pbxCall<{ items: PbxCall[] }>('GET', `/admin/calls?${query.toString()}`);
      calls.push(...page.items);
      if (page.items.length < 5000) return calls;
      after = page.items[page.items.length - 1].uniqueid;
    }
  }

  /** A contact-centre REST call with a key; the error body comes back as `body`. */
  async api<T>(key: string, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<{ status: number; body: T; text: string }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const parsed = (text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as { error?: unknown } | undefined;
    return { status: response.status, body: (parsed?.error ?? parsed) as T, text };
  }

  /** The call-back task a lost call joined, as the API shows it to `key` (waited for: the task is written when the call ends). */
  callbackTaskOf(key: string, uniqueid: string): Promise<CallbackTaskDetail> {
    return eventually(
      async () => {
        const list = await this.api<{ items: CallbackTask[] }>(key, 'GET', '/v1/callbacks?limit=100');
        for (const task of list.body.items ?? []) {
          const detail = await this.api<CallbackTaskDetail>(key, 'GET', `/v1/callbacks/${task.id}`);
          if (detail.body.calls?.some((c) => c.uniqueid === uniqueid)) return detail.body;
        }
        return undefined;
      },
      `a call-back task for lost call ${uniqueid}`,
      30_000,
      100,
    );
  }

  /** A query on the contact centre's own schema, for what its API does not show (ciphertexts at rest). */
  async db<T>(sql: string, values: unknown[] = []): Promise<T[]> {
    const db = new Client({ connectionString: stackAddresses().databaseUrl, options: `-c search_path=${this.schema}` });
    await db.connect();
    try {
      return (await db.query(sql, values)).rows as T[];
    } finally {
      await db.end();
    }
  }
}
