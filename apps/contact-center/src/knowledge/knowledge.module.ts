import { Module } from '@nestjs/common';
import { AppealsModule } from '../appeals/appeals.module';
import { AppealTypeArticlesController } from './appeal-type-articles.controller';
import { KnowledgeController } from './knowledge.controller';
import { KnowledgeQuery } from './knowledge.query';
import { KnowledgeService } from './knowledge.service';

/** The knowledge base: articles searched in Russian and linked from appeal types; owns `kb_article`, `kb_article_appeal_type`. */
@Module({
  imports: [AppealsModule],
  controllers: [KnowledgeController, AppealTypeArticlesController],
  providers: [KnowledgeQuery, KnowledgeService],
})
export class KnowledgeModule {}
