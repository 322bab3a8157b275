import { loadSimulatorConfig } from './simulator.config';
import { startSimulator } from './simulator';

/** Starts the simulator from command-line options and environment variables; stops it on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  const config = loadSimulatorConfig(process.argv.slice(2), process.env);
  const simulator = await startSimulator(config);
  const { organisations, doctors } = simulator.state.region;
  process.stdout.write(
    `MedREST simulator: ${organisations.length} facilities, ${doctors.length} practitioners, days ${simulator.state.today}..${simulator.state.lastDay}\n` +
      `  API    ${simulator.url}/api/v2/facilities (X-Api-Key)\n  admin  ${simulator.url}/admin/state\n` +
      (simulator.webhooks ? `  webhooks to ${new URL(config.webhookUrl ?? '').origin}\n` : ''),
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
