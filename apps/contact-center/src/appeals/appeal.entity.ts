import type { AppealStatus, FollowUpOutcome } from './appeal-workflow.mapper';

/** A row of `appeal` as the appeals module reads it; ciphertext columns are named as such. */
export interface AppealRow {
  readonly id: string;
  readonly number: string;
  readonly type_code: string;
  readonly profile_code: string | null;
  readonly organisation_oid: string | null;
  readonly district_id: string | null;
  readonly district_name: string | null;
  readonly branch: string;
  readonly patient_id: string | null;
  readonly applicant_phone: string;
  readonly text: string;
  readonly status: AppealStatus;
  readonly line: 1 | 2;
  readonly assigned_to: string | null;
  readonly created_by: string;
  readonly created_at: Date;
  readonly review_days: number;
  readonly deadline_at: Date;
  readonly escalate_at: Date;
  readonly escalated_at: Date | null;
  readonly overdue_at: Date | null;
  readonly handover_note: string | null;
  readonly resolved_at: Date | null;
  readonly resolution: string | null;
  readonly follow_up_due_at: Date | null;
  readonly follow_up_at: Date | null;
  readonly follow_up_outcome: FollowUpOutcome | null;
  readonly follow_up_note: string | null;
  readonly follow_ups_not_reached: number;
  readonly closed_at: Date | null;
  readonly request_hash: string | null;
}

export const appealColumns = `id, number, type_code, profile_code, organisation_oid, district_id, district_name, branch, patient_id,
  applicant_phone, text, status, line, assigned_to, created_by, created_at, review_days, deadline_at, escalate_at, escalated_at,
  overdue_at, handover_note, resolved_at, resolution, follow_up_due_at, follow_up_at, follow_up_outcome, follow_up_note,
  follow_ups_not_reached, closed_at, request_hash`;

/** The ciphertext columns and what each is bound to: a value copied to another appeal or column does not decrypt. */
export const boundTo = {
  phone: (id: string) => `appeal:${id}:phone`,
  text: (id: string) => `appeal:${id}:text`,
  resolution: (id: string) => `appeal:${id}:resolution`,
  handoverNote: (id: string) => `appeal:${id}:handover_note`,
  followUpNote: (id: string) => `appeal:${id}:follow_up_note`,
} as const;

export interface AppealEventRow {
  readonly at: Date;
  readonly actor: string;
  readonly code: string;
  readonly from_status: AppealStatus | null;
  readonly to_status: AppealStatus;
  readonly line: 1 | 2;
  readonly assigned_to: string | null;
}

/** The statuses in which the regulation's clock runs, as SQL over `appeal` (aliased `a`). */
export const openAppealSql = `a.status IN ('REGISTERED', 'IN_PROGRESS', 'SECOND_LINE')`;

/**
 * The one definition of "overdue": not resolved by its deadline, whether still open at `now` or
 * resolved late. A reopened appeal is unresolved again, so it counts until resolved anew.
 */
export const overdueSql = (now: string) => `(COALESCE(a.resolved_at, ${now}) > a.deadline_at)`;

/** The one definition of "resolved within the deadline" (its latest resolution, after any reopening). */
export const resolvedWithinDeadlineSql = `(a.resolved_at IS NOT NULL AND a.resolved_at <= a.deadline_at)`;

/** Due for escalation: open, its escalation time reached (`escalate_at`, the regulation's lead before the deadline). */
export const escalationDueSql = (now: string) => `(${openAppealSql} AND a.escalate_at <= ${now})`;
