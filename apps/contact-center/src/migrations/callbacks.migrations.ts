import type { MigrationInterface } from 'typeorm';

/** Migrations of the tables the callbacks module owns, in order. */
export const callbacksMigrations: (new () => MigrationInterface)[] = [];
