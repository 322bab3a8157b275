/**
 * The region's federal service (ErWebService) as the federal concentrator calls it: SOAP 1.1
 * document/literal in namespace http://www.rt-eu.ru/med/er/v2_0 (.medbus/briefs/er-contract.md).
 * Every element of every message is described once here; the WSDL, the request decoder and the
 * response encoder are all derived from these descriptions, so they cannot disagree.
 */

export const ErNamespace = 'http://www.rt-eu.ru/med/er/v2_0';
export const erServicePath = '/er/v2_0/ErWebService';

export const ErOperation = {
  GetMOInfoExtended: 'GetMOInfoExtended',
  GetServicePostSpecsInfo: 'GetServicePostSpecsInfo',
  GetMOResourceInfo: 'GetMOResourceInfo',
  GetScheduleInfo: 'GetScheduleInfo',
  GetPatientInfo: 'GetPatientInfo',
  CreateAppointment: 'CreateAppointment',
  CancelAppointment: 'CancelAppointment',
} as const;
export type ErOperation = (typeof ErOperation)[keyof typeof ErOperation];

export const erOperations = Object.values(ErOperation);

export function erSoapActionOf(operation: ErOperation): string {
  return `${ErNamespace}/${operation}`;
}

export const StatusCode = {
  SUCCESS: 'SUCCESS',
  /** Unknown MO, resource, slot or booking. */
  NOT_FOUND: 'NOT_FOUND',
  PATIENT_NOT_FOUND: 'PATIENT_NOT_FOUND',
  /** Taken or held. */
  SLOT_BUSY: 'SLOT_BUSY',
  /** Closed to the federal channel, in the past, or removed. */
  SLOT_NOT_AVAILABLE: 'SLOT_NOT_AVAILABLE',
  /** The clinic's rules or MIS refused (age, sex, attachment...). */
  REFUSED_BY_MIS: 'REFUSED_BY_MIS',
  /** The clinic's MIS or medbus could not answer in time: try again later. */
  MIS_UNAVAILABLE: 'MIS_UNAVAILABLE',
  /** Comment names the field. */
  INVALID_REQUEST: 'INVALID_REQUEST',
} as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

/**
 * A simple type: its XSD restriction and the same rule for the decoder. `xsdPattern` is XSD's regular
 * expression syntax (implicitly anchored); `pattern` the decoder's equivalent.
 */
export interface ErSimpleType {
  readonly name: string;
  readonly base: 'xs:string' | 'xs:date' | 'xs:dateTime';
  readonly pattern?: RegExp;
  readonly xsdPattern?: string;
  readonly maxLength?: number;
  readonly values?: readonly string[];
}

const simple = <T extends ErSimpleType>(type: T): T => type;

export const ErType = {
  sessionId: simple({ name: 'SessionId', base: 'xs:string', pattern: /^[A-Za-z0-9._-]{1,64}$/, xsdPattern: '[A-Za-z0-9._\\-]{1,64}' }),
  oid: simple({ name: 'Oid', base: 'xs:string', pattern: /^[0-9A-Za-z._-]{1,200}$/, xsdPattern: '[0-9A-Za-z._\\-]{1,200}' }),
  /** A medbus id (`<oid>:<local id>`, a UUID): any text without control characters, bounded. */
  id: simple({ name: 'Id', base: 'xs:string', pattern: /^\P{Cc}{1,300}$/u, maxLength: 300 }),
  code: simple({ name: 'Code', base: 'xs:string', pattern: /^\P{Cc}{1,100}$/u, maxLength: 100 }),
  omsNumber: simple({ name: 'OmsNumber', base: 'xs:string', pattern: /^\d{16}$/, xsdPattern: '\\d{16}' }),
  snils: simple({ name: 'Snils', base: 'xs:string', pattern: /^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$/, xsdPattern: '\\d{3}-?\\d{3}-?\\d{3}[ \\-]?\\d{2}' }),
  name: simple({ name: 'PersonName', base: 'xs:string', pattern: /^\P{Cc}{1,100}$/u, maxLength: 100 }),
  date: simple({ name: 'date', base: 'xs:date', pattern: /^\d{4}-\d{2}-\d{2}$/ }),
  text: simple({ name: 'string', base: 'xs:string' }),
  dateTime: simple({ name: 'dateTime', base: 'xs:dateTime' }),
  statusCode: simple({ name: 'StatusCode', base: 'xs:string', values: Object.values(StatusCode) }),
} as const;

