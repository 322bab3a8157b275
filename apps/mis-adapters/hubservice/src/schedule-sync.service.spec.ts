import type { OutgoingEvent } from '@medbus/kafka';
import { CodeMap, DataQualityReport, ManualClock, MisResponseRejectedError, MisUnavailableError, Publication } from '@medbus/mis-adapter-kit';
import type { HubAppointment, HubClinic, HubDoctor, HubSpesiality } from './hubservice-response.mapper';
import { ScheduleSync, type HubReader, type ScheduleSyncOptions } from './schedule-sync.service';
import { defaultSpecialtyRules, ruleFor, type SpecialtyRule } from '@medbus/mis-adapter-kit';

const OID = '1.2.643.5.1.13.13.12.2.23.1037';
const ok = { Success: true, ErrorList: [] };

/** A MIS of one clinic whose schedule the test edits between syncs. */
class OneClinicMis implements HubReader {
  clinic: HubClinic = { IdLPU: 1, IsActive: true, LPUFullName: 'Городская поликлиника № 1', LPUShortName: 'ГП № 1', Oid: OID };
  clinics?: HubClinic[];
  failListingWith?: Error;
  doctors: HubDoctor[] = [{ IdDoc: 'D1', Name: 'Кузнецов П. К.' }];
  appointments = new Map<string, HubAppointment[]>([['D1', [anAppointment('A1', '2026-11-25T08:20:00'), anAppointment('A2', '2026-11-25T08:40:00')]]]);
  failWith?: Error;

  private answer<T>(value: T): Promise<T> {
    return this.failWith ? Promise.reject(this.failWith) : Promise.resolve(value);
  }
  getDistricts() {
    return this.answer({ ...ok, Districts: [{ IdDistrict: 1, DistrictName: 'г. Краснодар' }] });
  }
  getClinics() {
    if (this.failListingWith) return Promise.reject(this.failListingWith);
    return this.answer({ ...ok, ListLPU: this.clinics ?? [this.clinic] });
  }
  spesiality: HubSpesiality = { IdSpesiality: 'TER', NameSpesiality: 'Терапия', FerIdSpesiality: '76' };
  getSpecialities() {
    return this.answer({ ...ok, ListSpesiality: [this.spesiality] });
  }
  getDoctors() {
    return this.answer({ ...ok, Docs: this.doctors });
  }
  getAvailableDates(_idLpu: number, idDoc: string) {
    const dates = [...new Set((this.appointments.get(idDoc) ?? []).map((a) => `${a.VisitStart.slice(0, 10)}T00:00:00`))];
    return this.answer({ ...ok, AvailableDateList: dates });
  }
  getAppointments(_idLpu: number, idDoc: string) {
    return this.answer({ ...ok, ListAppointments: this.appointments.get(idDoc) ?? [] });
  }
}

function anAppointment(id: string, start: string, overrides: Partial<HubAppointment> = {}): HubAppointment {
  const end = `${start.slice(0, 14)}${String(Number(start.slice(14, 16)) + 15).padStart(2, '0')}:00`;
  return { IdAppointment: id, VisitStart: start, VisitEnd: end, Room: '101', ...overrides };
}

function aSync(
  mis: OneClinicMis,
  clock = new ManualClock('2026-11-24T09:00:00+03:00'),
  organisationTimeZones?: ReadonlyMap<string, string>,
  options: Partial<ScheduleSyncOptions> = {},
  scope?: readonly string[],
) {
  const sent: OutgoingEvent[] = [];
  let failPublish = false;
  const publisher = {
    publishAll: async (events: readonly OutgoingEvent[]) => {
      if (failPublish) throw new MisUnavailableError('kafka down');
      sent.push(...events);
      return events.map(() => 'id');
    },
  };
  const quality = new DataQualityReport();
  const publication = new Publication(publisher, clock, new Set(scope ?? [OID]), quality, { log: () => undefined, warn: () => undefined });
  const sync = new ScheduleSync(mis, publication, clock, new CodeMap(), quality, {
    misVendor: 'hubservice',
    timeZone: 'Europe/Moscow',
    organisationTimeZones,
    horizonDays: 14,
    bookingChannels: ['CONTACT_CENTRE'],
    ...options,
  }, { log: () => undefined, warn: () => undefined });
  const slotEvents = () => sent.filter((e) => e.event.topic === 'mis.slot').map((e) => ({ type: e.event.name, key: e.key, value: e.value as { status?: string; sourceVersion: number; startsAt?: number } }));
  return { sync, sent, slotEvents, clock, breakPublishing: (on: boolean) => (failPublish = on) };
}

