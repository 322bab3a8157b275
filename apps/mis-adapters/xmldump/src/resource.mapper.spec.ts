import { CodeMap, NsiDictionary } from '@medbus/mis-adapter-kit';
import { recordedParts } from './__fixtures__/recorded';
import { toResourceState } from './resource.mapper';

const oid = '1.2.643.5.1.13.13.12.2.923.1037';

describe('resource mapper, on a recorded full dump', () => {
  it('publishes a Doctor with its code, SNILS digits and the vendor’s NSI code of its specialty, and no patient rules', async () => {
    const [doctor] = (await recordedParts('schedule-full.dump.xml')).doctors;
    expect(toResourceState(doctor, oid, new CodeMap())).toEqual({
      value: {
        resourceId: `${oid}:D0101`,
        organisationOid: oid,
        localResourceId: 'D0101',
        federalPractitionerId: null,
        practitionerSnils: '58731566029',
        displayName: 'Кузнецов П. К.',
        specialty: { nsiCode: '31', misCode: 'KAR', misName: 'Кардиология' },
        position: null,
        departmentOid: null,
        departmentName: null,
        room: null,
        active: true,
        patientSex: null,
        minPatientAgeYears: null,
        maxPatientAgeYears: null,
        attachmentRequired: false,
      },
      issues: [],
    });
  });

  it('carries the region’s rules of the doctor’s specialty: attached adults at the district therapist, women at the gynaecologist', async () => {
    const [doctor] = (await recordedParts('schedule-full.dump.xml')).doctors;
    expect(toResourceState({ ...doctor, specialty: { code: 'TER', nsi: '76', name: 'Терапия' } }, oid, new CodeMap()).value).toMatchObject({
      patientSex: null,
      minPatientAgeYears: 18,
      maxPatientAgeYears: null,
      attachmentRequired: true,
    });
    expect(toResourceState({ ...doctor, specialty: { code: 'GIN', nsi: '2', name: 'Гинекология' } }, oid, new CodeMap()).value).toMatchObject({ patientSex: 'FEMALE' });
  });

  it('takes the code map over the vendor’s nsi attribute, and reports a specialty with neither', async () => {
    const [doctor] = (await recordedParts('schedule-full.dump.xml')).doctors;
    const codes = new CodeMap({ [NsiDictionary.specialty]: { KAR: '29' } });
    expect(toResourceState(doctor, oid, codes).value?.specialty.nsiCode).toBe('29');

    const unmapped = toResourceState({ ...doctor, specialty: { code: 'XYZ', name: 'Прочее' } }, oid, new CodeMap());
    expect(unmapped.value?.specialty).toEqual({ nsiCode: null, misCode: 'XYZ', misName: 'Прочее' });
    expect(unmapped.issues).toEqual([{ kind: 'unmapped_code', entity: `resource ${oid}:D0101`, dictionary: NsiDictionary.specialty, misCode: 'XYZ' }]);
  });

  it('publishes a SNILS with a wrong check number as null and reports the field, never the value', async () => {
    const [doctor] = (await recordedParts('schedule-full.dump.xml')).doctors;
    const mapped = toResourceState({ ...doctor, snils: '58731566028' }, oid, new CodeMap());
    expect(mapped.value?.practitionerSnils).toBeNull();
    expect(mapped.issues).toEqual([{ kind: 'invalid_value', entity: `resource ${oid}:D0101`, field: 'snils' }]);
    expect(JSON.stringify(mapped.issues)).not.toContain('5873156602');
    expect(toResourceState({ ...doctor, snils: undefined }, oid, new CodeMap())).toMatchObject({ value: { practitionerSnils: null }, issues: [] });
  });
});
