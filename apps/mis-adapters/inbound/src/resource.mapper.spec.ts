import { CodeMap, NsiDictionary, defaultSpecialtyRules } from '@medbus/mis-adapter-kit';
import { resourcesBodySchema } from './inbound-request.mapper';
import { toResourceStates } from './resource.mapper';
import resources from './__fixtures__/resources.json';

const oid = '1.2.643.5.1.13.13.12.2.23.1037';
const listed = resourcesBodySchema.parse(resources).resources;

describe('the resources the MIS pushed, as canonical states', () => {
  it('maps a district therapist with its NSI specialty, position, department, room, SNILS and the region’s rule for the specialty', () => {
    const codes = new CodeMap({ [NsiDictionary.position]: { 'VR-TER': '109' } });

    const { states } = toResourceStates(oid, listed, codes, defaultSpecialtyRules);

    expect(states[0]).toEqual({
      resourceId: `${oid}:doc-117`,
      organisationOid: oid,
      localResourceId: 'doc-117',
      federalPractitionerId: null,
      practitionerSnils: '11223344595',
      displayName: 'Иванова А. П.',
      specialty: { nsiCode: '76', misCode: 'TER', misName: 'Терапевт участковый' },
      position: { nsiCode: '109', misCode: 'VR-TER', misName: 'Врач-терапевт участковый' },
      departmentOid: null,
      departmentName: 'Терапевтическое отделение № 1',
      room: '214',
      active: true,
      patientSex: null,
      minPatientAgeYears: 18,
      maxPatientAgeYears: null,
      attachmentRequired: true,
    });
  });

  it('takes the MIS’s own patient rules over the region’s, and the code map’s NSI code', () => {
    const codes = new CodeMap({ [NsiDictionary.specialty]: { GIN: '2' } });

    const { states } = toResourceStates(oid, listed, codes, { '2': { patientSex: 'FEMALE', minPatientAgeYears: 18, maxPatientAgeYears: null, attachmentRequired: true } });

    expect(states[1]).toMatchObject({
      specialty: { nsiCode: '2', misCode: 'GIN' },
      patientSex: 'FEMALE',
      minPatientAgeYears: 14,
      maxPatientAgeYears: null,
      attachmentRequired: false,
    });
  });

  it('publishes a SNILS with a wrong check number as none and an unmapped specialty with nsiCode null, reporting each without its value', () => {
    const { states, issues } = toResourceStates(oid, listed, new CodeMap(), defaultSpecialtyRules);

    expect(states[1]).toMatchObject({ practitionerSnils: null, specialty: { nsiCode: null, misCode: 'GIN' } });
    expect(states[2]).toMatchObject({ active: false, specialty: { nsiCode: null }, position: null, patientSex: null, attachmentRequired: false });
    expect(issues).toEqual(
      expect.arrayContaining([
        { kind: 'unmapped_code', entity: `resource ${oid}:doc-204`, dictionary: NsiDictionary.specialty, misCode: 'GIN' },
        { kind: 'invalid_value', entity: `resource ${oid}:doc-204`, field: 'snils' },
        { kind: 'unmapped_code', entity: `resource ${oid}:cab-procedure`, dictionary: NsiDictionary.specialty, misCode: 'PROC' },
      ]),
    );
    expect(JSON.stringify(issues)).not.toContain('11223344500');
  });
});
