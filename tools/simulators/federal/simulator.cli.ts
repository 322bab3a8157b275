import { loadSimulatorConfig } from './simulator.config';
import { startFederalSimulator } from './simulator';

/** Starts the federal registry simulator from command-line options and environment variables; stops it on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  const config = loadSimulatorConfig(process.argv.slice(2), process.env);
  const simulator = await startFederalSimulator(config);
  const registers = simulator.references.sizes();
  process.stdout.write(
    `Federal registry simulator: ФРМО ${registers.frmo} organisations, NSI ${registers.specialties} specialties / ${registers.positions} positions\n` +
      `  WSDL   ${simulator.endpoint}?wsdl\n  SOAP   ${simulator.endpoint}\n  admin  ${simulator.url}/admin/state\n` +
      `  portal ${config.regionUrl ?? '(no --region-url: portal bookings answer 409)'}\n`,
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
