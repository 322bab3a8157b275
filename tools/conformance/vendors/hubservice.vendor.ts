import { compiledServices } from '../../build/build-services';
import type { SimOrganisation, SiteContext, VendorUnderTest } from '../vendor';

/** The guid the HubService simulator issues by default, and the adapter presents. */
export const hubserviceGuid = '6bd7b2a4-3c9c-4e43-9b0e-4b3c0c7d2f11';

/**
 * HubService (SOAP, tools/simulators/hubservice): the simulator notifies the adapter of every
 * front-desk change of every organisation (`--notify-share 1`), so the adapter learns of the kit's
 * changes by itself. HubService sends clinic-local times without a zone: the region's register tells
 * the adapter each organisation's zone.
 */
export const hubserviceVendor: VendorUnderTest = {
  vendor: 'hubservice',
  simulator: compiledServices.hubserviceSimulator,
  simulatorArgs: (site: SiteContext) => [
    ...['--host', '127.0.0.1', '--port', String(site.simPort), '--seed', String(site.seed), '--oid-root', site.oidRoot],
    ...['--organisations', String(site.organisations), '--doctors-per-org', String(site.doctorsPerOrg)],
    ...['--horizon-days', String(site.horizonDays), '--walkin-rate', '0', '--cancel-rate', '0', '--sick-per-day', '0', '--day-length', '0'],
    ...['--notify-url', `http://127.0.0.1:${site.adapterPort}/notifications`, '--notify-share', '1', '--admin-token', site.adminToken],
  ],
  adapter: compiledServices.hubserviceAdapter,
  adapterEnv: (site: SiteContext, organisations: readonly SimOrganisation[]) => ({
    MIS_WSDL_URL: `http://127.0.0.1:${site.simPort}/Hub25/HubService.svc?wsdl`,
    MIS_GUID: hubserviceGuid,
    HORIZON_DAYS: String(site.horizonDays + 1),
    MIS_RATE_PER_SECOND: '500',
    MIS_RATE_BURST: '500',
    ORGANISATION_TIME_ZONES: organisations.map((o) => `${o.oid}=${o.timeZone}`).join(','),
  }),
  simSlotIdOf: (localSlotId: string) => localSlotId,
  hostileMode: 'broken-xml',
};