/** An element: a simple value, or a sequence of child elements. */
export interface ErElement {
  readonly name: string;
  readonly type: ErSimpleType | readonly ErElement[];
  readonly optional?: boolean;
  readonly repeated?: boolean;
}

const el = (name: string, type: ErElement['type'], more: Partial<Pick<ErElement, 'optional' | 'repeated'>> = {}): ErElement => ({ name, type, ...more });
const opt = (name: string, type: ErElement['type']): ErElement => el(name, type, { optional: true });
const list = (name: string, type: ErElement['type']): ErElement => el(name, type, { optional: true, repeated: true });

const status = el('Status_Code', ErType.statusCode);
/** The medbus error code and a short reason when Status_Code is not SUCCESS; never patient data. */
const comment = opt('Comment', ErType.text);

/** Request and response elements of each operation, in wire order. */
export const erMessages = {
  GetMOInfoExtended: {
    request: [el('Session_ID', ErType.sessionId), opt('MO_OID', ErType.oid)],
    response: [
      status,
      opt('MO_List', [
        list('MO', [
          el('MO_OID', ErType.text),
          el('MO_Name', ErType.text),
          el('MO_Short_Name', ErType.text),
          opt('Address', ErType.text),
          el('District_Code', ErType.text),
          el('District_Name', ErType.text),
        ]),
      ]),
      comment,
    ],
  },
  GetServicePostSpecsInfo: {
    request: [el('Session_ID', ErType.sessionId), el('MO_OID', ErType.oid)],
    response: [
      status,
      opt('Service_Post_Specs', [list('Item', [el('Spec_Code', ErType.text), el('Spec_Name', ErType.text), opt('Post_Code', ErType.text), opt('Post_Name', ErType.text)])]),
      comment,
    ],
  },
  GetMOResourceInfo: {
    request: [el('Session_ID', ErType.sessionId), el('MO_OID', ErType.oid), opt('Spec_Code', ErType.code), opt('Post_Code', ErType.code)],
    response: [
      status,
      opt('Resources', [
        list('Resource', [
          el('Resource_Id', ErType.text),
          el('Doctor_SNILS', ErType.text),
          el('Doctor_Name', ErType.text),
          el('Spec_Code', ErType.text),
          opt('Post_Code', ErType.text),
          opt('Room', ErType.text),
          opt('Department_OID', ErType.text),
        ]),
      ]),
      comment,
    ],
  },
  GetScheduleInfo: {
    request: [el('Session_ID', ErType.sessionId), el('MO_OID', ErType.oid), el('Resource_Id', ErType.id), el('Start_Date', ErType.date), el('End_Date', ErType.date)],
    response: [
      status,
      opt('Slots', [list('Slot', [el('Slot_Id', ErType.text), el('Visit_Time', ErType.dateTime), el('Visit_End', ErType.dateTime), opt('Room', ErType.text)])]),
      comment,
    ],
  },
  GetPatientInfo: {
    request: [
      el('Session_ID', ErType.sessionId),
      el('MO_OID', ErType.oid),
      el('Patient', [
        opt('OMS_Number', ErType.omsNumber),
        opt('SNILS', ErType.snils),
        opt('Last_Name', ErType.name),
        opt('First_Name', ErType.name),
        opt('Middle_Name', ErType.name),
        opt('Birth_Date', ErType.date),
      ]),
    ],
    response: [status, opt('Patient_Id', ErType.text), comment],
  },
  CreateAppointment: {
    request: [el('Session_ID', ErType.sessionId), el('MO_OID', ErType.oid), el('Slot_Id', ErType.id), el('Patient_Id', ErType.id)],
    response: [status, opt('Book_Id_Mis', ErType.text), opt('Visit_Time', ErType.dateTime), opt('Room', ErType.text), el('Slot_Id', ErType.text), comment],
  },
  CancelAppointment: {
    request: [el('Session_ID', ErType.sessionId), el('MO_OID', ErType.oid), el('Book_Id_Mis', ErType.id)],
    response: [status, comment],
  },
} as const satisfies Record<ErOperation, { request: readonly ErElement[]; response: readonly ErElement[] }>;

