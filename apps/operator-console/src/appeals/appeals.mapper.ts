/** An appeal in a list (appeal-view.mapper.ts AppealSummary): no text and no number. */
export interface AppealSummary {
  readonly id: string;
  readonly number: string;
  readonly type: string;
  readonly profileCode: string | null;
  readonly organisationOid: string | null;
  readonly district: { readonly id: string; readonly name: string | null } | null;
  readonly branch: string;
  readonly patientId: string | null;
  readonly status: string;
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

export interface AppealEvent {
  readonly at: string;
  readonly actor: string;
  readonly code: string;
  readonly from: string | null;
  readonly to: string;
  readonly line: 1 | 2;
  readonly assignedTo: string | null;
}

/** One appeal as the caller may see it (`GET v1/appeals/:id`). */
export interface AppealView extends AppealSummary {
  readonly applicantPhone: string;
  readonly applicantPhoneMasked: boolean;
  readonly text: string | null;
  readonly handoverNote: string | null;
  readonly resolution: string | null;
  readonly followUp: { readonly at: string | null; readonly outcome: string | null; readonly note: string | null; readonly notReached: number };
  readonly events: readonly AppealEvent[];
}

export const openStatuses: readonly string[] = ['REGISTERED', 'IN_PROGRESS', 'SECOND_LINE'];

/**
 * Where an appeal stands against its regulation's deadline: OVERDUE once past it while open (or marked
 * overdue by the service), AT_RISK once the service escalated it or less than a day is left, ON_TIME
 * otherwise; DONE once resolved or closed (the clock no longer runs).
 */
export type DeadlineRisk = 'OVERDUE' | 'AT_RISK' | 'ON_TIME' | 'DONE';

export const atRiskWithinMs = 24 * 3_600_000;

export function deadlineRiskOf(appeal: Pick<AppealSummary, 'status' | 'deadlineAt' | 'escalatedAt' | 'overdueAt'>, now: Date): DeadlineRisk {
  if (!openStatuses.includes(appeal.status)) return 'DONE';
  const left = Date.parse(appeal.deadlineAt) - now.getTime();
  if (appeal.overdueAt !== null || left <= 0) return 'OVERDUE';
  if (appeal.escalatedAt !== null || left <= atRiskWithinMs) return 'AT_RISK';
  return 'ON_TIME';
}

/** "осталось 5 ч 10 мин", "просрочено на 2 дн 3 ч". */
export function deadlineText(deadlineAt: string, now: Date): string {
  const left = Math.round((Date.parse(deadlineAt) - now.getTime()) / 60_000);
  const span = (minutes: number): string => {
    const m = Math.abs(minutes);
    if (m < 60) return `${m} мин`;
    const hours = Math.floor(m / 60);
    if (hours < 24) return `${hours} ч ${m % 60} мин`;
    return `${Math.floor(hours / 24)} дн ${hours % 24} ч`;
  };
  return left >= 0 ? `осталось ${span(left)}` : `просрочено на ${span(left)}`;
}

const statusNames: Record<string, string> = {
  REGISTERED: 'Зарегистрировано',
  IN_PROGRESS: 'В работе',
  SECOND_LINE: 'На второй линии',
  RESOLVED: 'Решено, ждёт контрольного звонка',
  CLOSED: 'Закрыто',
};

export const appealStatusName = (status: string): string => statusNames[status] ?? status;

const riskNames: Record<DeadlineRisk, string> = { OVERDUE: 'Просрочено', AT_RISK: 'Срок под угрозой', ON_TIME: 'В срок', DONE: '' };

export const riskName = (risk: DeadlineRisk): string => riskNames[risk];
