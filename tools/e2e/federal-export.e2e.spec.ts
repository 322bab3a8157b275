import * as soap from 'soap';
import { stackAddresses } from '@medbus/testing';
import { bookingDbOf, compareInventoryWithMis, describeDifferences, equalsMis, type InventoryVsMis } from './inventory-vs-mis';
import { Region, eventually, misGuid, type SimDoctor, type SimOrganisation, type SimSlot } from './region.process';

/**
 * The federal registry export end to end (issue 10), every piece a real process: the HubService
 * simulator (the clinics' MIS), its adapter, the booking service, the registry exporter and the
 * federal registry's simulator (the federal side and its portal), over the local stack.
 *
 * The oracle is "the inventory's federal view", computed here independently of the exporter: from
 * booking's inventory (slots, their status and channels; practitioners and their NSI codes) and the
 * MIS's own doctor list (the SNILS, which booking does not keep). A location is each exportable
 * doctor (active, a valid SNILS, mapped specialty and position); a slot is exported when it starts
 * in the future, is open to FEDERAL_PORTAL and belongs to an exportable doctor: FREE as FREE, HELD
 * or BOOKED as BUSY. Every read of the federal side also checks what must hold at any moment: no key
 * twice, no version going back, no slot closed to the federal portal, no doctor without SNILS.
 */

interface FerChannels {
  readonly Channel?: readonly string[] | string;
}

interface FerLocationHeld {
  readonly Location_Id: string;
  readonly MO_OID: string;
  readonly Doctor_SNILS: string;
  readonly Specialty_Code: string;
  readonly Position_Code?: string;
  readonly Channels?: FerChannels | readonly string[];
  readonly Version: number;
}

interface FerSlotHeld {
  readonly Slot_Id: string;
  readonly Location_Id: string;
  readonly MO_OID: string;
  readonly Visit_Start: string;
  readonly Visit_End: string;
  readonly Status: string;
  readonly Version: number;
}

interface FerState {
  readonly locations: readonly FerLocationHeld[];
  readonly slots: readonly FerSlotHeld[];
}

interface ViewLocation {
  readonly mo: string;
  readonly snils: string;
  readonly specialty: string;
  readonly position: string | null;
  readonly channels: string;
}

interface ViewSlot {
  readonly location: string;
  readonly mo: string;
  readonly start: number;
  readonly end: number;
  readonly status: 'FREE' | 'BUSY';
}

/** A federal view, as expected from the inventory or as held by the federal side (ids -> objects). */
interface View {
  readonly locations: Map<string, ViewLocation>;
  readonly slots: Map<string, ViewSlot>;
}

/** What the federal side holds, with the versions. */
interface Held extends View {
  readonly versions: Map<string, number>;
}

interface SimPatient {
  readonly idPat: string;
  readonly policyNumber: string;
  readonly surname: string;
  readonly firstName: string;
  readonly patronymic: string;
  readonly birthDate: string;
  readonly bookings: readonly { readonly idAppointment: string }[];
}

/** What the simulated federal portal answers: which ErWebService step answered, and its Status_Code. */
interface PortalAnswer {
  readonly step?: 'GetPatientInfo' | 'CreateAppointment';
  readonly statusCode: string;
  readonly bookIdMis?: string;
  readonly comment?: string;
}

type Loose = Record<string, unknown>;

const ferChannels = new Set(['FRONT_DESK', 'FEDERAL_PORTAL', 'CONTACT_CENTRE', 'PORTAL', 'KIOSK']);

/** Today in Moscow, where the simulated organisations are (UTC+3, no DST). */
const moscowToday = new Date(Date.now() + 3 * 3_600_000).toISOString().slice(0, 10);
const isWeekday = (daysAhead: number): boolean => [1, 2, 3, 4, 5].includes(new Date(Date.parse(`${moscowToday}T00:00:00Z`) + daysAhead * 86_400_000).getUTCDay());
// Three days of schedule (today and two more), longer when a weekend would leave fewer than two
// days after today on which every doctor receives.
const HORIZON_DAYS = [3, 4, 5].find((h) => Array.from({ length: h - 1 }, (_, i) => isWeekday(i + 1)).filter(Boolean).length >= 2) ?? 5;

const region = new Region({
  name: 'federal',
  organisations: 4,
  doctorsPerOrg: 3,
  horizonDays: HORIZON_DAYS,
  federal: true,
  // The region's seed (7) at this size: D0401 has no SNILS at the MIS, D0103 an unmapped specialty
  // (PROF) and D0403 endocrinology, which the adapter's default rules close to FEDERAL_PORTAL.
  simArgs: ['--doctors-without-snils', '0.1'],
  // Reconciliation only when a test asks for it: a scheduled run would repair drift test 3 injects.
  exporterEnv: { RECONCILE_INTERVAL_MS: '0' },
  bookingEnv: { BOOKING_RESPONSE_TIMEOUT_MS: '8000' },
});

