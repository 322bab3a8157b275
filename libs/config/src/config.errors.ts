/**
 * The environment does not describe a runnable service. Thrown at boot, before anything
 * connects; the message names every offending variable but never echoes a value, since
 * values include passwords in connection URLs.
 *
 * Deliberately not an AppError: it never crosses HTTP or Kafka, and without `@medbus/errors`
 * (which loads `@nestjs/core`) an app's `instrument.ts` loads only zod and `@nestjs/common`
 * before OpenTelemetry starts patching modules.
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG.INVALID';

  constructor(
    readonly problems: readonly string[],
    readonly variables: readonly string[],
  ) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}
