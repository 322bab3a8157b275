import { channelsFor, defaultSpecialtyRules, ruleFor, specialtyRulesSchema } from './specialty-rules.config';

describe("the region's specialty rules", () => {
  it('books only women to obstetrics and gynaecology, under-18s to paediatrics and adults to therapy, attached ones to primary care', () => {
    expect(ruleFor(defaultSpecialtyRules, '2')).toEqual({ patientSex: 'FEMALE', minPatientAgeYears: null, maxPatientAgeYears: null, attachmentRequired: false });
    expect(ruleFor(defaultSpecialtyRules, '49')).toEqual({ patientSex: null, minPatientAgeYears: null, maxPatientAgeYears: 17, attachmentRequired: true });
    expect(ruleFor(defaultSpecialtyRules, '76')).toEqual({ patientSex: null, minPatientAgeYears: 18, maxPatientAgeYears: null, attachmentRequired: true });
  });

  it('restricts nothing for a specialty without a rule or without an NSI code', () => {
    expect(ruleFor(defaultSpecialtyRules, '31')).toEqual({ patientSex: null, minPatientAgeYears: null, maxPatientAgeYears: null, attachmentRequired: false });
    expect(ruleFor(defaultSpecialtyRules, null).attachmentRequired).toBe(false);
  });

  it("closes endocrinology (seen on a referral) to the patients' own portals, regional and federal, and nothing else by default", () => {
    const all = ['CONTACT_CENTRE', 'PORTAL', 'FRONT_DESK', 'KIOSK', 'FEDERAL_PORTAL'] as const;
    expect(channelsFor(defaultSpecialtyRules, '95', all)).toEqual(['CONTACT_CENTRE', 'FRONT_DESK', 'KIOSK']);
    expect(channelsFor(defaultSpecialtyRules, '31', all)).toEqual([...all]);
    expect(channelsFor(defaultSpecialtyRules, '76', all)).toEqual([...all]);
    expect(channelsFor(defaultSpecialtyRules, null, all)).toEqual([...all]);
    expect(channelsFor(defaultSpecialtyRules, '95', ['CONTACT_CENTRE', 'PORTAL'])).toEqual(['CONTACT_CENTRE']);
  });

  it('gives the resource only who may be booked, never the closed channels', () => {
    expect(ruleFor(defaultSpecialtyRules, '95')).toEqual({ patientSex: null, minPatientAgeYears: null, maxPatientAgeYears: null, attachmentRequired: false });
  });

  it('reads a rules file with defaults for what it leaves out and refuses contradictions', () => {
    expect(specialtyRulesSchema.parse({ '27': { attachmentRequired: true } })).toEqual({
      '27': { patientSex: null, minPatientAgeYears: null, maxPatientAgeYears: null, attachmentRequired: true },
    });
    expect(() => specialtyRulesSchema.parse({ '27': { minPatientAgeYears: 18, maxPatientAgeYears: 17 } })).toThrow(/must not exceed/);
    expect(() => specialtyRulesSchema.parse({ '27': { sex: 'FEMALE' } })).toThrow();
    expect(specialtyRulesSchema.parse({ '31': { closedChannels: ['FEDERAL_PORTAL'] } })['31']?.closedChannels).toEqual(['FEDERAL_PORTAL']);
    expect(() => specialtyRulesSchema.parse({ '31': { closedChannels: ['TELEGRAM'] } })).toThrow();
  });
});
