import { maskPhone } from '@medbus/data-protection';
import type { Caller } from '@medbus/service-auth';
import { readsAppealText, readsApplicantPhone, type AppealPlace } from './appeal-access.mapper';
import type { AppealStatus, FollowUpOutcome } from './appeal-workflow.mapper';
import { boundTo, type AppealEventRow, type AppealRow } from './appeal.entity';

/** An appeal in a list: no text and no number (open the appeal to read them, as the caller's role allows). */
export interface AppealSummary {
  readonly id: string;
  readonly number: string;
  readonly type: string;
  readonly profileCode: string | null;
  readonly organisationOid: string | null;
  readonly district: { readonly id: string; readonly name: string | null } | null;
  readonly branch: string;
  readonly patientId: string | null;
  readonly status: AppealStatus;
  readonly line: 1 | 2;
  readonly assignedTo: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly deadlineAt: string;
  readonly escalatedAt: string | null;
  readonly overdueAt: string | null;
  readonly resolvedAt: string | null;
  readonly followUpDueAt: string | null;
  readonly closedAt: string | null;
}

export interface AppealEventView {
  readonly at: string;
  readonly actor: string;
  readonly code: string;
  readonly from: AppealStatus | null;
  readonly to: AppealStatus;
  readonly line: 1 | 2;
  readonly assignedTo: string | null;
}

/** One appeal as the caller may see it: number in clear or masked, text and notes or null (see appeal-access.mapper.ts). */
export interface AppealView extends AppealSummary {
  readonly applicantPhone: string;
  readonly applicantPhoneMasked: boolean;
  readonly text: string | null;
  readonly handoverNote: string | null;
  readonly resolution: string | null;
  readonly followUp: { readonly at: string | null; readonly outcome: FollowUpOutcome | null; readonly note: string | null; readonly notReached: number };
  readonly events: readonly AppealEventView[];
}

/** Reads a ciphertext column bound to its appeal (AppealCipher.decrypt). */
export type Reveal = (stored: string, boundTo: string) => string;

const iso = (at: Date | null): string | null => at?.toISOString() ?? null;

export function placeOf(row: Pick<AppealRow, 'branch' | 'line' | 'assigned_to'>): AppealPlace {
  return { branch: row.branch, line: row.line, assignedTo: row.assigned_to };
}

export function summaryOf(row: AppealRow): AppealSummary {
  return {
    id: row.id,
    number: row.number,
    type: row.type_code,
    profileCode: row.profile_code,
    organisationOid: row.organisation_oid,
    district: row.district_id === null ? null : { id: row.district_id, name: row.district_name },
    branch: row.branch,
    patientId: row.patient_id,
    status: row.status,
    line: row.line,
    assignedTo: row.assigned_to,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    deadlineAt: row.deadline_at.toISOString(),
    escalatedAt: iso(row.escalated_at),
    overdueAt: iso(row.overdue_at),
    resolvedAt: iso(row.resolved_at),
    followUpDueAt: iso(row.follow_up_due_at),
    closedAt: iso(row.closed_at),
  };
}

export function viewOf(row: AppealRow, events: readonly AppealEventRow[], caller: Pick<Caller, 'clientId' | 'role' | 'branch'>, headBranch: string, reveal: Reveal): AppealView {
  const place = placeOf(row);
  const clearPhone = readsApplicantPhone(caller, headBranch, place);
  const phone = reveal(row.applicant_phone, boundTo.phone(row.id));
  const text = readsAppealText(caller, headBranch, place);
  const readText = (stored: string | null, bound: string): string | null => (text && stored !== null ? reveal(stored, bound) : null);
  return {
    ...summaryOf(row),
    applicantPhone: clearPhone ? phone : maskPhone(phone),
    applicantPhoneMasked: !clearPhone,
    text: readText(row.text, boundTo.text(row.id)),
    handoverNote: readText(row.handover_note, boundTo.handoverNote(row.id)),
    resolution: readText(row.resolution, boundTo.resolution(row.id)),
    followUp: { at: iso(row.follow_up_at), outcome: row.follow_up_outcome, note: readText(row.follow_up_note, boundTo.followUpNote(row.id)), notReached: row.follow_ups_not_reached },
    events: events.map((e) => ({ at: e.at.toISOString(), actor: e.actor, code: e.code, from: e.from_status, to: e.to_status, line: e.line, assignedTo: e.assigned_to })),
  };
}
