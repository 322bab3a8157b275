import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

/**
 * Compiles the deployable services into dist/ as plain JavaScript, what a deployment runs:
 * `npm run build`, then `node --enable-source-maps --max-old-space-size=… dist/<service>/main.js`.
 * Our code is bundled (path aliases resolved from tsconfig.base.json); node_modules stay external, so
 * native modules (librdkafka) load as installed and OpenTelemetry's require hooks still see every
 * package. esbuild emits no decorator metadata (nor did tsx): Nest injection relies on explicit @Inject.
 *
 * `--if-stale` builds only when a source, the tsconfig or the lockfile is newer than the last build.
 */

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist');
const stamp = join(dist, '.build-stamp');

export interface CompiledService {
  /** Folder under dist/ and the name the e2e tests and the bench log it under. */
  readonly name: string;
  readonly entry: string;
  /** V8 old-space cap in MB: see the README (How the services run). */
  readonly maxOldSpaceMb?: number;
  /** Whether the service runs on jemalloc when the machine has it: see the README (How the services run). */
  readonly jemalloc?: boolean;
}

export const compiledServices = {
  booking: { name: 'booking', entry: 'apps/booking/src/main.ts', maxOldSpaceMb: 160, jemalloc: true },
  hubserviceAdapter: { name: 'mis-adapter-hubservice', entry: 'apps/mis-adapters/hubservice/src/main.ts', maxOldSpaceMb: 160, jemalloc: true },
  xmldumpAdapter: { name: 'mis-adapter-xmldump', entry: 'apps/mis-adapters/xmldump/src/main.ts', maxOldSpaceMb: 160, jemalloc: true },
  medrestAdapter: { name: 'mis-adapter-medrest', entry: 'apps/mis-adapters/medrest/src/main.ts', maxOldSpaceMb: 160, jemalloc: true },
  inboundAdapter: { name: 'mis-adapter-inbound', entry: 'apps/mis-adapters/inbound/src/main.ts', maxOldSpaceMb: 160, jemalloc: true },
  registryExporter: { name: 'registry-exporter', entry: 'apps/registry-exporter/src/main.ts', maxOldSpaceMb: 160, jemalloc: true },
  contactCenter: { name: 'contact-center', entry: 'apps/contact-center/src/main.ts', maxOldSpaceMb: 160, jemalloc: true },
  // A test double, not a deployable: the bench's region (2 M slots) lives in its memory, so no cap.
  hubserviceSimulator: { name: 'hubservice-simulator', entry: 'tools/simulators/hubservice/simulator.cli.ts' },
  federalSimulator: { name: 'federal-simulator', entry: 'tools/simulators/federal/simulator.cli.ts' },
  telephonySimulator: { name: 'telephony-simulator', entry: 'tools/simulators/telephony/simulator.cli.ts' },
  xmldumpSimulator: { name: 'xmldump-simulator', entry: 'tools/simulators/xmldump/simulator.cli.ts' },
  medrestSimulator: { name: 'medrest-simulator', entry: 'tools/simulators/medrest/simulator.cli.ts' },
} as const satisfies Record<string, CompiledService>;

/** Node's options for a compiled service; the build writes them to dist/<name>/node-options for scripts. */
export function nodeOptionsOf(service: CompiledService): string[] {
  return ['--enable-source-maps', ...(service.maxOldSpaceMb === undefined ? [] : [`--max-old-space-size=${service.maxOldSpaceMb}`])];
}

/** The machine's jemalloc (Debian: libjemalloc2), if it has one. */
function jemallocPath(): string | undefined {
  for (const ldconfig of ['ldconfig', '/sbin/ldconfig']) {
    try {
      return /libjemalloc\.so\.2 \(libc6,x86-64\) => (\S+)/.exec(execFileSync(ldconfig, ['-p'], { encoding: 'utf8' }))?.[1];
    } catch {
      // not on PATH: try the next
    }
  }
  return undefined;
}

/**
 * Environment a compiled service starts with; the build writes it to dist/<name>/env for scripts.
 * glibc's malloc keeps what librdkafka and node's buffers freed during a burst (booking held 80 MB
 * of free heap after catching up; malloc_trim gave it back): jemalloc returns it within seconds.
 */
