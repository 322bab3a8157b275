import { randomUUID } from 'node:crypto';
import * as soap from 'soap';
import { SiteProbe, type MisSlot, type Patient } from '../conformance/site.probe';
import { hubserviceVendor } from '../conformance/vendors/hubservice.vendor';
import { medrestVendor } from '../conformance/vendors/medrest.vendor';
import { xmldumpVendor } from '../conformance/vendors/xmldump.vendor';
import { eventually, Region } from './region.process';

/**
 * A region with clinics behind three vendors' MIS (HubService SOAP, MedREST JSON, XMLDump files), one
 * booking service in front: a patient is booked, rescheduled and cancelled at a clinic of each vendor,
 * through the booking API and through the HubService facade, and each step is checked at the MIS.
 */

interface Appointment {
  readonly appointmentId: string;
  readonly status: string;
  readonly replacesAppointmentId?: string | null;
}

const region = new Region({
  name: 'vendors',
  vendors: [hubserviceVendor, medrestVendor, xmldumpVendor],
  organisations: 2,
  doctorsPerOrg: 3,
  horizonDays: 3,
  bookingEnv: { BOOKING_RESPONSE_TIMEOUT_MS: '5000' },
  adapterEnv: { HORIZON_DAYS: '5' },
});
const probes = new Map<string, SiteProbe>();
const probeOf = (vendor: string): SiteProbe => {
  const probe = probes.get(vendor);
  if (!probe) throw new Error(`no ${vendor} site`);
  return probe;
};
const vendors = ['hubservice', 'medrest', 'xmldump'] as const;

beforeAll(async () => {
  try {
    await region.start();
    for (const site of region.sites) {
      const probe = new SiteProbe(region, site);
      await probe.load();
      probes.set(site.vendor.vendor, probe);
    }
    // Every vendor's clinics are searchable before anyone books.
    for (const probe of probes.values()) {
      await probe.site.publishChanges();
      await eventually(async () => (await probe.inventoryOf(probe.site.organisations[0].oid, true)).length > 0, `${probe.site.vendor.vendor}'s first pass`, 90_000, 500);
    }
  } catch (error) {
    console.log(region.logs());
    throw error;
  }
}, 300_000);
afterAll(() => region.stop(), 120_000);

const appointment = async (id: string): Promise<Appointment> => (await region.api<Appointment>('GET', `/v1/appointments/${id}`)).body;
const confirmed = (id: string, status: string, what: string) => eventually(async () => (await appointment(id)).status === status, what, 30_000, 250);
const holder = async (probe: SiteProbe, slot: MisSlot): Promise<string | undefined> => (await probe.misSlot(slot.modelSlotId)).booking?.idPat;

describe('one region, three vendors, through the booking API', () => {
  it.each(vendors)(
    'books, reschedules and cancels a patient at a %s clinic, each step made at its MIS',
    (vendor) =>
      region.withLogs(async () => {
        const probe = probeOf(vendor);
        const [first, second] = await probe.freeSlots(2, 0);
        const patient: Patient = await probe.aPatient(first.idLpu);

        const booked = await region.api<Appointment>('POST', '/v1/appointments', { slotId: await probe.slotIdOf(first), patientId: patient.patientId }, { 'idempotency-key': randomUUID() });
        expect([201, 202]).toContain(booked.status);
        await confirmed(booked.body.appointmentId, 'CONFIRMED', `the ${vendor} booking confirmed`);
        expect(await holder(probe, first)).toBe(patient.idPat);

        const moved = await region.api<Appointment>('POST', `/v1/appointments/${booked.body.appointmentId}/reschedule`, { slotId: await probe.slotIdOf(second) });
        expect([201, 202]).toContain(moved.status);
        await confirmed(moved.body.appointmentId, 'CONFIRMED', `the ${vendor} reschedule confirmed`);
        expect(await holder(probe, second)).toBe(patient.idPat);
        expect(await holder(probe, first)).not.toBe(patient.idPat);
        expect((await appointment(booked.body.appointmentId)).status).toBe('RESCHEDULED');

        const cancelled = await region.api<Appointment>('POST', `/v1/appointments/${moved.body.appointmentId}/cancel`, {});
        expect([200, 202]).toContain(cancelled.status);
        await confirmed(moved.body.appointmentId, 'CANCELLED', `the ${vendor} cancellation confirmed`);
        expect(await holder(probe, second)).not.toBe(patient.idPat);
      })(),
    120_000,
  );

  it('searches one inventory across the three vendors', async () => {
    const { body } = await region.api<{ items: Array<{ organisationOid: string }> }>('GET', '/v1/organisations');
    const listed = new Set(body.items.map((o) => o.organisationOid));
    for (const site of region.sites) for (const org of site.organisations) expect(listed.has(org.oid)).toBe(true);
  });
});

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SOAP results are untyped XML

