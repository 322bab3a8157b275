import { CodeMap, NsiDictionary } from '@medbus/mis-adapter-kit';
import { recordedResult } from './__fixtures__/recorded';
import { toResourceState } from './resource.mapper';

describe('resource mapper, on recorded GetSpesialityList and GetDoctorList answers', () => {
  const [cardiology, localOnly] = recordedResult('GetSpesialityList', 'get-spesiality-list.response.xml').ListSpesiality;
  const [doctor] = recordedResult('GetDoctorList', 'get-doctor-list.response.xml').Docs;

  it("codes the doctor's specialty with the vendor's federal code and carries the SNILS as its 11 digits", () => {
    const mapped = toResourceState(doctor, cardiology, '1.2.643.5.1.13.13.12.2.23.1037', new CodeMap());
    expect(doctor.Snils).toBe('587-315-660 29');
    expect(mapped.issues).toEqual([]);
    expect(mapped.value).toMatchObject({
      resourceId: `1.2.643.5.1.13.13.12.2.23.1037:${doctor.IdDoc}`,
      displayName: doctor.Name,
      specialty: { nsiCode: '31', misCode: 'KAR', misName: 'Кардиология' },
      federalPractitionerId: null,
      practitionerSnils: '58731566029',
    });
  });

  it('publishes a doctor without a SNILS with none, and reports nothing', () => {
    const mapped = toResourceState({ ...doctor, Snils: undefined }, cardiology, '1.2.643.5.1.13.13.12.2.23.1037', new CodeMap());
    expect(mapped.value?.practitionerSnils).toBeNull();
    expect(mapped.issues).toEqual([]);
  });

  it('publishes a SNILS with a wrong check number as none and reports it without its value', () => {
    const mapped = toResourceState({ ...doctor, Snils: '587-315-660 30' }, cardiology, '1.2.643.5.1.13.13.12.2.23.1037', new CodeMap());
    expect(mapped.value?.practitionerSnils).toBeNull();
    expect(mapped.issues).toEqual([{ kind: 'invalid_value', entity: `resource 1.2.643.5.1.13.13.12.2.23.1037:${doctor.IdDoc}`, field: 'Snils' }]);
    expect(JSON.stringify(mapped.issues)).not.toMatch(/587/);
  });

  it('publishes a local-only specialty with nsiCode null and reports it as unmapped', () => {
    const mapped = toResourceState(doctor, localOnly, '1.2.643.5.1.13.13.12.2.23.1037', new CodeMap());
    expect(mapped.value?.specialty).toEqual({ nsiCode: null, misCode: 'PROF', misName: 'Профпатология (местный код)' });
    expect(mapped.issues).toEqual([expect.objectContaining({ kind: 'unmapped_code', misCode: 'PROF', dictionary: NsiDictionary.specialty })]);
  });

  it('lets the code map supply what the vendor lacks', () => {
    const codes = new CodeMap({ [NsiDictionary.specialty]: { PROF: '56' } });
    expect(toResourceState(doctor, localOnly, '1.2.643.5.1.13.13.12.2.23.1037', codes).value?.specialty.nsiCode).toBe('56');
  });

  it("publishes the region's sex, age and attachment rules of the doctor's specialty", () => {
    const rules = { '31': { patientSex: null, minPatientAgeYears: 18, maxPatientAgeYears: null, attachmentRequired: true } };
    expect(toResourceState(doctor, cardiology, '1.2.643.5.1.13.13.12.2.23.1037', new CodeMap(), rules).value).toMatchObject({
      patientSex: null,
      minPatientAgeYears: 18,
      maxPatientAgeYears: null,
      attachmentRequired: true,
    });
    expect(toResourceState(doctor, localOnly, '1.2.643.5.1.13.13.12.2.23.1037', new CodeMap(), rules).value).toMatchObject({
      patientSex: null,
      minPatientAgeYears: null,
      maxPatientAgeYears: null,
      attachmentRequired: false,
    });
  });
});
