/**
 * The HubService contract as data: every DataContract with its members in wire order, every
 * operation with its parameters and result type. The WSDL, the XML writer and the decoder
 * are all derived from these tables, so they cannot drift apart.
 *
 * Facts come from shared/domain/hubservice.md; where the public record is silent we do what a
 * WCF basicHttpBinding service with DataContractSerializer does (members alphabetical, base
 * class members first, every member `minOccurs="0"`, reference and Nullable<T> types nillable).
 */

export const HubNamespace = {
  service: 'http://tempuri.org/',
  contracts: 'http://schemas.datacontract.org/2004/07/HubService2',
  arrays: 'http://schemas.microsoft.com/2003/10/Serialization/Arrays',
  soapEnvelope: 'http://schemas.xmlsoap.org/soap/envelope/',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

/** SOAPAction of an operation: `http://tempuri.org/IHubService/<Op>`. */
export function soapActionOf(operation: string): string {
  return `${HubNamespace.service}IHubService/${operation}`;
}

/** Every DataContract of namespace HubService2. */
export type HubContractName =
  | 'Error'
  | 'MethodResult'
  | 'District'
  | 'Clinic'
  | 'Patient'
  | 'Spesiality'
  | 'Doctor'
  | 'Appointment'
  | 'HistoryVisit'
  | 'WorkingTime'
  | 'GetDistrictListResult'
  | 'GetLPUListResult'
  | 'CheckPatientResult'
  | 'GetSpesialityListResult'
  | 'GetDoctorListResult'
  | 'GetAvailableDatesResult'
  | 'GetAvaibleAppointmentsResult'
  | 'SetAppointmentResult'
  | 'GetPatientHistoryResult'
  | 'GetWorkingTimeResult'
  | 'SendNotificationAboutAppointmentResult'
  | 'WaitingListRule'
  | 'SetWaitingListResult';

export type HubScalar = 'string' | 'int' | 'long' | 'double' | 'boolean' | 'dateTime';

/** A member's type: a scalar, a nested contract, or a list of either. */
export type HubFieldType =
  | HubScalar
  | { readonly contract: HubContractName }
  | { readonly listOf: HubContractName }
  | { readonly listOfScalar: 'dateTime' };

export interface HubField {
  readonly name: string;
  readonly type: HubFieldType;
  /** A value type that is nevertheless nillable (`int?`, `DateTime?`). Strings, contracts and lists always are. */
  readonly nullable?: boolean;
}

export interface HubContractDef {
  readonly base?: 'MethodResult';
  readonly fields: readonly HubField[];
}

const f = (name: string, type: HubFieldType, nullable?: boolean): HubField => (nullable ? { name, type, nullable } : { name, type });

/** Every DataContract of namespace HubService2, members already in wire (alphabetical) order. */
export const hubContracts: Readonly<Record<HubContractName, HubContractDef>> = {
  Error: { fields: [f('ErrorDescription', 'string'), f('IdError', 'int')] },
  MethodResult: { fields: [f('ErrorList', { listOf: 'Error' }), f('IdHistory', 'int', true), f('Success', 'boolean')] },
  District: { fields: [f('DistrictName', 'string'), f('IdDistrict', 'int'), f('Okato', 'double', true)] },
  Clinic: {
    fields: [
      f('Description', 'string'),
      f('District', 'int', true),
      f('IdLPU', 'int'),
      f('IsActive', 'boolean'),
      f('LPUFullName', 'string'),
      f('LPUShortName', 'string'),
      f('LPUType', 'int'),
      f('Oid', 'string'),
      f('PartOf', 'int', true),
    ],
  },
  Patient: {
    fields: [
      f('AriaNumber', 'string'),
      f('Birthday', 'dateTime', true),
      f('CellPhone', 'string'),
      f('Document_N', 'string'),
      f('Document_S', 'string'),
      f('HomePhone', 'string'),
      f('IdPat', 'string'),
      f('Name', 'string'),
      f('Polis_N', 'string'),
      f('Polis_S', 'string'),
      f('SecondName', 'string'),
      f('Snils', 'string'),
      f('Surname', 'string'),
    ],
  },
  Spesiality: {
    fields: [
      f('CountFreeParticipantIE', 'int'),
      f('CountFreeTicket', 'int'),
      f('FerIdSpesiality', 'string'),
      f('IdSpesiality', 'string'),
      f('LastDate', 'dateTime', true),
      f('NameSpesiality', 'string'),
      f('NearestDate', 'dateTime', true),
    ],
  },
  Doctor: {
    fields: [
      f('AriaNumber', 'string'),
      f('Comment', 'string'),
      f('CountFreeParticipantIE', 'int'),
      f('CountFreeTicket', 'int'),
      f('IdDoc', 'string'),
      f('LastDate', 'dateTime', true),
      f('Name', 'string'),
      f('NearestDate', 'dateTime', true),
      f('Snils', 'string'),
    ],
  },
  Appointment: {
    fields: [
      f('Address', 'string'),
      f('IdAppointment', 'string'),
      f('Num', 'int', true),
      f('Room', 'string'),
      // medbus extension (not in N3's contract): the slot's change counter; see libs/hubservice/README.md.
      f('Version', 'long', true),
      f('VisitEnd', 'dateTime'),
      f('VisitStart', 'dateTime'),
    ],
  },
  HistoryVisit: {
    fields: [
      f('DateCreatedAppointment', 'dateTime', true),
      f('DoctorRendingConsultation', { contract: 'Doctor' }),
      f('IdAppointment', 'string'),
      f('SpecialityRendingConsultation', { contract: 'Spesiality' }),
      f('VisitStart', 'dateTime', true),
    ],
  },
  WorkingTime: {
    fields: [f('DenyCause', 'string'), f('RecordableDay', 'boolean'), f('VisitEnd', 'dateTime'), f('VisitStart', 'dateTime')],
  },
  GetDistrictListResult: { base: 'MethodResult', fields: [f('Districts', { listOf: 'District' })] },
  GetLPUListResult: { base: 'MethodResult', fields: [f('ListLPU', { listOf: 'Clinic' })] },
  CheckPatientResult: { base: 'MethodResult', fields: [f('IdPat', 'string')] },
  GetSpesialityListResult: {
    base: 'MethodResult',
    fields: [f('ListSpesiality', { listOf: 'Spesiality' }), f('LpuChanges', 'string')],
  },
  GetDoctorListResult: { base: 'MethodResult', fields: [f('Docs', { listOf: 'Doctor' })] },
  GetAvailableDatesResult: { base: 'MethodResult', fields: [f('AvailableDateList', { listOfScalar: 'dateTime' })] },
  GetAvaibleAppointmentsResult: { base: 'MethodResult', fields: [f('ListAppointments', { listOf: 'Appointment' })] },
  SetAppointmentResult: { base: 'MethodResult', fields: [f('Type', 'string')] },
  GetPatientHistoryResult: {
    base: 'MethodResult',
    fields: [f('ListHistoryRefusal', { listOf: 'HistoryVisit' }), f('ListHistoryVisit', { listOf: 'HistoryVisit' })],
  },
  GetWorkingTimeResult: { base: 'MethodResult', fields: [f('WorkingTimeList', { listOf: 'WorkingTime' })] },
  SendNotificationAboutAppointmentResult: { base: 'MethodResult', fields: [f('IdNotification', 'string')] },
  WaitingListRule: { fields: [f('End', 'dateTime', true), f('Start', 'dateTime', true)] },
  SetWaitingListResult: { base: 'MethodResult', fields: [f('GuidClaim', 'string')] },
};

/** Members of a contract in wire order, base class (MethodResult) first. */
export function fieldsOf(contract: HubContractName): readonly HubField[] {
  const def = hubContracts[contract];
  return def.base ? [...hubContracts[def.base].fields, ...def.fields] : def.fields;
}

export interface HubOperation {
  readonly name: string;
  /** Request wrapper children, in the order WCF declares them. All `minOccurs="0"`. */
  readonly params: readonly HubField[];
  /** Contract of `<Op>Result`; `MethodResult` when the operation answers with the envelope only. */
  readonly result: HubContractName;
}

const op = (name: string, params: readonly HubField[], result: HubContractName): HubOperation => ({ name, params, result });
const guid = f('guid', 'string');
const idHistory = f('idHistory', 'int', true);
const idLpu = f('idLpu', 'int');
const idPat = f('idPat', 'string');
const idDoc = f('idDoc', 'string');
const window = [f('visitStart', 'dateTime'), f('visitEnd', 'dateTime')];

/** Operations a MIS (and the hub, and the medbus facade) serves: `HubService` in hubservice.wsdl. */
export const hubOperations = [
  op('GetDistrictList', [guid, idHistory], 'GetDistrictListResult'),
  op('GetLPUList', [f('idDistrict', 'int', true), guid, idHistory], 'GetLPUListResult'),
  op('CheckPatient', [f('pat', { contract: 'Patient' }), idLpu, guid, idHistory], 'CheckPatientResult'),
  op('AddNewPatient', [f('patient', { contract: 'Patient' }), idLpu, f('approvedByTfoms', 'boolean', true), guid, idHistory], 'CheckPatientResult'),
  op('GetSpesialityList', [idLpu, idPat, guid, idHistory], 'GetSpesialityListResult'),
  op('GetDoctorList', [f('idSpesiality', 'string'), idLpu, idPat, guid, idHistory], 'GetDoctorListResult'),
  op('GetAvailableDates', [idDoc, idLpu, idPat, ...window, guid, idHistory], 'GetAvailableDatesResult'),
  op('GetAvaibleAppointments', [idDoc, idLpu, idPat, ...window, guid, idHistory], 'GetAvaibleAppointmentsResult'),
  op('GetWorkingTime', [idDoc, idLpu, ...window, guid, idHistory], 'GetWorkingTimeResult'),
  op(
    'SetAppointment',
    [
      f('idAppointment', 'string'),
      idLpu,
      idPat,
      f('doctorsReferral', 'string'),
      f('attachedReferral', 'string'),
      f('idAppointmentPrev', 'string'),
      guid,
      idHistory,
    ],
    'SetAppointmentResult',
  ),
  op('CreateClaimForRefusal', [idLpu, idPat, f('idAppointment', 'string'), guid, idHistory], 'MethodResult'),
  op('GetPatientHistory', [idLpu, idPat, guid, idHistory], 'GetPatientHistoryResult'),
] as const satisfies readonly HubOperation[];

/**
 * Operations the *subscriber* serves (the medbus adapter, the N3 hub): a MIS calls them to report
 * front-desk bookings and status changes. `HubServiceNotifications` in hubservice-notifications.wsdl;
 * same port type name and SOAPAction scheme as the main service.
 */
export const hubNotificationOperations = [
  op(
    'SendNotificationAboutAppointment',
    [
      f('doctor', { contract: 'Doctor' }),
      f('spesiality', { contract: 'Spesiality' }),
      idLpu,
      f('patient', { contract: 'Patient' }),
      f('appointment', { contract: 'Appointment' }),
      f('appointmentSource', 'int'),
      f('eventDatetime', 'dateTime'),
      guid,
      idHistory,
    ],
    'SendNotificationAboutAppointmentResult',
  ),
  op(
    'SendNotificationAboutAppointmentStatus',
    [idLpu, idPat, f('idAppointment', 'string'), f('status', 'int'), f('eventDatetime', 'dateTime'), guid, idHistory],
    'MethodResult',
  ),
] as const satisfies readonly HubOperation[];

const allOperations: readonly HubOperation[] = [...hubOperations, ...hubNotificationOperations];

/**
 * Operations only the hub serves (the N3 registry, the medbus facade), not a MIS: registering a
 * patient on the waiting list. `claim`: 1 no free slots, 2 no convenient time, 3 no specialist.
 */
export const hubWaitingListOperations = [
  op(
    'SetWaitingList',
    [
      idDoc,
      f('nameDoc', 'string'),
      f('idSpesiality', 'string'),
      f('nameSpesiality', 'string'),
      idLpu,
      f('rule', { contract: 'WaitingListRule' }),
      f('claim', 'int', true),
      idPat,
      f('namePat', 'string'),
      f('birthday', 'dateTime', true),
      f('phone', 'string'),
      guid,
      idHistory,
    ],
    'SetWaitingListResult',
  ),
] as const satisfies readonly HubOperation[];

/** What the hub facade serves: every MIS operation and the hub's own (`hubFacadeWsdl`). */
export const hubFacadeOperations = [...hubOperations, ...hubWaitingListOperations] as const satisfies readonly HubOperation[];

/** The descriptor of an operation the hub facade serves, or undefined. */
export function findFacadeOperation(name: string): HubOperation | undefined {
  return (hubFacadeOperations as readonly HubOperation[]).find((o) => o.name === name);
}

/** `claim` of SetWaitingList. */
export const WaitingListClaim = { noFreeSlots: 1, noConvenientTime: 2, noSpecialist: 3 } as const;
export type WaitingListClaim = (typeof WaitingListClaim)[keyof typeof WaitingListClaim];

/** The descriptor of an operation of either WSDL, or undefined for an unknown name. */
export function findOperation(name: string): HubOperation | undefined {
  return allOperations.find((o) => o.name === name);
}

/** Booking source (`appointmentSource`). */
export const AppointmentSource = { contactCentre: 1, kiosk: 2, frontDesk: 3, doctor: 4, internet: 5, other: 6 } as const;
export type AppointmentSource = (typeof AppointmentSource)[keyof typeof AppointmentSource];

/** Booking status (`status` of SendNotificationAboutAppointmentStatus). */
export const AppointmentStatus = {
  cancelledByClinic: 1,
  cancelledByPatient: 2,
  rescheduled: 3,
  visited: 4,
  noShow: 5,
} as const;
export type AppointmentStatus = (typeof AppointmentStatus)[keyof typeof AppointmentStatus];
