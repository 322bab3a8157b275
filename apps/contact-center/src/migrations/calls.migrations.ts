import type { MigrationInterface } from 'typeorm';
import { CreateCallsTables1796600000000 } from './calls-tables.migration';

/** Migrations of the tables the calls module owns, in order. */
export const callsMigrations: (new () => MigrationInterface)[] = [CreateCallsTables1796600000000];
