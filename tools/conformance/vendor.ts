import type { CompiledService } from '../build/build-services';

/** An organisation as every simulator's shared admin API lists it (`GET /admin/organisations`). */
export interface SimOrganisation {
  readonly idLpu: number;
  readonly oid: string;
  readonly timeZone: string;
  readonly notifies?: boolean;
}

/** One vendor's clinics in a test region: its simulator and its adapter, as the kit starts them. */
export interface SiteContext {
  /** Unique in the run: names processes, topics and schemas. */
  readonly name: string;
  readonly simPort: number;
  /** The adapter's HTTP port (health, the patient API, and whatever the MIS pushes to it). */
  readonly adapterPort: number;
  /** The simulator's OID root: no other simulator running at the same time has these organisations. */
  readonly oidRoot: string;
  readonly adminToken: string;
  readonly adapterId: string;
  readonly organisations: number;
  readonly doctorsPerOrg: number;
  readonly horizonDays: number;
  /** The simulator's seed. */
  readonly seed: number;
}

/**
 * What the conformance kit, the multi-vendor e2e test and the demo need to know of a vendor: how to
 * start its simulator and its adapter (the vendor's own variables; the kit adds the runtime's:
 * ADAPTER_ID, HTTP_PORT, ADAPTER_ORGANISATIONS, the database schema, Kafka, keys) and how its ids
 * relate to the simulator's clinic model. Every simulator shares the admin API of
 * tools/simulators/clinic, so the kit drives them all the same way.
 */
export interface VendorUnderTest {
  /** The adapter's MIS_VENDOR, e.g. `hubservice`. */
  readonly vendor: string;
  readonly simulator: CompiledService;
  /** Arguments of the simulator: port, OID root, admin token, region size, no random front-desk life, push target at the adapter. */
  simulatorArgs(site: SiteContext): string[];
  readonly adapter: CompiledService;
  /** The adapter's vendor-specific variables (the MIS's address and credentials, how often to read dumps...). */
  adapterEnv(site: SiteContext, organisations: readonly SimOrganisation[]): Record<string, string>;
  /** The simulator's slot id of a slot medbus knows by this local (MIS) id. */
  simSlotIdOf(localSlotId: string): string;
  /** A `malformed` mode of the simulator's `POST /admin/faults` that garbles what the adapter reads. */
  readonly hostileMode: string;
  /**
   * Garbles the next thing the adapter reads, for a MIS whose reads `/admin/faults` does not reach
   * (files): called by the kit before a change it then publishes.
   */
  garbleNextRead?(site: SiteContext, admin: SimulatorAdmin): Promise<void>;
  /**
   * What the MIS does after it sent something garbled, for a MIS whose later reads do not repeat what
   * was lost (a partial dump refused: the vendor exports a full one). Absent: nothing is needed.
   */
  recoverAfterGarbled?(site: SiteContext, admin: SimulatorAdmin): Promise<void>;
  /**
   * Makes the adapter see the MIS's current state now, when it learns of changes only by reading
   * (a dump produced, a poll triggered): called by the kit after each change it makes at the
   * simulator. Absent: the adapter learns of them by itself (notifications, webhooks, a short poll).
   */
  publishChanges?(site: SiteContext, admin: SimulatorAdmin): Promise<void>;
}

/** The shared admin API of a running simulator. */
export interface SimulatorAdmin {
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
}
