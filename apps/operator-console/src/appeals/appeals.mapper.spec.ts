import { actionsFor, formFromCall, deadlineRiskOf, deadlineText, emptyForm, invalidFieldsOf, phoneFromCall, registrationOf, snippetParts, stepsOf } from './appeals.mapper';

const now = new Date('2026-11-29T10:00:00.000Z');
const anAppeal = (over: Partial<{ status: string; deadlineAt: string; escalatedAt: string | null; overdueAt: string | null }> = {}) => ({
  status: 'IN_PROGRESS',
  deadlineAt: '2026-12-05T21:00:00.000Z',
  escalatedAt: null,
  overdueAt: null,
  ...over,
});

describe('appeals mapper: deadline risk', () => {
  it('is on time with more than a day left and no escalation', () => {
    expect(deadlineRiskOf(anAppeal(), now)).toBe('ON_TIME');
  });

  it('is at risk once escalated by the service or with a day or less left', () => {
    expect(deadlineRiskOf(anAppeal({ escalatedAt: '2026-11-29T09:00:00.000Z' }), now)).toBe('AT_RISK');
    expect(deadlineRiskOf(anAppeal({ deadlineAt: '2026-11-30T09:00:00.000Z' }), now)).toBe('AT_RISK');
  });

  it('is overdue past the deadline or once the service marked it so', () => {
    expect(deadlineRiskOf(anAppeal({ deadlineAt: '2026-11-29T09:59:00.000Z' }), now)).toBe('OVERDUE');
    expect(deadlineRiskOf(anAppeal({ overdueAt: '2026-11-29T09:00:00.000Z', deadlineAt: '2026-11-29T09:00:00.000Z' }), now)).toBe('OVERDUE');
  });

  it('no longer runs once the appeal is resolved or closed', () => {
    expect(deadlineRiskOf(anAppeal({ status: 'RESOLVED', deadlineAt: '2026-11-20T00:00:00.000Z' }), now)).toBe('DONE');
    expect(deadlineRiskOf(anAppeal({ status: 'CLOSED', overdueAt: '2026-11-20T00:00:00.000Z' }), now)).toBe('DONE');
  });

  it('words the time left or the delay', () => {
    expect(deadlineText('2026-11-29T15:10:00.000Z', now)).toBe('осталось 5 ч 10 мин');
    expect(deadlineText('2026-11-29T09:30:00.000Z', now)).toBe('просрочено на 30 мин');
    expect(deadlineText('2026-11-27T07:00:00.000Z', now)).toBe('просрочено на 2 дн 3 ч');
  });
});

describe('appeals mapper: the form and the workflow', () => {
  it('sends only the fields the API takes, trimmed, leaving out the empty optional ones', () => {
    expect(registrationOf({ ...emptyForm, type: 'COMPLAINT', text: '  Не дозвониться в регистратуру ', applicantPhone: ' +79181234567 ', organisationOid: '1.2.643.5.1.13.3' })).toEqual({
      type: 'COMPLAINT',
      text: 'Не дозвониться в регистратуру',
      applicantPhone: '+79181234567',
      organisationOid: '1.2.643.5.1.13.3',
    });
  });

  it('prefills the applicant’s number from the call only when the console shows it in clear', () => {
    expect(phoneFromCall('+79181234567')).toBe('+79181234567');
    expect(phoneFromCall('+7 9** ***-**-67')).toBe('');
    expect(phoneFromCall(null)).toBe('');
  });

  it('fills a new appeal from the call: its number in clear and the patient identified on it', () => {
    const patient = { patientId: '5b0c3f52-1a6e-4d0e-9a51-3a1f0c2b7d11', organisationOid: '1.2.643.5.1.13.13.12.2.23.1001' };
    expect(formFromCall('+79181234567', patient)).toEqual({ ...emptyForm, applicantPhone: '+79181234567', ...patient });
    expect(formFromCall('+7 9** ***-**-67', null)).toEqual(emptyForm);
  });

  it('marks the words a knowledge search matched', () => {
    expect(snippetParts('Как **записаться** к **педиатру** онлайн')).toEqual([
      { text: 'Как ', matched: false },
      { text: 'записаться', matched: true },
      { text: ' к ', matched: false },
      { text: 'педиатру', matched: true },
      { text: ' онлайн', matched: false },
    ]);
  });

  it('names in Russian the fields a refused registration names, never their values', () => {
    expect(invalidFieldsOf({ problems: ['applicantPhone: must be a phone number', 'text: Required', 'applicantPhone: too long'] })).toEqual(['телефон заявителя', 'текст']);
    expect(invalidFieldsOf(undefined)).toEqual([]);
  });

  it('offers each role only the changes the workflow allows it', () => {
    expect(actionsFor('OPERATOR', { status: 'REGISTERED' })).toEqual(['TAKE', 'TO_SECOND_LINE', 'RESOLVE']);
    expect(actionsFor('OPERATOR', { status: 'RESOLVED' })).toEqual(['FOLLOW_UP']);
    expect(actionsFor('OPERATOR', { status: 'SECOND_LINE' })).toEqual([]);
    expect(actionsFor('SECOND_LINE', { status: 'SECOND_LINE' })).toEqual(['TAKE_SECOND_LINE', 'RESOLVE']);
    expect(actionsFor('BRANCH_SUPERVISOR', { status: 'REGISTERED' })).toEqual([]);
  });

  it('takes a registered appeal before passing it to the second line or resolving it', () => {
    expect(stepsOf('TO_SECOND_LINE', 'REGISTERED', ' нужен врач ')).toEqual([{ to: 'IN_PROGRESS' }, { to: 'SECOND_LINE', note: 'нужен врач' }]);
    expect(stepsOf('TO_SECOND_LINE', 'IN_PROGRESS', 'нужен врач')).toEqual([{ to: 'SECOND_LINE', note: 'нужен врач' }]);
    expect(stepsOf('RESOLVE', 'SECOND_LINE', 'записан')).toEqual([{ to: 'RESOLVED', note: 'записан' }]);
  });
});
