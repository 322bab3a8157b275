import { HubErrorCode } from '@medbus/hubservice';

export const problemTypeBase = 'https://api.medrest.example/problems/';

/** Every problem MedREST answers: its HTTP status and fixed title. The code is also the last segment of `type`. */
export const problemTypes = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  invalid_cursor: { status: 400, title: 'The cursor is not valid for this listing' },
  unauthorized: { status: 401, title: 'A valid API key is required' },
  not_found: { status: 404, title: 'No such resource' },
  facility_not_found: { status: 404, title: 'Facility not found' },
  practitioner_not_found: { status: 404, title: 'Practitioner not found' },
  slot_not_found: { status: 404, title: 'Slot not found' },
  patient_not_found: { status: 404, title: 'Patient not found' },
  appointment_not_found: { status: 404, title: 'Appointment not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  slot_unavailable: { status: 409, title: 'The slot cannot be booked' },
  patient_already_booked: { status: 409, title: 'The patient already has an appointment with this practitioner on that day' },
  appointment_not_active: { status: 409, title: 'The appointment is not active' },
  patient_exists: { status: 409, title: 'The patient is already registered' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Expected application/json' },
  not_attached: { status: 422, title: 'The patient is not attached to the facility' },
  sex_restricted: { status: 422, title: "The practitioner does not receive patients of the patient's sex" },
  age_restricted: { status: 422, title: "The practitioner does not receive patients of the patient's age" },
  idempotency_key_reused: { status: 422, title: 'The idempotency key was used with another request' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal server error' },
  service_unavailable: { status: 503, title: 'The service is unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof problemTypes;

/** An RFC 7807 problem document as MedREST writes it; `code` repeats the last segment of `type`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  readonly [extension: string]: unknown;
}

/** A refusal the API answers as a problem; `detail` and extensions never carry patient data. */
export class ProblemError extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ProblemError';
  }

  get status(): number {
    return problemTypes[this.code].status;
  }
}

export function problemOf(code: ProblemCode, detail: string, extensions: Readonly<Record<string, unknown>> = {}): Problem {
  const { status, title } = problemTypes[code];
  return { ...extensions, type: `${problemTypeBase}${code}`, title, status, detail, code };
}

/**
 * The problem for a booking the clinic model refused. The model answers one code (304) for both
 * the sex and the age rule; `sexMismatch` says which of them it was.
 */
export function bookingRefusal(code: HubErrorCode, sexMismatch: boolean): ProblemError {
  switch (code) {
    case HubErrorCode.PatientNotFound:
    case HubErrorCode.PatientNotRegistered:
      return new ProblemError('patient_not_found', "The patient is not registered at the slot's facility.");
    case HubErrorCode.PatientDoesNotFitDoctor:
      return sexMismatch
        ? new ProblemError('sex_restricted', "The practitioner's specialty receives patients of the other sex only.")
        : new ProblemError('age_restricted', "The patient's age on the day of the visit is outside the specialty's range.");
    case HubErrorCode.NoAppointmentAtTime:
    case HubErrorCode.SlotTaken:
      return new ProblemError('slot_unavailable', code === HubErrorCode.SlotTaken ? 'The slot is booked.' : 'The slot is blocked.');
    case HubErrorCode.NoScheduleOnDate:
      return new ProblemError('slot_not_found', 'The slot is not in the schedule.');
    case HubErrorCode.PatientAlreadyBooked:
      return new ProblemError('patient_already_booked', 'The patient already has an appointment with this practitioner on that day.');
    case HubErrorCode.BookingNotFound:
      return new ProblemError('appointment_not_active', 'The appointment to replace is not an active appointment of this patient.');
    case HubErrorCode.PatientNotAttached:
    case HubErrorCode.AttachmentDoesNotCoverService:
      return new ProblemError('not_attached', 'The specialty receives patients attached to the facility only.');
    case HubErrorCode.PatientAmbiguous:
    case HubErrorCode.WaitlistRefused:
      return new ProblemError('internal_error', 'The booking could not be made.');
    default:
      code satisfies never;
      return new ProblemError('internal_error', 'The booking could not be made.');
  }
}
