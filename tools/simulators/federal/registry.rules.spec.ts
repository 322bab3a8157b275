import type { FerLocation } from '@medbus/federal-registry';
import { checkLocation, checkSlot, isValidSnils, snilsCheckNumber, type ItemReferences } from './registry.rules';

const mo = '1.2.643.5.1.13.13.12.2.23.1037';
const references: ItemReferences = {
  knowsOrganisation: (oid) => oid === mo,
  knowsSpecialty: (code) => code === '76',
  knowsPosition: (code) => code === '109',
};

const aLocationItem = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  Location_Id: `${mo}:D0101`,
  MO_OID: mo,
  Doctor_SNILS: '11223344595',
  Doctor_Name: 'Врач',
  Specialty_Code: '76',
  Position_Code: '109',
  Channels: { Channel: ['FEDERAL_PORTAL'] },
  Version: '4',
  ...overrides,
});

const held: FerLocation = { Location_Id: `${mo}:D0101`, MO_OID: mo, Doctor_SNILS: '11223344595', Doctor_Name: 'Врач', Specialty_Code: '76', Channels: { Channel: [] }, Version: 1 };
const aSlotItem = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  Slot_Id: `${mo}:D0101-202603020800`,
  Location_Id: held.Location_Id,
  MO_OID: mo,
  Visit_Start: '2026-03-02T08:00:00+03:00',
  Visit_End: '2026-03-02T08:15:00+03:00',
  Status: 'FREE',
  Version: '7',
  ...overrides,
});
const locations = (id: string): FerLocation | undefined => (id === held.Location_Id ? held : undefined);

describe('the SNILS check number', () => {
  it('is the weighted sum itself below 100', () => {
    expect(snilsCheckNumber('112233445')).toBe(95);
    expect(isValidSnils('11223344595')).toBe(true);
    expect(isValidSnils('11223344594')).toBe(false);
  });

  it('is 00 for a sum of 100 or 101', () => {
    expect(snilsCheckNumber('050234316')).toBe(0); // sum 100
    expect(snilsCheckNumber('016103396')).toBe(0); // sum 101
    expect(isValidSnils('05023431600')).toBe(true);
    expect(isValidSnils('05023431601')).toBe(false);
  });

  it('takes a larger sum mod 101, then the same rule', () => {
    expect(snilsCheckNumber('291417776')).toBe(94); // sum 195
    expect(snilsCheckNumber('820981233')).toBe(0); // sum 201, mod 101 = 100
    expect(isValidSnils('29141777694')).toBe(true);
    expect(isValidSnils('82098123300')).toBe(true);
  });

  it('is not checked for numbers up to 001-001-998, and never passes what is not 11 digits', () => {
    expect(isValidSnils('00100199877')).toBe(true);
    expect(isValidSnils('00100199977')).toBe(false);
    expect(isValidSnils('112-233-445 95')).toBe(false);
    expect(isValidSnils('1122334459')).toBe(false);
  });
});

describe('a location as the federal side checks it', () => {
  it('is accepted with its channels and version as numbers, optional fields absent when empty', () => {
    expect(checkLocation(aLocationItem({ Room: '' }), references)).toEqual({
      ok: true,
      value: { ...held, Position_Code: '109', Channels: { Channel: ['FEDERAL_PORTAL'] }, Version: 4 },
    });
  });

  it.each([
    [{ MO_OID: '1.2.3' }, 'UNKNOWN_MO'],
    [{ Doctor_SNILS: undefined }, 'INVALID_SNILS'],
    [{ Doctor_SNILS: '11223344596' }, 'INVALID_SNILS'],
    [{ Doctor_SNILS: '112-233-445 95' }, 'INVALID_SNILS'],
    [{ Specialty_Code: '1' }, 'UNKNOWN_SPECIALTY'],
    [{ Specialty_Code: undefined }, 'UNKNOWN_SPECIALTY'],
    [{ Position_Code: '1' }, 'UNKNOWN_POSITION'],
    [{ Doctor_Name: '' }, 'INVALID_FIELD'],
    [{ Version: '-1' }, 'INVALID_FIELD'],
    [{ Version: '99999999999999999' }, 'INVALID_FIELD'],
    [{ Channels: { Channel: ['TELEGRAM'] } }, 'INVALID_FIELD'],
    [{ Department_OID: 'dept-1' }, 'INVALID_FIELD'],
    [{ Location_Id: undefined }, 'INVALID_FIELD'],
  ])('with %j is rejected as %s', (overrides, code) => {
    const checked = checkLocation(aLocationItem(overrides), references);
    expect(checked).toEqual({ ok: false, rejection: { code, reason: expect.any(String) } });
  });

  it('names the field but never quotes the value in its reason', () => {
    const checked = checkLocation(aLocationItem({ Doctor_SNILS: '11223344596' }), references);
    expect(checked.ok ? '' : checked.rejection.reason).toBe('Doctor_SNILS check number is wrong');
  });
});

describe('a slot as the federal side checks it', () => {
  it("is accepted sharing its location's strings", () => {
    const checked = checkSlot(aSlotItem(), references, locations);
    expect(checked).toEqual({ ok: true, value: { ...aSlotItem(), Version: 7 } });
  });

  it.each([
    [{ MO_OID: '1.2.3' }, 'UNKNOWN_MO'],
    [{ Location_Id: `${mo}:other` }, 'UNKNOWN_LOCATION'],
    [{ Visit_End: '2026-03-02T08:00:00+03:00' }, 'INVALID_TIME'],
    [{ Visit_End: '2026-03-02T07:59:00+03:00' }, 'INVALID_TIME'],
    [{ Visit_Start: '2026-03-02T08:00:00' }, 'INVALID_FIELD'],
    [{ Visit_Start: '02.03.2026 08:00' }, 'INVALID_FIELD'],
    [{ Status: 'HELD' }, 'INVALID_FIELD'],
    [{ Version: 'x' }, 'INVALID_FIELD'],
  ])('with %j is rejected as %s', (overrides, code) => {
    expect(checkSlot(aSlotItem(overrides), references, locations)).toEqual({ ok: false, rejection: { code, reason: expect.any(String) } });
  });

  it('compares times across offsets as instants', () => {
    expect(checkSlot(aSlotItem({ Visit_Start: '2026-03-02T08:00:00+03:00', Visit_End: '2026-03-02T05:15:00Z' }), references, locations).ok).toBe(true);
  });
});
