import { recorded } from './__fixtures__/recorded';
import { facilitySchema, pageSchema } from './medrest-response.mapper';
import { toOrganisationState } from './organisation.mapper';

describe('organisation mapper, on a recorded facilities listing', () => {
  const { data } = recorded('facilities.page.json', pageSchema(facilitySchema));
  const [first] = data;
  const samara = data.find((f) => f.id === 'fac-7');

  it('publishes a facility under its registry OID with its names, district, zone and address', () => {
    expect(toOrganisationState(first, 'medrest', 'Europe/Moscow')).toEqual({
      value: {
        organisationOid: '1.2.643.5.1.13.13.12.2.823.1037',
        fullName: 'ГБУЗ «Городская поликлиника № 1» министерства здравоохранения Краснодарского края',
        shortName: 'Городская поликлиника № 1 (Краснодар)',
        districtId: '3401000000',
        districtName: 'г. Краснодар',
        misVendor: 'medrest',
        timeZone: 'Europe/Moscow',
        active: true,
        address: 'Краснодар, ул. Кубанская, д. 90',
      },
      issues: [],
    });
  });

  it("keeps a facility's own zone when it is not on Moscow time", () => {
    expect(samara && toOrganisationState(samara, 'medrest', 'Europe/Moscow').value?.timeZone).toBe('Europe/Samara');
  });

  it('reports and does not publish a facility without a valid registry OID', () => {
    expect(toOrganisationState({ ...first, registry_oid: null }, 'medrest', 'Europe/Moscow')).toEqual({
      issues: [{ kind: 'missing_field', entity: 'facility fac-1', field: 'registry_oid' }],
    });
    expect(toOrganisationState({ ...first, registry_oid: 'fac-1' }, 'medrest', 'Europe/Moscow').issues).toEqual([{ kind: 'invalid_value', entity: 'facility fac-1', field: 'registry_oid' }]);
  });

  it('publishes a facility whose zone is not an IANA zone in the fallback zone, and reports it', () => {
    const mapped = toOrganisationState({ ...first, time_zone: 'MSK' }, 'medrest', 'Europe/Moscow');
    expect(mapped.value?.timeZone).toBe('Europe/Moscow');
    expect(mapped.issues).toEqual([{ kind: 'invalid_value', entity: 'organisation 1.2.643.5.1.13.13.12.2.823.1037', field: 'time_zone' }]);
  });

  it('publishes an inactive facility as inactive, and one without district or address with empty ones', () => {
    expect(toOrganisationState({ ...first, active: false, district: null, address: ' ' }, 'medrest', 'Europe/Moscow').value).toMatchObject({
      active: false,
      districtId: '',
      districtName: '',
      address: null,
    });
  });
});