let doctors: SimDoctor[] = [];
let operationsKey = '';
let portalKey = '';
let misClient: soap.Client;
/** Slot ids the tests took for a change of their own: never picked twice. */
const used = new Set<string>();
/** Every version the federal side was seen holding per key: a later read must never hold a lower one. */
const versionsSeen = new Map<string, number>();
/** Slots of a specialty closed to FEDERAL_PORTAL, and locations of doctors generated without SNILS: never at the federal side. */
const neverExported = { slots: new Set<string>(), locations: new Set<string>() };
/** Every doctor's SNILS the MIS gave: none may appear in what the exporter reports. */
const knownSnils = new Set<string>();

const withLogs = (body: () => Promise<void>) => region.withLogs(body);

function orgOf(idLpu: number): SimOrganisation {
  const org = region.organisations.find((o) => o.idLpu === idLpu);
  if (!org) throw new Error(`no organisation ${idLpu}`);
  return org;
}

const resourceIdOf = (doctor: Pick<SimDoctor, 'idLpu' | 'idDoc'>): string => `${orgOf(doctor.idLpu).oid}:${doctor.idDoc}`;
const slotIdOf = (slot: SimSlot): string => `${orgOf(slot.idLpu).oid}:${slot.IdAppointment}`;
const localIdOf = (id: string): string => id.slice(id.indexOf(':') + 1);
const oids = (): string[] => region.organisations.map((o) => o.oid);
/** Slots starting before this are left out of comparisons: one may pass while a comparison runs. */
const horizonStart = (): number => Date.now() + 10 * 60_000;

/** The Pension Fund's check number rule; numbers up to 001-001-998 carry none. */
function isValidSnils(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  if (Number(digits.slice(0, 9)) <= 1_001_998) return true;
  const sum = [...digits.slice(0, 9)].reduce((acc, d, i) => acc + Number(d) * (9 - i), 0);
  const reduced = sum > 101 ? sum % 101 : sum;
  return (reduced < 100 ? reduced : 0) === Number(digits.slice(9));
}

/** For `eventually`: an empty list is no answer yet. */
const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined);

/** A repeated XML element as a list, whether one or many came. */
function listOf<T>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

// ---- the oracle: the inventory's federal view ------------------------------------------------

/** Each doctor's SNILS as the MIS lists it (GetDoctorList), 11 digits when valid, else null. */
async function misSnils(): Promise<Map<string, string | null>> {
  const snils = new Map<string, string | null>();
  const pairs = [...new Set(doctors.map((d) => `${d.idLpu}|${d.specialtyCode}`))];
  await Promise.all(
    pairs.map(async (pair) => {
      const [idLpu, idSpesiality] = pair.split('|');
      const [answer] = (await misClient['GetDoctorListAsync']({ idSpesiality, idLpu: Number(idLpu), guid: misGuid })) as [Loose];
      const result = answer['GetDoctorListResult'] as Loose;
      for (const doctor of listOf<Loose>((result['Docs'] as Loose | undefined)?.['Doctor'])) {
        const digits = String(doctor['Snils'] ?? '').replace(/\D/g, '');
        snils.set(resourceIdOf({ idLpu: Number(idLpu), idDoc: String(doctor['IdDoc']) }), isValidSnils(digits) ? digits : null);
      }
    }),
  );
  return snils;
}

interface InventoryPractitioner {
  resource_id: string;
  organisation_oid: string;
  specialty_nsi_code: string | null;
  position_nsi_code: string | null;
  position_mis_code: string | null;
  active: boolean;
  removed: boolean;
  organisation_active: boolean | null;
}

interface InventorySlot {
  slot_id: string;
  resource_id: string;
  organisation_oid: string;
  starts_at: Date;
  ends_at: Date;
  status: string;
  booking_channels: string[];
}

/** What the federal side must hold now, derived from booking's inventory and the MIS's SNILS. */
async function inventoryFederalView(from = horizonStart()): Promise<View> {
  const [snils, practitioners, slots] = await Promise.all([
    misSnils(),
    region.bookingDb<InventoryPractitioner>(
      `SELECT p.resource_id, p.organisation_oid, p.specialty_nsi_code, p.position_nsi_code, p.position_mis_code, p.active, p.removed,
              (o.active AND NOT o.removed) AS organisation_active
         FROM inventory_practitioner p LEFT JOIN inventory_organisation o USING (organisation_oid)
        WHERE p.organisation_oid = ANY($1)`,
      [oids()],
    ),
    region.bookingDb<InventorySlot>(
      `SELECT slot_id, resource_id, organisation_oid, starts_at, ends_at, status, booking_channels
         FROM inventory_slot WHERE organisation_oid = ANY($1) AND NOT removed AND starts_at > now()`,
      [oids()],
    ),
  ]);
  const exportable = new Map<string, InventoryPractitioner & { snils: string }>();
  for (const p of practitioners) {
    const doctorSnils = snils.get(p.resource_id) ?? null;
    const mapped = p.specialty_nsi_code !== null && (p.position_mis_code === null || p.position_nsi_code !== null);
    if (p.active && !p.removed && p.organisation_active && doctorSnils !== null && mapped) exportable.set(p.resource_id, { ...p, snils: doctorSnils });
  }
  const view: View = { locations: new Map(), slots: new Map() };
  const channels = new Map<string, Set<string>>();
  for (const slot of slots) {
    // A location's channels: the union over its future slots, exported or not (the exporter's
    // definition; the contract's wording, "over its exported slots", differs for a closed specialty).
    const union = channels.get(slot.resource_id) ?? new Set<string>();
    for (const channel of slot.booking_channels) if (ferChannels.has(channel)) union.add(channel);
    channels.set(slot.resource_id, union);
    if (!exportable.has(slot.resource_id) || !slot.booking_channels.includes('FEDERAL_PORTAL') || slot.status === 'BLOCKED') continue;
    if (slot.starts_at.getTime() < from) continue;
    view.slots.set(slot.slot_id, {
      location: slot.resource_id,
      mo: slot.organisation_oid,
      start: slot.starts_at.getTime(),
      end: slot.ends_at.getTime(),
      status: slot.status === 'FREE' ? 'FREE' : 'BUSY',
    });
  }
  for (const [id, p] of exportable) {
    view.locations.set(id, {
      mo: p.organisation_oid,
      snils: p.snils,
      specialty: p.specialty_nsi_code ?? '',
      position: p.position_nsi_code,
      channels: [...(channels.get(id) ?? [])].sort().join(','),
    });
  }
  return view;
}

