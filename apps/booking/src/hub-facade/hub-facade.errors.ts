import { ForbiddenError, ValidationError } from '@medbus/errors';

/**
 * Requests the contract has no IdError for become SOAP faults `s:Client`, as the HubService
 * simulator and a WCF service answer them (libs/hubservice/README.md, "Faults"). Their messages
 * are Russian because they reach the client as the faultstring.
 */
export class HubAccessDeniedError extends ForbiddenError {
  static readonly code = 'HUB.ACCESS_DENIED';

  constructor() {
    super(HubAccessDeniedError.code, 'Доступ запрещён: неизвестный guid');
  }
}

export class UnknownLpuError extends ValidationError {
  static readonly code = 'HUB.UNKNOWN_LPU';

  constructor() {
    super(UnknownLpuError.code, 'Неизвестная медицинская организация');
  }
}

export class ParameterRequiredError extends ValidationError {
  static readonly code = 'HUB.PARAMETER_REQUIRED';

  constructor(parameter: string) {
    super(ParameterRequiredError.code, `Не передан параметр ${parameter}`, { details: { parameter } });
  }
}

export class ActionMismatchError extends ValidationError {
  static readonly code = 'HUB.ACTION_NOT_SUPPORTED';

  constructor(action: string) {
    super(ActionMismatchError.code, `Действие ${action.slice(0, 200)} не поддерживается`);
  }
}

export class OperationNotServedError extends ValidationError {
  static readonly code = 'HUB.OPERATION_NOT_SERVED';

  constructor(operation: string) {
    super(OperationNotServedError.code, `Операция ${operation} не поддерживается`);
  }
}
