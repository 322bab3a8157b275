import { join } from 'node:path';
import { generateFiles, getProjects, logger, names, type Tree } from '@nx/devkit';

export interface MisAdapterGeneratorOptions {
  /** The vendor's code (MIS_VENDOR): `apps/mis-adapters/<name>`, `tools/simulators/<name>`. */
  readonly name: string;
}

/** What the generator adds to tools/build/build-services.ts's compiledServices, one line each. */
export interface CompiledServiceLines {
  readonly adapter: string;
  readonly simulator: string;
}

export const buildServicesPath = 'tools/build/build-services.ts';

/** Starts with a letter (the name becomes class and variable names), then lower-case letters, digits and single dashes. */
const vendorName = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** MIS_VENDOR allows 40 characters; `mis-adapter-<name>` and `<name>-simulator` name processes and dist/ folders. */
const maxNameLength = 30;

/** The simulators' OID arcs are siblings of HubService's `…12.2.23` (tools/simulators/clinic/region.generator.ts). */
const oidArcRoot = '1.2.643.5.1.13.13.12.2';
const candidateOidArcs = [723, 623, 523, 423, 323, 223, 123, 1023, 1123, 1223];
/** Simulator ports go in tens from HubService's 7701 (MedREST 7711, XMLDump 7721/7722). */
const firstCandidatePort = 7731;
const lastCandidatePort = 7991;

/**
 * A new MIS adapter skeleton for `name`: the adapter on the runtime (a dialect whose every method
 * says it is not written yet), its simulator on the clinic model (the shared admin API, /health, the
 * vendor's protocol answering 501), its conformance vendor and spec, and its two compiledServices lines.
 */
export default async function misAdapterGenerator(tree: Tree, options: MisAdapterGeneratorOptions): Promise<() => void> {
  const name = checkedName(tree, options.name);
  const { className, propertyName } = names(name);
  const substitutions = {
    tmpl: '',
    name,
    className,
    propertyName,
    envPrefix: `${name.replace(/-/g, '').toUpperCase()}SIM`,
    simulatorPort: freeSimulatorPort(tree),
    oidRoot: freeOidRoot(tree),
  };
  generateFiles(tree, join(__dirname, 'files', 'adapter'), `apps/mis-adapters/${name}`, substitutions);
  generateFiles(tree, join(__dirname, 'files', 'simulator'), `tools/simulators/${name}`, substitutions);
  generateFiles(tree, join(__dirname, 'files', 'conformance'), 'tools/conformance', substitutions);
  addCompiledServices(tree, compiledServiceLines(name));
  return () => {
    logger.info(`The ${name} skeleton is in place: apps/mis-adapters/${name}/README.md says what to write, in order.`);
    logger.info(`Its conformance spec fails until the dialect is written: npm run build, then`);
    logger.info(`  NODE_OPTIONS=--experimental-vm-modules npx jest tools/conformance/${name}.conformance.e2e.spec.ts --selectProjects integration`);
  };
}

/** The name, refused with the reason when it is not a vendor code or a vendor of that name exists. */
export function checkedName(tree: Tree, given: unknown): string {
  const name = typeof given === 'string' ? given.trim() : '';
  if (!vendorName.test(name) || name.length > maxNameLength) {
    throw new Error(
      `--name must be a vendor code: lower-case letters, digits and single dashes, starting with a letter, at most ${maxNameLength} characters (got ${JSON.stringify(given)}).`,
    );
  }
  const { propertyName } = names(name);
  const taken = [
    `apps/mis-adapters/${name}`,
    `tools/simulators/${name}`,
    `tools/conformance/vendors/${name}.vendor.ts`,
    `tools/conformance/${name}.conformance.e2e.spec.ts`,
  ].filter((path) => tree.exists(path));
  if (getProjects(tree).has(`mis-adapter-${name}`)) taken.push(`the Nx project mis-adapter-${name}`);
  const services = tree.read(buildServicesPath, 'utf-8') ?? '';
  for (const key of [`${propertyName}Adapter`, `${propertyName}Simulator`]) {
    if (new RegExp(`^\\s*${key}:`, 'm').test(services)) taken.push(`compiledServices.${key} in ${buildServicesPath}`);
  }
  if (taken.length > 0) throw new Error(`A vendor named "${name}" exists already (${taken.join(', ')}); choose another --name.`);
  return name;
}

export function compiledServiceLines(name: string): CompiledServiceLines {
  const { propertyName } = names(name);
  return {
    adapter: `  ${propertyName}Adapter: { name: 'mis-adapter-${name}', entry: 'apps/mis-adapters/${name}/src/main.ts', maxOldSpaceMb: 160, jemalloc: true },`,
    simulator: `  ${propertyName}Simulator: { name: '${name}-simulator', entry: 'tools/simulators/${name}/simulator.cli.ts' },`,
  };
}

/** Puts the adapter's line after the last adapter's and the simulator's after the last simulator's. */
function addCompiledServices(tree: Tree, lines: CompiledServiceLines): void {
  const text = tree.read(buildServicesPath, 'utf-8');
  if (text === null) throw new Error(`${buildServicesPath} is missing: the generator adds the new services to its compiledServices.`);
  const rows = text.split('\n');
  const insertAfter = (pattern: RegExp, line: string, what: string): void => {
    const index = rows.reduce((last, row, i) => (pattern.test(row) ? i : last), -1);
    if (index < 0) throw new Error(`no ${what} line found in ${buildServicesPath}'s compiledServices to put the new one after.`);
    rows.splice(index + 1, 0, line);
  };
  insertAfter(/^\s+\w+Adapter: \{ name: 'mis-adapter-/, lines.adapter, 'adapter');
  insertAfter(/^\s+\w+Simulator: \{ name: '[\w-]+-simulator'/, lines.simulator, 'simulator');
  tree.write(buildServicesPath, rows.join('\n'));
}

/** Every simulator's configuration, where the defaults already taken are read. */
function simulatorConfigs(tree: Tree): string {
  if (!tree.exists('tools/simulators')) return '';
  return tree
    .children('tools/simulators')
    .flatMap((folder) => ['simulator.config.ts', 'region.generator.ts'].map((file) => `tools/simulators/${folder}/${file}`))
    .filter((path) => tree.exists(path))
    .map((path) => tree.read(path, 'utf-8') ?? '')
    .join('\n');
}

/** The first port in tens from 7731 that no simulator uses by default, with the one after it free too (a second listener). */
function freeSimulatorPort(tree: Tree): number {
  const taken = new Set([...simulatorConfigs(tree).matchAll(/\.default\((\d{4,5})\)/g)].map((match) => Number(match[1])));
  for (let port = firstCandidatePort; port <= lastCandidatePort; port += 10) {
    if (!taken.has(port) && !taken.has(port + 1)) return port;
  }
  throw new Error(`no free default simulator port between ${firstCandidatePort} and ${lastCandidatePort}`);
}

/** An OID root no simulator uses by default, so the demo region's organisations never share an OID or a prefix. */
function freeOidRoot(tree: Tree): string {
  const configs = simulatorConfigs(tree);
  const arc = candidateOidArcs.find((candidate) => !configs.includes(`'${oidArcRoot}.${candidate}'`));
  if (arc === undefined) throw new Error(`no free OID arc under ${oidArcRoot} among ${candidateOidArcs.join(', ')}`);
  return `${oidArcRoot}.${arc}`;
}
