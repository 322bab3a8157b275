/**
 * The federal registry's (ФЭР) push API as TypeScript: the messages of `fer-registry.wsdl.ts`,
 * field for field, in wire order. SOAP 1.1 document/literal; every element is qualified in
 * {@link FerNamespace}. Optional fields (`?`) are `minOccurs="0"` on the wire.
 *
 * Repeated elements (`Location`, `Slot`, `Result`, `Location_Id`, `Slot_Id`, `Channel`) are written
 * as siblings without a wrapper (except `Channels`). A client that parses answers itself should
 * read one such element as a list of one ({@link ferList} does that).
 */

/** Target namespace of the contract (prefix `fer`). */
export const FerNamespace = 'http://www.rt-eu.ru/med/er/fer-registry/v1';

/** The endpoint path the federal side serves the API on; the WSDL is at `<path>?wsdl`. */
export const ferRegistryPath = '/fer/RegistryService';

export const FerOperation = {
  OpenSession: 'OpenSession',
  CloseSession: 'CloseSession',
  UpdateLocations: 'UpdateLocations',
  RemoveLocations: 'RemoveLocations',
  UpdateSlots: 'UpdateSlots',
  RemoveSlots: 'RemoveSlots',
  GetLocations: 'GetLocations',
  GetSlots: 'GetSlots',
  UpdateAppointmentStatus: 'UpdateAppointmentStatus',
} as const;
export type FerOperation = (typeof FerOperation)[keyof typeof FerOperation];

/** Every operation, in the order the WSDL lists them. */
export const ferOperations: readonly FerOperation[] = Object.values(FerOperation);

/** `SOAPAction` of an operation: `http://www.rt-eu.ru/med/er/fer-registry/v1/<Operation>`. */
export function ferSoapActionOf(operation: FerOperation): string {
  return `${FerNamespace}/${operation}`;
}

/** Limits the federal side applies unless configured otherwise. */
export const FerLimits = {
  /** Items in one UpdateLocations / RemoveLocations / UpdateSlots / RemoveSlots call. */
  maxBatch: 500,
  /** `Page_Size` of GetLocations / GetSlots. */
  maxPageSize: 1000,
  /** Calls per second per login. */
  ratePerSecond: 20,
  /** Items per login per day (UTC day). */
  dailyQuota: 5_000_000,
  /** Session lifetime. */
  sessionTtlSeconds: 30 * 60,
} as const;

/** Who may book a location's slots (per-channel permissions of the 2012–2015 push model). */
export const FerChannel = {
  FrontDesk: 'FRONT_DESK',
  FederalPortal: 'FEDERAL_PORTAL',
  ContactCentre: 'CONTACT_CENTRE',
  Portal: 'PORTAL',
  Kiosk: 'KIOSK',
} as const;
export type FerChannel = (typeof FerChannel)[keyof typeof FerChannel];

export const FerSlotStatus = { Free: 'FREE', Busy: 'BUSY' } as const;
export type FerSlotStatus = (typeof FerSlotStatus)[keyof typeof FerSlotStatus];

export const FerAppointmentStatus = { Booked: 'BOOKED', Cancelled: 'CANCELLED' } as const;
export type FerAppointmentStatus = (typeof FerAppointmentStatus)[keyof typeof FerAppointmentStatus];

/** Outcome of one item: a key with a version not greater than the held one is UNCHANGED (idempotent). */
export const FerResultStatus = { Accepted: 'ACCEPTED', Unchanged: 'UNCHANGED', Rejected: 'REJECTED' } as const;
export type FerResultStatus = (typeof FerResultStatus)[keyof typeof FerResultStatus];

/** Why an item was REJECTED. */
export const FerReasonCode = {
  /** MO_OID is not in the ФРМО register the federal side knows. */
  UnknownMo: 'UNKNOWN_MO',
  /** Doctor_SNILS missing, not 11 digits, or its check number is wrong. */
  InvalidSnils: 'INVALID_SNILS',
  /** Specialty_Code not in NSI 1.2.643.5.1.13.13.11.1066. */
  UnknownSpecialty: 'UNKNOWN_SPECIALTY',
  /** Position_Code not in NSI 1.2.643.5.1.13.13.11.1002. */
  UnknownPosition: 'UNKNOWN_POSITION',
  /** A slot of a location the federal side does not hold (or a removal of an unknown key). */
  UnknownLocation: 'UNKNOWN_LOCATION',
  /** Visit_End not after Visit_Start. */
  InvalidTime: 'INVALID_TIME',
  /** Anything else; `Reason` names the field. */
  InvalidField: 'INVALID_FIELD',
} as const;
export type FerReasonCode = (typeof FerReasonCode)[keyof typeof FerReasonCode];

/** Codes of whole-call failures: a SOAP 1.1 Fault (HTTP 500) with a `fer:Fault` in its detail. */
export const FerFaultCode = {
  /** Unknown or expired Session_ID: open a new session. */
  SessionInvalid: 'SESSION_INVALID',
  /** OpenSession with a wrong login or password. */
  AuthFailed: 'AUTH_FAILED',
  /** Too many calls per second for the login; wait Retry_After_Seconds. */
  RateLimited: 'RATE_LIMITED',
  /** The login's daily object quota is spent; Retry_After_Seconds until it resets. */
  QuotaExceeded: 'QUOTA_EXCEEDED',
  /** More than Max_Batch items in one call. */
  BatchTooLarge: 'BATCH_TOO_LARGE',
  /** Not SOAP, not this contract, or a required element missing. */
  MalformedRequest: 'MALFORMED_REQUEST',
  /** The federal side failed while handling the call; try again later. */
  InternalError: 'INTERNAL_ERROR',
} as const;
export type FerFaultCode = (typeof FerFaultCode)[keyof typeof FerFaultCode];

