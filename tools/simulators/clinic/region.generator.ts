/**
 * The simulated region, generated deterministically from a seed: the same seed and sizes always
 * give the same districts, organisations, doctors and code map, so tests and demos can name them.
 */

/** A small, fast, seedable PRNG (mulberry32); `Math.random` is never used for region data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

export interface SimDistrict {
  readonly idDistrict: number;
  readonly name: string;
  readonly okato: number;
}

export interface SimOrganisation {
  readonly idLpu: number;
  readonly oid: string;
  readonly idDistrict: number;
  readonly shortName: string;
  readonly fullName: string;
  readonly address: string;
  /** IANA zone; all times on the wire are local to it. */
  readonly timeZone: string;
  /** 1 polyclinic, 2 children's polyclinic, 3 hospital outpatient department. */
  readonly lpuType: number;
  /** Whether this organisation's MIS sends notifications to the subscriber at all. */
  readonly notifies: boolean;
}

export interface SimDoctor {
  readonly idDoc: string;
  readonly idLpu: number;
  readonly name: string;
  /** `XXX-XXX-XXX YY` at the start, or null: the MIS has none on record (`doctorsWithoutSnils`). */
  readonly snils: string | null;
  readonly specialtyCode: string;
  readonly positionCode: string;
  readonly room: string;
  readonly ariaNumber: string;
  /** Reception hours, minutes after local midnight. */
  readonly startMinute: number;
  readonly endMinute: number;
  readonly slotMinutes: number;
  /** ISO weekdays (1 = Monday) the doctor receives on. */
  readonly weekdays: readonly number[];
}

export interface LocalCode {
  readonly code: string;
  readonly name: string;
  /** The NSI code, or null when this MIS's table has no mapping (a data-quality case on purpose). */
  readonly nsi: string | null;
}

/**
 * The vendor's own dictionaries with their NSI mappings. The NSI values are the simulator's
 * illustrative mapping, not an authoritative extract of the federal dictionaries.
 */
export const localSpecialties: readonly LocalCode[] = [
  { code: 'TER', name: 'Терапия', nsi: '76' },
  { code: 'PED', name: 'Педиатрия', nsi: '49' },
  { code: 'HIR', name: 'Хирургия', nsi: '80' },
  { code: 'NEV', name: 'Неврология', nsi: '43' },
  { code: 'OFT', name: 'Офтальмология', nsi: '48' },
  { code: 'LOR', name: 'Оториноларингология', nsi: '47' },
  { code: 'KAR', name: 'Кардиология', nsi: '31' },
  { code: 'GIN', name: 'Акушерство и гинекология', nsi: '2' },
  { code: 'END', name: 'Эндокринология', nsi: '95' },
  // Deliberately unmapped: the adapter must publish it with nsiCode null and flag a data-quality error.
  { code: 'PROF', name: 'Профпатология (местный код)', nsi: null },
];

export const localPositions: readonly LocalCode[] = [
  { code: 'P-TER-UCH', name: 'Врач-терапевт участковый', nsi: '109' },
  { code: 'P-PED-UCH', name: 'Врач-педиатр участковый', nsi: '74' },
  { code: 'P-HIR', name: 'Врач-хирург', nsi: '122' },
  { code: 'P-NEV', name: 'Врач-невролог', nsi: '41' },
  { code: 'P-OFT', name: 'Врач-офтальмолог', nsi: '61' },
  { code: 'P-LOR', name: 'Врач-оториноларинголог', nsi: '60' },
  { code: 'P-KAR', name: 'Врач-кардиолог', nsi: '25' },
  { code: 'P-GIN', name: 'Врач-акушер-гинеколог', nsi: '3' },
  { code: 'P-END', name: 'Врач-эндокринолог', nsi: '132' },
  { code: 'P-PROF', name: 'Врач-профпатолог', nsi: '90' },
];

/** Sex of a patient as the simulated MIS records it (the HubService Patient contract has no such member). */
export type SimSex = 'MALE' | 'FEMALE';

/** Who a doctor of a specialty may receive, as this MIS enforces it at SetAppointment (304, 310). */
export interface SpecialtyRule {
  readonly sex?: SimSex;
  /** Age in full years on the day of the visit, inclusive bounds. */
  readonly minAge?: number;
  readonly maxAge?: number;
  /** Only patients attached (прикреплённые) to the organisation (district therapist, paediatrician). */
  readonly attachmentRequired?: boolean;
}

