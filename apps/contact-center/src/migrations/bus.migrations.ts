import type { MigrationInterface } from 'typeorm';

/** Migrations of the tables the bus module owns, in order. */
export const busMigrations: (new () => MigrationInterface)[] = [];