/** `<detail><fer:Fault>` of a SOAP Fault. */
export interface FerFault {
  Code: FerFaultCode;
  Message: string;
  Retry_After_Seconds?: number;
}

/** A location (queue): one per bookable resource (doctor, room, service). */
export interface FerLocation {
  /** medbus resource id `<oid>:<localId>`. */
  Location_Id: string;
  MO_OID: string;
  Department_OID?: string;
  /** 11 digits, no separators, with a correct check number. */
  Doctor_SNILS: string;
  Doctor_Name: string;
  /** NSI 1.2.643.5.1.13.13.11.1066. */
  Specialty_Code: string;
  /** NSI 1.2.643.5.1.13.13.11.1002. */
  Position_Code?: string;
  Room?: string;
  /** Who may book this location's slots: the union of the channels of its future slots at the region (a location whose slots are all closed to the federal portal is listed without FEDERAL_PORTAL, and none of its slots is sent). */
  Channels: { Channel: FerChannel[] };
  /** xs:long; a greater version replaces the held one. */
  Version: number;
}

export interface FerSlot {
  /** medbus slot id `<oid>:<localSlotId>`. */
  Slot_Id: string;
  Location_Id: string;
  MO_OID: string;
  /** xs:dateTime with offset, e.g. `2026-03-02T08:00:00+03:00`. */
  Visit_Start: string;
  Visit_End: string;
  Room?: string;
  Status: FerSlotStatus;
  Version: number;
}

export interface FerResult {
  /** The Location_Id, Slot_Id or Book_Id_Mis the result is about. */
  Key: string;
  Status: FerResultStatus;
  Reason_Code?: FerReasonCode;
  /** A short text; names the field for INVALID_FIELD. */
  Reason?: string;
}

export interface FerOpenSessionRequest {
  Login: string;
  Password: string;
}
export interface FerOpenSessionResponse {
  Session_ID: string;
  /** xs:dateTime. */
  Expires_At: string;
}

export interface FerCloseSessionRequest {
  Session_ID: string;
}
export type FerCloseSessionResponse = Record<string, never>;

export interface FerUpdateLocationsRequest {
  Session_ID: string;
  /** 1..Max_Batch. */
  Location: FerLocation[];
}
export interface FerRemoveLocationsRequest {
  Session_ID: string;
  /** 1..Max_Batch; removing a location removes its slots. */
  Location_Id: string[];
}
export interface FerUpdateSlotsRequest {
  Session_ID: string;
  /** 1..Max_Batch. */
  Slot: FerSlot[];
}
export interface FerRemoveSlotsRequest {
  Session_ID: string;
  /** 1..Max_Batch. */
  Slot_Id: string[];
}
/** Answer of UpdateLocations, RemoveLocations, UpdateSlots and RemoveSlots: one Result per item, in order. */
export interface FerBatchResponse {
  Result: FerResult[];
}

export interface FerGetLocationsRequest {
  Session_ID: string;
  MO_OID: string;
  /** From 1. */
  Page: number;
  /** 1..1000. */
  Page_Size: number;
}
export interface FerGetLocationsResponse {
  Location: FerLocation[];
  /** Locations of the MO in all pages. */
  Total: number;
}

export interface FerGetSlotsRequest {
  Session_ID: string;
  MO_OID: string;
  Location_Id?: string;
  Page: number;
  Page_Size: number;
}
export interface FerGetSlotsResponse {
  Slot: FerSlot[];
  Total: number;
}

export interface FerUpdateAppointmentStatusRequest {
  Session_ID: string;
  Book_Id_Mis: string;
  Slot_Id: string;
  MO_OID: string;
  Status: FerAppointmentStatus;
  Version: number;
}
export interface FerUpdateAppointmentStatusResponse {
  Result: FerResult;
}

/** Request body of each operation. */
export interface FerRequests {
  OpenSession: FerOpenSessionRequest;
  CloseSession: FerCloseSessionRequest;
  UpdateLocations: FerUpdateLocationsRequest;
  RemoveLocations: FerRemoveLocationsRequest;
  UpdateSlots: FerUpdateSlotsRequest;
  RemoveSlots: FerRemoveSlotsRequest;
  GetLocations: FerGetLocationsRequest;
  GetSlots: FerGetSlotsRequest;
  UpdateAppointmentStatus: FerUpdateAppointmentStatusRequest;
}

/** Response body (`<Operation>Response`) of each operation. */
export interface FerResponses {
  OpenSession: FerOpenSessionResponse;
  CloseSession: FerCloseSessionResponse;
  UpdateLocations: FerBatchResponse;
  RemoveLocations: FerBatchResponse;
  UpdateSlots: FerBatchResponse;
  RemoveSlots: FerBatchResponse;
  GetLocations: FerGetLocationsResponse;
  GetSlots: FerGetSlotsResponse;
  UpdateAppointmentStatus: FerUpdateAppointmentStatusResponse;
}

/** A repeated element as parsed from XML (absent, one, or many) as a list. */
export function ferList<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
