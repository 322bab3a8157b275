/**
 * TypeScript shapes of the HubService DataContracts (namespace HubService2). Optional members
 * are the nillable ones. Date-times are clinic-local `xs:dateTime` strings without an offset
 * (`2026-11-24T08:20:00`): the wire carries no zone, the clinic's zone comes from configuration.
 */
export type LocalDateTime = string;

export interface HubError {
  readonly ErrorDescription?: string;
  readonly IdError: number;
}

export interface MethodResult {
  readonly ErrorList?: readonly HubError[];
  readonly IdHistory?: number;
  readonly Success: boolean;
}

export interface District {
  readonly DistrictName?: string;
  readonly IdDistrict: number;
  readonly Okato?: number;
}

export interface Clinic {
  readonly Description?: string;
  readonly District?: number;
  readonly IdLPU: number;
  readonly IsActive: boolean;
  readonly LPUFullName?: string;
  readonly LPUShortName?: string;
  readonly LPUType: number;
  /** ФРМО OID of the organisation, `1.2.643.5.1.13.13.12.2.<region>.<n>`. */
  readonly Oid?: string;
  readonly PartOf?: number;
}

export interface Patient {
  readonly AriaNumber?: string;
  readonly Birthday?: LocalDateTime;
  readonly CellPhone?: string;
  readonly Document_N?: string;
  readonly Document_S?: string;
  readonly HomePhone?: string;
  readonly IdPat?: string;
  /** First name. */
  readonly Name?: string;
  /** Policy number; the 16-digit ЕНП for OMS. */
  readonly Polis_N?: string;
  readonly Polis_S?: string;
  /** Patronymic. */
  readonly SecondName?: string;
  readonly Snils?: string;
  readonly Surname?: string;
}

export interface Spesiality {
  readonly CountFreeParticipantIE: number;
  readonly CountFreeTicket: number;
  readonly FerIdSpesiality?: string;
  readonly IdSpesiality?: string;
  readonly LastDate?: LocalDateTime;
  readonly NameSpesiality?: string;
  readonly NearestDate?: LocalDateTime;
}

export interface Doctor {
  readonly AriaNumber?: string;
  readonly Comment?: string;
  readonly CountFreeParticipantIE: number;
  readonly CountFreeTicket: number;
  readonly IdDoc?: string;
  readonly LastDate?: LocalDateTime;
  readonly Name?: string;
  readonly NearestDate?: LocalDateTime;
  readonly Snils?: string;
}

export interface Appointment {
  readonly Address?: string;
  readonly IdAppointment?: string;
  readonly Num?: number;
  readonly Room?: string;
  /** medbus extension: the slot's change counter, strictly increasing with every change of the slot. */
  readonly Version?: number;
  readonly VisitEnd: LocalDateTime;
  readonly VisitStart: LocalDateTime;
}

export interface HistoryVisit {
  readonly DateCreatedAppointment?: LocalDateTime;
  readonly DoctorRendingConsultation?: Doctor;
  readonly IdAppointment?: string;
  readonly SpecialityRendingConsultation?: Spesiality;
  readonly VisitStart?: LocalDateTime;
}

export interface WorkingTime {
  readonly DenyCause?: string;
  readonly RecordableDay: boolean;
  readonly VisitEnd: LocalDateTime;
  readonly VisitStart: LocalDateTime;
}

export interface GetDistrictListResult extends MethodResult {
  readonly Districts?: readonly District[];
}
export interface GetLPUListResult extends MethodResult {
  readonly ListLPU?: readonly Clinic[];
}
export interface CheckPatientResult extends MethodResult {
  readonly IdPat?: string;
}
export interface GetSpesialityListResult extends MethodResult {
  readonly ListSpesiality?: readonly Spesiality[];
  readonly LpuChanges?: string;
}
export interface GetDoctorListResult extends MethodResult {
  readonly Docs?: readonly Doctor[];
}
export interface GetAvailableDatesResult extends MethodResult {
  readonly AvailableDateList?: readonly LocalDateTime[];
}
export interface GetAvaibleAppointmentsResult extends MethodResult {
  readonly ListAppointments?: readonly Appointment[];
}
export interface SetAppointmentResult extends MethodResult {
  /** Specialist type. */
  readonly Type?: string;
}
export interface GetPatientHistoryResult extends MethodResult {
  readonly ListHistoryRefusal?: readonly HistoryVisit[];
  readonly ListHistoryVisit?: readonly HistoryVisit[];
}
export interface GetWorkingTimeResult extends MethodResult {
  readonly WorkingTimeList?: readonly WorkingTime[];
}
export interface SendNotificationAboutAppointmentResult extends MethodResult {
  readonly IdNotification?: string;
}

