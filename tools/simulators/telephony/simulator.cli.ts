import { loadSimulatorConfig } from './simulator.config';
import { startTelephonySimulator } from './simulator';

/** Starts the PBX (AMI) simulator from command-line options and environment variables; stops it on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  const config = loadSimulatorConfig(process.argv.slice(2), process.env);
  const simulator = await startTelephonySimulator(config);
  process.stdout.write(
    `PBX (AMI) simulator: queues ${config.queues}, ${config.callsPerDay} calls/day, speed ${config.speed}\n` +
      `  AMI    ${simulator.host}:${simulator.amiPort}\n  admin  ${simulator.adminUrl}/admin/stats\n  queue_log ${simulator.adminUrl}/queue_log\n`,
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
