import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { AppError } from '@medbus/errors';
import { assertSafeXml, SafeXmlCode } from '@medbus/hubservice';
import { formatSnils, type IdentifyRequest } from '@medbus/identification';
import { MisResponseRejectedError, MisResponseRejection } from '@medbus/mis-adapter-kit';

export const bookingNamespace = 'urn:xmldump:booking:1';

/** The vendor's booking messages (tools/simulators/xmldump/README.md, "Booking messages"). */
export type BookingMessage = 'FindPatient' | 'RegisterPatient' | 'Book' | 'Cancel' | 'PatientVisits';

/** What the vendor answered when it did not do what was asked: its code and its wording. */
export interface VendorRefusal {
  readonly status: 'error';
  readonly code: string;
  readonly text: string;
}

export interface Visit {
  readonly ticket: string;
  readonly state: 'active' | 'cancelled';
}

interface Answers {
  readonly FindPatient: { readonly status: 'ok'; readonly patients: readonly string[] };
  readonly RegisterPatient: { readonly status: 'ok'; readonly patient: string };
  readonly Book: { readonly status: 'ok'; readonly ticket: string };
  readonly Cancel: { readonly status: 'ok' };
  readonly PatientVisits: { readonly status: 'ok'; readonly visits: readonly Visit[] };
}

export type BookingAnswer<M extends BookingMessage> = Answers[M] | VendorRefusal;

/** A message ready to send: its name (for counters and the archive) and its XML. */
export interface EncodedMessage<M extends BookingMessage> {
  readonly message: M;
  readonly xml: string;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: true, processEntities: true });

const xmlHead = '<?xml version="1.0" encoding="UTF-8"?>\n';

function encode<M extends BookingMessage>(message: M, attributes: Record<string, string | undefined>, children: Record<string, string | undefined> = {}): EncodedMessage<M> {
  const element: Record<string, string> = { '@_xmlns': bookingNamespace };
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element[`@_${name}`] = value;
  for (const [name, value] of Object.entries(children)) if (value !== undefined) element[name] = value;
  return { message, xml: xmlHead + String(builder.build({ [message]: element })) };
}

/** NSI 1.2.643.5.1.13.13.11.1040, as the vendor codes sex. */
const sexCode = { MALE: '1', FEMALE: '2' } as const;

/** The strongest identifier given decides, as the vendor documents FindPatient: the policy, else the SNILS, else name and birth date. */
export function findPatientMessage(clinic: string, request: IdentifyRequest): EncodedMessage<'FindPatient'> {
  if (request.policyNumber !== undefined) return encode('FindPatient', { clinic }, { Policy: request.policyNumber });
  if (request.snils !== undefined) return encode('FindPatient', { clinic }, { Snils: formatSnils(request.snils) });
  return encode('FindPatient', { clinic }, { Surname: request.surname, FirstName: request.firstName, Patronymic: request.patronymic, BirthDate: request.birthDate });
}

export function registerPatientMessage(clinic: string, request: IdentifyRequest): EncodedMessage<'RegisterPatient'> {
  return encode(
    'RegisterPatient',
    { clinic },
    {
      Surname: request.surname,
      FirstName: request.firstName,
      Patronymic: request.patronymic,
      BirthDate: request.birthDate,
      Sex: request.sex === undefined ? undefined : sexCode[request.sex],
      Policy: request.policyNumber,
      Snils: request.snils === undefined ? undefined : formatSnils(request.snils),
      // The vendor takes spaces, not tabs or line breaks, between a phone number's digits.
      Phone: request.phone?.replace(/\s+/g, ' ').trim(),
    },
  );
}

export function bookMessage(clinic: string, ticket: string, patient: string, replaces: string | null): EncodedMessage<'Book'> {
  return encode('Book', { clinic, ticket, patient, replaces: replaces ?? undefined });
}

export function cancelMessage(clinic: string, ticket: string, patient: string): EncodedMessage<'Cancel'> {
  return encode('Cancel', { clinic, ticket, patient });
}