// ---- the federal side -------------------------------------------------------------------------

function channelsOf(location: FerLocationHeld): string {
  const raw = location.Channels;
  const list = Array.isArray(raw) ? raw : listOf<string>((raw as FerChannels | undefined)?.Channel);
  return [...new Set(list as string[])].sort().join(',');
}

/**
 * What the federal simulator holds for the region's organisations, slots from `from` on; checks on
 * the way that no key is held twice, no version went back, and nothing never to be exported is there.
 */
async function federalHeld(from = horizonStart()): Promise<Held> {
  const states = await Promise.all(oids().map((oid) => region.federalCall<FerState>('GET', `/admin/state?mo=${encodeURIComponent(oid)}`)));
  const held: Held = { locations: new Map(), slots: new Map(), versions: new Map() };
  const twice: string[] = [];
  const back: string[] = [];
  const seen = (key: string, version: number) => {
    if (held.versions.has(key)) twice.push(key);
    held.versions.set(key, version);
    const before = versionsSeen.get(key);
    if (before !== undefined && version < before) back.push(`${key} ${before} -> ${version}`);
    versionsSeen.set(key, Math.max(before ?? 0, version));
  };
  for (const state of states) {
    for (const location of state.locations) {
      seen(`L ${location.Location_Id}`, Number(location.Version));
      held.locations.set(location.Location_Id, {
        mo: location.MO_OID,
        snils: location.Doctor_SNILS,
        specialty: location.Specialty_Code,
        position: location.Position_Code ?? null,
        channels: channelsOf(location),
      });
    }
    for (const slot of state.slots) {
      seen(`S ${slot.Slot_Id}`, Number(slot.Version));
      if (Date.parse(slot.Visit_Start) < from) continue;
      held.slots.set(slot.Slot_Id, {
        location: slot.Location_Id,
        mo: slot.MO_OID,
        start: Date.parse(slot.Visit_Start),
        end: Date.parse(slot.Visit_End),
        status: slot.Status as 'FREE' | 'BUSY',
      });
    }
  }
  expect(twice).toEqual([]);
  expect(back).toEqual([]);
  expect([...neverExported.slots].filter((id) => held.versions.has(`S ${id}`))).toEqual([]);
  expect([...neverExported.locations].filter((id) => held.versions.has(`L ${id}`))).toEqual([]);
  return held;
}

/** Object by object: what the federal side lacks, holds in excess, or holds differently. */
function differences(expected: View, actual: View): string[] {
  const found: string[] = [];
  for (const kind of ['locations', 'slots'] as const) {
    const want = expected[kind] as Map<string, object>;
    const have = actual[kind] as Map<string, object>;
    for (const [id, object] of want) {
      const other = have.get(id);
      if (!other) found.push(`${kind} ${id} missing`);
      else if (JSON.stringify(object) !== JSON.stringify(other)) found.push(`${kind} ${id} is ${JSON.stringify(other)}, expected ${JSON.stringify(object)}`);
    }
    for (const id of have.keys()) if (!want.has(id)) found.push(`${kind} ${id} held, not in the federal view`);
  }
  return found;
}

/**
 * Waits until the federal side holds exactly the inventory's federal view (slots from `from` on, by
 * default ten minutes ahead at each try); answers both.
 */
