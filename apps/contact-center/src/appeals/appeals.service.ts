import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { normalisePhone } from '@medbus/data-protection';
import type { Caller } from '@medbus/service-auth';
import type { ContactCenterConfig } from '../contact-center.config';
import { reachesAppeal } from './appeal-access.mapper';
import { appealNumberOf, deadlineOf, escalationDueOf, followUpDueOf, yearOf } from './appeal-deadline.mapper';
import { AppealCipher, AppealRequestHash, ApplicantPhoneHash } from './appeal-protection.service';
import { AppealTypesService } from './appeal-types.service';
import { AppealStatus, followUpTransition, lineAfter, requestedTransition, type AppealTransition, type FollowUpOutcome } from './appeal-workflow.mapper';
import { appealColumns, boundTo, type AppealRow } from './appeal.entity';
import { AppealNotFoundError, AppealTransitionNotAllowedError, IdempotencyKeyReusedError, InvalidAppealRequestError } from './appeals.errors';
import { Clock } from '../clock.service';
import { noOrganisationDirectory, OrganisationDirectory } from './organisation-directory.client';

export interface AppealRegistration {
  readonly type: string;
  readonly text: string;
  readonly applicantPhone: string;
  readonly profileCode?: string;
  readonly organisationOid?: string;
  readonly districtId?: string;
  readonly patientId?: string;
}

export interface TransitionRequest {
  readonly to: AppealStatus;
  readonly note?: string;
  readonly assignTo?: string;
}

export interface FollowUpRequest {
  readonly outcome: FollowUpOutcome;
  readonly note?: string;
}

type AppealsSettings = Pick<ContactCenterConfig, 'CC_TIME_ZONE' | 'CC_HEAD_BRANCH' | 'CC_FOLLOW_UP_WITHIN_HOURS' | 'CC_FOLLOW_UP_RETRY_HOURS'>;

/** Another registration with the same Idempotency-Key committed first: this one rolls back and answers that one. */
class RegistrationRaceLost extends Error {}

