import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..');

async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(source, { filePath: join(root, filePath) });
  return result.messages
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

describe('module boundaries', () => {
  beforeAll(() => {
    // The rule reads Nx's cached project graph; computing it here keeps the test self-contained.
    execFileSync(join(root, 'node_modules', '.bin', 'nx'), ['show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
  });

  it('refuses contracts importing any library of ours', async () => {
    // A library that does not itself depend on contracts: importing @medbus/kafka (which does) is reported as a cycle instead.
    const errors = await boundaryErrors('libs/contracts/src/probe.ts', "import { AppError } from '@medbus/errors';\nexport const p = AppError;\n");
    expect(errors).toEqual([expect.stringContaining('tagged with "type:contracts" cannot depend on any libs')]);
  });

  it('keeps test helpers out of shipped code but lets specs use them', async () => {
    const source = "import { waitFor } from '@medbus/testing';\nexport const w = waitFor;\n";
    expect(await boundaryErrors('libs/kafka/src/probe.ts', source)).toEqual([expect.stringContaining('test helpers belong in tests only')]);
    expect(await boundaryErrors('libs/kafka/src/probe.int.spec.ts', source)).toEqual([]);
  });

  it('lets a library depend on contracts and other libraries', async () => {
    const errors = await boundaryErrors('libs/kafka/src/probe.ts', "import { AppError } from '@medbus/errors';\nexport const e = AppError;\n");
    expect(errors).toEqual([]);
  });
});
