import './instrument';
import { telemetry } from './instrument';
import { startExporterApp } from './app.module';

startExporterApp(process.env, { onShutdown: () => telemetry.shutdown() }).catch((error: unknown) => {
  // ConfigError names variables, never their values.
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : 'registry-exporter failed to start');
  process.exit(1);
});
