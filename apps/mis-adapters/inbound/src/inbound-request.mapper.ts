import { z } from 'zod';
import { BookingChannel } from '@medbus/contracts';

/**
 * The inbound API's bodies and queries (README, `GET /inbound/v1/openapi.json`): what a home-grown MIS
 * pushes and answers. The OpenAPI document is generated from these schemas.
 */

const channels = Object.values(BookingChannel) as [BookingChannel, ...BookingChannel[]];

/** Ids the MIS gives its doctors and slots: they go into URLs and medbus ids, so unreserved URL characters only. */
export const localIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._~-]{1,100}$/, 'must be 1 to 100 letters, digits, dots, dashes, underscores or tildes')
  .describe('The MIS’s own id, unique within the organisation');

export const organisationOidSchema = z
  .string()
  .max(100)
  .regex(/^\d+(\.\d+)+$/, 'must be an OID such as 1.2.643.5.1.13.13.12.2.23.1037')
  .describe('ФРМО OID of the organisation');

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isCalendarDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

export const organisationBodySchema = z
  .object({
    fullName: text(500).describe('Full official name'),
    shortName: text(200).optional().describe('Name shown in lists; the full name when absent'),
    district: z
      .object({ id: text(50).describe('Code of the region’s district'), name: text(200).describe('Name of the district') })
      .strict(),
    address: z.string().trim().max(500).nullable().optional().describe('Postal address as one line'),
    timeZone: z
      .string()
      .max(64)
      .refine(isTimeZone, 'must be an IANA time zone such as Europe/Moscow')
      .describe('IANA zone of the clinic: every local time the MIS sends is read in it'),
    active: z.boolean().describe('Whether the organisation accepts bookings through medbus'),
  })
  .strict()
  .describe('An organisation as the MIS describes it');

const codingSchema = z
  .object({
    localCode: text(100).describe('The MIS’s own code'),
    nsiCode: z.string().regex(/^\d{1,10}$/, 'must be an NSI code (digits)').nullable().optional().describe('The NSI code when the MIS knows it; the region’s code map wins'),
    display: text(300).describe('The MIS’s name of the value'),
  })
  .strict();

const patientRulesSchema = z
  .object({
    sex: z.enum(['MALE', 'FEMALE']).nullable().default(null).describe('Only patients of this sex; null: any'),
    minAgeYears: z.number().int().min(0).max(150).nullable().default(null).describe('Youngest age in full years at the visit'),
    maxAgeYears: z.number().int().min(0).max(150).nullable().default(null).describe('Oldest age in full years at the visit'),
    attachmentRequired: z.boolean().default(false).describe('Only patients attached to the organisation'),
  })
  .strict()
  .refine((r) => r.minAgeYears === null || r.maxAgeYears === null || r.minAgeYears <= r.maxAgeYears, { message: 'minAgeYears must not exceed maxAgeYears', path: ['minAgeYears'] })
  .describe('Who may be booked, as the MIS says; absent: the region’s rules for the specialty');

export const resourceBodySchema = z
  .object({
    localId: localIdSchema,
    name: text(300).describe('Name shown to patients and operators, e.g. Иванова А. П.'),
    specialty: codingSchema.describe('Specialty; NSI dictionary 1.2.643.5.1.13.13.11.1066'),
    position: codingSchema.optional().describe('Position; NSI dictionary 1.2.643.5.1.13.13.11.1002'),
    snils: z
      .string()
      .regex(/^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$/, 'must be a SNILS (11 digits)')
      .optional()
      .describe('The practitioner’s SNILS; one with a wrong check number is published as none and reported'),
    department: z
      .object({ oid: organisationOidSchema.optional(), name: text(300) })
      .strict()
      .optional()
      .describe('Structural department'),
    room: text(50).optional().describe('Room where the resource usually receives'),
    active: z.boolean().default(true).describe('Whether the resource can be booked at all'),
    patientRules: patientRulesSchema.optional(),
  })
  .strict();

/** A listing's items with the same id: the second one's path is named. */
function refuseDuplicates<T extends { localId: string }>(field: string) {
  return (items: readonly T[], ctx: z.RefinementCtx) => {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const first = seen.get(item.localId);
      if (first !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [index, 'localId'], message: `repeats the localId of ${field}[${first}]` });
      else seen.set(item.localId, index);
    });
  };
}

export const resourcesBodySchema = z
  .object({
    resources: z
      .array(resourceBodySchema)
      .max(5000)
      .superRefine(refuseDuplicates('resources'))
      .describe('Every resource of the organisation: one not listed is gone, with its slots'),
  })
  .strict();

export const localDateTimeSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'must be a clinic-local time YYYY-MM-DDTHH:MM');

export const slotBodySchema = z
  .object({
    localId: localIdSchema,
    start: localDateTimeSchema.describe('Clinic-local start, in the organisation’s zone'),
    end: localDateTimeSchema.describe('Clinic-local end, after the start'),
    status: z.enum(['FREE', 'BOOKED', 'BLOCKED']),
    room: text(50).optional().describe('Room of this visit when it differs from the resource’s'),
    channels: z
      .array(z.enum(channels))
      .max(channels.length)
      .optional()
      .describe('Channels that may book the slot, within those the region allows; absent: all the region allows'),
  })
  .strict();

