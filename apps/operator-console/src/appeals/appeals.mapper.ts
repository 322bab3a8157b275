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

export interface AppealType {
  readonly code: string;
  readonly name: string;
  readonly reviewDays: number;
  readonly escalateBeforeHours: number;
  readonly active: boolean;
}

export interface ArticleSummary {
  readonly slug: string;
  readonly kind: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly appealTypes: readonly string[];
  readonly updatedAt: string;
  /** With a search: fragments of the body, the matched words between `**`. */
  readonly snippet: string | null;
  readonly rank: number | null;
}

export interface Article extends Omit<ArticleSummary, 'snippet' | 'rank'> {
  /** Markdown. */
  readonly body: string;
  readonly updatedBy: string;
}

/** `POST v1/appeals` (appeal-request.mapper.ts registrationSchema: strict, so only these keys). */
export interface AppealRegistration {
  readonly type: string;
  readonly text: string;
  readonly applicantPhone: string;
  readonly profileCode?: string;
  readonly organisationOid?: string;
  readonly districtId?: string;
  readonly patientId?: string;
}

export interface AppealForm {
  readonly type: string;
  readonly text: string;
  readonly applicantPhone: string;
  readonly profileCode: string;
  readonly organisationOid: string;
  readonly districtId: string;
  readonly patientId: string;
}

export const emptyForm: AppealForm = { type: '', text: '', applicantPhone: '', profileCode: '', organisationOid: '', districtId: '', patientId: '' };

/** The request body of a filled form: trimmed, the optional fields left out when empty (the API refuses unknown or empty ones). */
export function registrationOf(form: AppealForm): AppealRegistration {
  const optional = (key: 'profileCode' | 'organisationOid' | 'districtId' | 'patientId') => (form[key].trim() ? { [key]: form[key].trim() } : {});
  return {
    type: form.type,
    text: form.text.trim(),
    applicantPhone: form.applicantPhone.trim(),
    ...optional('profileCode'),
    ...optional('organisationOid'),
    ...optional('districtId'),
    ...optional('patientId'),
  };
}

/**
 * The applicant's number from the call on the line, when the console shows it in clear (an operator of
 * the call's branch); a masked number (`+7 9** ***-**-67`) is no number to register.
 */
export function phoneFromCall(callerNumber: string | null | undefined): string {
  if (!callerNumber || callerNumber.includes('*')) return '';
  return callerNumber;
}

/**
 * A new appeal's form from the call on the line: the applicant's number when shown in clear, and the
 * patient the operator identified on it (booking's id and the organisation he is known at), editable.
 */
export function formFromCall(callerNumber: string | null | undefined, patient: { readonly patientId: string; readonly organisationOid: string } | null): AppealForm {
  return { ...emptyForm, applicantPhone: phoneFromCall(callerNumber), patientId: patient?.patientId ?? '', organisationOid: patient?.organisationOid ?? '' };
}

/** A search snippet in parts, the words the search matched (between `**`) marked. */
export function snippetParts(snippet: string): { text: string; matched: boolean }[] {
  return snippet
    .split('**')
    .map((text, index) => ({ text, matched: index % 2 === 1 }))
    .filter((part) => part.text !== '');
}

const fieldNames: Record<string, string> = {
  type: 'тип',
  text: 'текст',
  applicantPhone: 'телефон заявителя',
  profileCode: 'код профиля',
  organisationOid: 'OID организации',
  districtId: 'район',
  patientId: 'пациент',
  note: 'комментарий',
  outcome: 'результат звонка',
  assignTo: 'исполнитель',
};

/** The fields a CC.INVALID_APPEAL_REQUEST names (`details.problems`: "field: rule", never values), in Russian. */
export function invalidFieldsOf(details: unknown): string[] {
  const problems = (details as { problems?: unknown } | undefined)?.problems;
  if (!Array.isArray(problems)) return [];
  const fields = problems.filter((p): p is string => typeof p === 'string').map((p) => p.split(':')[0]?.trim() ?? '');
  return [...new Set(fields.map((f) => fieldNames[f] ?? f).filter((f) => f !== ''))];
}

export type AppealAction = 'TAKE' | 'TO_SECOND_LINE' | 'RESOLVE' | 'FOLLOW_UP' | 'TAKE_SECOND_LINE';

/** What the caller's role may do with the appeal in its status (appeal-workflow.mapper.ts appealTransitions). */
export function actionsFor(role: string, appeal: Pick<AppealSummary, 'status'>): AppealAction[] {
  if (role === 'OPERATOR') {
    if (appeal.status === 'REGISTERED') return ['TAKE', 'TO_SECOND_LINE', 'RESOLVE'];
    if (appeal.status === 'IN_PROGRESS') return ['TO_SECOND_LINE', 'RESOLVE'];
    if (appeal.status === 'RESOLVED') return ['FOLLOW_UP'];
    return [];
  }
  if (role === 'SECOND_LINE' && appeal.status === 'SECOND_LINE') return ['TAKE_SECOND_LINE', 'RESOLVE'];
  return [];
}

/** The transitions one action makes: a registered appeal is taken first, then passed on or resolved. */
export function stepsOf(action: 'TAKE' | 'TO_SECOND_LINE' | 'RESOLVE' | 'TAKE_SECOND_LINE', status: string, note: string): { to: string; note?: string }[] {
  const take = status === 'REGISTERED' ? [{ to: 'IN_PROGRESS' }] : [];
  switch (action) {
    case 'TAKE':
      return [{ to: 'IN_PROGRESS' }];
    case 'TAKE_SECOND_LINE':
      return [{ to: 'SECOND_LINE' }];
    case 'TO_SECOND_LINE':
      return [...take, { to: 'SECOND_LINE', note: note.trim() }];
    case 'RESOLVE':
      return [...take, { to: 'RESOLVED', note: note.trim() }];
    default:
      return action satisfies never;
  }
}

/** The list's views: all (with filters), the ones escalated or overdue, the resolved ones whose follow-up call is due. */
export interface AppealListFilter {
  readonly view: 'ALL' | 'AT_RISK' | 'FOLLOW_UPS_DUE';
  readonly status: string;
  readonly type: string;
  /** One branch (a head supervisor's choice), or '' for the caller's whole reach. */
  readonly branch: string;
}

const kindNames: Record<string, string> = { REGULATION: 'Регламент', FAQ: 'Вопрос-ответ', SCRIPT: 'Сценарий' };

export const articleKindName = (kind: string): string => kindNames[kind] ?? kind;

const followUpNames: Record<string, string> = { SATISFIED: 'Вопрос решён', NOT_SATISFIED: 'Не решён — вернуть в работу', NOT_REACHED: 'Не дозвонились' };

export const followUpName = (outcome: string): string => followUpNames[outcome] ?? outcome;

const eventNames: Record<string, string> = {
  REGISTERED: 'зарегистрировано',
  TAKEN: 'взято в работу',
  REASSIGNED: 'передано исполнителю',
  PASSED_TO_SECOND_LINE: 'передано на вторую линию',
  RESOLVED: 'решено',
  FOLLOW_UP_NOT_REACHED: 'контрольный звонок: не дозвонились',
  REOPENED: 'возвращено в работу',
  CLOSED: 'закрыто',
  CLOSED_NOT_REACHED: 'закрыто: заявитель не ответил',
  ESCALATED: 'срок под угрозой',
  OVERDUE: 'срок нарушен',
};

export const eventName = (code: string): string => eventNames[code] ?? code;