/** The vendor's booking rules per local specialty code; specialties not listed accept anyone. */
export const specialtyRules: Readonly<Record<string, SpecialtyRule>> = {
  TER: { minAge: 18, attachmentRequired: true },
  PED: { maxAge: 17, attachmentRequired: true },
  GIN: { sex: 'FEMALE' },
};

const positionBySpecialty: Readonly<Record<string, string>> = {
  TER: 'P-TER-UCH',
  PED: 'P-PED-UCH',
  HIR: 'P-HIR',
  NEV: 'P-NEV',
  OFT: 'P-OFT',
  LOR: 'P-LOR',
  KAR: 'P-KAR',
  GIN: 'P-GIN',
  END: 'P-END',
  PROF: 'P-PROF',
};

const districtNames: readonly [string, number][] = [
  ['г. Краснодар', 3401000000],
  ['г. Сочи', 3426000000],
  ['г. Новороссийск', 3420000000],
  ['г. Армавир', 3405000000],
  ['г.-к. Анапа', 3403000000],
  ['г.-к. Геленджик', 3408000000],
  ['Динской район', 3213000000],
  ['Крымский район', 3224000000],
];

const surnames = ['Иванов', 'Петров', 'Сидоров', 'Кузнецов', 'Смирнов', 'Попов', 'Волков', 'Морозов', 'Лебедев', 'Козлов', 'Новиков', 'Соколов'];
const firstInitials = ['А', 'Б', 'В', 'Г', 'Д', 'Е', 'И', 'К', 'Л', 'М', 'Н', 'О', 'П', 'С', 'Т'];
const streets = ['ул. Красная', 'ул. Северная', 'ул. Ставропольская', 'ул. Кубанская', 'пр. Чекистов', 'ул. Садовая'];

export interface RegionOptions {
  readonly seed: number;
  readonly organisations: number;
  readonly doctorsPerOrg: number;
  /** Share of organisations whose MIS sends notifications, 0..1. */
  readonly notifyShare: number;
  /** OID root of the organisations (`<root>.<1000 + 37n>`); another root gives a region no other simulator's ids collide with. */
  readonly oidRoot?: string;
  /** Share of doctors the MIS has no SNILS for, 0..1 (rounded to whole doctors); default 0. */
  readonly doctorsWithoutSnils?: number;
}

export interface Region {
  readonly districts: readonly SimDistrict[];
  readonly organisations: readonly SimOrganisation[];
  readonly doctors: readonly SimDoctor[];
}

/** SNILS `XXX-XXX-XXX YY` with a valid check number (synthetic; never a real person's). */
export function syntheticSnils(random: Random): string {
  const digits = Array.from({ length: 9 }, () => Math.floor(random() * 10));
  // Numbers up to 001-001-998 have no check rule; keep clear of them.
  digits[0] = 1 + Math.floor(random() * 9);
  const sum = digits.reduce((acc, d, i) => acc + d * (9 - i), 0);
  const check = sum < 100 ? sum : sum === 100 || sum === 101 ? 0 : sum % 101 === 100 ? 0 : sum % 101;
  const s = digits.join('');
  return `${s.slice(0, 3)}-${s.slice(3, 6)}-${s.slice(6, 9)} ${String(check).padStart(2, '0')}`;
}

/** ФРМО-style OID root of Krasnodar krai's organisations. */
export const defaultOidRoot = '1.2.643.5.1.13.13.12.2.23';

