export interface TicketSpec {
  readonly id: string;
  readonly time: string;
  readonly state?: 'free' | 'busy' | 'closed';
}

export interface DoctorSpec {
  readonly code: string;
  readonly days: ReadonlyArray<{ readonly date: string; readonly tickets: readonly TicketSpec[] }>;
}

export interface ClinicSpec {
  readonly code: string;
  readonly oid: string;
  readonly tz?: string;
  readonly doctors: readonly DoctorSpec[];
}

export interface DumpSpec {
  readonly kind: 'full' | 'partial';
  readonly seq: number;
  readonly base?: number;
  readonly from?: string;
  readonly to?: string;
  readonly clinics: readonly ClinicSpec[];
}

/** A schedule dump in the vendor's format, its End counting what it holds. */
export function aDump(spec: DumpSpec): string {
  let doctors = 0;
  let days = 0;
  let tickets = 0;
  const body = spec.clinics
    .map((clinic) => {
      const inner = clinic.doctors
        .map((doctor) => {
          doctors++;
          const dayXml = doctor.days
            .map((day) => {
              days++;
              tickets += day.tickets.length;
              const items = day.tickets.map((t) => `<Ticket id="${t.id}" time="${t.time}" minutes="15" room="101" state="${t.state ?? 'free'}"/>`).join('');
              return `<Day date="${day.date}">${items}</Day>`;
            })
            .join('');
          return `<Doctor code="${doctor.code}"><Name>Врач ${doctor.code}</Name><Specialty code="TER" nsi="76">Терапия</Specialty>${dayXml}</Doctor>`;
        })
        .join('');
      return `<Clinic code="${clinic.code}" oid="${clinic.oid}" tz="${clinic.tz ?? 'Europe/Moscow'}" active="true"><Name>Поликлиника ${clinic.code}</Name><District code="1">Краснодар</District>${inner}</Clinic>`;
    })
    .join('\n');
  const base = spec.base === undefined ? '' : ` base="${spec.base}"`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ScheduleDump xmlns="urn:xmldump:schedule:1" kind="${spec.kind}" seq="${spec.seq}"${base} generated="2026-11-30T05:00:00+03:00" from="${spec.from ?? '2026-11-30'}" to="${spec.to ?? '2026-12-01'}">\n` +
    `${body}\n<End clinics="${spec.clinics.length}" doctors="${doctors}" days="${days}" tickets="${tickets}"/>\n</ScheduleDump>\n`
  );
}