/** Registers appeals and moves them through the workflow (appeal-workflow.mapper.ts); owns `appeal`, `appeal_event`, `appeal_number`. */
@Injectable()
export class AppealsService {
  private readonly directory: OrganisationDirectory;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppealsSettings,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AppealTypesService) private readonly types: AppealTypesService,
    @Inject(AppealCipher) private readonly cipher: AppealCipher,
    @Inject(ApplicantPhoneHash) private readonly phoneHash: ApplicantPhoneHash,
    @Inject(AppealRequestHash) private readonly requestHash: AppealRequestHash,
    @Optional() @Inject(OrganisationDirectory) directory?: OrganisationDirectory,
  ) {
    this.directory = directory ?? noOrganisationDirectory;
  }

  /**
   * Registers an appeal in the operator's branch under its type's regulation in force now. With an
   * Idempotency-Key, the same key and body answer the appeal registered first (`created: false`); the
   * same key with another body is refused.
   */
  async register(input: AppealRegistration, caller: Caller, idempotencyKey?: string): Promise<{ appeal: AppealRow; created: boolean }> {
    const fingerprint = idempotencyKey === undefined ? null : (this.requestHash.of(canonicalOf(input)) ?? null);
    if (idempotencyKey !== undefined) {
      const earlier = await this.byIdempotencyKey(caller.clientId, idempotencyKey, fingerprint);
      if (earlier) return { appeal: earlier, created: false };
    }
    const district = input.districtId !== undefined ? { districtId: input.districtId, districtName: null } : input.organisationOid !== undefined ? await this.directory.districtOf(input.organisationOid) : null;
    const now = this.clock.now();
    const id = randomUUID();
    try {
      const appeal = await this.dataSource.transaction(async (tx) => {
        const type = await this.types.regulationForRegistration(tx, input.type);
        const year = yearOf(now, this.config.CC_TIME_ZONE);
        const [{ last }]: { last: number }[] = await tx.query(
          `INSERT INTO appeal_number (year, last) VALUES ($1, 1) ON CONFLICT (year) DO UPDATE SET last = appeal_number.last + 1 RETURNING last`,
          [year],
        );
        const deadline = deadlineOf(now, type.reviewDays, this.config.CC_TIME_ZONE);
        const [row]: AppealRow[] = await tx.query(
          `INSERT INTO appeal (id, number, type_code, profile_code, organisation_oid, district_id, district_name, branch, patient_id, applicant_phone,
             applicant_phone_hash, text, status, line, created_by, created_at, review_days, deadline_at, escalate_at, idempotency_key, request_hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'REGISTERED', 1, $13, $14, $15, $16, $17, $18, $19)
           ON CONFLICT (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
           RETURNING ${appealColumns}`,
          [
            id, appealNumberOf(year, last), type.code, input.profileCode ?? null, input.organisationOid ?? null, district?.districtId ?? null, district?.districtName ?? null,
            caller.branch ?? this.config.CC_HEAD_BRANCH, input.patientId ?? null, this.cipher.encrypt(input.applicantPhone, boundTo.phone(id)),
            this.phoneHash.of(input.applicantPhone) ?? null, this.cipher.encrypt(input.text, boundTo.text(id)), caller.clientId, now, type.reviewDays, deadline,
            escalationDueOf(now, deadline, type.escalateBeforeHours), idempotencyKey ?? null, fingerprint,
          ],
        );
        if (!row) throw new RegistrationRaceLost();
        await this.recordEvent(tx, row, now, caller.clientId, 'REGISTERED', null);
        return row;
      });
      return { appeal, created: true };
    } catch (error) {
      if (!(error instanceof RegistrationRaceLost) || idempotencyKey === undefined) throw error;
      const earlier = await this.byIdempotencyKey(caller.clientId, idempotencyKey, fingerprint);
      if (!earlier) throw error;
      return { appeal: earlier, created: false };
    }
  }

  /** Makes a change the caller asked for, when the workflow lets his role make it from the appeal's status. */
  async transition(appealId: string, request: TransitionRequest, caller: Caller): Promise<AppealRow> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.locked(tx, appealId, caller);
      const transition = requestedTransition(row.status, request.to, caller.role);
      if (!transition) throw new AppealTransitionNotAllowedError(appealId, row.status, request.to, caller.role);
      const { assignment, note } = transition.by;
      const problems: string[] = [];
      if (assignment === 'given' && request.assignTo === undefined) problems.push('assignTo: is required for this change');
      if ((assignment === 'self' || assignment === 'kept') && request.assignTo !== undefined) problems.push('assignTo: is not taken for this change');
      if (note !== 'none' && request.note === undefined) problems.push(`note: is required for this change (the ${note === 'resolution' ? 'answer given' : 'hand-over to the second line'})`);
      if (note === 'none' && request.note !== undefined) problems.push('note: is not taken for this change');
      if (problems.length > 0) throw new InvalidAppealRequestError(problems);

      const assignedTo = assignment === 'self' ? caller.clientId : assignment === 'kept' ? row.assigned_to : (request.assignTo ?? null);
      const now = this.clock.now();
      const resolved = transition.to === AppealStatus.RESOLVED;
      // An UPDATE answers [rows, count] through TypeORM.
      const [[updated]]: [AppealRow[], number] = await tx.query(
        `UPDATE appeal SET status = $2, line = $3, assigned_to = $4,
           resolved_at = CASE WHEN $5 THEN $6::timestamptz ELSE resolved_at END,
           resolution = CASE WHEN $5 THEN $7 ELSE resolution END,
           follow_up_due_at = CASE WHEN $5 THEN $8::timestamptz ELSE follow_up_due_at END,
           follow_ups_not_reached = CASE WHEN $5 THEN 0 ELSE follow_ups_not_reached END,
           handover_note = COALESCE($9, handover_note)
         WHERE id = $1 RETURNING ${appealColumns}`,
        [
          appealId, transition.to, lineAfter(transition, row.line), assignedTo, resolved, now,
          note === 'resolution' && request.note !== undefined ? this.cipher.encrypt(request.note, boundTo.resolution(appealId)) : null,
          followUpDueOf(now, this.config.CC_FOLLOW_UP_WITHIN_HOURS),
          note === 'handover' && request.note !== undefined ? this.cipher.encrypt(request.note, boundTo.handoverNote(appealId)) : null,
        ],
      );
      await this.recordEvent(tx, updated, now, caller.clientId, transition.event, row.status);
      return updated;
    });
  }

  /**
   * Records the follow-up call's answer: satisfied closes the appeal, not satisfied reopens it on the
   * first line (with the caller), not reached leaves it resolved with the next call due, until the
   * last allowed call closes it with that noted.
   */
  async followUp(appealId: string, request: FollowUpRequest, caller: Caller): Promise<AppealRow> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.locked(tx, appealId, caller);
      const transition = followUpTransition(row.status, request.outcome, row.follow_ups_not_reached);
      if (!transition) throw new AppealTransitionNotAllowedError(appealId, row.status, `follow-up ${request.outcome}`, caller.role);
      const now = this.clock.now();
      const reopened = transition.to === AppealStatus.IN_PROGRESS;
      const closed = transition.to === AppealStatus.CLOSED;
      // An UPDATE answers [rows, count] through TypeORM.
      const [[updated]]: [AppealRow[], number] = await tx.query(
        `UPDATE appeal SET status = $2, line = $3, follow_up_at = $4, follow_up_outcome = $5, follow_up_note = $6,
           follow_ups_not_reached = CASE WHEN $5 = 'NOT_REACHED' THEN follow_ups_not_reached + 1 ELSE 0 END,
           follow_up_due_at = $7, closed_at = CASE WHEN $8 THEN $4::timestamptz END,
           resolved_at = CASE WHEN $9 THEN NULL ELSE resolved_at END,
           assigned_to = CASE WHEN $9 THEN $10 ELSE assigned_to END
         WHERE id = $1 RETURNING ${appealColumns}`,
        [
          appealId, transition.to, lineAfter(transition, row.line), now, request.outcome,
          request.note === undefined ? null : this.cipher.encrypt(request.note, boundTo.followUpNote(appealId)),
          transition.to === AppealStatus.RESOLVED ? followUpDueOf(now, this.config.CC_FOLLOW_UP_RETRY_HOURS) : null,
          closed, reopened, caller.clientId,
        ],
      );
      await this.recordEvent(tx, updated, now, caller.clientId, transition.event, row.status);
      return updated;
    });
  }

  private async locked(tx: EntityManager, appealId: string, caller: Caller): Promise<AppealRow> {
    const [row]: AppealRow[] = await tx.query(`SELECT ${appealColumns} FROM appeal WHERE id = $1 FOR UPDATE`, [appealId]);
    if (!row || !reachesAppeal(caller, this.config.CC_HEAD_BRANCH, { branch: row.branch, line: row.line, assignedTo: row.assigned_to })) throw new AppealNotFoundError(appealId);
    return row;
  }

  private async byIdempotencyKey(createdBy: string, key: string, fingerprint: string | null): Promise<AppealRow | undefined> {
    const [row]: AppealRow[] = await this.dataSource.query(`SELECT ${appealColumns} FROM appeal WHERE created_by = $1 AND idempotency_key = $2`, [createdBy, key]);
    if (row && row.request_hash !== fingerprint) throw new IdempotencyKeyReusedError();
    return row;
  }

  private async recordEvent(tx: EntityManager, row: AppealRow, at: Date, actor: string, code: AppealTransition['event'], from: AppealStatus | null): Promise<void> {
    await tx.query(`INSERT INTO appeal_event (appeal_id, at, actor, code, from_status, to_status, line, assigned_to) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      row.id, at, actor, code, from, row.status, row.line, row.assigned_to,
    ]);
  }
}

/** The request as one string, keys in a fixed order and the number normalised: a retry hashes alike. */
function canonicalOf(input: AppealRegistration): string {
  const { type, text, applicantPhone, profileCode, organisationOid, districtId, patientId } = input;
  return JSON.stringify([type, text, normalisePhone(applicantPhone) ?? applicantPhone, profileCode ?? null, organisationOid ?? null, districtId ?? null, patientId ?? null]);
}
