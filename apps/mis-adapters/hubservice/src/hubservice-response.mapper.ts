import { z } from 'zod';

/**
 * zod schemas of the HubService results the adapter reads, applied to what `soap` parsed. The
 * soap client is told to leave every scalar as text (see hubservice.client.ts), so types are
 * checked here, strictly: `12abc` is not an int and `2026-11-24T08:20:00+03:00` is not a
 * clinic-local date-time. Lists arrive as `{ <Item>: item | item[] }`, absent or nil ones as
 * null or an empty string.
 */
const nil = (value: unknown): boolean =>
  value === null || value === undefined || value === '' || (typeof value === 'object' && value !== null && Object.keys(value).length === 0);

const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (nil(v) ? undefined : v), schema.optional());

const text = z.union([z.string(), z.number()]).transform(String);
const int = z
  .union([z.number().int(), z.string().trim().regex(/^-?\d{1,15}$/, 'must be an int')])
  .transform(Number)
  .pipe(z.number().int().safe());
const double = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/)]).transform(Number);
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])]).transform((v) => v === true || v === 'true' || v === '1');
/** Clinic-local `xs:dateTime` without an offset. */
const localDateTime = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$/, 'must be a local date-time without offset');

function list<T extends z.ZodTypeAny>(itemKey: string, item: T) {
  return z.preprocess((value) => {
    if (nil(value)) return [];
    const inner = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[itemKey] : value;
    if (nil(inner)) return [];
    return Array.isArray(inner) ? inner : [inner];
  }, z.array(item).max(100_000));
}

const errorSchema = z.object({ IdError: int, ErrorDescription: optional(text) });
const methodResult = {
  Success: bool,
  ErrorList: list('Error', errorSchema),
  IdHistory: optional(int),
};

export const districtSchema = z.object({ IdDistrict: int, DistrictName: optional(text), Okato: optional(double) });
export const clinicSchema = z.object({
  IdLPU: int,
  IsActive: bool,
  LPUFullName: optional(text),
  LPUShortName: optional(text),
  LPUType: optional(int),
  District: optional(int),
  Oid: optional(text),
  Description: optional(text),
  PartOf: optional(int),
});
export const spesialitySchema = z.object({
  IdSpesiality: text,
  NameSpesiality: optional(text),
  FerIdSpesiality: optional(text),
  CountFreeTicket: optional(int),
  CountFreeParticipantIE: optional(int),
  NearestDate: optional(localDateTime),
  LastDate: optional(localDateTime),
});
export const doctorSchema = z.object({
  IdDoc: text,
  Name: optional(text),
  AriaNumber: optional(text),
  Comment: optional(text),
  CountFreeTicket: optional(int),
  CountFreeParticipantIE: optional(int),
  NearestDate: optional(localDateTime),
  LastDate: optional(localDateTime),
  Snils: optional(text),
});
export const appointmentSchema = z.object({
  IdAppointment: text,
  VisitStart: localDateTime,
  VisitEnd: localDateTime,
  Room: optional(text),
  Address: optional(text),
  Num: optional(int),
  Version: optional(int),
});

export const historyVisitSchema = z.object({
  IdAppointment: optional(text),
  VisitStart: optional(localDateTime),
});

export type HubDistrict = z.output<typeof districtSchema>;
export type HubClinic = z.output<typeof clinicSchema>;
export type HubSpesiality = z.output<typeof spesialitySchema>;
export type HubDoctor = z.output<typeof doctorSchema>;
export type HubAppointment = z.output<typeof appointmentSchema>;

/** Result schema per operation the adapter calls. */
export const resultSchemas = {
  GetDistrictList: z.object({ ...methodResult, Districts: list('District', districtSchema) }),
  GetLPUList: z.object({ ...methodResult, ListLPU: list('Clinic', clinicSchema) }),
  GetSpesialityList: z.object({ ...methodResult, ListSpesiality: list('Spesiality', spesialitySchema) }),
  GetDoctorList: z.object({ ...methodResult, Docs: list('Doctor', doctorSchema) }),
  GetAvailableDates: z.object({ ...methodResult, AvailableDateList: list('dateTime', localDateTime) }),
  GetAvaibleAppointments: z.object({ ...methodResult, ListAppointments: list('Appointment', appointmentSchema) }),
} as const;

export type HubReadOperation = keyof typeof resultSchemas;
export type HubReadResult<O extends HubReadOperation> = z.output<(typeof resultSchemas)[O]>;

/**
 * Result schemas of the operations the adapter sends one at a time and whose refusals (`Success`
 * false with an IdError) are answers, not failures: patients, booking, cancelling, history.
 */
export const sendSchemas = {
  CheckPatient: z.object({ ...methodResult, IdPat: optional(text) }),
  AddNewPatient: z.object({ ...methodResult, IdPat: optional(text) }),
  SetAppointment: z.object({ ...methodResult, Type: optional(text) }),
  CreateClaimForRefusal: z.object(methodResult),
  GetPatientHistory: z.object({
    ...methodResult,
    ListHistoryVisit: list('HistoryVisit', historyVisitSchema),
    ListHistoryRefusal: list('HistoryVisit', historyVisitSchema),
  }),
} as const;

export type HubSendOperation = keyof typeof sendSchemas;

/**
 * The elements whose values the raw archive keeps of each patient operation's answer: what the
 * mapping of that answer reads, minus free text (an MIS may echo the patient in ErrorDescription).
 * Everything else is redacted before it is written (decision record 0014).
 */
export const archivedPatientElements = {
  CheckPatient: ['Success', 'IdError', 'IdHistory', 'IdPat'],
  AddNewPatient: ['Success', 'IdError', 'IdHistory', 'IdPat'],
  SetAppointment: ['Success', 'IdError', 'IdHistory', 'Type'],
  CreateClaimForRefusal: ['Success', 'IdError', 'IdHistory'],
  GetPatientHistory: ['Success', 'IdError', 'IdHistory', 'IdAppointment', 'VisitStart'],
} as const satisfies Record<HubSendOperation, readonly string[]>;
export type HubSendResult<O extends HubSendOperation> = z.output<(typeof sendSchemas)[O]>;
