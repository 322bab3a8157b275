import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { ValidationError } from '@medbus/errors';
import { assertSafeXml } from '@medbus/hubservice';
import { escapeXml } from './dump.writer';

export const bookingNamespace = 'urn:xmldump:booking:1';

/** The vendor's refusal codes (`status="error" code=…`). */
export const BookingCode = {
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
} as const;
export type BookingCode = (typeof BookingCode)[keyof typeof BookingCode];

/** Codes of the `<Error>` answer, for requests the vendor does not take at all. */
export const RequestErrorCode = {
  badRequest: 'BAD_REQUEST',
  notFound: 'NOT_FOUND',
  tooLarge: 'TOO_LARGE',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  unauthorized: 'UNAUTHORIZED',
  internal: 'INTERNAL',
} as const;
export type RequestErrorCode = (typeof RequestErrorCode)[keyof typeof RequestErrorCode];

/** The code of a request the codec refuses; the server answers it with `<Error code="BAD_REQUEST">` and HTTP 400. */
export const badBookingRequest = 'XMLDUMP.BAD_REQUEST';

const clinic = z.string().regex(/^\d{1,6}$/, 'clinic must be a number').transform(Number);
const id = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'expected an identifier');
const text = (max: number) => z.string().trim().min(1).max(max);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const policy = z.string().regex(/^\d{1,20}$/, 'expected the policy number digits');
const snils = z.string().regex(/^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$/, 'expected a SNILS');
/** Sex per NSI 1.2.643.5.1.13.13.11.1040: 1 male, 2 female. */
const sex = z.enum(['1', '2']);

const findPatient = z
  .object({
    clinic,
    Policy: policy.optional(),
    Snils: snils.optional(),
    Surname: text(100).optional(),
    FirstName: text(100).optional(),
    Patronymic: text(100).optional(),
    BirthDate: date.optional(),
  })
  .strict()
  .refine((m) => m.Policy !== undefined || m.Snils !== undefined || (m.Surname !== undefined && m.FirstName !== undefined && m.BirthDate !== undefined), {
    message: 'Policy, Snils or Surname + FirstName + BirthDate required',
  });
const registerPatient = z
  .object({
    clinic,
    Surname: text(100),
    FirstName: text(100),
    Patronymic: text(100).optional(),
    BirthDate: date,
    Sex: sex.optional(),
    Policy: policy.optional(),
    Snils: snils.optional(),
    Phone: z.string().regex(/^[+\d() -]{5,30}$/, 'expected a phone number').optional(),
  })
  .strict();
const book = z.object({ clinic, ticket: id, patient: id, replaces: id.optional() }).strict();
const cancel = z.object({ clinic, ticket: id, patient: id }).strict();
const patientVisits = z.object({ clinic, patient: id }).strict();

export type BookingRequest =
  | ({ readonly message: 'FindPatient' } & z.infer<typeof findPatient>)
  | ({ readonly message: 'RegisterPatient' } & z.infer<typeof registerPatient>)
  | ({ readonly message: 'Book' } & z.infer<typeof book>)
  | ({ readonly message: 'Cancel' } & z.infer<typeof cancel>)
  | ({ readonly message: 'PatientVisits' } & z.infer<typeof patientVisits>);

export type BookingMessage = BookingRequest['message'];

const schemas = { FindPatient: findPatient, RegisterPatient: registerPatient, Book: book, Cancel: cancel, PatientVisits: patientVisits } as const;

export interface Visit {
  readonly ticket: string;
  readonly state: 'active' | 'cancelled';
}

/** What the vendor answers a message it took: its result or its refusal. */
export type BookingAnswer =
  | { readonly message: 'FindPatient'; readonly status: 'ok'; readonly patients: readonly string[] }
  | { readonly message: 'RegisterPatient'; readonly status: 'ok'; readonly patient: string }
  | { readonly message: 'Book'; readonly status: 'ok'; readonly ticket: string }
  | { readonly message: 'Cancel'; readonly status: 'ok' }
  | { readonly message: 'PatientVisits'; readonly status: 'ok'; readonly visits: readonly Visit[] }
  | { readonly message: BookingMessage; readonly status: 'error'; readonly code: BookingCode; readonly text: string };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // The guard has refused any DTD; only the five predefined entities and character references remain.
  processEntities: true,
  htmlEntities: false,
});

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

