import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AppConfig, ConfigModule, ensureDatabaseSchema, postgresSessionOptionsOf, runMigrationsLocked, type Env } from '@medbus/config';
import { AppErrorFilter } from '@medbus/errors';
import { AddBackboneRetentionIndexes1795910400000, CreateKafkaBackboneTables1732406400000 } from '@medbus/kafka';
import { AuthModule } from '../../auth/auth.module';
import { ClockModule } from '../../clock.service';
import { contactCenterBaseConfigSchema } from '../../contact-center.config';
import { HealthModule } from '../../health/health.module';
import { busMigrations } from '../../migrations/bus.migrations';
import { busConfigSchema } from '../bus.config';
import { BusModule } from '../bus.module';

const busAppConfigSchema = contactCenterBaseConfigSchema.merge(busConfigSchema);

/** The contact centre with its bus module alone (no PBX link, no other module's tables): what the bus int spec runs. */
@Module({})
class BusAppModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: BusAppModule,
      imports: [
        ConfigModule.forRoot(busAppConfigSchema, env),
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: async (config: ReturnType<typeof busAppConfigSchema.parse>) => {
            await ensureDatabaseSchema(config.DATABASE_URL, config.CC_DATABASE_SCHEMA);
            return {
              type: 'postgres' as const,
              url: config.DATABASE_URL,
              schema: config.CC_DATABASE_SCHEMA,
              extra: { options: postgresSessionOptionsOf(config, [`search_path=${config.CC_DATABASE_SCHEMA}`]) },
              migrations: [CreateKafkaBackboneTables1732406400000, AddBackboneRetentionIndexes1795910400000, ...busMigrations],
              migrationsTableName: 'contact_center_migrations',
            };
          },
          dataSourceFactory: async (options) => {
            await runMigrationsLocked(options as DataSourceOptions, 7_781_411);
            return new DataSource(options as DataSourceOptions).initialize();
          },
        }),
        ClockModule,
        HealthModule,
        AuthModule,
        BusModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AppErrorFilter }],
    };
  }
}

export async function startBusApp(env: Env): Promise<INestApplication> {
  const app = await NestFactory.create(BusAppModule.forRoot(env), { logger: process.env.CC_BUS_IT_LOGS ? undefined : false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  return app;
}
