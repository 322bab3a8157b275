import { appealStatusText, callbackStatusText, callerNumberText, documentsOf, durationText, emptyIdentifyForm, identifiedByText, identifyBodyOf, outcomeText } from './call-card.mapper';

const today = '2026-03-02';

describe('call card mapper', () => {
  it('reads durations as minutes:seconds, hours when there are', () => {
    expect(durationText(125)).toBe('2:05');
    expect(durationText(3725)).toBe('1:02:05');
    expect(durationText(null)).toBe('—');
  });

  it('reads outcomes and statuses in words, an unknown one as given', () => {
    expect(outcomeText('ABANDONED')).toBe('потерян');
    expect(callbackStatusText('OPEN')).toBe('ждёт перезвона');
    expect(appealStatusText('SECOND_LINE')).toBe('на второй линии');
    expect(appealStatusText('NEW_STATUS')).toBe('NEW_STATUS');
    expect(callerNumberText(null)).toBe('номер скрыт');
    expect(callerNumberText('+7 9** ***-**-67')).toBe('+7 9** ***-**-67');
  });

  describe('identification', () => {
    it('identifies by the policy first, its digits only', () => {
      expect(documentsOf({ ...emptyIdentifyForm, policyNumber: '2300 0000 0000 0008', snils: '112-233-445 95' }, today)).toEqual({
        ok: true,
        documents: { policyNumber: '2300000000000008' },
      });
    });

    it('identifies by SNILS when no policy is given', () => {
      expect(documentsOf({ ...emptyIdentifyForm, snils: '112-233-445 95' }, today)).toEqual({ ok: true, documents: { snils: '11223344595' } });
    });

    it('identifies by name and birth date, the patronymic when given', () => {
      expect(documentsOf({ ...emptyIdentifyForm, surname: ' Иванов ', firstName: 'Иван', birthDate: '1985-03-15' }, today)).toEqual({
        ok: true,
        documents: { surname: 'Иванов', firstName: 'Иван', birthDate: '1985-03-15' },
      });
      expect(documentsOf({ ...emptyIdentifyForm, surname: 'Иванов', firstName: 'Иван', patronymic: 'Петрович', birthDate: '1985-03-15' }, today)).toMatchObject({
        documents: { patronymic: 'Петрович' },
      });
    });

    it('names what is missing or wrong without repeating the value', () => {
      const policy = documentsOf({ ...emptyIdentifyForm, policyNumber: '12345' }, today);
      expect(policy).toEqual({ ok: false, problem: 'Полис ОМС (ЕНП) — 16 цифр.' });
      expect(documentsOf({ ...emptyIdentifyForm, snils: '123' }, today)).toEqual({ ok: false, problem: 'СНИЛС — 11 цифр.' });
      expect(documentsOf({ ...emptyIdentifyForm, surname: 'Иванов' }, today)).toEqual({ ok: false, problem: 'Для поиска по ФИО нужны фамилия, имя и дата рождения.' });
      expect(documentsOf(emptyIdentifyForm, today).ok).toBe(false);
    });

    it('refuses a birth date in the future', () => {
      expect(documentsOf({ ...emptyIdentifyForm, surname: 'Иванов', firstName: 'Иван', birthDate: '2026-03-03' }, today)).toEqual({ ok: false, problem: 'Дата рождения указана неверно.' });
    });

    it('builds the body for one organisation and never asks to register', () => {
      expect(identifyBodyOf('oid-1', { snils: '11223344595' })).toEqual({ snils: '11223344595', organisationOid: 'oid-1', register: false });
    });

    it('says how the patient was identified without the values', () => {
      expect(identifiedByText({ policyNumber: '2300000000000008' })).toBe('по полису ОМС');
      expect(identifiedByText({ surname: 'Иванов', firstName: 'Иван', birthDate: '1985-03-15' })).toBe('по ФИО и дате рождения');
    });
  });
});