interface Common {
  readonly guid?: string;
  readonly idHistory?: number;
}
interface Window {
  readonly visitStart?: LocalDateTime;
  readonly visitEnd?: LocalDateTime;
}

/** Decoded request parameters per operation (all optional on the wire; servers check what they need). */
export interface HubRequests {
  GetDistrictList: Common;
  GetLPUList: Common & { readonly idDistrict?: number };
  CheckPatient: Common & { readonly pat?: Patient; readonly idLpu?: number };
  AddNewPatient: Common & { readonly patient?: Patient; readonly idLpu?: number; readonly approvedByTfoms?: boolean };
  GetSpesialityList: Common & { readonly idLpu?: number; readonly idPat?: string };
  GetDoctorList: Common & { readonly idSpesiality?: string; readonly idLpu?: number; readonly idPat?: string };
  GetAvailableDates: Common & Window & { readonly idDoc?: string; readonly idLpu?: number; readonly idPat?: string };
  GetAvaibleAppointments: Common & Window & { readonly idDoc?: string; readonly idLpu?: number; readonly idPat?: string };
  GetWorkingTime: Common & Window & { readonly idDoc?: string; readonly idLpu?: number };
  SetAppointment: Common & {
    readonly idAppointment?: string;
    readonly idLpu?: number;
    readonly idPat?: string;
    readonly doctorsReferral?: string;
    readonly attachedReferral?: string;
    readonly idAppointmentPrev?: string;
  };
  CreateClaimForRefusal: Common & { readonly idLpu?: number; readonly idPat?: string; readonly idAppointment?: string };
  GetPatientHistory: Common & { readonly idLpu?: number; readonly idPat?: string };
  SendNotificationAboutAppointment: Common & {
    readonly doctor?: Doctor;
    readonly spesiality?: Spesiality;
    readonly idLpu?: number;
    readonly patient?: Patient;
    readonly appointment?: Appointment;
    readonly appointmentSource?: number;
    readonly eventDatetime?: LocalDateTime;
  };
  SendNotificationAboutAppointmentStatus: Common & {
    readonly idLpu?: number;
    readonly idPat?: string;
    readonly idAppointment?: string;
    readonly status?: number;
    readonly eventDatetime?: LocalDateTime;
  };
}

export interface WaitingListRule {
  readonly End?: LocalDateTime;
  readonly Start?: LocalDateTime;
}

export interface SetWaitingListResult extends MethodResult {
  /** Id of the waiting-list claim. */
  readonly GuidClaim?: string;
}

/** Requests the hub facade serves: every MIS operation and the hub's own SetWaitingList. */
export interface HubFacadeRequests extends HubRequests {
  SetWaitingList: Common & {
    readonly idDoc?: string;
    readonly nameDoc?: string;
    readonly idSpesiality?: string;
    readonly nameSpesiality?: string;
    readonly idLpu?: number;
    readonly rule?: WaitingListRule;
    readonly claim?: number;
    readonly idPat?: string;
    readonly namePat?: string;
    readonly birthday?: LocalDateTime;
    readonly phone?: string;
  };
}

/** Result type per operation. */
export interface HubResults {
  GetDistrictList: GetDistrictListResult;
  GetLPUList: GetLPUListResult;
  CheckPatient: CheckPatientResult;
  AddNewPatient: CheckPatientResult;
  GetSpesialityList: GetSpesialityListResult;
  GetDoctorList: GetDoctorListResult;
  GetAvailableDates: GetAvailableDatesResult;
  GetAvaibleAppointments: GetAvaibleAppointmentsResult;
  GetWorkingTime: GetWorkingTimeResult;
  SetAppointment: SetAppointmentResult;
  CreateClaimForRefusal: MethodResult;
  GetPatientHistory: GetPatientHistoryResult;
  SendNotificationAboutAppointment: SendNotificationAboutAppointmentResult;
  SendNotificationAboutAppointmentStatus: MethodResult;
}

/** Operations the hub facade serves (`hubFacadeOperations`): not the notifications a MIS sends to a subscriber. */
export type HubFacadeOperationName = Exclude<keyof HubFacadeRequests, 'SendNotificationAboutAppointment' | 'SendNotificationAboutAppointmentStatus'>;

/** Result type per operation of the hub facade. */
export interface HubFacadeResults extends HubResults {
  SetWaitingList: SetWaitingListResult;
}
