import { CommandRejectionReason } from '@medbus/contracts';
import { HubErrorCode } from '@medbus/hubservice';
import type { MisRefusal } from '@medbus/mis-adapter-kit';
import { redactText } from '@medbus/telemetry';

/** The rejection reason of a HubService IdError (see shared/domain/hubservice.md); codes outside the table are OTHER. */
export function rejectionReasonOf(idError: number): CommandRejectionReason {
  switch (idError) {
    case HubErrorCode.SlotTaken:
      return CommandRejectionReason.SLOT_TAKEN;
    case HubErrorCode.NoScheduleOnDate:
    case HubErrorCode.NoAppointmentAtTime:
      return CommandRejectionReason.SLOT_NOT_FOUND;
    case HubErrorCode.PatientNotFound:
      return CommandRejectionReason.PATIENT_NOT_FOUND;
    case HubErrorCode.PatientAlreadyBooked:
      return CommandRejectionReason.PATIENT_ALREADY_BOOKED;
    case HubErrorCode.PatientDoesNotFitDoctor:
      return CommandRejectionReason.PATIENT_NOT_ELIGIBLE;
    case HubErrorCode.PatientNotAttached:
    case HubErrorCode.AttachmentDoesNotCoverService:
      return CommandRejectionReason.PATIENT_NOT_ATTACHED;
    case HubErrorCode.BookingNotFound:
      return CommandRejectionReason.APPOINTMENT_NOT_FOUND;
    default:
      return CommandRejectionReason.OTHER;
  }
}

/**
 * A refusal from the MIS's first IdError with the MIS's wording, which should carry no patient data;
 * patient-shaped strings (СНИЛС, phones, policy numbers) in it are replaced all the same, as it goes to Kafka.
 */
export function refusalOf(errors: ReadonlyArray<{ IdError: number; ErrorDescription?: string }>): MisRefusal {
  const first = errors[0];
  if (!first) return { kind: 'refused', reason: CommandRejectionReason.OTHER, misErrorCode: null, message: 'the MIS refused without an error code' };
  const message = redactText((first.ErrorDescription ?? '').trim().slice(0, 500)) || `HubService IdError ${first.IdError}`;
  return { kind: 'refused', reason: rejectionReasonOf(first.IdError), misErrorCode: String(first.IdError), message };
}

