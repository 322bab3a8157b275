import { CodeMap, NsiDictionary } from '@medbus/mis-adapter-kit';
import { recorded } from './__fixtures__/recorded';
import { pageSchema, practitionerSchema, specialtySchema } from './medrest-response.mapper';
import { rulesOf, toResourceState } from './resource.mapper';

const oid = '1.2.643.5.1.13.13.12.2.823.1037';

describe('resource mapper, on recorded practitioners and specialties listings', () => {
  const practitioners = recorded('practitioners.page.json', pageSchema(practitionerSchema)).data;
  const rules = rulesOf(recorded('specialties.json', pageSchema(specialtySchema)).data);
  const byId = (id: string) => {
    const practitioner = practitioners.find((p) => p.id === id);
    if (!practitioner) throw new Error(`no ${id} in the recording`);
    return practitioner;
  };

  it('codes specialty and position with the vendor’s NSI codes and carries the SNILS as its 11 digits', () => {
    const mapped = toResourceState(byId('prc-1-D0101'), oid, new CodeMap(), rules);
    expect(mapped.issues).toEqual([]);
    expect(mapped.value).toEqual({
      resourceId: `${oid}:prc-1-D0101`,
      organisationOid: oid,
      localResourceId: 'prc-1-D0101',
      federalPractitionerId: null,
      practitionerSnils: '58731566029',
      displayName: 'Кузнецов П. К.',
      specialty: { nsiCode: '31', misCode: 'KAR', misName: 'Кардиология' },
      position: { nsiCode: '25', misCode: 'P-KAR', misName: 'Врач-кардиолог' },
      departmentOid: null,
      departmentName: null,
      room: '351',
      active: true,
      patientSex: null,
      minPatientAgeYears: null,
      maxPatientAgeYears: null,
      attachmentRequired: false,
    });
  });

  it('publishes the restrictions the MIS enforces: women only at the gynaecologist, attached adults at the district therapist', () => {
    expect(toResourceState(byId('prc-1-D0103'), oid, new CodeMap(), rules).value).toMatchObject({ patientSex: 'FEMALE', attachmentRequired: false });
    expect(toResourceState(byId('prc-1-D0104'), oid, new CodeMap(), rules).value).toMatchObject({ patientSex: null, minPatientAgeYears: 18, maxPatientAgeYears: null, attachmentRequired: true });
  });

  it('publishes a practitioner the MIS has no SNILS for with none, and reports nothing', () => {
    const mapped = toResourceState(byId('prc-1-D0104'), oid, new CodeMap(), rules);
    expect(mapped.value?.practitionerSnils).toBeNull();
    expect(mapped.issues).toEqual([]);
  });

  it('publishes a SNILS with a wrong check number as none and reports it without its value', () => {
    const mapped = toResourceState({ ...byId('prc-1-D0101'), snils: '587-315-660 30' }, oid, new CodeMap(), rules);
    expect(mapped.value?.practitionerSnils).toBeNull();
    expect(mapped.issues).toEqual([{ kind: 'invalid_value', entity: `resource ${oid}:prc-1-D0101`, field: 'snils' }]);
    expect(JSON.stringify(mapped.issues)).not.toMatch(/587/);
  });

  it('publishes the local-only specialty with nsiCode null and reports it unmapped; the code map supplies it', () => {
    const local = byId('prc-1-D0108');
    const mapped = toResourceState(local, oid, new CodeMap(), rules);
    expect(mapped.value?.specialty).toEqual({ nsiCode: null, misCode: 'PROF', misName: 'Профпатология (местный код)' });
    expect(mapped.issues).toEqual([expect.objectContaining({ kind: 'unmapped_code', misCode: 'PROF', dictionary: NsiDictionary.specialty })]);
    expect(toResourceState(local, oid, new CodeMap({ [NsiDictionary.specialty]: { PROF: '56' } }), rules).value?.specialty.nsiCode).toBe('56');
  });

  it('reports a specialty missing from the MIS’s dictionary and restricts no one', () => {
    const mapped = toResourceState({ ...byId('prc-1-D0104'), specialty: { code: 'NEW', name: 'Новая', nsi: '1' } }, oid, new CodeMap(), rules);
    expect(mapped.value).toMatchObject({ minPatientAgeYears: null, attachmentRequired: false });
    expect(mapped.issues).toEqual([expect.objectContaining({ kind: 'invalid_value', misCode: 'NEW', field: 'specialty.code' })]);
  });
});
