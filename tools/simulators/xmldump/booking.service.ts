import { AppointmentSource, HubErrorCode, type Patient } from '@medbus/hubservice';
import { specialtyRules } from '../clinic/region.generator';
import type { BookOutcome, ScheduleState } from '../clinic/schedule.state';
import { BookingCode, type BookingAnswer, type BookingMessage, type BookingRequest } from './booking.codec';

/** The vendor's code for each refusal of the clinic model (304 is split by `restrictionOf`). */
const codeOf = {
  [HubErrorCode.PatientNotRegistered]: BookingCode.patientNotFound,
  [HubErrorCode.PatientAmbiguous]: BookingCode.patientAmbiguous,
  [HubErrorCode.PatientNotFound]: BookingCode.patientNotFound,
  [HubErrorCode.PatientDoesNotFitDoctor]: BookingCode.ageRestricted,
  [HubErrorCode.NoScheduleOnDate]: BookingCode.ticketNotFound,
  [HubErrorCode.NoAppointmentAtTime]: BookingCode.ticketNotFound,
  [HubErrorCode.PatientAlreadyBooked]: BookingCode.alreadyBooked,
  [HubErrorCode.SlotTaken]: BookingCode.ticketBusy,
  [HubErrorCode.BookingNotFound]: BookingCode.notBooked,
  [HubErrorCode.PatientNotAttached]: BookingCode.notAttached,
  [HubErrorCode.AttachmentDoesNotCoverService]: BookingCode.notAttached,
  [HubErrorCode.WaitlistRefused]: BookingCode.ticketBusy,
} as const satisfies Record<HubErrorCode, BookingCode>;

/** The vendor's wording of each refusal: ids and rules only, never a patient's data. */
const textOf = {
  TICKET_BUSY: 'Талон уже занят',
  TICKET_NOT_FOUND: 'Талон не найден',
  TICKET_CLOSED: 'Талон закрыт для записи',
  PATIENT_NOT_FOUND: 'Пациент не найден',
  PATIENT_AMBIGUOUS: 'Найдено более одного пациента',
  ALREADY_BOOKED: 'Пациент уже записан к этому врачу на этот день',
  NOT_ATTACHED: 'Пациент не прикреплён к медицинской организации',
  SEX_RESTRICTED: 'Врач не принимает пациентов этого пола',
  AGE_RESTRICTED: 'Возраст пациента не соответствует профилю врача',
  NOT_BOOKED: 'Пациент не записан на этот талон',
  CLINIC_NOT_FOUND: 'Медицинская организация не найдена',
} as const satisfies Record<BookingCode, string>;

const sexOf = { '1': 'MALE', '2': 'FEMALE' } as const;

function refusal(message: BookingMessage, code: BookingCode): BookingAnswer {
  return { message, status: 'error', code, text: textOf[code] };
}

/**
 * The MIS side of the booking messages over the clinic model. Bookings it takes are the regional
 * bus's (source: contact centre); refusals carry the vendor's codes.
 */
export class BookingService {
  constructor(private readonly state: ScheduleState) {}

  handle(request: BookingRequest): BookingAnswer {
    if (!this.state.organisations.has(request.clinic)) return refusal(request.message, BookingCode.clinicNotFound);
    switch (request.message) {
      case 'FindPatient':
        return { message: request.message, status: 'ok', patients: this.state.findPatients(request.clinic, this.patientOf(request)) };
      case 'RegisterPatient': {
        const patient = this.patientOf(request);
        const existing = this.state.findPatients(request.clinic, patient);
        if (existing.length > 1) return refusal(request.message, BookingCode.patientAmbiguous);
        const id = existing[0] ?? this.state.addPatient(request.clinic, patient, request.Sex ? { sex: sexOf[request.Sex] } : {});
        return { message: request.message, status: 'ok', patient: id };
      }
      case 'Book': {
        const outcome = this.state.book(request.clinic, request.ticket, request.patient, AppointmentSource.contactCentre, request.replaces);
        return outcome.ok ? { message: request.message, status: 'ok', ticket: outcome.slot.id } : refusal(request.message, this.codeFor(outcome, request));
      }
      case 'Cancel': {
        const outcome = this.state.cancel(request.clinic, request.ticket, request.patient);
        return outcome.ok ? { message: request.message, status: 'ok' } : refusal(request.message, BookingCode.notBooked);
      }
      case 'PatientVisits': {
        if (!this.state.patient(request.clinic, request.patient)) return refusal(request.message, BookingCode.patientNotFound);
        const visits = this.state.historyOf(request.clinic, request.patient).map((v) => ({ ticket: v.idAppointment, state: v.refused ? ('cancelled' as const) : ('active' as const) }));
        return { message: request.message, status: 'ok', visits };
      }
      default:
        return request satisfies never;
    }
  }

  private codeFor(outcome: Extract<BookOutcome, { ok: false }>, request: Extract<BookingRequest, { message: 'Book' }>): BookingCode {
    if (outcome.code === HubErrorCode.PatientDoesNotFitDoctor) return this.restrictionOf(request.clinic, request.ticket, request.patient);
    if (outcome.code === HubErrorCode.NoAppointmentAtTime && this.state.slot(request.clinic, request.ticket)?.state === 'blocked') return BookingCode.ticketClosed;
    return codeOf[outcome.code];
  }

  /** Which rule of the doctor's specialty a 304 broke: sex when the rule names one the patient lacks, else age. */
  private restrictionOf(idLpu: number, ticket: string, idPat: string): BookingCode {
    const slot = this.state.slot(idLpu, ticket);
    const doctor = slot ? this.state.doctor(idLpu, slot.idDoc) : undefined;
    const rule = doctor ? specialtyRules[doctor.specialtyCode] : undefined;
    const sex = this.state.patientFacts(idLpu, idPat)?.sex;
    return rule?.sex && sex && sex !== rule.sex ? BookingCode.sexRestricted : BookingCode.ageRestricted;
  }

  private patientOf(request: Extract<BookingRequest, { message: 'FindPatient' | 'RegisterPatient' }>): Patient {
    return {
      Surname: request.Surname,
      Name: request.FirstName,
      SecondName: request.Patronymic,
      Birthday: request.BirthDate ? `${request.BirthDate}T00:00:00` : undefined,
      Polis_N: request.Policy,
      Snils: request.Snils,
      ...('Phone' in request ? { CellPhone: request.Phone } : {}),
    };
  }
}
