import type { INestApplication } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ensureDatabaseSchema, loadConfig, runMigrationsLocked, type Env } from '@medbus/config';
import { AddBackboneRetentionIndexes1795910400000, CreateKafkaBackboneTables1732406400000 } from '@medbus/kafka';
import { startContactCenterTestApp } from '../../__fixtures__/contact-center.int-app';
import { contactCenterDataSourceOptions } from '../../app.module';
import { BookingClient } from '../../booking/booking.client';
import { contactCenterBaseConfigSchema } from '../../contact-center.config';
import { HealthModule } from '../../health/health.module';
import { busMigrations } from '../../migrations/bus.migrations';
import { busConfigSchema } from '../bus.config';
import { BusModule } from '../bus.module';

const busAppConfigSchema = contactCenterBaseConfigSchema.merge(busConfigSchema);

/**
 * The contact centre with its bus module alone (no PBX link, no other module's tables), on the
 * schema `env` names, keys introspected by booking as in the service: what the bus int spec runs.
 */
export async function startBusApp(env: Env): Promise<INestApplication> {
  const config = loadConfig(busAppConfigSchema, env);
  const options: DataSourceOptions = { ...contactCenterDataSourceOptions(config), migrations: [CreateKafkaBackboneTables1732406400000, AddBackboneRetentionIndexes1795910400000, ...busMigrations] };
  await ensureDatabaseSchema(config.DATABASE_URL, config.CC_DATABASE_SCHEMA);
  await runMigrationsLocked(options, 7_781_411);
  const { app } = await startContactCenterTestApp({
    dataSource: await new DataSource(options).initialize(),
    config,
    introspector: new BookingClient(config),
    imports: [HealthModule, BusModule],
    logs: Boolean(process.env.CC_BUS_IT_LOGS),
  });
  return app;
}