async function federalEqualsView(what: string, timeoutMs: number, from?: number): Promise<{ view: View; held: Held }> {
  let last: string[] = [];
  return eventually(
    async () => {
      const since = from ?? horizonStart();
      const view = await inventoryFederalView(since);
      const held = await federalHeld(since);
      last = differences(view, held);
      return last.length === 0 ? { view, held } : undefined;
    },
    what,
    timeoutMs,
    1_000,
  ).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)}; ${last.length} differences:\n${last.slice(0, 15).join('\n')}`);
  });
}

/** A FREE slot the federal side holds (of a doctor matching `doctorFilter`), not used by another step, at least an hour ahead. */
async function exportedFreeSlot(doctorFilter: (doctor: SimDoctor) => boolean = () => true): Promise<{ slotId: string; slot: SimSlot }> {
  const held = await federalHeld();
  const later = Date.now() + 3_600_000;
  const candidates = [...held.slots]
    .filter(([id, s]) => s.status === 'FREE' && s.start > later && !used.has(id))
    .filter(([, s]) => {
      const doctor = doctors.find((d) => resourceIdOf(d) === s.location);
      return doctor !== undefined && doctorFilter(doctor);
    })
    .sort(([, a], [, b]) => a.start - b.start);
  const picked = candidates[Math.floor(candidates.length / 2)];
  if (!picked) throw new Error('no free exported slot left');
  used.add(picked[0]);
  const slot = await region.simCall<SimSlot>('GET', `/admin/slots?slotId=${encodeURIComponent(localIdOf(picked[0]))}`);
  return { slotId: picked[0], slot };
}

async function federalSlot(slotId: string): Promise<FerSlotHeld | undefined> {
  const state = await region.federalCall<FerState>('GET', `/admin/state?mo=${encodeURIComponent(slotId.slice(0, slotId.indexOf(':')))}`);
  return state.slots.find((s) => s.Slot_Id === slotId);
}

// ---- the exporter's status --------------------------------------------------------------------

interface OrganisationStatus {
  readonly organisationOid: string;
  readonly backlog: { readonly locations: number; readonly slots: number; readonly appointments: number };
}

interface ExportStatus {
  readonly organisations: readonly OrganisationStatus[];
}

async function exportStatus(): Promise<ExportStatus> {
  const { status, body } = await region.exporterApi<ExportStatus>(operationsKey, 'GET', '/v1/export/status');
  if (status !== 200) throw new Error(`export status answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** Objects of the region's organisations waiting to be sent to the federal side. */
async function backlogOfRegion(): Promise<number> {
  const status = await exportStatus();
  return status.organisations
    .filter((o) => oids().includes(o.organisationOid))
    .reduce((sum, o) => sum + o.backlog.locations + o.backlog.slots + o.backlog.appointments, 0);
}

interface DataQualityError {
  readonly organisationOid: string;
  readonly objectType: string;
  readonly objectId: string;
  readonly code: string;
}

async function dataQualityOf(oid: string): Promise<DataQualityError[]> {
  const { status, body } = await region.exporterApi<{ items: DataQualityError[] }>(operationsKey, 'GET', `/v1/export/data-quality?organisation=${encodeURIComponent(oid)}&limit=200`);
  if (status !== 200) throw new Error(`data quality answered ${status}: ${JSON.stringify(body)}`);
  return body.items;
}

const concerns = (error: DataQualityError, resourceId: string): boolean => error.objectId === resourceId;

// ---- MIS patients ------------------------------------------------------------------------------

async function misPatient(idLpu: number): Promise<SimPatient> {
  return region.simCall<SimPatient>('POST', '/admin/patients', { idLpu, sex: 'FEMALE', birthDate: '1985-03-15' });
}

async function misBookingsOf(patient: SimPatient, idLpu: number): Promise<string[]> {
  const view = await region.simCall<SimPatient>('GET', `/admin/patients?idLpu=${idLpu}&idPat=${encodeURIComponent(patient.idPat)}`);
  return view.bookings.map((b) => b.idAppointment);
}

// ---- lifecycle ---------------------------------------------------------------------------------

beforeAll(async () => {
  try {
    await region.start();
    [operationsKey, portalKey] = await Promise.all([region.issue('OPERATIONS', `operations-${region.runId}`), region.issue('PORTAL', `portal-${region.runId}`)]);
    misClient = await soap.createClientAsync(`${region.simUrl}/Hub25/HubService.svc?wsdl`);
    doctors = (await region.simCall<{ doctors: SimDoctor[] }>('GET', '/admin/code-map')).doctors;
    expect(region.organisations.every((o) => o.timeZone === 'Europe/Moscow')).toBe(true);
  } catch (error) {
    console.log(region.logs());
    throw error;
  }
}, 180_000);

afterAll(async () => {
  await region.stop();
}, 60_000);