function listOf(value: unknown): Loose[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as Loose[];
}

describe('one region, three vendors, through the HubService facade', () => {
  let client: soap.Client;

  async function call(operation: string, args: Loose): Promise<Loose> {
    const method = (client as unknown as Record<string, (a: Loose) => Promise<Loose[]>>)[`${operation}Async`];
    const [result] = await method.call(client, { ...args, guid: region.hubGuid });
    return result[`${operation}Result`] as Loose;
  }

  beforeAll(async () => {
    client = await soap.createClientAsync(`${region.bookingUrl}/Hub25/HubService.svc?wsdl`, { customDeserializer: { dateTime: (text: string) => text } } as soap.IOptions);
  });

  it.each(vendors)(
    'books, moves (idAppointmentPrev) and cancels a patient at a %s clinic over SOAP, each step made at its MIS',
    (vendor) =>
      region.withLogs(async () => {
        const probe = probeOf(vendor);
        const [first, second] = await probe.freeSlots(2, 1);
        const oid = probe.oidOf(first.idLpu);
        const clinic = listOf((await call('GetLPUList', {}))['ListLPU']?.['Clinic']).find((c) => c['Oid'] === oid);
        expect(clinic).toBeDefined();
        const idLpu = clinic?.['IdLPU'] as number;
        const registered = await probe.site.simCall<{ idPat: string; policyNumber: string }>('POST', '/admin/patients', { idLpu: first.idLpu, sex: 'FEMALE', birthDate: '1985-03-15' });
        const checked = await call('CheckPatient', { pat: { Polis_N: registered.policyNumber }, idLpu });
        expect(checked['Success']).toBe(true);
        const idPat: string = checked['IdPat'];

        // 312 "в обработке": the MIS has not confirmed yet; a client repeats the call, which finds the same booking.
        const setAppointment = (args: Loose) =>
          eventually(
            async () => {
              const answer = await call('SetAppointment', { idLpu, idPat, ...args });
              return listOf(answer['ErrorList']?.['Error'])[0]?.['IdError'] === 312 ? undefined : answer;
            },
            `SetAppointment at ${vendor}`,
            60_000,
            1_000,
          );
        expect((await setAppointment({ idAppointment: await probe.slotIdOf(first) }))['Success']).toBe(true);
        expect(await holder(probe, first)).toBe(registered.idPat);

        const moved = await setAppointment({ idAppointment: await probe.slotIdOf(second), idAppointmentPrev: await probe.slotIdOf(first) });
        expect(moved['Success']).toBe(true);
        expect(await holder(probe, second)).toBe(registered.idPat);
        expect(await holder(probe, first)).not.toBe(registered.idPat);

        const cancelled = await call('CreateClaimForRefusal', { idLpu, idPat, idAppointment: await probe.slotIdOf(second) });
        expect(cancelled['Success']).toBe(true);
        expect(await holder(probe, second)).not.toBe(registered.idPat);
      })(),
    120_000,
  );
});
