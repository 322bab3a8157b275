import { CommandRejectionReason } from '@medbus/contracts';
import type { MisAnswer, MisRefusal } from '@medbus/mis-adapter-kit';
import { redactText } from '@medbus/telemetry';
import { OrderState, type BookingOrder } from './booking-order.service';
import type { CommandItem } from './inbound-request.mapper';

/** The refusal codes the inbound API documents; any other code the MIS sends is its own, refused as OTHER. */
const documentedRefusals: ReadonlySet<string> = new Set([
  CommandRejectionReason.SLOT_TAKEN,
  CommandRejectionReason.SLOT_NOT_FOUND,
  CommandRejectionReason.PATIENT_NOT_FOUND,
  CommandRejectionReason.PATIENT_ALREADY_BOOKED,
  CommandRejectionReason.PATIENT_NOT_ELIGIBLE,
  CommandRejectionReason.PATIENT_NOT_ATTACHED,
  CommandRejectionReason.APPOINTMENT_NOT_FOUND,
]);

export function rejectionReasonOf(code: string): CommandRejectionReason {
  return documentedRefusals.has(code) ? (code as CommandRejectionReason) : CommandRejectionReason.OTHER;
}

/**
 * The MIS's refusal of an order, its code kept as misErrorCode. PATIENT_ALREADY_BOOKED may mean the
 * patient holds exactly this slot through another command, so the recorded appointments decide; a
 * cancellation's APPOINTMENT_NOT_FOUND may be this command's own earlier cancellation.
 * The MIS's wording goes to Kafka: patient-shaped strings in it are replaced.
 */
export function refusalOf(order: Pick<BookingOrder, 'kind'>, code: string, message: string | null): MisRefusal {
  const reason = rejectionReasonOf(code);
  const text = redactText((message ?? '').trim().slice(0, 500)) || `the MIS refused: ${code}`;
  const refusal: MisRefusal = { kind: 'refused', reason, misErrorCode: code, message: text };
  if (order.kind === 'BookSlot' && reason === CommandRejectionReason.PATIENT_ALREADY_BOOKED) return { ...refusal, recheck: 'always' };
  if (order.kind === 'CancelAppointment' && reason === CommandRejectionReason.APPOINTMENT_NOT_FOUND) return { ...refusal, recheck: 'if-uncertain' };
  return refusal;
}

/** The MIS's answer to an order, once it has one; undefined while pending or expired. */
export function answerOf(order: BookingOrder): MisAnswer | undefined {
  switch (order.state) {
    case OrderState.done:
      return order.kind === 'BookSlot' ? { kind: 'done', misAppointmentId: order.misAppointmentId ?? order.localSlotId ?? undefined } : { kind: 'done' };
    case OrderState.refused:
      return refusalOf(order, order.refusalCode ?? CommandRejectionReason.OTHER, order.refusalMessage);
    case OrderState.pending:
    case OrderState.expired:
      return undefined;
    default:
      order.state satisfies never;
      return undefined;
  }
}

/** An order as `GET /inbound/v1/commands` lists it. */
export function toCommandItem(order: BookingOrder): CommandItem {
  return {
    commandId: order.commandId,
    kind: order.kind,
    organisationOid: order.organisationOid,
    localResourceId: order.localResourceId,
    localSlotId: order.localSlotId,
    misPatientId: order.misPatientId,
    misAppointmentId: order.kind === 'CancelAppointment' ? order.misAppointmentId : null,
    replacesMisAppointmentId: order.replacesMisAppointmentId,
    deadline: new Date(order.deadline).toISOString(),
    deliveries: order.deliveries,
  };
}
