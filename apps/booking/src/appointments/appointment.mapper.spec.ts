import { ageInYears, refusalOf, type BookableSlot, type PatientFacts } from './appointment.mapper';

const now = new Date('2026-11-24T08:00:00Z');

function aSlot(overrides: Partial<BookableSlot> = {}): BookableSlot {
  return {
    slotId: 'org:s1',
    organisationOid: 'org',
    resourceId: 'org:d1',
    localSlotId: 's1',
    localResourceId: 'd1',
    startsAt: new Date('2026-11-25T09:00:00Z'),
    endsAt: new Date('2026-11-25T09:15:00Z'),
    status: 'FREE',
    offered: true,
    removed: false,
    specialtyNsiCode: '76',
    specialtyMisCode: 'T',
    patientSex: null,
    minPatientAgeYears: null,
    maxPatientAgeYears: null,
    attachmentRequired: false,
    ...overrides,
  };
}

function aPatient(overrides: Partial<PatientFacts> = {}): PatientFacts {
  return { patientId: 'p', organisationOid: 'org', sex: null, birthDate: null, attached: null, ...overrides };
}

describe('the booking rules', () => {
  it('allow a free future slot to a patient of its organisation', () => {
    expect(refusalOf(aSlot(), aPatient(), now)).toBeUndefined();
  });

  it('refuse a removed, hidden or past slot', () => {
    expect(refusalOf(aSlot({ removed: true }), aPatient(), now)).toBe('SLOT_NOT_FOUND');
    expect(refusalOf(aSlot({ offered: false }), aPatient(), now)).toBe('SLOT_NOT_FOUND');
    expect(refusalOf(aSlot({ startsAt: new Date('2026-11-24T07:59:00Z') }), aPatient(), now)).toBe('SLOT_IN_PAST');
  });

  it('refuse a patient identified at another organisation', () => {
    expect(refusalOf(aSlot(), aPatient({ organisationOid: 'other' }), now)).toBe('OTHER_ORGANISATION');
  });

  it('accept the specialty by NSI or MIS code and refuse another', () => {
    expect(refusalOf(aSlot(), aPatient(), now, '76')).toBeUndefined();
    expect(refusalOf(aSlot(), aPatient(), now, 'T')).toBeUndefined();
    expect(refusalOf(aSlot(), aPatient(), now, '2')).toBe('SPECIALTY_NOT_PROVIDED');
  });

  it("refuse by the resource's sex and age rules, counting age on the visit day", () => {
    expect(refusalOf(aSlot({ patientSex: 'FEMALE' }), aPatient({ sex: 'MALE' }), now)).toBe('PATIENT_NOT_ELIGIBLE');
    expect(refusalOf(aSlot({ patientSex: 'FEMALE' }), aPatient({ sex: 'FEMALE' }), now)).toBeUndefined();
    expect(refusalOf(aSlot({ maxPatientAgeYears: 17 }), aPatient({ birthDate: '2008-11-25' }), now)).toBe('PATIENT_NOT_ELIGIBLE');
    expect(refusalOf(aSlot({ maxPatientAgeYears: 17 }), aPatient({ birthDate: '2008-11-26' }), now)).toBeUndefined();
    expect(refusalOf(aSlot({ minPatientAgeYears: 18 }), aPatient({ birthDate: '2010-01-01' }), now)).toBe('PATIENT_NOT_ELIGIBLE');
  });

  it('refuse a patient known not to be attached where attachment is required, and leave an unknown one to the MIS', () => {
    expect(refusalOf(aSlot({ attachmentRequired: true }), aPatient({ attached: false }), now)).toBe('PATIENT_NOT_ATTACHED');
    expect(refusalOf(aSlot({ attachmentRequired: true }), aPatient({ attached: null }), now)).toBeUndefined();
  });

  it('count age in full years', () => {
    expect(ageInYears('2000-02-29', '2018-02-28')).toBe(17);
    expect(ageInYears('2000-02-29', '2018-03-01')).toBe(18);
  });
});
