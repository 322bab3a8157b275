import './instrument';
import { telemetry } from './instrument';
import { startContactCenterApp } from './app.module';

startContactCenterApp(process.env, { onShutdown: () => telemetry.shutdown() }).catch((error: unknown) => {
  // ConfigError names variables, never their values.
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : 'contact-center failed to start');
  process.exit(1);
});
