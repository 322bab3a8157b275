import { z } from 'zod';
import { cursorReader, pageQuery, requestParser, uuidPattern } from '../page.mapper';
import { AppealStatus, FollowUpOutcome } from './appeal-workflow.mapper';
import { InvalidAppealRequestError } from './appeals.errors';

const clientId = z.string().min(1).max(200);
const typeCode = z.string().regex(/^[A-Z][A-Z0-9_]{0,39}$/, 'must be an appeal type code');
const branch = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be a branch id');
const freeText = (max: number) => z.string().trim().min(1).max(max);

export const registrationSchema = z
  .object({
    type: typeCode,
    text: freeText(8000),
    applicantPhone: z.string().max(40).refine((phone) => /^\+?[0-9 ()-]+$/.test(phone) && phone.replace(/\D/g, '').length >= 5, 'must be a phone number'),
    /** NSI specialty code (ФРНСИ 1.2.643.5.1.13.13.11.1066). */
    profileCode: z.string().regex(/^[0-9]{1,10}$/, 'must be an NSI specialty code of 1 to 10 digits').optional(),
    organisationOid: z.string().regex(/^[0-9]+(\.[0-9]+){1,40}$/, 'must be an OID').optional(),
    districtId: z.string().min(1).max(100).optional(),
    patientId: z.string().regex(uuidPattern, 'must be booking’s patient id (a uuid)').optional(),
  })
  .strict();

export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'must be 1 to 200 letters, digits or _ . : -').optional();

export const transitionSchema = z
  .object({
    to: z.nativeEnum(AppealStatus),
    note: freeText(8000).optional(),
    assignTo: clientId.optional(),
  })
  .strict();

export const followUpSchema = z
  .object({
    outcome: z.nativeEnum(FollowUpOutcome),
    note: freeText(4000).optional(),
  })
  .strict();

const page = { branch: branch.optional(), ...pageQuery(200, 50) };

export const listSchema = z
  .object({
    ...page,
    status: z.nativeEnum(AppealStatus).optional(),
    type: typeCode.optional(),
    escalated: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  })
  .strict();

export const pageSchema = z.object(page).strict();

export const appealTypeSchema = z
  .object({
    name: freeText(200),
    reviewDays: z.number().int().min(1).max(90),
    escalateBeforeHours: z.number().int().min(0).max(2160).default(48),
    active: z.boolean().default(true),
  })
  .strict()
  // The deadline is the end of the reviewDays-th day after the day of registration: up to (reviewDays + 1) × 24 hours away.
  // As many hours as that escalate at registration (an urgent type); more would say nothing more.
  .refine((type) => type.escalateBeforeHours <= (type.reviewDays + 1) * 24, { message: 'must be at most the longest review period, (reviewDays + 1) × 24 hours', path: ['escalateBeforeHours'] });

const invalid = (problems: readonly string[]) => new InvalidAppealRequestError(problems);

/** A body or query checked by a schema, or CC.INVALID_APPEAL_REQUEST naming each problem (never the applicant's text or number). */
export const parsed = requestParser(invalid, 'body');

export const keyOf = cursorReader(invalid, uuidPattern);