export const slotsBodySchema = z
  .object({
    slots: z
      .array(slotBodySchema)
      .max(20_000)
      .superRefine(refuseDuplicates('slots'))
      .describe('Every slot of the resource whose start falls in the range: one not listed is gone'),
  })
  .strict();

const calendarDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD').refine(isCalendarDate, 'must be a calendar date');

/** Longest range one slot push may state, in days. */
export const maxRangeDays = 92;

export const slotRangeQuerySchema = z
  .object({
    from: calendarDateSchema.describe('First clinic-local day of the range'),
    to: calendarDateSchema.describe('Last clinic-local day of the range (inclusive)'),
  })
  .strict()
  .refine((r) => r.to >= r.from, { message: 'must not be before from', path: ['to'] })
  .refine((r) => Date.parse(r.to) - Date.parse(r.from) < maxRangeDays * 86_400_000, { message: `the range may span at most ${maxRangeDays} days`, path: ['to'] });

export const commandsQuerySchema = z
  .object({
    organisationOid: organisationOidSchema.optional().describe('Only this organisation’s orders; absent: every organisation of the adapter'),
    wait: z
      .string()
      .regex(/^\d{1,2}$/, 'must be whole seconds, 0 to 25')
      .transform(Number)
      .refine((n) => n <= 25, 'must be whole seconds, 0 to 25')
      .optional()
      .describe('Seconds to wait for an order when none is pending (long poll), at most 25; absent: 0'),
  })
  .strict();

export const commandOutcomeBodySchema = z
  .object({
    outcome: z.enum(['done', 'refused']),
    misAppointmentId: text(200).optional().describe('A booking done: the MIS’s id of the appointment; absent: the slot’s localId'),
    code: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores')
      .optional()
      .describe('A refusal: one of the documented codes (SLOT_TAKEN...) or the MIS’s own'),
    message: z.string().max(500).optional().describe('A refusal: the MIS’s words, without patient data'),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.outcome === 'refused' && body.code === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['code'], message: 'a refusal needs its code' });
    if (body.outcome === 'done' && body.code !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['code'], message: 'only a refusal has a code' });
  });

export const commandSchema = z.object({
  commandId: z.string().uuid().describe('Unique id of the order: carry out an id once, answer every repeat the same'),
  kind: z.enum(['BookSlot', 'CancelAppointment']),
  organisationOid: organisationOidSchema,
  localResourceId: z.string().nullable().describe('BookSlot: the resource'),
  localSlotId: z.string().nullable().describe('BookSlot: the slot to book; CancelAppointment: the slot booked, when medbus knows it'),
  misPatientId: z.string().describe('The MIS’s id of the patient'),
  misAppointmentId: z.string().nullable().describe('CancelAppointment: the appointment to cancel'),
  replacesMisAppointmentId: z.string().nullable().describe('BookSlot as a reschedule: the appointment the new one replaces'),
  deadline: z.string().datetime().describe('After this instant the order is void: do not carry it out, nor answer it'),
  deliveries: z.number().int().describe('How many times the order has been listed (more than 1: it may have been seen before)'),
});

export const commandsResponseSchema = z.object({ commands: z.array(commandSchema) });

export const dataQualityIssueSchema = z.object({
  kind: z.enum(['unmapped_code', 'missing_field', 'invalid_value', 'out_of_scope']),
  entity: z.string(),
  field: z.string().optional(),
  dictionary: z.string().optional(),
  misCode: z.string().optional(),
});

export const publishedResponseSchema = z.object({
  published: z.number().int().describe('Events published: 0 when nothing changed since the last push'),
  issues: z.array(dataQualityIssueSchema).describe('What was published around (an unmapped code, an invalid SNILS), never a value'),
});

export const outcomeResponseSchema = z.object({ commandId: z.string().uuid(), outcome: z.enum(['done', 'refused']) });

export const errorResponseSchema = z.object({
  code: z.string().describe('Stable code (README: Codes)'),
  message: z.string(),
  fields: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe('Each field refused and why (never its value)'),
});

export type OrganisationBody = z.output<typeof organisationBodySchema>;
export type ResourceBody = z.output<typeof resourceBodySchema>;
export type SlotBody = z.output<typeof slotBodySchema>;
export type SlotRange = z.output<typeof slotRangeQuerySchema>;
export type CommandOutcomeBody = z.output<typeof commandOutcomeBodySchema>;
export type CommandItem = z.output<typeof commandSchema>;

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** A zod refusal as field errors: each field's path and rule, never the value given (it may be personal). */
export function fieldErrorsOf(error: z.ZodError): FieldError[] {
  return error.issues.slice(0, 50).map((issue) => ({
    path: issue.path.join('.') || '(body)',
    message: issue.code === z.ZodIssueCode.invalid_enum_value ? `must be one of ${issue.options.map(String).join(', ')}` : issue.message,
  }));
}