function refuse(message: string): never {
  throw new ValidationError(badBookingRequest, message);
}

/**
 * The flat view of a message element: its attributes and its simple child elements by local name.
 * A child with attributes or children of its own, a repeated child or mixed content is refused.
 */
function flatten(element: unknown, prefix: string | undefined): Record<string, string> {
  if (element === '') return {};
  if (typeof element !== 'object' || element === null || Array.isArray(element)) refuse('message element has unexpected content');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(element)) {
    if (key === '#text') refuse('message element has text content');
    if (key.startsWith('@')) {
      const attribute = key.slice(1);
      if (attribute === 'xmlns' || attribute.startsWith('xmlns:')) continue;
      out[attribute] = String(value);
      continue;
    }
    if (key.includes(':') && key.slice(0, key.indexOf(':')) !== prefix) refuse(`element ${key} is not in the booking namespace`);
    if (typeof value !== 'string') refuse(`element ${localName(key)} must hold text only, once`);
    out[localName(key)] = value;
  }
  return out;
}

/**
 * Decodes a booking message: the body passes the XML guard (size, no DTD or entities, depth,
 * well-formed), the root must be one of the messages in `urn:xmldump:booking:1`, and its attributes
 * and children must fit the message.
 *
 * @throws ValidationError `XMLDUMP.BAD_REQUEST`, or the guard's `SOAP.*` codes (`SOAP.BODY_TOO_LARGE` among them).
 */
export function decodeBookingRequest(body: Buffer | string, maxBytes: number): BookingRequest {
  const xml = assertSafeXml(body, { maxBytes, maxDepth: 4 });
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(xml) as Record<string, unknown>;
  } catch (error) {
    throw new ValidationError(badBookingRequest, 'message is not well-formed XML', { cause: error });
  }
  const roots = Object.keys(parsed).filter((k) => !k.startsWith('?'));
  const rootName = roots[0];
  if (roots.length !== 1 || rootName === undefined) refuse('expected one root element');
  const root = parsed[rootName];
  const prefix = rootName.includes(':') ? rootName.slice(0, rootName.indexOf(':')) : undefined;
  const attributes = typeof root === 'object' && root !== null ? (root as Record<string, unknown>) : {};
  const namespace = attributes[prefix === undefined ? '@xmlns' : `@xmlns:${prefix}`];
  if (namespace !== bookingNamespace) refuse(`root element must be in the namespace ${bookingNamespace}`);
  const message = localName(rootName);
  if (!Object.hasOwn(schemas, message)) refuse(`unknown message ${message}`);
  const name = message as BookingMessage;
  const result = schemas[name].safeParse(flatten(root, prefix));
  if (!result.success) refuse(`${name}: ${result.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ')}`);
  return { message: name, ...result.data } as BookingRequest;
}

const xmlHead = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The XML answer to a message the vendor took. */
export function encodeBookingAnswer(answer: BookingAnswer): string {
  const root = `${answer.message}Result`;
  const open = (attributes: string) => `${xmlHead}<${root} xmlns="${bookingNamespace}" ${attributes}`;
  if (answer.status === 'error') {
    return `${open(`status="error" code="${answer.code}"`)}><Message>${escapeXml(answer.text)}</Message></${root}>\n`;
  }
  switch (answer.message) {
    case 'FindPatient':
      return `${open('status="ok"')}>${answer.patients.map((p) => `<Patient id="${escapeXml(p)}"/>`).join('')}</${root}>\n`;
    case 'RegisterPatient':
      return `${open('status="ok"')}><Patient id="${escapeXml(answer.patient)}"/></${root}>\n`;
    case 'Book':
      return `${open(`status="ok" ticket="${escapeXml(answer.ticket)}"`)}/>\n`;
    case 'Cancel':
      return `${open('status="ok"')}/>\n`;
    case 'PatientVisits':
      return `${open('status="ok"')}>${answer.visits.map((v) => `<Visit ticket="${escapeXml(v.ticket)}" state="${v.state}"/>`).join('')}</${root}>\n`;
    default:
      return answer satisfies never;
  }
}

/** The `<Error>` answer to a request the vendor does not take (sent with an HTTP error status). */
export function encodeRequestError(code: RequestErrorCode, text: string): string {
  return `${xmlHead}<Error xmlns="${bookingNamespace}" code="${code}"><Message>${escapeXml(text)}</Message></Error>\n`;
}
