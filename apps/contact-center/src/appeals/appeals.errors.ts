import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@medbus/errors';

/** The appeals' stable codes (clients match on them); details carry ids and codes only, never text or numbers. */
export const AppealErrorCode = {
  invalidRequest: 'CC.INVALID_APPEAL_REQUEST',
  notFound: 'CC.APPEAL_NOT_FOUND',
  typeNotFound: 'CC.APPEAL_TYPE_NOT_FOUND',
  typeInactive: 'CC.APPEAL_TYPE_INACTIVE',
  transitionNotAllowed: 'CC.APPEAL_TRANSITION_NOT_ALLOWED',
  idempotencyKeyReused: 'CC.IDEMPOTENCY_KEY_REUSED',
  forbidden: 'CC.APPEAL_FORBIDDEN',
} as const;

export class InvalidAppealRequestError extends ValidationError {
  constructor(problems: readonly string[]) {
    super(AppealErrorCode.invalidRequest, `Invalid request: ${problems.join('; ')}`, { details: { problems } });
  }
}

/** Also the answer for an appeal outside the caller's reach: its existence is not told. */
export class AppealNotFoundError extends NotFoundError {
  constructor(appealId: string) {
    super(AppealErrorCode.notFound, 'no such appeal', { details: { appealId } });
  }
}

export class AppealTypeNotFoundError extends NotFoundError {
  constructor(code: string) {
    super(AppealErrorCode.typeNotFound, 'no such appeal type', { details: { code } });
  }
}

export class AppealTypeInactiveError extends ValidationError {
  constructor(code: string) {
    super(AppealErrorCode.typeInactive, 'appeals of this type are no longer registered', { details: { code } });
  }
}

export class AppealTransitionNotAllowedError extends ConflictError {
  constructor(appealId: string, from: string, to: string, role: string) {
    super(AppealErrorCode.transitionNotAllowed, `an appeal ${from} cannot go to ${to} by ${role}`, { details: { appealId, from, to, role } });
  }
}

export class IdempotencyKeyReusedError extends ConflictError {
  constructor() {
    super(AppealErrorCode.idempotencyKeyReused, 'this Idempotency-Key was used for another appeal: send a new key for a new appeal');
  }
}

/** The caller reaches the appeal (may read it) but may not do this to it. */
export class AppealForbiddenError extends ForbiddenError {
  constructor(appealId: string, action: string) {
    super(AppealErrorCode.forbidden, `the caller may not ${action} this appeal`, { details: { appealId, action } });
  }
}
