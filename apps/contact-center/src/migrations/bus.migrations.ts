import type { MigrationInterface } from 'typeorm';
import { CreateBusTables1796600000200 } from './bus-tables.migration';

/** Migrations of the tables the bus module owns, in order. */
export const busMigrations: (new () => MigrationInterface)[] = [CreateBusTables1796600000200];
