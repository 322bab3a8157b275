import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';

interface PrintedSpan {
  readonly name: string;
  readonly scope: string;
  readonly traceId: string;
  readonly serviceName: string;
  readonly attributes: Record<string, unknown>;
}

interface ReceivedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly contentType?: string;
  readonly body: Buffer;
}

const root = join(__dirname, '..', '..', '..');

// Stands in for Zipkin's OTLP endpoint.
async function withOtlpReceiver<T>(run: (url: string, requests: ReceivedRequest[]) => Promise<T>): Promise<T> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method, url: request.url, contentType: request.headers['content-type'], body: Buffer.concat(chunks) });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return await run(`http://127.0.0.1:${address.port}/v1/traces`, requests);
  } finally {
    server.close();
  }
}

// A process of its own: instrumentation patches modules as Node loads them, which Jest's module
// registry bypasses, and the OTLP exporter loads its transport with a dynamic import Jest's VM refuses.
interface AppRun {
  readonly spans: PrintedSpan[];
  // Modules the instrumentations patch that were already loaded when telemetry started.
  readonly patchableLoadedEarly: string[];
}

async function runPatientsApp(tracesEndpoint: string): Promise<AppRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OTEL_SERVICE_NAME: 'patients-probe',
    OTEL_SDK_DISABLED: 'false',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: tracesEndpoint,
  };
  const { stdout } = await promisify(execFile)(
    join(root, 'node_modules', '.bin', 'tsx'),
    ['--tsconfig', join(root, 'tsconfig.base.json'), join(__dirname, '__fixtures__', 'patients.app.ts')],
    { cwd: root, env, timeout: 30_000 },
  );
  return JSON.parse(stdout) as AppRun;
}

describe('startTelemetry in an app that imports it first', () => {
  let run: AppRun;
  let spans: PrintedSpan[];
  let otlpRequests: ReceivedRequest[];

  beforeAll(async () => {
    [run, otlpRequests] = await withOtlpReceiver(async (url, requests) => [await runPatientsApp(url), requests]);
    spans = run.spans;
  }, 40_000);

  it('has loaded none of Nest core, express or pg by the time instrument.ts starts telemetry', () => {
    expect(run.patchableLoadedEarly).toEqual([]);
  });

  it('traces one request through http, express and Nest in a single trace', () => {
    const request = spans.filter((span) => span.name !== 'Create Nest App');

    expect(new Set(request.map((span) => span.scope))).toEqual(
      new Set(['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-express', '@opentelemetry/instrumentation-nestjs-core']),
    );
    expect(new Set(request.map((span) => span.traceId)).size).toBe(1);
    expect(request.find((span) => span.scope === '@opentelemetry/instrumentation-http')).toMatchObject({
      name: 'GET /v1/patients/:id',
      serviceName: 'patients-probe',
      attributes: { 'http.route': '/v1/patients/:id', 'http.status_code': 200 },
    });
  });

  it('leaves out one span per body parser and middleware', () => {
    expect(spans.filter((span) => span.name.startsWith('middleware'))).toEqual([]);
  });

  it('records the request URL with the phone and СНИЛС redacted', () => {
    const text = JSON.stringify(spans);

    expect(text).toContain('phone=[REDACTED]&snils=[REDACTED]');
    expect(text).not.toMatch(/9161234567|112-233-445/);
  });

  it('posts the spans as OTLP protobuf to the traces endpoint, patient data already gone', () => {
    expect(otlpRequests.length).toBeGreaterThan(0);
    for (const request of otlpRequests) {
      expect(request).toMatchObject({ method: 'POST', url: '/v1/traces', contentType: 'application/x-protobuf' });
    }
    const body = Buffer.concat(otlpRequests.map((request) => request.body));
    expect(body.includes('patients-probe')).toBe(true);
    expect(body.includes('/v1/patients/:id')).toBe(true);
    expect(body.includes('phone=[REDACTED]')).toBe(true);
    for (const secret of ['112-233-445', '9161234567']) expect(body.includes(secret)).toBe(false);
  });
});
