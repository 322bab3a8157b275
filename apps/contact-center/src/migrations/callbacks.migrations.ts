import type { MigrationInterface } from 'typeorm';
import { CreateCallbacksTables1796600000001 } from './callbacks-tables.migration';

/** Migrations of the tables the callbacks module owns, in order. */
export const callbacksMigrations: (new () => MigrationInterface)[] = [CreateCallbacksTables1796600000001];
