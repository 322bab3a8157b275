import { compiledServices } from '../../build/build-services';
import type { SiteContext, VendorUnderTest } from '../vendor';

/** The key and webhook secret this kit's MedREST sites share between simulator and adapter. */
const apiKey = 'medrest-conformance-key-0001';
const webhookSecret = 'medrest-conformance-webhook-secret-0001';

/**
 * MedREST (JSON over HTTP, tools/simulators/medrest): the simulator signs a webhook to the adapter
 * for every change of every facility, and the adapter follows the change feed every half second
 * besides, so it learns of the kit's changes by itself (no `publishChanges`).
 */
export const medrestVendor: VendorUnderTest = {
  vendor: 'medrest',
  simulator: compiledServices.medrestSimulator,
  simulatorArgs: (site: SiteContext) => [
    ...['--port', String(site.simPort), '--oid-root', site.oidRoot, '--admin-token', site.adminToken, '--seed', String(site.seed)],
    ...['--organisations', String(site.organisations), '--doctors-per-org', String(site.doctorsPerOrg), '--horizon-days', String(site.horizonDays)],
    ...['--walkin-rate', '0', '--cancel-rate', '0', '--sick-per-day', '0', '--day-length', '0'],
    ...['--api-key', apiKey, '--webhook-url', `http://127.0.0.1:${site.adapterPort}/webhooks/medrest`, '--webhook-share', '1', '--webhook-secret', webhookSecret],
    ...['--log-requests', 'false'],
  ],
  adapter: compiledServices.medrestAdapter,
  adapterEnv: (site: SiteContext) => ({
    MEDREST_BASE_URL: `http://127.0.0.1:${site.simPort}/api/v2`,
    MEDREST_API_KEY: apiKey,
    MEDREST_WEBHOOK_SECRET: webhookSecret,
    MEDREST_CHANGES_INTERVAL_MS: '500',
    HORIZON_DAYS: String(site.horizonDays),
  }),
  // The simulator's admin API takes the clinic model's slot id: MedREST's without its `slt-` prefix (its README, part 2).
  simSlotIdOf: (localSlotId: string) => localSlotId.replace(/^slt-/, ''),
  hostileMode: 'broken-json',
};