// ---- the messages as TypeScript reads them (kept equal to the descriptions by the codec spec) ----

export interface ErPatient {
  readonly OMS_Number?: string;
  readonly SNILS?: string;
  readonly Last_Name?: string;
  readonly First_Name?: string;
  readonly Middle_Name?: string;
  readonly Birth_Date?: string;
}

export interface ErRequests {
  readonly GetMOInfoExtended: { readonly Session_ID: string; readonly MO_OID?: string };
  readonly GetServicePostSpecsInfo: { readonly Session_ID: string; readonly MO_OID: string };
  readonly GetMOResourceInfo: { readonly Session_ID: string; readonly MO_OID: string; readonly Spec_Code?: string; readonly Post_Code?: string };
  readonly GetScheduleInfo: { readonly Session_ID: string; readonly MO_OID: string; readonly Resource_Id: string; readonly Start_Date: string; readonly End_Date: string };
  readonly GetPatientInfo: { readonly Session_ID: string; readonly MO_OID: string; readonly Patient: ErPatient };
  readonly CreateAppointment: { readonly Session_ID: string; readonly MO_OID: string; readonly Slot_Id: string; readonly Patient_Id: string };
  readonly CancelAppointment: { readonly Session_ID: string; readonly MO_OID: string; readonly Book_Id_Mis: string };
}

interface Outcome {
  readonly Status_Code: StatusCode;
  readonly Comment?: string;
}

export interface ErMo {
  readonly MO_OID: string;
  readonly MO_Name: string;
  readonly MO_Short_Name: string;
  readonly Address?: string;
  readonly District_Code: string;
  readonly District_Name: string;
}

export interface ErSpecItem {
  readonly Spec_Code: string;
  readonly Spec_Name: string;
  readonly Post_Code?: string;
  readonly Post_Name?: string;
}

export interface ErResource {
  readonly Resource_Id: string;
  readonly Doctor_SNILS: string;
  readonly Doctor_Name: string;
  readonly Spec_Code: string;
  readonly Post_Code?: string;
  readonly Room?: string;
  readonly Department_OID?: string;
}

export interface ErSlot {
  readonly Slot_Id: string;
  readonly Visit_Time: string;
  readonly Visit_End: string;
  readonly Room?: string;
}

export interface ErResponses {
  readonly GetMOInfoExtended: Outcome & { readonly MO_List?: { readonly MO: readonly ErMo[] } };
  readonly GetServicePostSpecsInfo: Outcome & { readonly Service_Post_Specs?: { readonly Item: readonly ErSpecItem[] } };
  readonly GetMOResourceInfo: Outcome & { readonly Resources?: { readonly Resource: readonly ErResource[] } };
  readonly GetScheduleInfo: Outcome & { readonly Slots?: { readonly Slot: readonly ErSlot[] } };
  readonly GetPatientInfo: Outcome & { readonly Patient_Id?: string };
  readonly CreateAppointment: Outcome & { readonly Book_Id_Mis?: string; readonly Visit_Time?: string; readonly Room?: string; readonly Slot_Id: string };
  readonly CancelAppointment: Outcome;
}

/** A decoded request: which operation and its parameters. */
export type ErRequest = { [K in ErOperation]: { readonly operation: K; readonly params: ErRequests[K] } }[ErOperation];

/** A response to encode: which operation and its result. */
export type ErResponse = { [K in ErOperation]: { readonly operation: K; readonly result: ErResponses[K] } }[ErOperation];
