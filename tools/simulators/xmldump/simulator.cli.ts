import { loadXmlDumpConfig } from './simulator.config';
import { startXmlDumpSimulator } from './simulator';

/** Starts the simulator from command-line options and environment variables; stops it on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  const config = loadXmlDumpConfig(process.argv.slice(2), process.env);
  const simulator = await startXmlDumpSimulator(config);
  const { organisations, doctors } = simulator.state.region;
  process.stdout.write(
    `XMLDump simulator: ${organisations.length} organisations, ${doctors.length} doctors, days ${simulator.state.today}..${simulator.state.lastDay}\n` +
      `  index    ${simulator.url}/dumps/index.xml\n  sftp     sftp://${config.host}:${simulator.sftpPort}/dumps/\n` +
      `  booking  ${simulator.url}/booking\n  admin    ${simulator.url}/admin/state\n  dumps in ${simulator.dumpDir}\n`,
  );
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    process.stdout.write(`${signal}: closing\n`);
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
