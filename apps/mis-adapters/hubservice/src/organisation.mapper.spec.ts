import { recordedResult } from './__fixtures__/recorded';
import { toOrganisationState } from './organisation.mapper';

describe('organisation mapper, on recorded GetDistrictList and GetLPUList answers', () => {
  const [district] = recordedResult('GetDistrictList', 'get-district-list.response.xml').Districts;
  const [clinic] = recordedResult('GetLPUList', 'get-lpu-list.response.xml').ListLPU;

  it('describes the clinic by its ФРМО OID in the configured zone', () => {
    expect(toOrganisationState(clinic, district, 'hubservice', 'Europe/Moscow')).toEqual({
      value: {
        organisationOid: '1.2.643.5.1.13.13.12.2.23.1037',
        fullName: 'ГБУЗ «Городская поликлиника № 1» министерства здравоохранения Краснодарского края',
        shortName: 'Городская поликлиника № 1 (Краснодар)',
        districtId: '1',
        districtName: 'г. Краснодар',
        misVendor: 'hubservice',
        timeZone: 'Europe/Moscow',
        active: true,
        address: 'Краснодар, ул. Кубанская, д. 90',
      },
      issues: [],
    });
  });

  it('reports a clinic without an OID instead of publishing it under a made-up key', () => {
    expect(toOrganisationState({ ...clinic, Oid: undefined }, district, 'hubservice', 'Europe/Moscow')).toEqual({
      issues: [{ kind: 'missing_field', entity: 'clinic IdLPU=1', field: 'Oid' }],
    });
  });
});