export function patientVisitsMessage(clinic: string, patient: string): EncodedMessage<'PatientVisits'> {
  return encode('PatientVisits', { clinic, patient });
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // assertSafeXml has refused any DTD: only the predefined entities and character references remain.
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'Patient' || name === 'Visit',
});

const id = z.string().regex(/^[A-Za-z0-9-]{1,64}$/);
const code = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/);
const refusalSchema = z
  .object({ '@_status': z.literal('error'), '@_code': code, Message: z.string().max(2000).optional() })
  .transform((r): VendorRefusal => ({ status: 'error', code: r['@_code'], text: r.Message ?? '' }));
const okSchemas = {
  FindPatient: z
    .object({ '@_status': z.literal('ok'), Patient: z.array(z.object({ '@_id': id })).max(1000).default([]) })
    .transform((r) => ({ status: 'ok' as const, patients: r.Patient.map((p) => p['@_id']) })),
  RegisterPatient: z
    .object({ '@_status': z.literal('ok'), Patient: z.array(z.object({ '@_id': id })).length(1) })
    .transform((r) => ({ status: 'ok' as const, patient: r.Patient[0]?.['@_id'] ?? '' })),
  Book: z.object({ '@_status': z.literal('ok'), '@_ticket': id }).transform((r) => ({ status: 'ok' as const, ticket: r['@_ticket'] })),
  Cancel: z.object({ '@_status': z.literal('ok') }).transform(() => ({ status: 'ok' as const })),
  PatientVisits: z
    .object({ '@_status': z.literal('ok'), Visit: z.array(z.object({ '@_ticket': id, '@_state': z.enum(['active', 'cancelled']) })).max(10_000).default([]) })
    .transform((r) => ({ status: 'ok' as const, visits: r.Visit.map((v) => ({ ticket: v['@_ticket'], state: v['@_state'] })) })),
} as const;
const requestErrorSchema = z.object({ '@_code': code, Message: z.string().max(2000).optional() });

const rejectionByGuardCode: Readonly<Record<string, MisResponseRejection>> = {
  [SafeXmlCode.bodyTooLarge]: MisResponseRejection.tooLarge,
  [SafeXmlCode.dtdForbidden]: MisResponseRejection.dtd,
};

/**
 * Reads the vendor's answer to a message: `<{Message}Result status="ok|error">`, or the `<Error>` it
 * answers a request it does not take (with an HTTP error status), which is a refusal too. The body
 * passes the XML guard first (size, no DTD or entities, depth, well-formed); anything else is
 * refused with `MisResponseRejectedError`, its message naming the rule, never the content.
 */
export function decodeAnswer<M extends BookingMessage>(message: M, body: Buffer | string, maxBytes: number): BookingAnswer<M> {
  let xml: string;
  try {
    xml = assertSafeXml(body, { maxBytes, maxDepth: 6 });
  } catch (error) {
    const reason = (error instanceof AppError && rejectionByGuardCode[error.code]) || MisResponseRejection.malformed;
    throw new MisResponseRejectedError(reason, `XMLDump ${message} answered with XML we refuse`, { cause: error });
  }
  let document: Record<string, unknown>;
  try {
    document = parser.parse(xml) as Record<string, unknown>;
  } catch (error) {
    throw new MisResponseRejectedError(MisResponseRejection.malformed, `XMLDump ${message} answered with XML we cannot read`, { cause: error });
  }
  const roots = Object.keys(document);
  const root = roots.length === 1 ? roots[0] : undefined;
  if (root === 'Error') {
    const parsed = requestErrorSchema.safeParse(document[root]);
    if (parsed.success) return { status: 'error', code: parsed.data['@_code'], text: parsed.data.Message ?? '' };
  }
  if (root === `${message}Result`) {
    const answer = document[root];
    const schema = okSchemas[message] as unknown as z.ZodType<Answers[M]>;
    const ok = schema.safeParse(answer);
    if (ok.success) return ok.data;
    const refused = refusalSchema.safeParse(answer);
    if (refused.success) return refused.data;
  }
  throw new MisResponseRejectedError(MisResponseRejection.invalidShape, `XMLDump ${message} answered in a shape we do not know`);
}