describe('ScheduleSync publishing rules', () => {
  it("reads a clinic's local times in its own configured zone, not the MIS's default", async () => {
    const mis = new OneClinicMis();
    const { sync, sent } = aSync(mis, undefined, new Map([[OID, 'Asia/Yekaterinburg']]));
    await sync.fullSync();
    const organisation = sent.find((e) => e.event.name === 'OrganisationPublished')?.value as { timeZone: string };
    const first = sent.find((e) => e.key === `${OID}:A1`)?.value as { startsAt: number };
    expect(organisation.timeZone).toBe('Asia/Yekaterinburg');
    expect(new Date(first.startsAt).toISOString()).toBe('2026-11-25T03:20:00.000Z');
  });

  it('publishes the organisation, the doctor and each free slot once, and nothing when nothing changed', async () => {
    const mis = new OneClinicMis();
    const { sync, sent } = aSync(mis);
    await sync.fullSync();
    expect(sent.map((e) => [e.event.name, e.key])).toEqual([
      ['OrganisationPublished', OID],
      ['ResourcePublished', `${OID}:D1`],
      ['SlotPublished', `${OID}:A1`],
      ['SlotPublished', `${OID}:A2`],
    ]);
    await sync.fullSync();
    expect(sent).toHaveLength(4);
    expect(sync.lastSuccessfulSyncAt).not.toBeNull();
  });

  it("offers a slot to the adapter's channels less those its doctor's specialty closes, also when one day is re-read", async () => {
    const mis = new OneClinicMis();
    mis.spesiality = { IdSpesiality: 'END', NameSpesiality: 'Эндокринология', FerIdSpesiality: '95' };
    const { sync, slotEvents } = aSync(mis, undefined, undefined, { bookingChannels: ['CONTACT_CENTRE', 'PORTAL', 'FEDERAL_PORTAL', 'FRONT_DESK'] });
    await sync.fullSync();
    const channelsOf = (key: string) => (slotEvents().filter((e) => e.key === key).at(-1)?.value as { bookingChannels?: string[] } | undefined)?.bookingChannels;
    expect(channelsOf(`${OID}:A1`)).toEqual(['CONTACT_CENTRE', 'FRONT_DESK']);
    mis.appointments.set('D1', [...(mis.appointments.get('D1') ?? []), anAppointment('A3', '2026-11-25T09:00:00')]);
    await sync.refreshDoctorDay(1, 'D1', '2026-11-25');
    expect(channelsOf(`${OID}:A3`)).toEqual(['CONTACT_CENTRE', 'FRONT_DESK']);
  });

  it('offers the slots of a specialty without a rule, or without an NSI code, to every channel of the adapter', async () => {
    for (const spesiality of [
      { IdSpesiality: 'KAR', NameSpesiality: 'Кардиология', FerIdSpesiality: '31' },
      { IdSpesiality: 'PROF', NameSpesiality: 'Профпатология (местный код)' },
    ]) {
      const mis = new OneClinicMis();
      mis.spesiality = spesiality;
      const { sync, slotEvents } = aSync(mis, undefined, undefined, { bookingChannels: ['CONTACT_CENTRE', 'PORTAL', 'FEDERAL_PORTAL'] });
      await sync.fullSync();
      expect(slotEvents().map((e) => (e.value as { bookingChannels?: string[] }).bookingChannels)).toEqual([
        ['CONTACT_CENTRE', 'PORTAL', 'FEDERAL_PORTAL'],
        ['CONTACT_CENTRE', 'PORTAL', 'FEDERAL_PORTAL'],
      ]);
    }
  });

  it('publishes SlotChanged with the channels a changed rule leaves open on its next pass (a restart with new rules)', async () => {
    const mis = new OneClinicMis();
    const rules: Record<string, SpecialtyRule> = { ...defaultSpecialtyRules };
    const { sync, slotEvents } = aSync(mis, undefined, undefined, { bookingChannels: ['CONTACT_CENTRE', 'PORTAL'], specialtyRules: rules });
    await sync.fullSync();
    rules['76'] = { ...ruleFor(defaultSpecialtyRules, '76'), closedChannels: ['PORTAL'] };
    await sync.fullSync();
    expect(slotEvents().map((e) => [e.type, (e.value as { bookingChannels?: string[] }).bookingChannels])).toEqual([
      ['SlotPublished', ['CONTACT_CENTRE', 'PORTAL']],
      ['SlotPublished', ['CONTACT_CENTRE', 'PORTAL']],
      ['SlotChanged', ['CONTACT_CENTRE']],
      ['SlotChanged', ['CONTACT_CENTRE']],
    ]);
  });

  it('publishes SlotChanged BOOKED for a slot gone from the free list, and SlotChanged FREE when it comes back', async () => {
    const mis = new OneClinicMis();
    const { sync, slotEvents } = aSync(mis);
    await sync.fullSync();
    const both = mis.appointments.get('D1') ?? [];
    mis.appointments.set('D1', both.slice(1));
    await sync.fullSync();
    mis.appointments.set('D1', both);
    await sync.fullSync();
    const a1 = slotEvents().filter((e) => e.key === `${OID}:A1`);
    expect(a1.map((e) => [e.type, e.value.status])).toEqual([
      ['SlotPublished', 'FREE'],
      ['SlotChanged', 'BOOKED'],
      ['SlotChanged', 'FREE'],
    ]);
    expect(a1.map((e) => e.value.sourceVersion)).toEqual([...a1.map((e) => e.value.sourceVersion)].sort((a, b) => a - b));
  });

  it('publishes SlotChanged with the new time when the MIS moves a slot', async () => {
    const mis = new OneClinicMis();
    const { sync, slotEvents } = aSync(mis);
    await sync.fullSync();
    mis.appointments.set('D1', [anAppointment('A1', '2026-11-25T10:00:00'), anAppointment('A2', '2026-11-25T08:40:00')]);
    await sync.fullSync();
    const changed = slotEvents().filter((e) => e.type === 'SlotChanged');
    expect(changed).toEqual([expect.objectContaining({ key: `${OID}:A1`, value: expect.objectContaining({ status: 'FREE', startsAt: Date.parse('2026-11-25T07:00:00Z') }) })]);
  });

  it('publishes SlotRemoved for every slot of a doctor the MIS no longer lists', async () => {
    const mis = new OneClinicMis();
    const { sync, slotEvents } = aSync(mis);
    await sync.fullSync();
    mis.doctors = [];
    await sync.fullSync();
    expect(slotEvents().filter((e) => e.type === 'SlotRemoved').map((e) => e.key)).toEqual([`${OID}:A1`, `${OID}:A2`]);
  });

  it('removes the slots of an organisation the MIS no longer lists, then the organisation', async () => {
    const mis = new OneClinicMis();
    const { sync, sent } = aSync(mis);
    await sync.fullSync();
    mis.clinics = [];
    await sync.fullSync();
    expect(sent.slice(4).map((e) => [e.event.name, e.key])).toEqual([
      ['SlotRemoved', `${OID}:A1`],
      ['SlotRemoved', `${OID}:A2`],
      ['OrganisationRemoved', OID],
    ]);
    expect(sync.serves(OID)).toBe(false);
  });

  it('counts what every doctor of a clinic published when several are synced at once', async () => {
    const mis = new OneClinicMis();
    mis.doctors = [{ IdDoc: 'D1', Name: 'Кузнецов П. К.' }, { IdDoc: 'D2', Name: 'Орлова А. А.' }, { IdDoc: 'D3', Name: 'Белов И. И.' }];
    for (const idDoc of ['D2', 'D3']) mis.appointments.set(idDoc, [anAppointment(`${idDoc}-A1`, '2026-11-25T09:00:00'), anAppointment(`${idDoc}-A2`, '2026-11-25T09:20:00')]);
    const { sync, sent } = aSync(mis, undefined, undefined, { doctorConcurrency: 3 });

    const summary = await sync.fullSync();

    expect(summary.published).toBe(sent.filter((e) => e.event.name !== 'OrganisationPublished').length);
    expect(summary.published).toBe(9);
  });

  it('removes no organisation when the listing of a district was refused', async () => {
    const mis = new OneClinicMis();
    const { sync, sent } = aSync(mis);
    await sync.fullSync();
    mis.failListingWith = new MisResponseRejectedError('invalid_shape', 'bad');
    await sync.fullSync();
    expect(sent).toHaveLength(4);
  });

  it('states everything again with newer versions once the reassert interval has passed, a slot gone from the list as BOOKED', async () => {
    const mis = new OneClinicMis();
    const { sync, sent, clock } = aSync(mis, undefined, undefined, { reassertEveryMs: 3_600_000 });
    await sync.fullSync();
    mis.appointments.set('D1', (mis.appointments.get('D1') ?? []).slice(1));
    await sync.fullSync();
    expect(sent).toHaveLength(5);
    expect(sync.lastReassertedAt).toBeNull();
    clock.advance(3_600_000);
    const passStart = clock.now();

    await sync.fullSync();

    // Heartbeats report the pass, so the inventory can take what was not restated as gone.
    expect(sync.lastReassertedAt).toEqual(passStart);
    for (const event of sent.slice(5)) expect((event.value as { sourceVersion: number }).sourceVersion).toBeGreaterThanOrEqual(passStart.getTime() * 1000);
    const again = sent.slice(5).map((e) => [e.event.name, e.key, (e.value as { status?: string }).status]);
    expect(again).toEqual([
      ['OrganisationPublished', OID, undefined],
      ['ResourcePublished', `${OID}:D1`, undefined],
      ['SlotChanged', `${OID}:A2`, 'FREE'],
      ['SlotChanged', `${OID}:A1`, 'BOOKED'],
    ]);
    const versions = (key: string) => sent.filter((e) => e.key === key).map((e) => (e.value as { sourceVersion: number }).sourceVersion);
    for (const key of [OID, `${OID}:D1`, `${OID}:A1`, `${OID}:A2`]) expect(versions(key)).toEqual([...new Set(versions(key))].sort((a, b) => a - b));
    await sync.fullSync();
    expect(sent).toHaveLength(9);
  });

  it('forgets slots that have passed without publishing anything about them', async () => {
    const mis = new OneClinicMis();
    const { sync, slotEvents, clock } = aSync(mis);
    await sync.fullSync();
    clock.advance(2 * 86_400_000);
    mis.appointments.set('D1', []);
    await sync.fullSync();
    expect(slotEvents().map((e) => e.type)).toEqual(['SlotPublished', 'SlotPublished']);
    expect(await sync.refreshSlot(1, 'A1')).toBeUndefined();
  });

  it('publishes again what Kafka did not acknowledge', async () => {
    const mis = new OneClinicMis();
    const { sync, sent, breakPublishing } = aSync(mis);
    breakPublishing(true);
    await expect(sync.fullSync()).rejects.toThrow('kafka down');
    breakPublishing(false);
    await sync.fullSync();
    expect(sent.map((e) => e.event.name)).toEqual(['OrganisationPublished', 'ResourcePublished', 'SlotPublished', 'SlotPublished']);
  });

  it('re-reads just one doctor day for a notification and publishes the walk-in at once', async () => {
    const mis = new OneClinicMis();
    const { sync, slotEvents } = aSync(mis);
    await sync.fullSync();
    mis.appointments.set('D1', (mis.appointments.get('D1') ?? []).filter((a) => a.IdAppointment !== 'A2'));
    expect(await sync.refreshDoctorDay(1, 'D1', '2026-11-25')).toBe(1);
    expect(slotEvents().at(-1)).toMatchObject({ type: 'SlotChanged', key: `${OID}:A2`, value: { status: 'BOOKED' } });
    expect(await sync.refreshDoctorDay(1, 'D404', '2026-11-25')).toBeUndefined();
  });

  it('answers a burst of re-reads of one doctor day with one read after the running one, not one read each', async () => {
    const mis = new OneClinicMis();
    const { sync } = aSync(mis);
    await sync.fullSync();
    let reads = 0;
    const read = mis.getAppointments.bind(mis);
    mis.getAppointments = async (idLpu: number, idDoc: string) => {
      reads += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return read(idLpu, idDoc);
    };
    const burst = () => Array.from({ length: 10 }, () => sync.refreshDoctorDay(1, 'D1', '2026-11-25'));
    const first = burst();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(reads).toBe(1);
    await Promise.all([...first, ...burst()]);
    expect(reads).toBe(2);
  });

  it('learns the organisations without publishing, to serve commands before the first pass ends', async () => {
    const { sync, sent } = aSync(new OneClinicMis());
    expect(sync.serves(OID)).toBe(false);
    await sync.discoverOrganisations();
    expect([sync.serves(OID), sync.idLpuOf(OID), sent]).toEqual([true, 1, []]);
  });

  it('skips a refused answer, keeps the rest and does not call the sync successful', async () => {
    const mis = new OneClinicMis();
    const { sync, slotEvents } = aSync(mis);
    mis.getAppointments = () => Promise.reject(new MisResponseRejectedError('invalid_shape', 'bad'));
    const summary = await sync.fullSync();
    expect(summary.failures).toBe(1);
    expect(slotEvents()).toEqual([]);
    expect(sync.lastSuccessfulSyncAt).toBeNull();
  });

  it('gives up the pass when the MIS is down, publishing nothing', async () => {
    const mis = new OneClinicMis();
    mis.failWith = new MisUnavailableError('connection refused');
    const { sync, sent } = aSync(mis);
    await expect(sync.fullSync()).rejects.toThrow(MisUnavailableError);
    expect(sent).toEqual([]);
  });
});
