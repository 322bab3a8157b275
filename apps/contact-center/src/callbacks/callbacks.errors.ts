import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@medbus/errors';

/** The call-backs' stable codes; details carry ids only, never a number. */
export const CallbacksErrorCode = {
  notFound: 'CC.CALLBACK_NOT_FOUND',
  attemptRunning: 'CC.CALLBACK_ATTEMPT_RUNNING',
  closed: 'CC.CALLBACK_CLOSED',
  claimedByAnother: 'CC.CALLBACK_CLAIMED',
  notYourBranch: 'CC.CALLBACK_OTHER_BRANCH',
  invalidQuery: 'CC.INVALID_QUERY',
} as const;

export class CallbackNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(CallbacksErrorCode.notFound, 'no such call-back task', { details: { id } });
  }
}

export class CallbackAttemptRunningError extends ConflictError {
  constructor(id: string) {
    super(CallbacksErrorCode.attemptRunning, 'an attempt of this call-back is running', { details: { id } });
  }
}

export class CallbackClosedError extends ConflictError {
  constructor(id: string, status: string) {
    super(CallbacksErrorCode.closed, 'this call-back task is closed', { details: { id, status } });
  }
}

export class CallbackClaimedError extends ConflictError {
  constructor(id: string) {
    super(CallbacksErrorCode.claimedByAnother, 'another operator has claimed this call-back', { details: { id } });
  }
}

export class CallbackOtherBranchError extends ForbiddenError {
  constructor(id: string) {
    super(CallbacksErrorCode.notYourBranch, 'an operator takes call-backs of his own branch only', { details: { id } });
  }
}

/** A malformed list query (`CC.INVALID_QUERY`, shared by the calls and call-back routes). */
export class InvalidQueryError extends ValidationError {
  constructor(problems: readonly string[]) {
    super(CallbacksErrorCode.invalidQuery, `invalid query: ${problems.join('; ')}`, { details: { problems } });
  }
}
