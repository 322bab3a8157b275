import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { names } from '@nx/devkit';
import { build } from 'esbuild';
import { freePort, startProcess, waitForHttp, type ServiceProcess } from '@medbus/testing';
import { environmentOf, nodeCommandOf, nodeOptionsOf, type CompiledService } from '../../build/build-services';
import { buildServicesPath, compiledServiceLines } from './generator';

/*
 * The generator run into the repository itself, as `npm run generate:adapter` runs it: the skeleton
 * needs the real path aliases, jest configuration, conformance kit and build. Everything it creates
 * is deleted afterwards and build-services.ts restored byte for byte (and to its modification time,
 * so `npm run build --if-stale` does not take it for a change).
 */

const root = join(__dirname, '..', '..', '..');
const name = `gen-${Date.now().toString(36)}`;
const { propertyName } = names(name);
const createdPaths = [
  `apps/mis-adapters/${name}`,
  `tools/simulators/${name}`,
  `tools/conformance/${name}.conformance.e2e.spec.ts`,
  `tools/conformance/vendors/${name}.vendor.ts`,
  `dist/mis-adapter-${name}`,
  `dist/${name}-simulator`,
];

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** A command's exit code and output; killed with its process group when it outlives `timeoutMs`. */
function run(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`${args.join(' ')} ran longer than ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The test's environment for a child: not this jest worker's. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', ...extra };
  for (const variable of ['JEST_WORKER_ID', 'NODE_OPTIONS', 'NODE_ENV']) if (!(variable in extra)) delete env[variable];
  return env;
}

const generate = (vendor: string): Promise<Run> => run([join(root, 'node_modules/nx/bin/nx.js'), 'g', './tools/generators:mis-adapter', '--name', vendor, '--no-interactive'], childEnv(), 120_000);

/** A jest run of `paths` in a child process: its JSON report and output. */
async function runJest(paths: readonly string[], project: 'unit' | 'integration', outputFile: string): Promise<{ run: Run; report: JestReport }> {
  const args = [join(root, 'node_modules/jest/bin/jest.js'), ...paths, '--selectProjects', project, '--json', '--outputFile', outputFile, '--forceExit'];
  const result = await run(args, childEnv({ NODE_OPTIONS: '--experimental-vm-modules' }), 300_000);
  if (!existsSync(outputFile)) throw new Error(`jest wrote no report:\n${result.output}`);
  return { run: result, report: JSON.parse(readFileSync(outputFile, 'utf8')) as JestReport };
}

interface JestReport {
  readonly success: boolean;
  readonly numTotalTests: number;
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly testResults: ReadonlyArray<{ readonly name: string; readonly message: string; readonly assertionResults: ReadonlyArray<{ readonly status: string; readonly failureMessages: readonly string[] }> }>;
}

function typeScriptFilesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return path.endsWith('.ts') ? [path] : [];
  return readdirSync(path).flatMap((entry) => typeScriptFilesUnder(join(path, entry)));
}

/** The compiledServices of build-services.ts as it is now on disk, read by a fresh process (this worker's copy predates the generator). */
async function currentCompiledServices(scratch: string): Promise<Record<string, CompiledService>> {
  const script = join(scratch, 'compiled-services.ts');
  writeFileSync(script, `import { compiledServices } from '${join(root, 'tools/build/build-services')}';\nprocess.stdout.write(JSON.stringify(compiledServices));\n`);
  const read = await run([join(root, 'node_modules/tsx/dist/cli.mjs'), script], childEnv(), 60_000);
  if (read.code !== 0) throw new Error(`compiledServices not read:\n${read.output}`);
  return JSON.parse(read.output) as Record<string, CompiledService>;
}

/** dist/<name>/main.js with its env and node-options, built as tools/build/build-services.ts builds every service. */
async function compile(service: CompiledService): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: [service.entry],
    outfile: join(root, 'dist', service.name, 'main.js'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    tsconfig: 'tsconfig.base.json',
    keepNames: true,
    logLevel: 'silent',
  });
  writeFileSync(join(root, 'dist', service.name, 'node-options'), `${nodeOptionsOf(service).join(' ')}\n`);
  writeFileSync(join(root, 'dist', service.name, 'env'), `${environmentOf(service).join(' ')}\n`);
}

describe(`npm run generate:adapter -- --name ${name}, into the repository`, () => {
  const buildServicesFile = join(root, buildServicesPath);
  const original = readFileSync(buildServicesFile);
  const originalStat = statSync(buildServicesFile);
  const scratch = mkdtempSync(join(tmpdir(), `${name}-`));
  let generation: Run = { code: null, output: '' };
  let adapter: CompiledService | undefined;
  let simulator: CompiledService | undefined;

  beforeAll(async () => {
    generation = await generate(name);
    if (generation.code !== 0) return;
    const services = await currentCompiledServices(scratch);
    adapter = services[`${propertyName}Adapter`];
    simulator = services[`${propertyName}Simulator`];
    for (const service of [adapter, simulator]) if (service) await compile(service);
  }, 180_000);

  afterAll(() => {
    try {
      for (const path of createdPaths) rmSync(join(root, path), { recursive: true, force: true });
      rmSync(scratch, { recursive: true, force: true });
    } finally {
      const lines = compiledServiceLines(name);
      const now = readFileSync(buildServicesFile, 'utf8');
      const withoutOurs = now
        .split('\n')
        .filter((row) => row !== lines.adapter && row !== lines.simulator)
        .join('\n');
      // Someone else's edit made meanwhile is kept: only the generator's two lines are taken out.
      if (withoutOurs === original.toString('utf8')) {
        writeFileSync(buildServicesFile, original);
        utimesSync(buildServicesFile, originalStat.atime, originalStat.mtime);
      } else if (withoutOurs !== now) {
        writeFileSync(buildServicesFile, withoutOurs);
      }
    }
    expect(createdPaths.filter((path) => existsSync(join(root, path)))).toEqual([]);
    expect(readFileSync(buildServicesFile).equals(original)).toBe(true);
  });

  it('generates the skeleton and registers the adapter and the simulator as compiled services', () => {
    expect(generation).toEqual({ code: 0, output: expect.stringContaining(`apps/mis-adapters/${name}/README.md says what to write`) });
    expect(adapter).toEqual({ name: `mis-adapter-${name}`, entry: `apps/mis-adapters/${name}/src/main.ts`, maxOldSpaceMb: 160, jemalloc: true });
    expect(simulator).toEqual({ name: `${name}-simulator`, entry: `tools/simulators/${name}/simulator.cli.ts` });
    for (const service of [`mis-adapter-${name}`, `${name}-simulator`]) expect(existsSync(join(root, 'dist', service, 'main.js'))).toBe(true);
  });

  it('refuses to generate the same vendor again, and leaves build-services.ts as it was', async () => {
    const before = readFileSync(buildServicesFile, 'utf8');
    const again = await generate(name);
    expect(again.code).not.toBe(0);
    expect(again.output).toContain(`A vendor named "${name}" exists already (apps/mis-adapters/${name}, tools/simulators/${name}`);
    expect(readFileSync(buildServicesFile, 'utf8')).toBe(before);
  }, 120_000);

  it('typechecks with the repository settings', async () => {
    const files = [...createdPaths.slice(0, 4).flatMap((path) => typeScriptFilesUnder(join(root, path)))];
    expect(files.map((file) => relative(root, file))).toEqual(expect.arrayContaining([`apps/mis-adapters/${name}/src/${name}.dialect.ts`, `tools/simulators/${name}/simulator.ts`, `tools/conformance/vendors/${name}.vendor.ts`]));
    const tsconfig = join(scratch, 'tsconfig.json');
    writeFileSync(tsconfig, JSON.stringify({ extends: join(root, 'tsconfig.base.json'), compilerOptions: { noEmit: true, baseUrl: root, typeRoots: [join(root, 'node_modules/@types')] }, include: [], files }));
    const checked = await run([join(root, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], childEnv(), 240_000);
    expect(checked).toEqual({ code: 0, output: '' });
  }, 240_000);

  it('has unit specs that pass', async () => {
    const { run: result, report } = await runJest([`apps/mis-adapters/${name}/`, `tools/simulators/${name}/`], 'unit', join(scratch, 'unit.json'));
    expect({ success: report.success, suites: report.testResults.map((suite) => relative(root, suite.name)).sort() }).toEqual({
      success: true,
      suites: [`apps/mis-adapters/${name}/src/${name}.config.spec.ts`, `apps/mis-adapters/${name}/src/${name}.dialect.spec.ts`, `tools/simulators/${name}/simulator.config.spec.ts`],
    });
    expect(report.numFailedTests).toBe(0);
    expect(result.code).toBe(0);
  }, 300_000);

  describe('its simulator, compiled', () => {
    const adminToken = `${name}-admin-token`;
    let sim: ServiceProcess | undefined;
    let url = '';
    const call = async (method: 'GET' | 'POST', path: string, body?: unknown, token = adminToken) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    beforeAll(async () => {
      if (!simulator) throw new Error(`the generator did not register the simulator:\n${generation.output}`);
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      const args = ['--port', String(port), '--admin-token', adminToken, '--organisations', '2', '--doctors-per-org', '2', '--horizon-days', '2', '--log-requests', 'false'];
      sim = startProcess({ name: `${name}-simulator`, ...nodeCommandOf(simulator, args), env: childEnv(), cwd: root, logFile: join(scratch, 'simulator.log') });
      await waitForHttp(`${url}/health`, sim, 30_000);
    }, 60_000);

    afterAll(() => sim?.stop());

    it('answers /health', async () => {
      expect(await call('GET', '/health')).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok', outage: false }) });
    });

    it("serves the shared admin API on the clinic model, to the admin token only, under the generated OID root", async () => {
      const organisations = await call('GET', '/admin/organisations');
      expect(organisations.status).toBe(200);
      const listed = organisations.body as unknown as Array<{ idLpu: number; oid: string }>;
      expect(listed.map((org) => org.idLpu)).toEqual([1, 2]);
      const config = readFileSync(join(root, `tools/simulators/${name}/simulator.config.ts`), 'utf8');
      for (const org of listed) expect(config).toContain(`'${org.oid.slice(0, org.oid.lastIndexOf('.'))}'`);
      expect((await call('GET', '/admin/organisations', undefined, 'not-the-admin-token')).status).toBe(401);

      const walkIn = await call('POST', '/admin/walk-in', {});
      expect(walkIn).toEqual({ status: 200, body: expect.objectContaining({ state: 'booked' }) });
      const slot = await call('GET', `/admin/slots?slotId=${encodeURIComponent(String(walkIn.body['modelSlotId']))}`);
      expect(slot.body).toMatchObject({ state: 'booked', modelSlotId: walkIn.body['modelSlotId'] });
      expect((await call('POST', '/admin/faults', { malformed: 'garbled' })).body).toMatchObject({ malformed: 'garbled' });
    });

    it("answers the vendor's protocol 501 NOT_WRITTEN, and 503 during an outage", async () => {
      expect(await call('GET', '/api/organisations')).toEqual({ status: 501, body: { error: expect.objectContaining({ code: 'NOT_WRITTEN' }) } });
      await call('POST', '/admin/outage', { on: true });
      expect((await call('GET', '/health')).body).toMatchObject({ status: 'outage' });
      expect((await call('GET', '/api/organisations')).status).toBe(503);
      await call('POST', '/admin/outage', { on: false });
      expect((await call('GET', '/api/organisations')).status).toBe(501);
    });
  });

  it('has a conformance spec that runs and fails, saying the dialect is not written', async () => {
    const { report } = await runJest([`tools/conformance/${name}.conformance.e2e.spec.ts`], 'integration', join(scratch, 'conformance.json'));
    const failures = report.testResults.flatMap((suite) => [suite.message, ...suite.assertionResults.flatMap((test) => test.failureMessages)]).join('\n');
    expect(report.numTotalTests).toBeGreaterThan(0);
    expect(report.numFailedTests).toBeGreaterThan(0);
    expect(failures).toMatch(/DialectNotWrittenError|not written/);
    expect(failures).toContain(`DialectNotWrittenError: the ${name} dialect's start is not written yet`);
  }, 300_000);
});
