import { DynamicModule, Module } from '@nestjs/common';
import type { z } from 'zod';
import { loadConfig, type Env } from './env.config';

/**
 * DI token of the app's parsed configuration. Inject it with the app's own type:
 * `constructor(@Inject(AppConfig) private readonly config: BookingConfig) {}`
 * where `type BookingConfig = z.output<typeof bookingConfigSchema>`.
 */
export abstract class AppConfig {}

/**
 * Validates the environment when the app starts and provides the result as {@link AppConfig}
 * to every module of that app (each app has its own; there is no process-wide instance).
 */
@Module({})
export class ConfigModule {
  /** Import once, in the app's root module: `ConfigModule.forRoot(bookingConfigSchema)`. */
  static forRoot<S extends z.ZodTypeAny>(schema: S, env: Env = process.env): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: AppConfig, useFactory: (): z.output<S> => loadConfig(schema, env) }],
      exports: [AppConfig],
    };
  }
}
