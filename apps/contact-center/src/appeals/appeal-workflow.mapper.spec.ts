import { Role } from '@medbus/service-auth';
import { AppealEventCode, AppealStatus, FollowUpOutcome, appealTransitions, followUpTransition, lineAfter, maxNotReachedFollowUps, requestedTransition } from './appeal-workflow.mapper';

const { REGISTERED, IN_PROGRESS, SECOND_LINE, RESOLVED, CLOSED } = AppealStatus;
const statuses = Object.values(AppealStatus);
const staff = [Role.OPERATOR, Role.SECOND_LINE, Role.BRANCH_SUPERVISOR, Role.HEAD_SUPERVISOR];

describe('the appeal workflow', () => {
  it('lets each role make exactly these changes on request', () => {
    const allowed = statuses.flatMap((from) =>
      statuses.flatMap((to) => staff.flatMap((role) => {
        const transition = requestedTransition(from, to, role);
        return transition ? [`${role}: ${from} → ${to} (${transition.event})`] : [];
      })),
    );
    expect(allowed.sort()).toEqual(
      [
        'OPERATOR: REGISTERED → IN_PROGRESS (TAKEN)',
        'BRANCH_SUPERVISOR: REGISTERED → IN_PROGRESS (TAKEN)',
        'HEAD_SUPERVISOR: REGISTERED → IN_PROGRESS (TAKEN)',
        'BRANCH_SUPERVISOR: IN_PROGRESS → IN_PROGRESS (REASSIGNED)',
        'HEAD_SUPERVISOR: IN_PROGRESS → IN_PROGRESS (REASSIGNED)',
        'OPERATOR: IN_PROGRESS → SECOND_LINE (PASSED_TO_SECOND_LINE)',
        'OPERATOR: IN_PROGRESS → RESOLVED (RESOLVED)',
        'SECOND_LINE: SECOND_LINE → SECOND_LINE (REASSIGNED)',
        'BRANCH_SUPERVISOR: SECOND_LINE → SECOND_LINE (REASSIGNED)',
        'HEAD_SUPERVISOR: SECOND_LINE → SECOND_LINE (REASSIGNED)',
        'SECOND_LINE: SECOND_LINE → RESOLVED (RESOLVED)',
      ].sort(),
    );
  });

  it('never closes an appeal on request: only a follow-up call closes it', () => {
    for (const from of statuses) for (const role of staff) expect(requestedTransition(from, CLOSED, role)).toBeUndefined();
    expect(appealTransitions.filter((t) => t.to === CLOSED).every((t) => t.by.kind === 'follow-up')).toBe(true);
  });

  it('keeps the first line from resolving what it passed to the second line, and the second line from what it was not given', () => {
    expect(requestedTransition(SECOND_LINE, RESOLVED, Role.OPERATOR)).toBeUndefined();
    expect(requestedTransition(IN_PROGRESS, RESOLVED, Role.SECOND_LINE)).toBeUndefined();
    expect(requestedTransition(REGISTERED, RESOLVED, Role.OPERATOR)).toBeUndefined();
  });

  it('asks for the answer when resolving and for a hand-over when passing on', () => {
    expect(requestedTransition(IN_PROGRESS, RESOLVED, Role.OPERATOR)?.by.note).toBe('resolution');
    expect(requestedTransition(SECOND_LINE, RESOLVED, Role.SECOND_LINE)?.by.note).toBe('resolution');
    expect(requestedTransition(IN_PROGRESS, SECOND_LINE, Role.OPERATOR)?.by).toMatchObject({ note: 'handover', assignment: 'given-or-pool' });
    expect(requestedTransition(REGISTERED, IN_PROGRESS, Role.OPERATOR)?.by.assignment).toBe('self');
    expect(requestedTransition(REGISTERED, IN_PROGRESS, Role.BRANCH_SUPERVISOR)?.by.assignment).toBe('given');
  });

  it('closes a resolved appeal when the applicant is satisfied and reopens it on the first line when he is not', () => {
    const closed = followUpTransition(RESOLVED, FollowUpOutcome.SATISFIED, 0);
    expect(closed).toMatchObject({ to: CLOSED, event: AppealEventCode.CLOSED });
    const reopened = followUpTransition(RESOLVED, FollowUpOutcome.NOT_SATISFIED, 2);
    expect(reopened).toMatchObject({ to: IN_PROGRESS, event: AppealEventCode.REOPENED });
    expect(reopened && lineAfter(reopened, 2)).toBe(1);
  });

  it('keeps an unreached applicant’s appeal resolved until the third call, which closes it with that noted', () => {
    const outcomes = Array.from({ length: maxNotReachedFollowUps }, (_, before) => followUpTransition(RESOLVED, FollowUpOutcome.NOT_REACHED, before));
    expect(outcomes.map((t) => [t?.to, t?.event])).toEqual([
      [RESOLVED, AppealEventCode.FOLLOW_UP_NOT_REACHED],
      [RESOLVED, AppealEventCode.FOLLOW_UP_NOT_REACHED],
      [CLOSED, AppealEventCode.CLOSED_NOT_REACHED],
    ]);
  });

  it('takes no follow-up for an appeal that is not resolved', () => {
    for (const from of [REGISTERED, IN_PROGRESS, SECOND_LINE, CLOSED]) {
      for (const outcome of Object.values(FollowUpOutcome)) expect(followUpTransition(from, outcome, 0)).toBeUndefined();
    }
  });

  it('moves an appeal to the second line when passed on, and keeps its line otherwise', () => {
    const passed = requestedTransition(IN_PROGRESS, SECOND_LINE, Role.OPERATOR);
    const resolvedBySecond = requestedTransition(SECOND_LINE, RESOLVED, Role.SECOND_LINE);
    expect(passed && lineAfter(passed, 1)).toBe(2);
    expect(resolvedBySecond && lineAfter(resolvedBySecond, 2)).toBe(2);
  });
});
