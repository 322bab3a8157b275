import { recordedParts } from './__fixtures__/recorded';
import { toOrganisationState } from './organisation.mapper';

describe('organisation mapper, on a recorded full dump', () => {
  it('publishes a Clinic with its OID, names, district, zone and address', async () => {
    const [clinic] = (await recordedParts('schedule-full.dump.xml')).clinics;
    expect(toOrganisationState(clinic, 'xmldump')).toEqual({
      value: {
        organisationOid: '1.2.643.5.1.13.13.12.2.923.1037',
        fullName: 'ГБУЗ «Городская поликлиника № 1» министерства здравоохранения Краснодарского края',
        shortName: 'Городская поликлиника № 1 (Краснодар)',
        districtId: '1',
        districtName: 'г. Краснодар',
        misVendor: 'xmldump',
        timeZone: 'Europe/Moscow',
        active: true,
        address: 'Краснодар, ул. Кубанская, д. 90',
      },
      issues: [],
    });
  });

  it('publishes a clinic the vendor lists inactive as inactive, and one without a district with an empty one, reported', async () => {
    const [clinic] = (await recordedParts('schedule-full.dump.xml')).clinics;
    const mapped = toOrganisationState({ ...clinic, active: false, district: undefined, shortName: undefined, address: undefined }, 'xmldump');
    expect(mapped.value).toMatchObject({ active: false, districtId: '', districtName: '', shortName: mapped.value?.fullName, address: null });
    expect(mapped.issues).toEqual([{ kind: 'missing_field', entity: 'organisation 1.2.643.5.1.13.13.12.2.923.1037', field: 'District' }]);
  });
});
