import { organisationBodySchema } from './inbound-request.mapper';
import { toOrganisationState } from './organisation.mapper';
import organisation from './__fixtures__/organisation.json';

const oid = '1.2.643.5.1.13.13.12.2.23.1037';

describe('an organisation the MIS pushed, as its canonical state', () => {
  it('takes names, district, address, zone and activity, under the OID of the URL and the adapter’s vendor', () => {
    const body = organisationBodySchema.parse(organisation);

    expect(toOrganisationState(oid, body, 'inbound')).toEqual({
      organisationOid: oid,
      fullName: 'ГБУЗ «Городская поликлиника № 3» министерства здравоохранения Краснодарского края',
      shortName: 'Поликлиника № 3',
      districtId: '23',
      districtName: 'Прикубанский внутригородской округ',
      misVendor: 'inbound',
      timeZone: 'Europe/Moscow',
      active: true,
      address: '350049, г. Краснодар, ул. Красных Партизан, 6/2',
    });
  });

  it('shows the full name in lists when the MIS gives no short one, and no address when it gives an empty one', () => {
    const body = organisationBodySchema.parse({ ...organisation, shortName: undefined, address: '  ' });

    expect(toOrganisationState(oid, body, 'inbound')).toMatchObject({ shortName: body.fullName, address: null });
  });
});
