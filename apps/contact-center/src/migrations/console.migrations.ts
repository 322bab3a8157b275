import type { MigrationInterface } from 'typeorm';
import { CreateConsoleTables1796700000000 } from './console-tables.migration';

/** Migrations of the tables the console module owns, in order. */
export const consoleMigrations: (new () => MigrationInterface)[] = [CreateConsoleTables1796700000000];
