import { NotFoundError, ValidationError } from '@medbus/errors';

/** The knowledge base's stable codes. */
export const KnowledgeErrorCode = {
  invalidRequest: 'CC.INVALID_KNOWLEDGE_REQUEST',
  articleNotFound: 'CC.KB_ARTICLE_NOT_FOUND',
} as const;

export class InvalidKnowledgeRequestError extends ValidationError {
  constructor(problems: readonly string[]) {
    super(KnowledgeErrorCode.invalidRequest, `Invalid request: ${problems.join('; ')}`, { details: { problems } });
  }
}

export class ArticleNotFoundError extends NotFoundError {
  constructor(slug: string) {
    super(KnowledgeErrorCode.articleNotFound, 'no such article', { details: { slug } });
  }
}
