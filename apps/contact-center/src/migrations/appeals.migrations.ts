import type { MigrationInterface } from 'typeorm';

/** Migrations of the tables the appeals module owns, in order. */
export const appealsMigrations: (new () => MigrationInterface)[] = [];
