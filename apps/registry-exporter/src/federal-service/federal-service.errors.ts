import { ConflictError, NotFoundError, ValidationError } from '@medbus/errors';
import { SafeXmlCode, SoapCodecCode } from '@medbus/hubservice';

/**
 * Stable codes of the SOAP Faults ErWebService answers (in the faultstring and in the fault's
 * `detail/ErrorCode`). The XML guard's and the codec's are shared with booking's HubService facade.
 */
export const ErFaultCode = {
  ...SafeXmlCode,
  unknownOperation: SoapCodecCode.unknownOperation,
  /** An element's value is not of its XSD type (a nested element, a repeat, a pattern or length broken). */
  badValue: SoapCodecCode.badValue,
  /** A required element (Session_ID included) is absent or empty. */
  missingElement: 'ER.MISSING_ELEMENT',
  /** The SOAPAction header names another operation than the body. */
  actionMismatch: 'ER.ACTION_MISMATCH',
  unsupportedMediaType: 'SOAP.UNSUPPORTED_MEDIA_TYPE',
  internal: 'COMMON.INTERNAL',
} as const;

export class MissingElementError extends ValidationError {
  constructor(field: string) {
    super(ErFaultCode.missingElement, `${field} is required`, { details: { field } });
  }
}

export class BadValueError extends ValidationError {
  constructor(field: string, reason: string) {
    super(ErFaultCode.badValue, `${field}: ${reason}`, { details: { field } });
  }
}

export class UnknownOperationError extends ValidationError {
  constructor() {
    super(ErFaultCode.unknownOperation, 'the SOAP body names no operation of ErWebService');
  }
}

export class ActionMismatchError extends ValidationError {
  constructor() {
    super(ErFaultCode.actionMismatch, 'the SOAPAction header names another operation than the SOAP body');
  }
}

export class BodyTooLargeError extends ValidationError {
  constructor(maxBytes: number) {
    super(ErFaultCode.bodyTooLarge, `the SOAP message exceeds ${maxBytes} bytes`, { details: { maxBytes } });
  }
}

export class UnsupportedMediaTypeError extends ValidationError {
  constructor() {
    super(ErFaultCode.unsupportedMediaType, 'send a SOAP 1.1 message (Content-Type: text/xml)');
  }
}

/** Codes of what ErWebService itself refuses with a Status_Code (not a fault); they appear in Comment. */
export const ErRefusalCode = {
  invalidRequest: 'ER.INVALID_REQUEST',
  moNotFound: 'ER.MO_NOT_FOUND',
  resourceNotFound: 'ER.RESOURCE_NOT_FOUND',
  slotNotFound: 'ER.SLOT_NOT_FOUND',
  /** The exporter knows the slot, but it is removed, past or closed to the federal portal. */
  slotNotAvailable: 'ER.SLOT_NOT_AVAILABLE',
  bookingNotFound: 'ER.BOOKING_NOT_FOUND',
  /** A repeated CreateAppointment found its appointment no longer active (cancelled since). */
  bookingNotActive: 'ER.BOOKING_NOT_ACTIVE',
} as const;

/** A request well-formed by the schema but not by the contract's rules; Comment names the field. */
export class InvalidErRequestError extends ValidationError {
  constructor(field: string, reason: string) {
    super(ErRefusalCode.invalidRequest, `${field}: ${reason}`, { details: { field } });
  }
}

export class ErNotFoundError extends NotFoundError {}
export class ErSlotNotAvailableError extends ConflictError {}