/** The region for a seed. Identical options give an identical region. */
export function generateRegion(options: RegionOptions): Region {
  const random = seededRandom(options.seed);
  const districtCount = Math.max(1, Math.min(districtNames.length, Math.ceil(options.organisations / 3)));
  const districts = districtNames.slice(0, districtCount).map(([name, okato], i) => ({ idDistrict: i + 1, name, okato }));

  const organisations: SimOrganisation[] = [];
  const doctors: SimDoctor[] = [];
  for (let n = 1; n <= options.organisations; n++) {
    const district = districts[(n - 1) % districts.length] as SimDistrict;
    const lpuType = n % 5 === 2 ? 2 : n % 7 === 3 ? 3 : 1;
    const kind = lpuType === 2 ? 'Детская поликлиника' : lpuType === 3 ? 'Поликлиническое отделение больницы' : 'Городская поликлиника';
    const city = district.name.replace(/^г\.(-к\.)? /, '');
    // Most of Krasnodar krai is Moscow time; two organisations elsewhere keep the zone handling honest.
    const timeZone = n === 7 ? 'Europe/Samara' : n === 13 ? 'Asia/Yekaterinburg' : 'Europe/Moscow';
    organisations.push({
      idLpu: n,
      oid: `${options.oidRoot ?? defaultOidRoot}.${1000 + n * 37}`,
      idDistrict: district.idDistrict,
      shortName: `${kind} № ${n} (${city})`,
      fullName: `ГБУЗ «${kind} № ${n}» министерства здравоохранения Краснодарского края`,
      address: `${city}, ${pick(random, streets)}, д. ${1 + Math.floor(random() * 200)}`,
      timeZone,
      lpuType,
      notifies: random() < options.notifyShare,
    });
    for (let d = 1; d <= options.doctorsPerOrg; d++) {
      const pool = lpuType === 2 ? ['PED', 'NEV', 'OFT', 'LOR', 'HIR'] : ['TER', 'TER', 'HIR', 'NEV', 'OFT', 'LOR', 'KAR', 'GIN', 'END'];
      // Organisation 1's last doctor carries the unmapped local code, so every region has one.
      const specialtyCode = n === 1 && d === options.doctorsPerOrg ? 'PROF' : pick(random, pool);
      const morning = random() < 0.5;
      const startMinute = (morning ? 8 * 60 : 14 * 60) + (random() < 0.3 ? 30 : 0);
      doctors.push({
        idDoc: `D${String(n).padStart(2, '0')}${String(d).padStart(2, '0')}`,
        idLpu: n,
        name: `${pick(random, surnames)}${random() < 0.5 ? 'а' : ''} ${pick(random, firstInitials)}. ${pick(random, firstInitials)}.`,
        snils: syntheticSnils(random),
        specialtyCode,
        positionCode: positionBySpecialty[specialtyCode] ?? 'P-TER-UCH',
        room: String(100 + Math.floor(random() * 300)),
        ariaNumber: specialtyCode === 'TER' || specialtyCode === 'PED' ? String(1 + Math.floor(random() * 30)) : '',
        startMinute,
        endMinute: startMinute + (random() < 0.5 ? 5 : 6) * 60,
        slotMinutes: random() < 0.5 ? 15 : 20,
        weekdays: random() < 0.8 ? [1, 2, 3, 4, 5] : [1, 2, 3, 4, 5, 6],
      });
    }
  }
  return { districts, organisations, doctors: withoutSnils(doctors, options) };
}

/**
 * Takes the SNILS of a share of the doctors away, chosen by their own seeded draw: the rest of the
 * region stays what the seed gave without the option.
 */
function withoutSnils(doctors: readonly SimDoctor[], options: RegionOptions): SimDoctor[] {
  const count = Math.round((options.doctorsWithoutSnils ?? 0) * doctors.length);
  if (count === 0) return [...doctors];
  const random = seededRandom(options.seed ^ 0x5a1150);
  const order = doctors.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const chosen = new Set(order.slice(0, count));
  return doctors.map((d, i) => (chosen.has(i) ? { ...d, snils: null } : d));
}

/** The code map served at `GET /admin/code-map`: what an adapter needs beyond the SOAP contract. */
export interface CodeMap {
  readonly specialties: readonly LocalCode[];
  /** Booking rules per local specialty code (sex, age, attachment). */
  readonly specialtyRules: Readonly<Record<string, SpecialtyRule>>;
  readonly positions: readonly LocalCode[];
  readonly organisations: readonly { readonly idLpu: number; readonly oid: string; readonly timeZone: string }[];
  readonly doctors: readonly { readonly idLpu: number; readonly idDoc: string; readonly specialtyCode: string; readonly positionCode: string }[];
}

export function codeMapOf(region: Region): CodeMap {
  return {
    specialties: localSpecialties,
    specialtyRules,
    positions: localPositions,
    organisations: region.organisations.map((o) => ({ idLpu: o.idLpu, oid: o.oid, timeZone: o.timeZone })),
    doctors: region.doctors.map((d) => ({ idLpu: d.idLpu, idDoc: d.idDoc, specialtyCode: d.specialtyCode, positionCode: d.positionCode })),
  };
}
