import type { MigrationInterface } from 'typeorm';

/** Migrations of the tables the calls module owns, in order. */
export const callsMigrations: (new () => MigrationInterface)[] = [];
