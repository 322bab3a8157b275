import { z } from 'zod';
import { invalidRequest } from './booking.errors';

/** Who asks, with the channel the patient came through: both from the caller's identity, never from the body. */
export type { Caller } from './clients/access.mapper';

export const bookBodySchema = z
  .object({
    slotId: z.string().min(1).max(300),
    patientId: z.string().uuid(),
    holdId: z.string().uuid().optional(),
    specialtyCode: z.string().min(1).max(100).optional(),
  })
  .strict();

export const rescheduleBodySchema = z
  .object({
    slotId: z.string().min(1).max(300),
    holdId: z.string().uuid().optional(),
  })
  .strict();

export const cancelBodySchema = z.object({}).strict();

export const holdBodySchema = z.object({ slotId: z.string().min(1).max(300) }).strict();

/** The body as `schema` reads it, or BOOKING.INVALID_REQUEST naming each problem. */
export function parseBody<S extends z.ZodTypeAny>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw invalidRequest(
      result.error.issues.map((issue) =>
        issue.code === z.ZodIssueCode.unrecognized_keys ? unknownFields(issue.keys) : `${issue.path.join('.') || 'body'}: ${issue.message}`,
      ),
    );
  }
  return result.data;
}

function unknownFields(keys: readonly string[]): string {
  const channel = keys.includes('channel') ? ' (the booking channel comes from your credentials, not the request)' : '';
  return `unknown field ${keys.join(', ')}${channel}`;
}

/** The optional Idempotency-Key header, once. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (Array.isArray(header)) throw invalidRequest(['send Idempotency-Key once']);
  return header === undefined || header === '' ? undefined : header;
}

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** BOOKING.INVALID_REQUEST naming every id given that is not a UUID (a path segment, a facade parameter). */
export function checkIds(ids: Record<string, string | undefined>): void {
  const problems = Object.entries(ids)
    .filter(([, value]) => value !== undefined && !uuidPattern.test(value))
    .map(([name]) => `${name} must be a UUID`);
  if (problems.length > 0) throw invalidRequest(problems);
}