export function environmentOf(service: CompiledService, jemalloc = jemallocPath()): string[] {
  if (!service.jemalloc || jemalloc === undefined) return [];
  return [`LD_PRELOAD=${jemalloc}`, 'MALLOC_CONF=background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0'];
}

/**
 * The command line that runs a compiled service with `args`, from the repository root, as the
 * last build wrote it: `npm test` builds first; before running one e2e file alone, `npm run build`.
 */
export function nodeCommandOf(service: CompiledService, args: readonly string[] = []): { command: string; args: string[] } {
  const folder = join(root, 'dist', service.name);
  for (const file of ['main.js', 'env']) if (!existsSync(join(folder, file))) throw new Error(`dist/${service.name}/${file} is missing: run npm run build`);
  const environment = readFileSync(join(folder, 'env'), 'utf8').split(/\s+/).filter(Boolean);
  // env(1) replaces itself with node: the process started is the service (its pid, its RSS).
  return { command: 'env', args: [...environment, process.execPath, ...nodeOptionsOf(service), join('dist', service.name, 'main.js'), ...args] };
}

const sourceRoots = ['apps', 'libs', 'tools/simulators'];
const buildInputs = ['tsconfig.base.json', 'package-lock.json', 'tools/build/build-services.ts'];

function newestSourceMs(): number {
  let newest = 0;
  const visit = (path: string): void => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== 'node_modules') visit(join(path, entry));
    } else if (/\.(ts|tsx|css|html)$/.test(path)) newest = Math.max(newest, stat.mtimeMs);
  };
  for (const folder of sourceRoots) visit(join(root, folder));
  for (const file of buildInputs) newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
  return newest;
}

/** Whether dist/ is missing or older than any source. */
export function isStale(): boolean {
  return !existsSync(stamp) || statSync(stamp).mtimeMs < newestSourceMs();
}

/** The operator console (a React SPA, apps/operator-console) built by Vite into dist/operator-console, served by the contact-centre service. */
function buildConsole(): string[] {
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'apps/operator-console', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  const folder = join(dist, 'operator-console');
  const files = (path: string): string[] => readdirSync(path).flatMap((entry) => (statSync(join(path, entry)).isDirectory() ? files(join(path, entry)) : [join(path, entry)]));
  return files(folder).map((file) => relative(root, file));
}

/** Builds every compiled service into dist/<name>/main.js (+ .map) and the console; returns the files written. */
export async function buildServices(): Promise<string[]> {
  const startedAt = Date.now();
  const jemalloc = jemallocPath();
  if (jemalloc === undefined) process.stderr.write('[build] no jemalloc on this machine (apt-get install libjemalloc2): the services will use glibc malloc\n');
  const results = await Promise.all(
    Object.values(compiledServices).map(async (service: CompiledService) => {
      const result = await build({
        absWorkingDir: root,
        entryPoints: [service.entry],
        outfile: join(dist, service.name, 'main.js'),
        bundle: true,
        packages: 'external',
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        sourcemap: true,
        tsconfig: 'tsconfig.base.json',
        // TypeORM and Nest read class names (entity and provider names, log contexts); bundling would rename clashes.
        keepNames: true,
        logLevel: 'warning',
        metafile: true,
      });
      writeFileSync(join(dist, service.name, 'node-options'), `${nodeOptionsOf(service).join(' ')}\n`);
      writeFileSync(join(dist, service.name, 'env'), `${environmentOf(service, jemalloc).join(' ')}\n`);
      return result;
    }),
  );
  const consoleFiles = buildConsole();
  // Dated when the build began: a source saved during the build makes the next --if-stale build again.
  writeFileSync(stamp, `${new Date(startedAt).toISOString()}\n`);
  utimesSync(stamp, new Date(startedAt), new Date(startedAt));
  return [...results.flatMap((result) => Object.keys(result.metafile.outputs)).map((file) => relative(root, join(root, file))), ...consoleFiles];
}

async function main(): Promise<void> {
  if (process.argv.includes('--if-stale') && !isStale()) {
    process.stdout.write('[build] dist/ is up to date\n');
    return;
  }
  const startedAt = Date.now();
  const files = await buildServices();
  process.stdout.write(`[build] ${files.filter((file) => file.endsWith('.js')).join(', ')} in ${Date.now() - startedAt} ms\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
