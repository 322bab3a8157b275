import { Role } from '@medbus/service-auth';

export const AppealStatus = {
  REGISTERED: 'REGISTERED',
  IN_PROGRESS: 'IN_PROGRESS',
  SECOND_LINE: 'SECOND_LINE',
  RESOLVED: 'RESOLVED',
  CLOSED: 'CLOSED',
} as const;
export type AppealStatus = (typeof AppealStatus)[keyof typeof AppealStatus];

/** Statuses in which the regulation's clock runs: escalation and overdue apply to these only. */
export const openAppealStatuses = [AppealStatus.REGISTERED, AppealStatus.IN_PROGRESS, AppealStatus.SECOND_LINE] as const;

export const FollowUpOutcome = {
  SATISFIED: 'SATISFIED',
  NOT_SATISFIED: 'NOT_SATISFIED',
  NOT_REACHED: 'NOT_REACHED',
} as const;
export type FollowUpOutcome = (typeof FollowUpOutcome)[keyof typeof FollowUpOutcome];

/** What `appeal_event.code` says happened: codes only, never text. */
export const AppealEventCode = {
  REGISTERED: 'REGISTERED',
  TAKEN: 'TAKEN',
  REASSIGNED: 'REASSIGNED',
  PASSED_TO_SECOND_LINE: 'PASSED_TO_SECOND_LINE',
  RESOLVED: 'RESOLVED',
  FOLLOW_UP_NOT_REACHED: 'FOLLOW_UP_NOT_REACHED',
  REOPENED: 'REOPENED',
  CLOSED: 'CLOSED',
  CLOSED_NOT_REACHED: 'CLOSED_NOT_REACHED',
  ESCALATED: 'ESCALATED',
  OVERDUE: 'OVERDUE',
} as const;
export type AppealEventCode = (typeof AppealEventCode)[keyof typeof AppealEventCode];

/** After this many follow-up calls in a row that did not reach the applicant, the appeal is closed with that noted. */
export const maxNotReachedFollowUps = 3;

/**
 * Who the appeal is assigned to afterwards: `self` the caller, `given` the request's assignTo (required),
 * `given-or-pool` the request's assignTo or nobody (the second line's pool), `kept` unchanged.
 */
export type Assignment = 'self' | 'given' | 'given-or-pool' | 'kept';

/** Which free text a transition stores (encrypted): the answer given, or what the second line is told. */
export type TransitionNote = 'resolution' | 'handover' | 'none';

type Trigger =
  | { readonly kind: 'request'; readonly roles: readonly Role[]; readonly assignment: Assignment; readonly note: TransitionNote }
  | { readonly kind: 'follow-up'; readonly outcome: FollowUpOutcome; readonly lastAllowedAttempt?: boolean };

export interface AppealTransition {
  readonly from: AppealStatus;
  readonly to: AppealStatus;
  readonly event: AppealEventCode;
  readonly by: Trigger;
}

const { REGISTERED, IN_PROGRESS, SECOND_LINE, RESOLVED, CLOSED } = AppealStatus;
const supervisors = [Role.BRANCH_SUPERVISOR, Role.HEAD_SUPERVISOR] as const;
const request = (roles: readonly Role[], assignment: Assignment, note: TransitionNote = 'none'): Trigger => ({ kind: 'request', roles, assignment, note });
const followUp = (outcome: FollowUpOutcome, lastAllowedAttempt?: boolean): Trigger => ({ kind: 'follow-up', outcome, ...(lastAllowedAttempt === undefined ? {} : { lastAllowedAttempt }) });

/**
 * Every change an appeal's status may make, and what makes it. The first line takes and works an appeal
 * or passes it on to the second line (a duty doctor, an expert), which resolves it; a resolved appeal is
 * closed only by a follow-up call in which the applicant says the problem was solved (the regulation),
 * reopened when he says it was not, and closed unheard only after {@link maxNotReachedFollowUps} calls
 * that did not reach him. Supervisors reassign but do not work appeals.
 */
export const appealTransitions: readonly AppealTransition[] = [
  { from: REGISTERED, to: IN_PROGRESS, event: AppealEventCode.TAKEN, by: request([Role.OPERATOR], 'self') },
  { from: REGISTERED, to: IN_PROGRESS, event: AppealEventCode.TAKEN, by: request(supervisors, 'given') },
  { from: IN_PROGRESS, to: IN_PROGRESS, event: AppealEventCode.REASSIGNED, by: request(supervisors, 'given') },
  { from: IN_PROGRESS, to: SECOND_LINE, event: AppealEventCode.PASSED_TO_SECOND_LINE, by: request([Role.OPERATOR], 'given-or-pool', 'handover') },
  { from: SECOND_LINE, to: SECOND_LINE, event: AppealEventCode.REASSIGNED, by: request([Role.SECOND_LINE], 'self') },
  { from: SECOND_LINE, to: SECOND_LINE, event: AppealEventCode.REASSIGNED, by: request(supervisors, 'given-or-pool') },
  { from: IN_PROGRESS, to: RESOLVED, event: AppealEventCode.RESOLVED, by: request([Role.OPERATOR], 'kept', 'resolution') },
  { from: SECOND_LINE, to: RESOLVED, event: AppealEventCode.RESOLVED, by: request([Role.SECOND_LINE], 'kept', 'resolution') },
  { from: RESOLVED, to: CLOSED, event: AppealEventCode.CLOSED, by: followUp(FollowUpOutcome.SATISFIED) },
  { from: RESOLVED, to: IN_PROGRESS, event: AppealEventCode.REOPENED, by: followUp(FollowUpOutcome.NOT_SATISFIED) },
  { from: RESOLVED, to: RESOLVED, event: AppealEventCode.FOLLOW_UP_NOT_REACHED, by: followUp(FollowUpOutcome.NOT_REACHED, false) },
  { from: RESOLVED, to: CLOSED, event: AppealEventCode.CLOSED_NOT_REACHED, by: followUp(FollowUpOutcome.NOT_REACHED, true) },
];

export type RequestedTransition = AppealTransition & { readonly by: Extract<Trigger, { kind: 'request' }> };

/** The transition a request asks for, when the caller's role may make it from the appeal's status. */
export function requestedTransition(from: AppealStatus, to: AppealStatus, role: string): RequestedTransition | undefined {
  return appealTransitions.find(
    (t): t is RequestedTransition => t.from === from && t.to === to && t.by.kind === 'request' && (t.by.roles as readonly string[]).includes(role),
  );
}

/**
 * The transition a follow-up call's answer makes, given how many earlier follow-ups since the
 * resolution did not reach the applicant; undefined when the appeal is not awaiting a follow-up.
 */
export function followUpTransition(from: AppealStatus, outcome: FollowUpOutcome, notReachedBefore: number): AppealTransition | undefined {
  const last = notReachedBefore + 1 >= maxNotReachedFollowUps;
  return appealTransitions.find(
    (t) => t.from === from && t.by.kind === 'follow-up' && t.by.outcome === outcome && (t.by.lastAllowedAttempt === undefined || t.by.lastAllowedAttempt === last),
  );
}

/** The line that works the appeal after a transition: the second line once passed to it, the first again when reopened. */
export function lineAfter(transition: AppealTransition, line: 1 | 2): 1 | 2 {
  if (transition.to === AppealStatus.SECOND_LINE) return 2;
  if (transition.to === AppealStatus.IN_PROGRESS) return 1;
  return line;
}
