import './instrument';
import { telemetry } from './instrument';
import { startBookingApp } from './app.module';

startBookingApp(process.env, { onShutdown: () => telemetry.shutdown() }).catch((error: unknown) => {
  // ConfigError names variables, never their values.
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : 'booking failed to start');
  process.exit(1);
});
