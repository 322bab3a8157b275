import { compiledServices } from '../../build/build-services';
import type { SimulatorAdmin, SiteContext, VendorUnderTest } from '../vendor';

/** The login and password this kit's XMLDump sites share between simulator and adapter. */
const login = 'medbus-conformance';
const password = 'xmldump-conformance-password';

/**
 * XMLDump (schedule dumps over HTTP, XML booking messages, tools/simulators/xmldump): the MIS
 * pushes nothing and writes dumps only when asked here (`--partial-interval 0`), so after each
 * change the kit makes, `publishChanges` has it write a partial dump, which the adapter finds at its
 * next read of the index (every 300 ms). The simulator's SFTP server listens on a free port, unused.
 */
export const xmldumpVendor: VendorUnderTest = {
  vendor: 'xmldump',
  simulator: compiledServices.xmldumpSimulator,
  simulatorArgs: (site: SiteContext) => [
    ...['--port', String(site.simPort), '--sftp-port', '0', '--oid-root', site.oidRoot, '--admin-token', site.adminToken, '--seed', String(site.seed)],
    ...['--organisations', String(site.organisations), '--doctors-per-org', String(site.doctorsPerOrg), '--horizon-days', String(site.horizonDays)],
    ...['--walkin-rate', '0', '--cancel-rate', '0', '--sick-per-day', '0', '--day-length', '0', '--partial-interval', '0'],
    ...['--login', login, '--password', password, '--log-requests', 'false'],
  ],
  adapter: compiledServices.xmldumpAdapter,
  adapterEnv: (site: SiteContext) => ({
    DUMP_URL: `http://127.0.0.1:${site.simPort}/dumps/`,
    MIS_LOGIN: login,
    MIS_PASSWORD: password,
    DUMP_POLL_INTERVAL_MS: '300',
    DUMP_RETRY_INITIAL_MS: '200',
    DUMP_RETRY_MAX_MS: '1000',
    HORIZON_DAYS: String(site.horizonDays),
  }),
  // A slot's local id is the vendor's ticket id, which is the clinic model's slot id.
  simSlotIdOf: (localSlotId: string) => localSlotId,
  // The booking answers' hostile mode (a DTD with nested entities); dumps are garbled through POST /admin/dump-faults.
  hostileMode: 'entity-expansion',
  publishChanges: async (_site: SiteContext, admin: SimulatorAdmin) => {
    await admin.call('POST', '/admin/dump', { kind: 'partial' });
  },
  // The next dump is published cut off mid-file: the adapter must refuse it whole.
  garbleNextRead: async (_site: SiteContext, admin: SimulatorAdmin) => {
    await admin.call('POST', '/admin/dump-faults', { corruptNext: 'truncated-file' });
  },
  // A refused partial's changes are in no later partial: the vendor exports a full dump again.
  recoverAfterGarbled: async (_site: SiteContext, admin: SimulatorAdmin) => {
    await admin.call('POST', '/admin/dump', { kind: 'full' });
  },
};
