/** The records an XMLDump schedule dump reads into, in document order. */

export const ticketStates = ['free', 'busy', 'closed'] as const;

/** `closed` is a ticket the clinic blocked (a sick day); `busy` is booked. */
export type TicketState = (typeof ticketStates)[number];

export const dumpKinds = ['full', 'partial'] as const;

export type DumpKind = (typeof dumpKinds)[number];

/** A Clinic element's own attributes and children, without its doctors. */
export interface DumpClinic {
  readonly type: 'clinic';
  readonly code: string;
  readonly oid: string;
  /** IANA zone in which the clinic's dates and times are local. */
  readonly tz: string;
  readonly active: boolean;
  readonly name: string;
  readonly shortName?: string;
  readonly district?: { readonly code: string; readonly okato?: string; readonly name: string };
  readonly address?: string;
}

/** A Doctor element's own attributes and children, without its days. */
export interface DumpDoctor {
  readonly type: 'doctor';
  readonly clinic: string;
  readonly code: string;
  /** Eleven digits; absent when the vendor does not know it. */
  readonly snils?: string;
  readonly name: string;
  readonly specialty: { readonly code: string; readonly nsi?: string; readonly name: string };
}

export interface DumpTicket {
  readonly id: string;
  /** Clinic-local `HH:MM`. */
  readonly time: string;
  readonly minutes: number;
  readonly room?: string;
  readonly state: TicketState;
}

/** Every ticket of one doctor-day: the day is replaced as a whole; no tickets means the day has none left. */
export interface DumpDay {
  readonly type: 'day';
  readonly clinic: string;
  readonly doctor: string;
  /** Clinic-local `YYYY-MM-DD`. */
  readonly date: string;
  readonly tickets: readonly DumpTicket[];
}

export interface DumpHeader {
  readonly kind: DumpKind;
  readonly seq: number;
  /** The seq of the full dump a partial one applies on; only on partial dumps. */
  readonly base?: number;
  /** ISO 8601 with offset. */
  readonly generated: string;
  readonly from: string;
  readonly to: string;
}

export interface DumpCounts {
  readonly clinics: number;
  readonly doctors: number;
  readonly days: number;
  readonly tickets: number;
}

/** The last record: the whole dump was read, is well-formed, and its End element's counts match what came before. */
export interface DumpEnd {
  readonly type: 'end';
  readonly header: DumpHeader;
  readonly counts: DumpCounts;
}

export type DumpRecord = DumpClinic | DumpDoctor | DumpDay | DumpEnd;

export interface ReadDumpOptions {
  /** Largest unit (a Day element, a Clinic's or Doctor's own part, a run of markup between them), in bytes. Default 1 MiB. */
  readonly maxUnitBytes?: number;
}
