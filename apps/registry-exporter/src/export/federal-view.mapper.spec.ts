import { CallPacer, dateTimeWithOffset, ferLocationOf, ferSlotOf, retryDelayMs, safeReason, sameLocation, sameSlot } from './federal-view.mapper';
import type { LocationView, SlotView } from './federal-view.query';

function aLocationView(overrides: Partial<LocationView> = {}): LocationView {
  return {
    MO_OID: '1.2.643.5.1.13.13.12.2.23.1',
    Department_OID: null,
    Doctor_SNILS: '11223344595',
    Doctor_Name: 'Иванова А. П.',
    Specialty_Code: '76',
    Position_Code: '109',
    Room: null,
    Channels: ['FEDERAL_PORTAL', 'FRONT_DESK'],
    ...overrides,
  };
}

function aSlotView(overrides: Partial<SlotView> = {}): SlotView {
  return {
    Location_Id: '1.2.643.5.1.13.13.12.2.23.1:doc-1',
    MO_OID: '1.2.643.5.1.13.13.12.2.23.1',
    Visit_Start: Date.parse('2031-03-03T05:00:00Z'),
    Visit_End: Date.parse('2031-03-03T05:15:00Z'),
    Room: '101',
    Status: 'FREE',
    ...overrides,
  };
}

describe('the federal view as the contract writes it', () => {
  it('writes a location with its key and Version and leaves out what the MIS does not have', () => {
    const location = ferLocationOf('1.2.643.5.1.13.13.12.2.23.1:doc-1', aLocationView({ Position_Code: null }), 42);
    expect(location).toEqual({
      Location_Id: '1.2.643.5.1.13.13.12.2.23.1:doc-1',
      MO_OID: '1.2.643.5.1.13.13.12.2.23.1',
      Doctor_SNILS: '11223344595',
      Doctor_Name: 'Иванова А. П.',
      Specialty_Code: '76',
      Channels: { Channel: ['FEDERAL_PORTAL', 'FRONT_DESK'] },
      Version: 42,
    });
  });

  it("writes a slot's times with the clinic's offset at that instant", () => {
    const slot = ferSlotOf('oid:s1', aSlotView(), 7, 'Europe/Moscow');
    expect(slot.Visit_Start).toBe('2031-03-03T08:00:00+03:00');
    expect(slot.Visit_End).toBe('2031-03-03T08:15:00+03:00');
    expect(dateTimeWithOffset(Date.parse('2031-07-01T12:00:00Z'), 'Europe/Berlin')).toBe('2031-07-01T14:00:00+02:00');
    expect(dateTimeWithOffset(Date.parse('2031-01-01T12:00:00Z'), 'Europe/Berlin')).toBe('2031-01-01T13:00:00+01:00');
    expect(dateTimeWithOffset(Date.parse('2031-01-01T12:00:00Z'), 'America/St_Johns')).toBe('2031-01-01T08:30:00-03:30');
    expect(dateTimeWithOffset(Date.parse('2031-01-01T12:00:00Z'), 'Not/AZone')).toBe('2031-01-01T12:00:00+00:00');
    expect(dateTimeWithOffset(Date.parse('2031-01-01T12:00:00Z'), null)).toBe('2031-01-01T12:00:00+00:00');
  });

  it('takes what the federal side holds as the same when only the way it is written differs', () => {
    const view = aSlotView();
    const held = ferSlotOf('oid:s1', view, 7, 'Asia/Yekaterinburg');
    expect(sameSlot({ ...held, Visit_Start: '2031-03-03T05:00:00Z', Version: 3 }, view)).toBe(true);
    expect(sameSlot({ ...held, Status: 'BUSY' }, view)).toBe(false);
    expect(sameSlot({ ...held, Visit_End: '2031-03-03T05:30:00Z' }, view)).toBe(false);

    const location = aLocationView();
    const heldLocation = ferLocationOf('oid:doc-1', location, 9);
    expect(sameLocation({ ...heldLocation, Channels: { Channel: ['FRONT_DESK', 'FEDERAL_PORTAL'] } }, location)).toBe(true);
    expect(sameLocation({ ...heldLocation, Channels: { Channel: ['FEDERAL_PORTAL'] } }, location)).toBe(false);
    expect(sameLocation({ ...heldLocation, Doctor_SNILS: '11223344596' }, location)).toBe(false);
    expect(sameLocation({ ...heldLocation, Room: '12' }, location)).toBe(false);
  });
});

describe('retrying and pacing calls to the federal side', () => {
  it('waits 1 s after a first failure, doubling each time up to the maximum, within ±20 %', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7, 20, 100].map((n) => retryDelayMs(n, 60_000, middle))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(retryDelayMs(1, 60_000, () => 0)).toBe(800);
    expect(retryDelayMs(1, 60_000, () => 0.999_999)).toBe(1_200);
    expect(retryDelayMs(10, 60_000, () => 0.999_999)).toBe(60_000);
  });

  it('spaces calls so that no more than the configured number start in any second', () => {
    const pacer = new CallPacer(4);
    const starts = [0, 0, 0, 0, 0, 0].map(() => 1_000 + pacer.reserve(1_000));
    expect(starts).toEqual([1_000, 1_250, 1_500, 1_750, 2_000, 2_250]);
    // After a quiet moment, the next call goes at once.
    expect(pacer.reserve(10_000)).toBe(0);
    expect(pacer.reserve(10_100)).toBe(150);
  });
});

describe('reasons the federal side gives', () => {
  it('never keeps a SNILS, however it is written', () => {
    expect(safeReason('Doctor_SNILS 11223344596: check number')).toBe('Doctor_SNILS ***: check number');
    expect(safeReason('СНИЛС 112-233-445 96 неверен')).toBe('СНИЛС *** неверен');
    expect(safeReason('Specialty_Code 76 unknown')).toBe('Specialty_Code 76 unknown');
    expect(safeReason(undefined)).toBeNull();
  });
});
