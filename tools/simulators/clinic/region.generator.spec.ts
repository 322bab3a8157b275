import { codeMapOf, generateRegion, seededRandom, syntheticSnils } from './region.generator';

const options = { seed: 42, organisations: 20, doctorsPerOrg: 8, notifyShare: 0.7 };

function snilsValid(snils: string): boolean {
  const digits = snils.replace(/\D/g, '');
  const sum = [...digits.slice(0, 9)].reduce((acc, d, i) => acc + Number(d) * (9 - i), 0);
  const check = sum < 100 ? sum : sum % 101 === 100 ? 0 : sum % 101;
  return Number(digits.slice(9)) === check;
}

describe('generateRegion', () => {
  it('gives the same region for the same seed and a different one for another seed', () => {
    expect(generateRegion(options)).toEqual(generateRegion(options));
    expect(generateRegion({ ...options, seed: 43 }).doctors).not.toEqual(generateRegion(options).doctors);
  });

  it('names organisations by Krasnodar krai ФРМО OIDs, mostly on Moscow time', () => {
    const { organisations, doctors } = generateRegion(options);
    expect(organisations).toHaveLength(20);
    expect(doctors).toHaveLength(160);
    for (const o of organisations) expect(o.oid).toMatch(/^1\.2\.643\.5\.1\.13\.13\.12\.2\.23\.\d+$/);
    expect(new Set(organisations.map((o) => o.oid)).size).toBe(20);
    const zones = organisations.map((o) => o.timeZone);
    expect(zones.filter((z) => z === 'Europe/Moscow')).toHaveLength(18);
    expect(zones).toEqual(expect.arrayContaining(['Europe/Samara', 'Asia/Yekaterinburg']));
  });

  it('lets only some organisations notify, per the share', () => {
    const notifying = generateRegion(options).organisations.filter((o) => o.notifies).length;
    expect(notifying).toBeGreaterThan(8);
    expect(notifying).toBeLessThan(20);
    expect(generateRegion({ ...options, notifyShare: 0 }).organisations.some((o) => o.notifies)).toBe(false);
  });

  it('gives doctors valid synthetic SNILS and 15 or 20 minute slots', () => {
    for (const d of generateRegion(options).doctors) {
      expect(snilsValid(d.snils ?? '')).toBe(true);
      expect([15, 20]).toContain(d.slotMinutes);
      expect(d.endMinute).toBeGreaterThan(d.startMinute);
    }
    const random = seededRandom(1);
    for (let i = 0; i < 500; i++) expect(snilsValid(syntheticSnils(random))).toBe(true);
  });

  it('takes the SNILS of the asked share of doctors away, seeded, and leaves the rest of the region as it was', () => {
    const plain = generateRegion(options);
    const some = generateRegion({ ...options, doctorsWithoutSnils: 0.25 });
    expect(some.doctors.filter((d) => d.snils === null)).toHaveLength(40);
    expect(generateRegion({ ...options, doctorsWithoutSnils: 0.25 })).toEqual(some);
    expect(some.doctors.map((d) => ({ ...d, snils: null }))).toEqual(plain.doctors.map((d) => ({ ...d, snils: null })));
    expect(some.doctors.filter((d) => d.snils !== null).every((d) => plain.doctors.some((p) => p.idDoc === d.idDoc && p.idLpu === d.idLpu && p.snils === d.snils))).toBe(true);
    expect(generateRegion({ ...options, doctorsWithoutSnils: 1 }).doctors.every((d) => d.snils === null)).toBe(true);
    expect(plain.doctors.every((d) => d.snils !== null)).toBe(true);
  });

  it('maps every local code to NSI except exactly one specialty a doctor really uses', () => {
    const region = generateRegion(options);
    const map = codeMapOf(region);
    const unmapped = map.specialties.filter((s) => s.nsi === null);
    expect(unmapped.map((s) => s.code)).toEqual(['PROF']);
    expect(map.positions.every((p) => p.nsi !== null)).toBe(true);
    expect(region.doctors.filter((d) => d.specialtyCode === 'PROF').length).toBeGreaterThanOrEqual(1);
    expect(map.doctors.every((d) => map.specialties.some((s) => s.code === d.specialtyCode) && map.positions.some((p) => p.code === d.positionCode))).toBe(true);
  });
});
