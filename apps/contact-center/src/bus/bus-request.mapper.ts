import { z } from 'zod';
import { InvalidBusQueryError } from './bus.errors';
import { TaskKind, TaskOutcome, TaskStatus } from './patient-task.service';

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const values = <T extends Record<string, string>>(object: T) => Object.values(object) as [T[keyof T], ...T[keyof T][]];

export const taskListSchema = z
  .object({
    status: z.enum(values(TaskStatus)).optional(),
    kind: z.enum(values(TaskKind)).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const taskDoneSchema = z.object({ outcome: z.enum(values(TaskOutcome)) }).strict();

export const warningListSchema = z
  .object({
    district: z.string().min(1).max(100).optional(),
    open: z.enum(['true', 'false']).transform((open) => open === 'true').optional(),
  })
  .strict();

export function parsed<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidBusQueryError(result.error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`));
  return result.data;
}

/** A cursor is the last task's key (due time and id), opaque to callers. */
export function cursorOf(key: readonly [string, string]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function keyOf(cursor: string): [string, string] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 2 && typeof key[0] === 'string' && !Number.isNaN(Date.parse(key[0])) && typeof key[1] === 'string' && uuidPattern.test(key[1])) {
      return [key[0], key[1]];
    }
  } catch {
    // refused below
  }
  throw new InvalidBusQueryError(['cursor: is not a cursor this API issued']);
}
