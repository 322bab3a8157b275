import type { MigrationInterface } from 'typeorm';

/** Migrations of the tables the statistics module owns, in order. */
export const statisticsMigrations: (new () => MigrationInterface)[] = [];
