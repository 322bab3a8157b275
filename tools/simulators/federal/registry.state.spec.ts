import type { FerLocation, FerSlot } from '@medbus/federal-registry';
import { RegistryState } from './registry.state';

const mo = '1.2.643.5.1.13.13.12.2.23.1037';
const state = (): RegistryState => new RegistryState({ knowsOrganisation: (oid) => oid === mo, knowsSpecialty: () => true, knowsPosition: () => true });

const aLocation = (id: string, version = 1): Record<string, unknown> => ({
  Location_Id: `${mo}:${id}`,
  MO_OID: mo,
  Doctor_SNILS: '11223344595',
  Doctor_Name: 'Врач',
  Specialty_Code: '76',
  Channels: { Channel: ['FEDERAL_PORTAL'] },
  Version: String(version),
});
const aSlot = (id: string, location: string, version = 1, status = 'FREE'): Record<string, unknown> => ({
  Slot_Id: `${mo}:${id}`,
  Location_Id: `${mo}:${location}`,
  MO_OID: mo,
  Visit_Start: '2026-03-02T08:00:00+03:00',
  Visit_End: '2026-03-02T08:15:00+03:00',
  Status: status,
  Version: String(version),
});

describe('the held state', () => {
  it('keeps one object per key: same or lower version UNCHANGED, a higher one replaces', () => {
    const s = state();
    expect(s.updateLocation(aLocation('L1', 2)).result.Status).toBe('ACCEPTED');
    expect(s.updateLocation(aLocation('L1', 2)).result.Status).toBe('UNCHANGED');
    expect(s.updateLocation(aLocation('L1', 1)).result.Status).toBe('UNCHANGED');
    expect(s.updateSlot(aSlot('S1', 'L1', 5)).result.Status).toBe('ACCEPTED');
    expect(s.updateSlot(aSlot('S1', 'L1', 4, 'BUSY')).result.Status).toBe('UNCHANGED');
    expect(s.updateSlot(aSlot('S1', 'L1', 6, 'BUSY')).result.Status).toBe('ACCEPTED');
    expect(s.slotsOf(mo)).toEqual([expect.objectContaining({ Slot_Id: `${mo}:S1`, Status: 'BUSY', Version: 6 })]);
    expect(s.totals()).toEqual({ locations: 1, slots: 1, bookings: 0 });
  });

  it('records when a slot took its held content: a newer version moves it, an UNCHANGED resend does not', () => {
    let now = 1_000;
    const s = new RegistryState({ knowsOrganisation: (oid) => oid === mo, knowsSpecialty: () => true, knowsPosition: () => true }, () => now);
    s.updateLocation(aLocation('L1'));
    s.updateSlot(aSlot('S1', 'L1', 1));
    now = 2_000;
    s.updateSlot(aSlot('S1', 'L1', 1, 'BUSY'));
    expect(s.receivedAtOf(s.slotsOf(mo))).toEqual({ [`${mo}:S1`]: 1_000 });
    now = 3_000;
    s.updateSlot(aSlot('S1', 'L1', 2, 'BUSY'));
    expect(s.receivedAtOf(s.slotsOf(mo))).toEqual({ [`${mo}:S1`]: 3_000 });
  });

  it('answers UNCHANGED for a held key even when the resend would now be rejected', () => {
    const s = state();
    s.updateLocation(aLocation('L1'));
    expect(s.updateLocation({ ...aLocation('L1'), Doctor_SNILS: 'bad' }).result.Status).toBe('UNCHANGED');
    expect(s.updateLocation({ ...aLocation('L1', 2), Doctor_SNILS: 'bad' }).result).toMatchObject({ Status: 'REJECTED', Reason_Code: 'INVALID_SNILS' });
    expect(s.location(`${mo}:L1`)?.Version).toBe(1);
  });

  it('removes a location with its slots, and a removal of what it does not hold changes nothing', () => {
    const s = state();
    s.updateLocation(aLocation('L1'));
    s.updateLocation(aLocation('L2'));
    s.updateSlot(aSlot('S1', 'L1'));
    s.updateSlot(aSlot('S2', 'L2'));
    expect(s.removeLocation(`${mo}:L1`)).toEqual({ result: { Key: `${mo}:L1`, Status: 'ACCEPTED' }, mo });
    expect(s.removeLocation(`${mo}:L1`).result.Status).toBe('UNCHANGED');
    expect(s.slotsOf(mo).map((x) => x.Slot_Id)).toEqual([`${mo}:S2`]);
    expect(s.removeSlot(`${mo}:S2`).result.Status).toBe('ACCEPTED');
    expect(s.held(mo)).toEqual({ locations: 1, slots: 0, bookings: 0 });
  });

  it('moves a slot between locations on a newer version and filters by location', () => {
    const s = state();
    s.updateLocation(aLocation('L1'));
    s.updateLocation(aLocation('L2'));
    s.updateSlot(aSlot('S1', 'L1'));
    s.updateSlot(aSlot('S1', 'L2', 2));
    expect(s.slotsOf(mo, `${mo}:L1`)).toEqual([]);
    expect(s.slotsOf(mo, `${mo}:L2`).map((x) => x.Slot_Id)).toEqual([`${mo}:S1`]);
  });

  it('holds drift as given: an orphan slot of a location it does not hold, a location of another organisation', () => {
    const s = state();
    const orphan: FerSlot = { Slot_Id: 'x:1', Location_Id: 'x:L', MO_OID: 'x', Visit_Start: 'a', Visit_End: 'b', Status: 'FREE', Version: 0 };
    s.putSlot(orphan);
    const foreign: FerLocation = { Location_Id: 'x:L9', MO_OID: 'x', Doctor_SNILS: '', Doctor_Name: '', Specialty_Code: '', Channels: { Channel: [] }, Version: 0 };
    s.putLocation(foreign);
    expect(s.slotsOf('x')).toEqual([orphan]);
    expect(s.locationsOf('x')).toEqual([foreign]);
    expect(s.organisations()).toEqual(['x']);
  });

  it("keeps a booking's statuses by version, and refuses an unknown organisation or status", () => {
    const s = state();
    const report = { Book_Id_Mis: 'B1', Slot_Id: `${mo}:S1`, MO_OID: mo, Status: 'BOOKED', Version: '1' };
    expect(s.updateAppointmentStatus(report).result.Status).toBe('ACCEPTED');
    expect(s.updateAppointmentStatus({ ...report, Status: 'CANCELLED' }).result.Status).toBe('UNCHANGED');
    expect(s.updateAppointmentStatus({ ...report, Status: 'CANCELLED', Version: '2' }).result.Status).toBe('ACCEPTED');
    expect(s.booking('B1')).toMatchObject({ Status: 'CANCELLED', Version: 2, source: 'region' });
    expect(s.updateAppointmentStatus({ ...report, Book_Id_Mis: 'B2', MO_OID: '1.2' }).result.Reason_Code).toBe('UNKNOWN_MO');
    expect(s.updateAppointmentStatus({ ...report, Book_Id_Mis: 'B3', Status: 'DONE' }).result.Reason_Code).toBe('INVALID_FIELD');
  });
});
