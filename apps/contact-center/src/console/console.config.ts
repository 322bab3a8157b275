import { z } from 'zod';
import { envBoolean, envInt } from '@medbus/config';

const atLeast = (min: number) => (n: number) => n >= min;

/** Settings of the operator console's backend, merged into the service's configuration (contact-center.config.ts). */
export const consoleConfigSchema = z.object({
  /** The built single-page application (index.html and assets/), served at /console/; relative to the working directory. */
  CC_CONSOLE_DIR: z.string().min(1).default('dist/operator-console'),
  /** A session nobody used for this long ends. */
  CC_CONSOLE_SESSION_IDLE_MINUTES: envInt().refine(atLeast(1), 'must be at least 1').default('480'),
  /** A session ends this long after sign-in whatever its use (a working day and a half-shift). */
  CC_CONSOLE_SESSION_MAX_HOURS: envInt().refine(atLeast(1), 'must be at least 1').default('12'),
  /** The session cookie's Secure flag: true behind HTTPS; false only for the demo on plain http. */
  CC_CONSOLE_SECURE_COOKIE: envBoolean().default('false'),
  /** How often an open console receives the live wallboard figures (`event: live`). */
  CC_CONSOLE_LIVE_MS: envInt().refine(atLeast(200), 'must be at least 200').default('2000'),
  /** Failed sign-ins from one address within CC_CONSOLE_LOGIN_WINDOW_SECONDS before it is refused (429). */
  CC_CONSOLE_LOGIN_FAILURES: envInt().refine(atLeast(1), 'must be at least 1').default('10'),
  CC_CONSOLE_LOGIN_WINDOW_SECONDS: envInt().refine(atLeast(1), 'must be at least 1').default('300'),
});

export type ConsoleConfig = z.output<typeof consoleConfigSchema>;
