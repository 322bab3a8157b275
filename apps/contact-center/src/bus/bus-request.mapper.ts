import { z } from 'zod';
import { cursorReader, pageQuery, requestParser, uuidPattern } from '../page.mapper';
import { InvalidBusQueryError } from './bus.errors';
import { TaskKind, TaskOutcome, TaskStatus } from './patient-task.service';

const values = <T extends Record<string, string>>(object: T) => Object.values(object) as [T[keyof T], ...T[keyof T][]];

export const taskListSchema = z
  .object({
    status: z.enum(values(TaskStatus)).optional(),
    kind: z.enum(values(TaskKind)).optional(),
    ...pageQuery(500, 100, 200),
  })
  .strict();

export const taskDoneSchema = z.object({ outcome: z.enum(values(TaskOutcome)) }).strict();

export const warningListSchema = z
  .object({
    district: z.string().min(1).max(100).optional(),
    open: z.enum(['true', 'false']).transform((open) => open === 'true').optional(),
  })
  .strict();

const invalid = (problems: readonly string[]) => new InvalidBusQueryError(problems);

export const parsed = requestParser(invalid, 'request');

/** A task list's cursor: the last task's due time and id. */
export const keyOf = cursorReader(invalid, uuidPattern);