describe('federal registry export: MIS → adapter → Kafka → exporter → federal side', () => {
  it(
    "after the first sync the federal side holds exactly the inventory's federal view; slots closed to the federal portal and doctors without SNILS are not there",
    withLogs(async () => {
      const started = Date.now();
      // Booking's inventory must hold the MIS's schedule first: an empty view equals an empty federal side.
      let compared: InventoryVsMis[] = [];
      await eventually(
        async () => {
          compared = await compareInventoryWithMis(region.organisations, { simUrl: region.simUrl, adminToken: region.adminToken, bookingDb: bookingDbOf(stackAddresses().databaseUrl, region.bookingSchema) });
          return compared.every(equalsMis) && compared.every((c) => c.misFree > 0);
        },
        'the inventory to equal the MIS',
        120_000,
        1_000,
      ).catch((error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n${describeDifferences(compared)}`);
      });
      const snils = await misSnils();
      for (const value of snils.values()) if (value) knownSnils.add(value);
      const withoutSnils = doctors.filter((d) => snils.get(resourceIdOf(d)) === null);
      expect(withoutSnils.length).toBeGreaterThan(0);
      for (const doctor of withoutSnils) neverExported.locations.add(resourceIdOf(doctor));

      const closed = await region.bookingDb<{ slot_id: string; resource_id: string }>(
        `SELECT slot_id, resource_id FROM inventory_slot WHERE organisation_oid = ANY($1) AND NOT ('FEDERAL_PORTAL' = ANY(booking_channels))`,
        [oids()],
      );
      for (const slot of closed) neverExported.slots.add(slot.slot_id);
      const closedOfExportable = closed.filter((s) => snils.get(s.resource_id));
      console.log(`${closed.length} slots closed to FEDERAL_PORTAL (${closedOfExportable.length} of doctors with SNILS), doctors without SNILS: ${withoutSnils.map(resourceIdOf).join(', ')}`);
      expect(closedOfExportable.length).toBeGreaterThan(0);

      const { view, held } = await federalEqualsView("the federal side to equal the inventory's federal view after the first sync", 180_000);
      console.log(`first sync: ${view.locations.size} locations, ${view.slots.size} slots at the federal side ${Date.now() - started} ms after the region answered`);
      expect(view.locations.size).toBeGreaterThanOrEqual(5);
      // HubService lists free appointments only: what is BUSY at the federal side comes from later changes.
      expect([...held.slots.values()].filter((s) => s.status === 'FREE').length).toBeGreaterThan(50);
      // A doctor generated without SNILS is reported, and was held back rather than sent to be refused.
      for (const doctor of withoutSnils) {
        const errors = await eventually(
          async () => nonEmpty((await dataQualityOf(orgOf(doctor.idLpu).oid)).filter((e) => concerns(e, resourceIdOf(doctor)))),
          `a data-quality error for ${resourceIdOf(doctor)}`,
          30_000,
        );
        expect(errors.map((e) => e.code)).toContain('PRACTITIONER_SNILS_MISSING');
      }
      const rejections = JSON.stringify(await region.federalCall<unknown>('GET', '/admin/rejections?limit=10000'));
      for (const doctor of withoutSnils) expect(rejections).not.toContain(resourceIdOf(doctor));
      for (const slotId of neverExported.slots) expect(rejections).not.toContain(slotId);
    }),
    360_000,
  );

  it(
    "a front-desk walk-in takes a free slot off the federal side's free list",
    withLogs(async () => {
      const { slotId, slot } = await exportedFreeSlot();
      const started = Date.now();
      await region.simCall('POST', '/admin/walk-in', { slotId: slot.IdAppointment });
      await eventually(async () => (await federalSlot(slotId))?.Status !== 'FREE', `${slotId} to leave the federal side's free list`, 60_000, 250);
      console.log(`walk-in on ${slotId}: not free at the federal side after ${Date.now() - started} ms`);
    }),
    120_000,
  );

  it(
    'a slot closed to the federal portal never reaches the federal side, even after it changes (a later change went through)',
    withLogs(async () => {
      const closed = await region.bookingDb<{ slot_id: string; resource_id: string }>(
        `SELECT slot_id, resource_id FROM inventory_slot
          WHERE organisation_oid = ANY($1) AND NOT removed AND status = 'FREE' AND starts_at > now() + interval '1 hour'
            AND NOT ('FEDERAL_PORTAL' = ANY(booking_channels)) ORDER BY starts_at`,
        [oids()],
      );
      const change = closed.find((s) => !used.has(s.slot_id));
      if (!change) throw new Error('no free slot closed to FEDERAL_PORTAL');
      used.add(change.slot_id);
      await region.simCall('POST', '/admin/walk-in', { slotId: localIdOf(change.slot_id) });
      // The marker: a later change at the same MIS, of an exported slot, seen at the federal side.
      const marker = await exportedFreeSlot();
      await region.simCall('POST', '/admin/walk-in', { slotId: marker.slot.IdAppointment });
      await eventually(
        async () => (await region.bookingDb<{ status: string }>(`SELECT status FROM inventory_slot WHERE slot_id = $1`, [change.slot_id]))[0]?.status === 'BOOKED',
        `the walk-in on ${change.slot_id} to reach the inventory`,
        60_000,
        250,
      );
      await eventually(async () => (await federalSlot(marker.slotId))?.Status === 'BUSY', `the marker ${marker.slotId} to reach the federal side`, 60_000, 250);
      const held = await federalHeld(0);
      expect([...held.slots.keys()].filter((id) => neverExported.slots.has(id))).toEqual([]);
      expect(held.slots.has(change.slot_id)).toBe(false);
    }),
    120_000,
  );

  it(
    'a doctor whose SNILS the MIS loses is reported for its organisation and withdrawn from the federal side with his slots',
    withLogs(async () => {
      const held = await federalHeld();
      const withSlots = new Set([...held.slots.values()].map((s) => s.location));
      const doctor = doctors.find((d) => held.locations.has(resourceIdOf(d)) && withSlots.has(resourceIdOf(d)));
      if (!doctor) throw new Error('no exported doctor with slots');
      const resourceId = resourceIdOf(doctor);
      const started = Date.now();
      await region.simCall('POST', '/admin/doctor-snils', { idLpu: doctor.idLpu, idDoc: doctor.idDoc, snils: null });

      const errors = await eventually(
        async () => nonEmpty((await dataQualityOf(orgOf(doctor.idLpu).oid)).filter((e) => concerns(e, resourceId))),
        `a data-quality error for ${resourceId} at ${orgOf(doctor.idLpu).oid}`,
        60_000,
        500,
      );
      expect(errors.map((e) => e.code)).toContain('PRACTITIONER_SNILS_MISSING');
      const reported = JSON.stringify(await dataQualityOf(orgOf(doctor.idLpu).oid));
      expect([...knownSnils].filter((value) => reported.includes(value))).toEqual([]);
      await eventually(
        async () => {
          const state = await region.federalCall<FerState>('GET', `/admin/state?mo=${encodeURIComponent(orgOf(doctor.idLpu).oid)}`);
          return !state.locations.some((l) => l.Location_Id === resourceId) && !state.slots.some((s) => s.Location_Id === resourceId);
        },
        `${resourceId} and his slots to leave the federal side`,
        60_000,
        500,
      );
      console.log(`SNILS removed for ${resourceId}: reported and withdrawn from the federal side after ${Date.now() - started} ms`);
      // From here on he is like a doctor generated without SNILS: never at the federal side again.
      neverExported.locations.add(resourceId);
      await federalEqualsView('the federal side to equal the federal view without him', 60_000);
    }),
    150_000,
  );

  it(
    'loses nothing while the federal side is down (the exporter killed -9 meanwhile): the backlog drains and the federal side equals the federal view, no key twice, versions only rising',
    withLogs(async () => {
      // One horizon for the whole test: nothing before it passes while the test runs.
      const from = horizonStart();
      await federalEqualsView('the federal side to be in step before the outage', 60_000, from);
      await region.federalCall('POST', '/admin/faults', { mode: 'down' });
      try {
        const frozen = await federalHeld(from);
        const walkIns = [await exportedFreeSlot(), await exportedFreeSlot()];
        for (const { slot } of walkIns) await region.simCall('POST', '/admin/walk-in', { slotId: slot.IdAppointment });
        const cancelled: string[] = [];
        for (let i = 0; i < 3; i++) cancelled.push(slotIdOf(await region.simCall<SimSlot>('POST', '/admin/front-desk-cancel', {})));
        const sick = await exportedFreeSlot();
        const sickDate = sick.slot.VisitStart.slice(0, 10);
        const sickDoctor = resourceIdOf(sick.slot);
        const blocked = await region.simCall<{ blockedSlots: number }>('POST', '/admin/sick-day', { doctorId: sick.slot.idDoc, idLpu: sick.slot.idLpu, date: sickDate });
        expect(blocked.blockedSlots).toBeGreaterThan(0);
        console.log(`during the outage: walk-ins on ${walkIns.map((w) => w.slotId).join(', ')}; front-desk cancels of ${cancelled.join(', ')}; sick day of ${sickDoctor} on ${sickDate}`);

        // The changes reach the inventory; what the federal side is owed is the difference.
        const moscowDateOf = (ms: number) => new Date(ms + 3 * 3_600_000).toISOString().slice(0, 10);
        const changed = await eventually(
          async () => {
            const view = await inventoryFederalView(from);
            const walkedIn = walkIns.every((w) => view.slots.get(w.slotId)?.status === 'BUSY');
            // HubService lists free appointments only: a blocked slot vanishes like a booked one, and the adapter says BOOKED.
            const sickGone = ![...view.slots.values()].some((s) => s.location === sickDoctor && moscowDateOf(s.start) === sickDate && s.status === 'FREE');
            const stillBooked = await region.bookingDb(`SELECT 1 FROM inventory_slot WHERE slot_id = ANY($1) AND status = 'BOOKED' AND starts_at > now()`, [cancelled]);
            return walkedIn && sickGone && stillBooked.length === 0 ? view : undefined;
          },
          'the outage-time changes to reach the inventory',
          60_000,
          500,
        );
        const owed = differences(changed, frozen);
        expect(owed.length).toBeGreaterThan(0);
        const backlog = await eventually(
          async () => {
            const n = await backlogOfRegion();
            return n >= owed.length ? n : undefined;
          },
          `the exporter's backlog to cover the ${owed.length} changed objects`,
          60_000,
          500,
        );
        console.log(`outage: ${owed.length} objects owed to the federal side, exporter backlog ${backlog}`);
        // Nothing new reached the federal side: every key at the version it had.
        expect((await federalHeld(from)).versions).toEqual(frozen.versions);

        region.kill('exporter');
        await region.startExporter();
        await eventually(async () => (await backlogOfRegion()) >= owed.length, 'the backlog to survive the kill -9', 30_000, 500);
        expect((await federalHeld(from)).versions).toEqual(frozen.versions);
        // The exporter kept trying: the federal side counted the calls it turned away.
        const stats = await region.federalCall<{ injected: Record<string, number> }>('GET', '/admin/stats');
        expect(stats.injected['down'] ?? 0).toBeGreaterThan(0);

        await region.federalCall('POST', '/admin/faults', { mode: 'up' });
        const upAt = Date.now();
        await eventually(async () => (await backlogOfRegion()) === 0, 'the backlog to drain', 120_000, 500);
        const drained = Date.now() - upAt;
        const after = await federalEqualsView('the federal side to equal the federal view after the outage', 60_000, from);
        console.log(`federal side up: backlog drained after ${drained} ms`);
        // Versions only rise (federalHeld checks every key against every earlier read), and a changed slot carries a higher one.
        const notNewer = [...changed.slots.keys()]
          .filter((id) => frozen.slots.has(id) && frozen.slots.get(id)?.status !== after.held.slots.get(id)?.status)
          .filter((id) => (after.held.versions.get(`S ${id}`) ?? 0) <= (frozen.versions.get(`S ${id}`) ?? 0));
        expect(notNewer).toEqual([]);
      } finally {
        await region.federalCall('POST', '/admin/faults', { mode: 'up' });
      }
    }),
    420_000,
  );
});

describe('reconciliation', () => {
  it(
    'finds and repairs drift injected at the federal side: a missing slot, stale ones, an orphan slot and an orphan location',
    withLogs(async () => {
      const { held } = await federalEqualsView('the federal side to be in step before the drift', 60_000);
      const exported = [...held.slots.entries()].filter(([id]) => !used.has(id)).sort(([, a], [, b]) => a.start - b.start);
      const [[missingId], [statusId, statusSlot], [versionId, versionSlot]] = [exported[1], exported[3], exported[5]];
      const flipped = (status: string) => (status === 'FREE' ? 'BUSY' : 'FREE');
      const mo = statusSlot.mo;
      const location = held.locations.get(statusSlot.location);
      if (!location) throw new Error('no location');

      await region.federalCall('DELETE', `/admin/slots/${encodeURIComponent(missingId)}`);
      await region.federalCall('PUT', `/admin/slots/${encodeURIComponent(statusId)}`, { Status: flipped(statusSlot.status) });
      // Another status under a version ahead of the region's (say, the federal side restored from elsewhere):
      // a resend at the region's own version would be UNCHANGED there, so the repair must outbid it.
      const versionBefore = held.versions.get(`S ${versionId}`) ?? 0;
      await region.federalCall('PUT', `/admin/slots/${encodeURIComponent(versionId)}`, { Status: flipped(versionSlot.status), Version: versionBefore + 1_000_000 });
      versionsSeen.delete(`S ${versionId}`);
      const orphanSlot = `${mo}:ORPHAN-${region.runId}`;
      const orphanLocation = `${mo}:DORPHAN-${region.runId}`;
      const start = new Date(statusSlot.start + 86_400_000);
      await region.federalCall('POST', '/admin/slots', {
        Slot_Id: orphanSlot,
        Location_Id: statusSlot.location,
        MO_OID: mo,
        Visit_Start: start.toISOString(),
        Visit_End: new Date(start.getTime() + 15 * 60_000).toISOString(),
        Status: 'FREE',
        Version: 1,
      });
      await region.federalCall('POST', '/admin/locations', {
        Location_Id: orphanLocation,
        MO_OID: mo,
        Doctor_SNILS: location.snils,
        Doctor_Name: 'Orphan',
        Specialty_Code: location.specialty,
        Channels: { Channel: ['FEDERAL_PORTAL'] },
        Version: 1,
      });
      for (const key of [`S ${orphanSlot}`, `L ${orphanLocation}`, `S ${statusId}`]) versionsSeen.delete(key);
      const drifted = await federalHeld();
      expect(differences(await inventoryFederalView(), drifted).length).toBeGreaterThanOrEqual(5);

      const refused = await region.exporterApi<{ code: string }>(portalKey, 'POST', '/v1/export/reconciliations', {});
      expect(refused.status).toBe(403);
      const started = await region.exporterApi<{ reconciliationId: string }>(operationsKey, 'POST', '/v1/export/reconciliations', {});
      expect(started.status).toBe(202);
      const id = started.body.reconciliationId;
      const run = await eventually(
        async () => {
          const { body } = await region.exporterApi<ReconciliationRun>(operationsKey, 'GET', `/v1/export/reconciliations/${id}`);
          return body.status === 'DONE' || body.status === 'FAILED' ? body : undefined;
        },
        `reconciliation ${id} to finish`,
        120_000,
        500,
      );
      console.log(`reconciliation ${id}: ${JSON.stringify(run)}`);
      expect(run.status).toBe('DONE');
      // At least what was injected (the slots may be of several organisations; one passing meanwhile may add to it).
      const { slots, locations } = run.totals;
      expect(slots.missing.found).toBeGreaterThanOrEqual(1);
      expect(slots.stale.found).toBeGreaterThanOrEqual(2);
      expect(slots.orphaned.found).toBeGreaterThanOrEqual(1);
      expect(locations.orphaned.found).toBeGreaterThanOrEqual(1);
      for (const [type, counts] of Object.entries(run.totals)) {
        for (const [kind, count] of Object.entries(counts)) expect({ type, kind, repaired: count.repaired }).toEqual({ type, kind, repaired: count.found });
      }
      await federalEqualsView('the federal side to equal the federal view after the reconciliation', 90_000);
      const state = await region.federalCall<FerState>('GET', `/admin/state?mo=${encodeURIComponent(mo)}`);
      expect(state.slots.some((s) => s.Slot_Id === orphanSlot)).toBe(false);
      expect(state.locations.some((l) => l.Location_Id === orphanLocation)).toBe(false);
    }),
    240_000,
  );
});

interface DriftCount {
  readonly found: number;
  readonly repaired: number;
}

type DriftCounts = Readonly<Record<'missing' | 'stale' | 'orphaned', DriftCount>>;

interface ReconciliationRun {
  readonly status: 'REQUESTED' | 'RUNNING' | 'DONE' | 'FAILED';
  readonly totals: { readonly locations: DriftCounts; readonly slots: DriftCounts };
  readonly organisations: readonly { readonly organisationOid: string; readonly locations: DriftCounts; readonly slots: DriftCounts }[];
}

describe('the federal portal books through the region', () => {
  /** The portal's user identifies themself as a patient of the clinic would on the portal. */
  const asPortalUser = (patient: SimPatient) => ({
    omsNumber: patient.policyNumber,
    lastName: patient.surname,
    firstName: patient.firstName,
    middleName: patient.patronymic,
    birthDate: patient.birthDate,
  });
  const portalBook = (mo: string, slotId: string, patient: SimPatient) =>
    region.federalCall<PortalAnswer>('POST', '/admin/portal/bookings', { moOid: mo, slotId, patient: asPortalUser(patient) });

  it(
    'books a patient of the clinic into an exported slot, which the MIS and the inventory show taken; a second booking of it is SLOT_BUSY; the cancellation frees it at the MIS',
    withLogs(async () => {
      // No age, sex or attachment rule in the way: a doctor of a specialty anyone may see.
      const { slotId, slot } = await exportedFreeSlot((d) => !['PED', 'TER', 'GIN'].includes(d.specialtyCode));
      const mo = orgOf(slot.idLpu).oid;
      const [anna, boris] = [await misPatient(slot.idLpu), await misPatient(slot.idLpu)];
      const exportedVersion = (await federalSlot(slotId))?.Version ?? 0;

      const booked = await portalBook(mo, slotId, anna);
      expect(booked).toMatchObject({ step: 'CreateAppointment', statusCode: 'SUCCESS', bookIdMis: expect.any(String) });
      const atMis = await region.simCall<SimSlot>('GET', `/admin/slots?slotId=${encodeURIComponent(slot.IdAppointment)}`);
      expect(atMis.booking?.idPat).toBe(anna.idPat);
      expect(await misBookingsOf(anna, slot.idLpu)).toEqual([slot.IdAppointment]);
      const from = `${slot.VisitStart}+03:00`;
      const search = await region.api<{ items: { slotId: string; status: string }[] }>(
        'GET',
        `/v1/slots?practitioner=${encodeURIComponent(resourceIdOf(slot))}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(new Date(Date.parse(from) + 60_000).toISOString())}`,
      );
      expect(search.status).toBe(200);
      expect(search.body.items.map((s) => s.slotId)).toContain(slotId);
      expect(search.body.items.find((s) => s.slotId === slotId)?.status).not.toBe('FREE');

      const second = await portalBook(mo, slotId, boris);
      expect(second).toMatchObject({ step: 'CreateAppointment', statusCode: 'SLOT_BUSY' });
      expect((await region.simCall<SimSlot>('GET', `/admin/slots?slotId=${encodeURIComponent(slot.IdAppointment)}`)).booking?.idPat).toBe(anna.idPat);
      expect(await misBookingsOf(boris, slot.idLpu)).toEqual([]);
      expect(await misBookingsOf(anna, slot.idLpu)).toEqual([slot.IdAppointment]);
      // The region's own word reaches the federal side through the export: BUSY, at a newer version.
      const busy = await eventually(
        async () => {
          const held = await federalSlot(slotId);
          return held?.Status === 'BUSY' && held.Version > exportedVersion ? held : undefined;
        },
        `${slotId} exported BUSY`,
        60_000,
        250,
      );

      const cancelled = await region.federalCall<PortalAnswer>('POST', `/admin/portal/bookings/${encodeURIComponent(booked.bookIdMis ?? '')}/cancel`, { moOid: mo });
      expect(cancelled.statusCode).toBe('SUCCESS');
      expect((await region.simCall<SimSlot>('GET', `/admin/slots?slotId=${encodeURIComponent(slot.IdAppointment)}`)).state).toBe('free');
      expect(await misBookingsOf(anna, slot.idLpu)).toEqual([]);
      await eventually(
        async () => {
          const held = await federalSlot(slotId);
          return held?.Status === 'FREE' && held.Version > busy.Version;
        },
        `${slotId} exported FREE again`,
        60_000,
        250,
      );
    }),
    180_000,
  );
});

describe('export status access', () => {
  it(
    'refuses a PORTAL key (403) and no key (401); OPERATIONS reads it',
    withLogs(async () => {
      expect((await region.exporterApi<{ code: string }>(portalKey, 'GET', '/v1/export/status')).status).toBe(403);
      const anonymous = await fetch(`${region.exporterUrl}/v1/export/status`, { signal: AbortSignal.timeout(10_000) });
      expect(anonymous.status).toBe(401);
      const { status, body } = await region.exporterApi<ExportStatus>(operationsKey, 'GET', '/v1/export/status');
      expect(status).toBe(200);
      expect(body.organisations.map((o) => o.organisationOid)).toEqual(expect.arrayContaining(oids()));
    }),
    60_000,
  );
});
