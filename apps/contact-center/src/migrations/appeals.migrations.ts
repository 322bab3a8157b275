import type { MigrationInterface } from 'typeorm';
import { CreateAppealTables1796600000100 } from './appeal-tables.migration';

/** Migrations of the tables the appeals module owns, in order. */
export const appealsMigrations: (new () => MigrationInterface)[] = [CreateAppealTables1796600000100];
