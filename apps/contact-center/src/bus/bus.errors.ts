import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type ErrorDetails } from '@medbus/errors';

/** The bus module's stable codes (clients, logs and dead letters match on them); details carry ids and codes only. */
export const BusErrorCode = {
  invalidEvent: 'CC.INVALID_BUS_EVENT',
  /** An adapter published for an organisation not registered to it (0012); the same code booking and the exporter use. */
  organisationNotServed: 'MIS.ORGANISATION_NOT_SERVED',
  invalidQuery: 'CC.INVALID_QUERY',
  taskNotFound: 'CC.PATIENT_TASK_NOT_FOUND',
  taskClosed: 'CC.PATIENT_TASK_CLOSED',
} as const;

/** An event the projection cannot take (its own fault: dead-lettered, never retried). */
export class InvalidBusEventError extends ValidationError {
  constructor(message: string, details: ErrorDetails) {
    super(BusErrorCode.invalidEvent, message, { details });
  }
}

export class OrganisationNotServedError extends ForbiddenError {
  static readonly code = BusErrorCode.organisationNotServed;

  constructor(message: string, details: ErrorDetails) {
    super(OrganisationNotServedError.code, message, { details });
  }
}

export class InvalidBusQueryError extends ValidationError {
  constructor(problems: readonly string[]) {
    super(BusErrorCode.invalidQuery, `Invalid request: ${problems.join('; ')}`, { details: { problems } });
  }
}

/** Also the answer for a task outside the caller's branch: its existence is not told. */
export class PatientTaskNotFoundError extends NotFoundError {
  constructor(taskId: string) {
    super(BusErrorCode.taskNotFound, 'no such patient task', { details: { taskId } });
  }
}

export class PatientTaskClosedError extends ConflictError {
  constructor(taskId: string, status: string) {
    super(BusErrorCode.taskClosed, 'the task is no longer open', { details: { taskId, status } });
  }
}
