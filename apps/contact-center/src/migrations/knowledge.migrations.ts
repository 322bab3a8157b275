import type { MigrationInterface } from 'typeorm';
import { CreateKnowledgeTables1796600000150 } from './knowledge-tables.migration';
import { SeedKnowledgeArticles1796600000151 } from './knowledge-seed.migration';

/** Migrations of the tables the knowledge module owns, in order. */
export const knowledgeMigrations: (new () => MigrationInterface)[] = [CreateKnowledgeTables1796600000150, SeedKnowledgeArticles1796600000151];
