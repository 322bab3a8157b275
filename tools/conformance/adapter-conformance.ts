import { randomUUID } from 'node:crypto';
import { eventually, Region, type VendorSite } from '../e2e/region.process';
import { SiteProbe, type MisSlot } from './site.probe';
import type { VendorUnderTest } from './vendor';

interface Appointment {
  readonly appointmentId: string;
  readonly status: string;
  readonly code?: string;
}

/**
 * The conformance kit: one scenario suite every MIS adapter passes against its vendor's simulator,
 * through the real booking service, Kafka and Postgres (the compiled services, as a region runs them).
 * Every simulator shares the clinic model's admin API, so the kit makes the same changes at every
 * vendor's MIS and expects the same outcome in the unified inventory and the same answers to
 * bookings. Scenarios run in order on one region; each waits for a barrier (the inventory showing
 * the MIS's state), never a fixed time.
 */
export function describeAdapterConformance(vendor: VendorUnderTest): void {
  describe(`the ${vendor.vendor} adapter's conformance (kit: tools/conformance)`, () => {
    const region = new Region({
      name: `conf-${vendor.vendor}`,
      vendors: [vendor],
      organisations: 3,
      doctorsPerOrg: 4,
      horizonDays: 3,
      // The last organisation is registered at booking but not given to the adapter: its own guard must hold it back.
      outOfScope: 1,
      bookingEnv: {
        BOOKING_RESPONSE_TIMEOUT_MS: '3000',
        BOOKING_COMMAND_DEADLINE_MS: '8000',
        BOOKING_PENDING_GRACE_MS: '2000',
        BOOKING_SWEEP_INTERVAL_MS: '250',
      },
      adapterEnv: { COMMAND_RETRY_INITIAL_MS: '100', COMMAND_RETRY_MAX_MS: '500', COMMAND_VERIFY_WINDOW_MS: '3000', HORIZON_DAYS: '5' },
    });
    let site: VendorSite;
    let probe: SiteProbe;

    /** Model ids of the organisation's free slots ahead, at the MIS and in the inventory. */
    async function freeAt(org: { idLpu: number; oid: string }): Promise<{ mis: string[]; inventory: string[] }> {
      const mis = (await site.simCall<MisSlot[]>('GET', `/admin/slots?idLpu=${org.idLpu}&state=free`)).filter((s) => SiteProbe.ahead(probe.startsAtOf(s))).map((s) => s.modelSlotId);
      const inventory = (await probe.inventoryOf(org.oid, true)).filter((s) => SiteProbe.ahead(Date.parse(s.startsAt))).map((s) => probe.misSlotIdOf(s));
      return { mis: mis.sort(), inventory: inventory.sort() };
    }

    /** Waits until the inventory shows the MIS's free slots of every organisation in the adapter's scope. */
    async function converged(what: string, timeoutMs = 60_000): Promise<void> {
      await site.publishChanges();
      await eventually(
        async () => {
          for (const org of site.inScope) {
            const { mis, inventory } = await freeAt(org);
            if (mis.join() !== inventory.join()) return false;
          }
          return true;
        },
        what,
        timeoutMs,
        500,
      );
    }

    const inventoryStatus = (slot: MisSlot) => probe.inventoryStatus(slot);
    const freeSlots = (count: number, offset: number) => probe.freeSlots(count, offset);
    const misSlot = (modelSlotId: string) => probe.misSlot(modelSlotId);
    const appointment = async (id: string): Promise<Appointment> => (await region.api<Appointment>('GET', `/v1/appointments/${id}`)).body;
    const adapterHealth = async (): Promise<Record<string, unknown>> => (await (await fetch(`${site.adapterUrl}/health`, { signal: AbortSignal.timeout(5_000) })).json()) as Record<string, unknown>;

    beforeAll(async () => {
      try {
        await region.start();
        site = region.primary;
        probe = new SiteProbe(region, site);
        await probe.load();
      } catch (error) {
        console.log(region.logs());
        throw error;
      }
    }, 240_000);
    afterAll(() => region.stop(), 120_000);

    const scenario = (name: string, body: () => Promise<void>, timeoutMs = 120_000) => it(name, region.withLogs(body), timeoutMs);

    scenario('discovers every organisation in its scope and offers exactly the MIS\'s free slots', async () => {
      await converged('the first pass: the inventory equals the MIS', 120_000);
      const { body } = await region.api<{ items: Array<{ organisationOid: string }> }>('GET', '/v1/organisations');
      const listed = new Set(body.items.map((o) => o.organisationOid));
      for (const org of site.inScope) expect(listed.has(org.oid)).toBe(true);
      for (const org of site.inScope) expect((await freeAt(org)).inventory.length).toBeGreaterThan(0);
    });

    scenario('publishes nothing of an organisation the MIS lists but the adapter is not registered for', async () => {
      const outside = site.organisations.filter((o) => !site.inScope.includes(o));
      expect(outside.length).toBeGreaterThan(0);
      // The barrier: the organisations in scope converged above; the one outside has slots at the MIS and none here.
      for (const org of outside) {
        expect((await site.simCall<MisSlot[]>('GET', `/admin/slots?idLpu=${org.idLpu}&state=free`)).length).toBeGreaterThan(0);
        expect(await probe.inventoryOf(org.oid)).toEqual([]);
      }
      const health = await adapterHealth();
      expect(health['outOfScope']).toMatchObject({ organisations: outside.map((o) => o.oid) });
    });

    scenario('shows a walk-in at the front desk as taken', async () => {
      const [slot] = await freeSlots(1, 0);
      await site.simCall('POST', '/admin/walk-in', { slotId: slot.modelSlotId });
      await site.publishChanges();
      await eventually(async () => (await inventoryStatus(slot)) === 'BOOKED', 'the walk-in in the inventory', 30_000, 250);
    });

    scenario('shows a slot the front desk frees again as free, and a slot the MIS withdraws as gone', async () => {
      const freed = await site.simCall<MisSlot>('POST', '/admin/front-desk-cancel');
      const [withdrawn] = await freeSlots(1, 1);
      await site.simCall('POST', '/admin/remove-slot', { slotId: withdrawn.modelSlotId });
      if (SiteProbe.ahead(probe.startsAtOf(freed)) && site.inScope.some((o) => o.idLpu === freed.idLpu)) {
        await site.publishChanges();
        await eventually(async () => (await inventoryStatus(freed)) === 'FREE', 'the freed slot offered', 30_000, 250);
      }
      await converged('the withdrawn slot no longer offered');
      expect(await inventoryStatus(withdrawn)).not.toBe('FREE');
    });

    scenario("closes a sick doctor's day", async () => {
      const [slot] = await freeSlots(1, 2);
      const date = slot.localStart.slice(0, 10);
      const { blockedSlots } = await site.simCall<{ blockedSlots: number }>('POST', '/admin/sick-day', { doctorId: slot.idDoc, idLpu: slot.idLpu, date });
      expect(blockedSlots).toBeGreaterThan(0);
      await converged('the sick day in the inventory');
      expect(await inventoryStatus(slot)).not.toBe('FREE');
    });

    scenario('books a patient at the MIS and confirms it, then cancels it and offers the slot again', async () => {
      const [slot] = await freeSlots(1, 3);
      const patient = await probe.aPatient(slot.idLpu);
      const booked = await region.api<Appointment>('POST', '/v1/appointments', { slotId: await probe.slotIdOf(slot), patientId: patient.patientId }, { 'idempotency-key': randomUUID() });
      expect([201, 202]).toContain(booked.status);
      await eventually(async () => (await appointment(booked.body.appointmentId)).status === 'CONFIRMED', 'the booking confirmed by the MIS', 30_000, 250);
      expect((await misSlot(slot.modelSlotId)).booking?.idPat).toBe(patient.idPat);
      await eventually(async () => (await inventoryStatus(slot)) === 'BOOKED', 'the booked slot taken in the inventory', 30_000, 250);

      const cancelled = await region.api<Appointment>('POST', `/v1/appointments/${booked.body.appointmentId}/cancel`, {});
      expect([200, 202]).toContain(cancelled.status);
      await eventually(async () => (await appointment(booked.body.appointmentId)).status === 'CANCELLED', 'the cancellation confirmed by the MIS', 30_000, 250);
      expect((await misSlot(slot.modelSlotId)).booking?.idPat).not.toBe(patient.idPat);
      await site.publishChanges();
      await eventually(async () => (await inventoryStatus(slot)) === 'FREE', 'the slot offered again', 30_000, 250);
    });

    scenario('refuses a booking of a slot the front desk took after the hold, and books nothing', async () => {
      const [slot] = await freeSlots(1, 4);
      const patient = await probe.aPatient(slot.idLpu);
      const hold = await region.api<{ holdId: string }>('POST', '/v1/holds', { slotId: await probe.slotIdOf(slot) });
      expect(hold.status).toBe(201);
      await site.simCall('POST', '/admin/walk-in', { slotId: slot.modelSlotId });
      const refused = await region.api<Appointment & { details?: { appointmentId?: string } }>('POST', '/v1/appointments', {
        slotId: await probe.slotIdOf(slot),
        patientId: patient.patientId,
        holdId: hold.body.holdId,
      });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('BOOKING.SLOT_TAKEN');
      expect((await misSlot(slot.modelSlotId)).booking?.idPat).not.toBe(patient.idPat);
    });

    scenario('refuses a booking the MIS does not answer before its deadline, and books nothing', async () => {
      const [slot] = await freeSlots(1, 5);
      const patient = await probe.aPatient(slot.idLpu);
      const slotId = await probe.slotIdOf(slot);
      await site.simCall('POST', '/admin/outage', { on: true });
      let appointmentId = '';
      try {
        const answer = await region.api<Appointment>('POST', '/v1/appointments', { slotId, patientId: patient.patientId }, { 'idempotency-key': randomUUID() });
        expect(answer.status).toBe(202);
        appointmentId = answer.body.appointmentId;
        await eventually(async () => (await appointment(appointmentId)).status === 'REJECTED', 'the booking refused at its deadline', 40_000, 250);
      } finally {
        await site.simCall('POST', '/admin/outage', { on: false });
      }
      expect((await misSlot(slot.modelSlotId)).booking?.idPat).not.toBe(patient.idPat);
    });

    scenario('reports the MIS unreachable during an outage and catches up with what changed meanwhile', async () => {
      const [slot] = await freeSlots(1, 6);
      await site.simCall('POST', '/admin/outage', { on: true });
      try {
        await site.simCall('POST', '/admin/walk-in', { slotId: slot.modelSlotId });
        await site.publishChanges().catch(() => undefined);
        await eventually(async () => (await adapterHealth())['misReachable'] === false, 'the adapter to notice the outage', 60_000, 500);
      } finally {
        await site.simCall('POST', '/admin/outage', { on: false });
      }
      await site.publishChanges();
      await eventually(async () => (await inventoryStatus(slot)) === 'BOOKED', 'the change made during the outage', 90_000, 500);
      await eventually(async () => (await adapterHealth())['misReachable'] === true, 'the adapter to see the MIS again', 30_000, 500);
    });

    scenario('stays up on garbled answers, publishes nothing from them, and converges once the MIS answers properly', async () => {
      const [slot] = await freeSlots(1, 7);
      await site.simCall('POST', '/admin/faults', { malformed: vendor.hostileMode });
      try {
        await vendor.garbleNextRead?.(site.context, { call: (method, path, body) => site.simCall(method, path, body) });
        await site.simCall('POST', '/admin/walk-in', { slotId: slot.modelSlotId });
        await site.publishChanges().catch(() => undefined);
        // The adapter keeps answering while it is fed garbage.
        for (let i = 0; i < 3; i++) expect(await adapterHealth()).toMatchObject({ adapterId: site.adapterId });
      } finally {
        await site.simCall('POST', '/admin/faults', { malformed: 'none' });
      }
      expect(site.adapter?.alive()).toBe(true);
      await vendor.recoverAfterGarbled?.(site.context, { call: (method, path, body) => site.simCall(method, path, body) });
      await converged('the inventory equal to the MIS after the garbled answers');
      expect(await inventoryStatus(slot)).toBe('BOOKED');
    });

    scenario('opens a new day at the end of the horizon', async () => {
      const { lastDay } = await site.simCall<{ lastDay: string }>('POST', '/admin/advance-day');
      const opened = (await site.simCall<MisSlot[]>('GET', `/admin/slots?idLpu=${site.inScope[0].idLpu}&state=free`)).filter((s) => s.localStart.startsWith(lastDay));
      expect(opened.length).toBeGreaterThan(0);
      await converged('the new day in the inventory', 90_000);
    });
  });
}
