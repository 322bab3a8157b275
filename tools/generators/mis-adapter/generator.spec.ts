import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import misAdapterGenerator, { buildServicesPath, compiledServiceLines } from './generator';

const root = join(__dirname, '..', '..', '..');
const fromRepository = ['tools/build/build-services.ts', 'tools/simulators/medrest/simulator.config.ts', 'tools/simulators/xmldump/simulator.config.ts', 'tools/simulators/hubservice/simulator.config.ts'];

/** An empty workspace holding the repository's build-services.ts and the simulators' configurations. */
function aWorkspace(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  for (const path of fromRepository) tree.write(path, readFileSync(join(root, path), 'utf8'));
  return tree;
}

const changedPaths = (tree: Tree): string[] => tree.listChanges().map((change) => change.path).sort();

describe('the mis-adapter generator', () => {
  it("creates the adapter, its simulator and its conformance vendor and spec under the vendor's name", async () => {
    const tree = aWorkspace();
    await misAdapterGenerator(tree, { name: 'acme-mis' });
    const created = tree.listChanges().filter((change) => change.type === 'CREATE').map((change) => change.path);
    expect(created).toEqual(
      expect.arrayContaining([
        'apps/mis-adapters/acme-mis/project.json',
        'apps/mis-adapters/acme-mis/README.md',
        'apps/mis-adapters/acme-mis/src/main.ts',
        'apps/mis-adapters/acme-mis/src/instrument.ts',
        'apps/mis-adapters/acme-mis/src/acme-mis.config.ts',
        'apps/mis-adapters/acme-mis/src/acme-mis.dialect.ts',
        'apps/mis-adapters/acme-mis/src/acme-mis.dialect.spec.ts',
        'apps/mis-adapters/acme-mis/src/acme-mis-adapter.module.ts',
        'tools/simulators/acme-mis/main.ts',
        'tools/simulators/acme-mis/simulator.cli.ts',
        'tools/simulators/acme-mis/simulator.config.ts',
        'tools/simulators/acme-mis/simulator.ts',
        'tools/simulators/acme-mis/acme-mis.controller.ts',
        'tools/conformance/vendors/acme-mis.vendor.ts',
        'tools/conformance/acme-mis.conformance.e2e.spec.ts',
      ]),
    );
    for (const path of created) expect({ path, text: tree.read(path, 'utf-8') }).toEqual({ path, text: expect.not.stringMatching(/<%|%>|__name__|__tmpl__/) });
    expect(JSON.parse(tree.read('apps/mis-adapters/acme-mis/project.json', 'utf-8') ?? '{}')).toMatchObject({ name: 'mis-adapter-acme-mis', tags: ['scope:mis', 'type:app'] });
    expect(tree.read('apps/mis-adapters/acme-mis/src/acme-mis.dialect.ts', 'utf-8')).toContain('export class AcmeMisDialect extends MisDialect');
    expect(tree.read('tools/conformance/acme-mis.conformance.e2e.spec.ts', 'utf-8')).toBe(
      "import { describeAdapterConformance } from './adapter-conformance';\nimport { acmeMisVendor } from './vendors/acme-mis.vendor';\ndescribeAdapterConformance(acmeMisVendor);\n",
    );
  });

  it("adds the adapter after the last adapter and the simulator after the last simulator in compiledServices, and nothing else", async () => {
    const tree = aWorkspace();
    const before = tree.read(buildServicesPath, 'utf-8') ?? '';
    await misAdapterGenerator(tree, { name: 'acme-mis' });
    const after = tree.read(buildServicesPath, 'utf-8') ?? '';
    const lines = compiledServiceLines('acme-mis');
    expect(lines.adapter).toBe("  acmeMisAdapter: { name: 'mis-adapter-acme-mis', entry: 'apps/mis-adapters/acme-mis/src/main.ts', maxOldSpaceMb: 160, jemalloc: true },");
    expect(lines.simulator).toBe("  acmeMisSimulator: { name: 'acme-mis-simulator', entry: 'tools/simulators/acme-mis/simulator.cli.ts' },");
    const rows = after.split('\n');
    const adapterAt = rows.indexOf(lines.adapter);
    const simulatorAt = rows.indexOf(lines.simulator);
    expect(rows[adapterAt - 1]).toMatch(/^\s+\w+Adapter: \{ name: 'mis-adapter-/);
    expect(rows[adapterAt + 1]).not.toMatch(/^\s+\w+Adapter: /);
    expect(rows[simulatorAt - 1]).toMatch(/^\s+\w+Simulator: /);
    expect(rows[simulatorAt + 1]).toMatch(/^\} as const satisfies Record<string, CompiledService>;$/);
    expect(rows.filter((row) => row !== lines.adapter && row !== lines.simulator).join('\n')).toBe(before);
  });

  it('refuses a vendor that exists, naming what is in the way, and changes nothing', async () => {
    const tree = aWorkspace();
    tree.write('apps/mis-adapters/medrest/project.json', JSON.stringify({ name: 'mis-adapter-medrest', projectType: 'application' }));
    const untouched = changedPaths(tree);
    await expect(misAdapterGenerator(tree, { name: 'medrest' })).rejects.toThrow(
      'A vendor named "medrest" exists already (apps/mis-adapters/medrest, tools/simulators/medrest, the Nx project mis-adapter-medrest, compiledServices.medrestAdapter in tools/build/build-services.ts, compiledServices.medrestSimulator in tools/build/build-services.ts); choose another --name.',
    );
    expect(changedPaths(tree)).toEqual(untouched);
  });

  it('refuses a vendor whose simulator alone exists', async () => {
    const tree = aWorkspace();
    tree.write('tools/simulators/acme/README.md', '# acme');
    await expect(misAdapterGenerator(tree, { name: 'acme' })).rejects.toThrow('A vendor named "acme" exists already (tools/simulators/acme)');
  });

  it.each(['Acme', '1acme', 'acme_mis', 'acme--mis', 'acme-', '-acme', 'acme mis', '', 'a'.repeat(31)])('refuses %j as a name, saying what a vendor code is', async (name) => {
    await expect(misAdapterGenerator(aWorkspace(), { name })).rejects.toThrow(/--name must be a vendor code: lower-case letters, digits and single dashes, starting with a letter/);
  });

  it("gives the simulator a default port and OID root no other simulator's defaults use", async () => {
    const tree = aWorkspace();
    await misAdapterGenerator(tree, { name: 'acme' });
    const first = tree.read('tools/simulators/acme/simulator.config.ts', 'utf-8') ?? '';
    expect(first).toContain('.default(7731)');
    expect(first).toContain("'1.2.643.5.1.13.13.12.2.723'");

    await misAdapterGenerator(tree, { name: 'globex' });
    const second = tree.read('tools/simulators/globex/simulator.config.ts', 'utf-8') ?? '';
    expect(second).toContain('.default(7741)');
    expect(second).toContain("'1.2.643.5.1.13.13.12.2.623'");
  });
});
