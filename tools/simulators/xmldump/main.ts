import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * Entry point: `npx tsx tools/simulators/xmldump/main.ts --port 7721 --sftp-port 7722 …`.
 *
 * The simulator imports `@medbus/*` path aliases, which tsx resolves only with the repository's
 * tsconfig.base.json. Launched without it, this relaunches itself once with TSX_TSCONFIG_PATH set
 * and forwards signals, so the plain command works as well as `tsx --tsconfig tsconfig.base.json`.
 */
if (process.env['TSX_TSCONFIG_PATH'] === undefined) {
  const child = spawn(process.execPath, [...process.execArgv, __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, TSX_TSCONFIG_PATH: join(__dirname, '..', '..', '..', 'tsconfig.base.json') },
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 0 : 1)));
} else {
  void import('./simulator.cli');
}
