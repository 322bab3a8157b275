import { CommandRejectionReason } from '@medbus/contracts';
import type { MisRefusal } from '@medbus/mis-adapter-kit';
import { redactText } from '@medbus/telemetry';
import type { VendorRefusal } from './booking-message.mapper';

/** The vendor's refusal codes (tools/simulators/xmldump/README.md), and BAD_REQUEST of its `<Error>` answer. */
export const VendorCode = {
  ticketBusy: 'TICKET_BUSY',
  ticketNotFound: 'TICKET_NOT_FOUND',
  ticketClosed: 'TICKET_CLOSED',
  patientNotFound: 'PATIENT_NOT_FOUND',
  patientAmbiguous: 'PATIENT_AMBIGUOUS',
  alreadyBooked: 'ALREADY_BOOKED',
  notAttached: 'NOT_ATTACHED',
  sexRestricted: 'SEX_RESTRICTED',
  ageRestricted: 'AGE_RESTRICTED',
  notBooked: 'NOT_BOOKED',
  clinicNotFound: 'CLINIC_NOT_FOUND',
  badRequest: 'BAD_REQUEST',
} as const;

/** The rejection reason of a vendor code; a code outside the table is OTHER (its code still travels as misErrorCode). */
export function rejectionReasonOf(code: string): CommandRejectionReason {
  switch (code) {
    case VendorCode.ticketBusy:
      return CommandRejectionReason.SLOT_TAKEN;
    case VendorCode.ticketNotFound:
    case VendorCode.ticketClosed:
      return CommandRejectionReason.SLOT_NOT_FOUND;
    case VendorCode.patientNotFound:
      return CommandRejectionReason.PATIENT_NOT_FOUND;
    case VendorCode.alreadyBooked:
      return CommandRejectionReason.PATIENT_ALREADY_BOOKED;
    case VendorCode.sexRestricted:
    case VendorCode.ageRestricted:
      return CommandRejectionReason.PATIENT_NOT_ELIGIBLE;
    case VendorCode.notAttached:
      return CommandRejectionReason.PATIENT_NOT_ATTACHED;
    case VendorCode.notBooked:
      return CommandRejectionReason.APPOINTMENT_NOT_FOUND;
    default:
      return CommandRejectionReason.OTHER;
  }
}

/**
 * A command refused by the vendor, with its code and wording; the wording should carry no patient
 * data, and patient-shaped strings (СНИЛС, phones, policy numbers) in it are replaced all the same,
 * as it goes to Kafka.
 */
export function refusalOf(refusal: VendorRefusal): MisRefusal {
  const message = redactText(refusal.text.trim().slice(0, 500)) || `XMLDump refused with ${refusal.code}`;
  return { kind: 'refused', reason: rejectionReasonOf(refusal.code), misErrorCode: refusal.code, message };
}

/**
 * A refused booking that may be this command's own earlier call whose answer was lost:
 * ALREADY_BOOKED may mean the patient holds exactly this ticket (the patient's visits decide);
 * TICKET_BUSY, and NOT_BOOKED of a move, only when an earlier call may have reached the MIS.
 */
export function bookRefusalOf(refusal: VendorRefusal, moving: boolean): MisRefusal {
  const refused = refusalOf(refusal);
  if (refusal.code === VendorCode.alreadyBooked) return { ...refused, recheck: 'always' };
  if (refusal.code === VendorCode.ticketBusy || (refusal.code === VendorCode.notBooked && moving)) return { ...refused, recheck: 'if-uncertain' };
  return refused;
}

/** A refused cancellation: NOT_BOOKED may be this command's own earlier call whose answer was lost. */
export function cancelRefusalOf(refusal: VendorRefusal): MisRefusal {
  const refused = refusalOf(refusal);
  return refusal.code === VendorCode.notBooked ? { ...refused, recheck: 'if-uncertain' } : refused;
}
