import type { MigrationInterface } from 'typeorm';

/** Migrations of the tables the knowledge module owns, in order. */
export const knowledgeMigrations: (new () => MigrationInterface)[] = [];
