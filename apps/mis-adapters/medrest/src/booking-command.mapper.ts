import { CommandRejectionReason } from '@medbus/contracts';
import type { MisRefusal } from '@medbus/mis-adapter-kit';
import { redactText } from '@medbus/telemetry';
import type { MedRestProblem } from './medrest-response.mapper';

/** The rejection reason of a MedREST problem code (README: Errors); codes outside the table are OTHER. */
export function rejectionReasonOf(code: string): CommandRejectionReason {
  switch (code) {
    case 'slot_unavailable':
      return CommandRejectionReason.SLOT_TAKEN;
    case 'slot_not_found':
      return CommandRejectionReason.SLOT_NOT_FOUND;
    case 'patient_not_found':
      return CommandRejectionReason.PATIENT_NOT_FOUND;
    case 'patient_already_booked':
      return CommandRejectionReason.PATIENT_ALREADY_BOOKED;
    case 'sex_restricted':
    case 'age_restricted':
      return CommandRejectionReason.PATIENT_NOT_ELIGIBLE;
    case 'not_attached':
      return CommandRejectionReason.PATIENT_NOT_ATTACHED;
    case 'appointment_not_found':
    case 'appointment_not_active':
      return CommandRejectionReason.APPOINTMENT_NOT_FOUND;
    default:
      return CommandRejectionReason.OTHER;
  }
}

/**
 * A refusal from a MedREST problem, its code as the MIS's error code and its wording (which should
 * carry no patient data; patient-shaped strings are replaced all the same, as it goes to Kafka).
 * `recheck` where the refusal may be this command's own earlier call whose answer was lost (its
 * idempotency key makes that rare): a slot taken (by us), an appointment to replace no longer active
 * (moved by us), the patient already booked on that day without the MIS naming the appointment.
 */
export function refusalOf(problem: MedRestProblem): MisRefusal {
  const message = redactText((problem.detail ?? problem.title ?? '').trim().slice(0, 500)) || `MedREST ${problem.code}`;
  const refusal: MisRefusal = { kind: 'refused', reason: rejectionReasonOf(problem.code), misErrorCode: problem.code, message };
  switch (problem.code) {
    case 'slot_unavailable':
    case 'appointment_not_active':
      return { ...refusal, recheck: 'if-uncertain' };
    case 'patient_already_booked':
      return problem.appointment_id === undefined ? { ...refusal, recheck: 'always' } : refusal;
    default:
      return refusal;
  }
}

/** The idempotency key of a command's call: the same for every attempt of the command, so a retried booking cannot book twice. */
export function idempotencyKeyOf(commandId: string): string {
  return `medbus-${commandId}`;
}
