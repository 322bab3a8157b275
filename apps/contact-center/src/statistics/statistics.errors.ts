import { ValidationError } from '@medbus/errors';

/** The statistics' stable codes (clients match on them). */
export const StatisticsErrorCode = {
  invalidQuery: 'CC.INVALID_STATISTICS_QUERY',
} as const;

export class InvalidStatisticsQueryError extends ValidationError {
  constructor(problems: readonly string[]) {
    super(StatisticsErrorCode.invalidQuery, `Invalid request: ${problems.join('; ')}`, { details: { problems } });
  }
}
