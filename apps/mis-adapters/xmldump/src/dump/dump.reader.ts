import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { DumpRejectedError, DumpRejection } from './dump.errors';
import { clinicOf, countsOf, dayOf, doctorOf, headerOf, namespaceOf, parseUnit, scheduleNamespace } from './dump.parser';
import { DumpScanner, type MarkupToken } from './dump.scanner';
import type { DumpCounts, DumpHeader, DumpRecord, ReadDumpOptions } from './dump.types';

export const defaultMaxUnitBytes = 1024 * 1024;

/** Deepest nesting inside a unit; the format needs 2 (Day > Ticket, Clinic > Name). */
const maxUnitDepth = 8;

/** Elements with a place of their own in the document; inside a unit only a Day's Tickets may appear. */
const structural: ReadonlySet<string> = new Set(['ScheduleDump', 'Clinic', 'Doctor', 'Day', 'Ticket', 'End']);

type UnitElement = 'Clinic' | 'Doctor' | 'Day' | 'End';

/**
 * Where the reader is: before the root, among the root's Clinics, among a Clinic's Doctors, among a
 * Doctor's Days, inside a unit, after End, after the root.
 */
type Place = 'prolog' | 'root' | 'clinic' | 'doctor' | 'unit' | 'afterEnd' | 'epilog';

interface Unit {
  readonly element: UnitElement;
  readonly start: number;
  readonly stack: string[];
  /** A Clinic's or Doctor's own part ends where its first child of this name opens. */
  readonly until?: 'Doctor' | 'Day';
}

/**
 * Reads an XMLDump schedule dump as a stream: records come out in document order as their
 * elements are read, one per Clinic (its own attributes and children), per Doctor and per Day,
 * then one `end` record with the dump's header and its verified counts. Memory is bounded by the
 * largest unit (`maxUnitBytes`, default 1 MiB), never by the file.
 *
 * Contract: a dump is valid only as a whole. The iterator throws `DumpRejectedError` AFTER it may
 * already have given records when the input ends before the document does (`DUMP.TRUNCATED`), the
 * document is not well-formed (`DUMP.MALFORMED`), End is missing (`DUMP.END_MISSING`) or its counts
 * differ (`DUMP.COUNTS_MISMATCH`). A caller therefore stages the records and commits or publishes
 * them only once the iterator has completed and given the `end` record; on a throw it discards
 * everything staged. An error of the source itself (a connection cut) is thrown as it is.
 *
 * Refused as well, before any later record: a DTD declaration (`DUMP.HOSTILE`), a unit larger than
 * the limit (`DUMP.UNIT_TOO_LARGE`), a root other than `ScheduleDump` in `urn:xmldump:schedule:1`
 * (`DUMP.WRONG_ROOT`), an attribute or text missing or not of its type (`DUMP.INVALID_VALUE`).
 */
export async function* readDump(source: AsyncIterable<Buffer | string> | Readable, options: ReadDumpOptions = {}): AsyncGenerator<DumpRecord, void, undefined> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const scanner = new DumpScanner();
  const reading = new DumpReading(scanner, options.maxUnitBytes ?? defaultMaxUnitBytes);
  let bytes = 0;
  const chunks: AsyncIterable<unknown> = source;
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') {
      scanner.append(chunk);
      bytes += Buffer.byteLength(chunk);
    } else if (chunk instanceof Uint8Array) {
      scanner.append(decoded(decoder, chunk, bytes));
      bytes += chunk.length;
    } else {
      throw new TypeError('a dump is read from strings or bytes');
    }
    yield* reading.records(false);
  }
  try {
    scanner.append(decoder.decode());
  } catch (cause) {
    throw new DumpRejectedError(DumpRejection.truncated, bytes, { reason: 'PARTIAL_CHARACTER', cause });
  }
  yield* reading.records(true);
  yield reading.finish(bytes);
}

function decoded(decoder: TextDecoder, chunk: Uint8Array, at: number): string {
  try {
    return decoder.decode(chunk, { stream: true });
  } catch (cause) {
    throw new DumpRejectedError(DumpRejection.malformed, at, { reason: 'NOT_UTF8', cause });
  }
}

const blank = /^[ \t\r\n]*$/;
const utf8Declaration = /encoding\s*=\s*["']utf-8["']/i;

/** The document's structure around its units, the units' parsing, and the counts End is checked against. */
class DumpReading {
  private place: Place = 'prolog';
  private unit: Unit | undefined;
  private header: DumpHeader | undefined;
  private clinic = '';
  private doctor = '';
  private readonly counted = { clinics: 0, doctors: 0, days: 0, tickets: 0 };
  private readonly clinicCodes = new Set<string>();
  private readonly doctorCodes = new Set<string>();
  private readonly dates = new Set<string>();
  /** Records of the last token: a Doctor's own part and a self-closed Day can end at the same tag. */
  private readonly ready: DumpRecord[] = [];

  constructor(
    private readonly scanner: DumpScanner,
    private readonly maxUnitBytes: number,
  ) {}

  /**
   * The records of every unit complete in the text held; then the text no unit needs is released.
   * `final`: the input ended, so all of it is scanned now.
   */
  *records(final: boolean): Generator<DumpRecord, void, undefined> {
    yield* this.scanned(final);
    // The scanner waits for more text before scanning again; what it holds is judged once scanned.
    if (this.held() > this.maxUnitBytes) yield* this.scanned(true);
    const keep = this.unit?.start ?? this.scanner.position;
    if (this.held() > this.maxUnitBytes) {
      throw new DumpRejectedError(DumpRejection.unitTooLarge, this.scanner.byteOffset(keep), { ...(this.unit && { element: this.unit.element }) });
    }
    this.scanner.release(keep);
  }

  private *scanned(force: boolean): Generator<DumpRecord, void, undefined> {
    for (let token = this.scanner.next(force); token !== undefined; token = this.scanner.next(force)) {
      this.accept(token);
      for (let record = this.ready.shift(); record !== undefined; record = this.ready.shift()) yield record;
    }
  }

  /** Characters held from the unit in progress, or from the token the scanner stopped inside. */
  private held(): number {
    return this.scanner.end - (this.unit?.start ?? this.scanner.position);
  }

  finish(bytes: number): DumpRecord {
    if (this.place !== 'epilog' || !this.scanner.exhausted || this.header === undefined) throw new DumpRejectedError(DumpRejection.truncated, bytes);
    return { type: 'end', header: this.header, counts: { ...this.counted } };
  }

  private accept(token: MarkupToken): void {
    if (token.kind === 'declaration') {
      if (this.place !== 'prolog' || token.start !== this.scanner.documentStart) throw this.malformed(token, 'MISPLACED_DECLARATION');
      const declaration = this.scanner.slice(token.start, token.end);
      if (/encoding\s*=/i.test(declaration) && !utf8Declaration.test(declaration)) throw this.malformed(token, 'NOT_UTF8');
      return;
    }
    if (this.place === 'unit') return this.inUnit(token);
    if (token.kind === 'comment' || token.kind === 'pi') return;
    if (token.kind === 'text') {
      if (!blank.test(this.scanner.slice(token.start, token.end))) throw this.malformed(token, 'TEXT_OUTSIDE_UNIT');
      return;
    }
    if (token.kind === 'cdata') throw this.malformed(token, 'TEXT_OUTSIDE_UNIT');
    if (token.kind === 'open' ? this.opened(token) : this.closed(token)) return;
    throw this.malformed(token, 'UNEXPECTED_ELEMENT');
  }

  /** Whether the element may open here; a unit starts at each Clinic, Doctor, Day and End. */
  private opened(token: Extract<MarkupToken, { kind: 'open' }>): boolean {
    switch (this.place) {
      case 'prolog':
        this.openRoot(token);
        return true;
      case 'root':
        if (token.name === 'Clinic') this.startUnit(token, 'Clinic', 'Doctor');
        else if (token.name === 'End') this.startUnit(token, 'End');
        else return false;
        return true;
      case 'clinic':
        if (token.name !== 'Doctor') return false;
        this.startUnit(token, 'Doctor', 'Day');
        return true;
      case 'doctor':
        if (token.name !== 'Day') return false;
        this.startUnit(token, 'Day');
        return true;
      default:
        return false;
    }
  }

  /** Whether the element may close here: the elements around units close outside them. */
  private closed(token: Extract<MarkupToken, { kind: 'close' }>): boolean {
    switch (this.place) {
      case 'root':
        if (token.name === 'ScheduleDump') throw new DumpRejectedError(DumpRejection.endMissing, this.scanner.byteOffset(token.start));
        return false;
      case 'clinic':
        return this.leave(token, 'Clinic', 'root');
      case 'doctor':
        return this.leave(token, 'Doctor', 'clinic');
      case 'afterEnd':
        return this.leave(token, 'ScheduleDump', 'epilog');
      default:
        return false;
    }
  }

  private leave(token: Extract<MarkupToken, { kind: 'close' }>, element: string, place: Place): boolean {
    if (token.name !== element) return false;
    this.place = place;
    return true;
  }

  private inUnit(token: MarkupToken): void {
    const unit = this.unit;
    if (unit === undefined) throw this.malformed(token, 'UNEXPECTED_ELEMENT');
    if (token.kind === 'open') {
      if (unit.until !== undefined && unit.stack.length === 1 && token.name === unit.until) {
        this.complete(unit, this.scanner.slice(unit.start, token.start) + `</${unit.element}>`, false);
        this.startUnit(token, unit.until, unit.until === 'Doctor' ? 'Day' : undefined);
        return;
      }
      const ticketOfDay = unit.element === 'Day' && unit.stack.length === 1 && token.name === 'Ticket';
      if (structural.has(token.name) && !ticketOfDay) throw this.malformed(token, 'UNEXPECTED_ELEMENT');
      if (!token.empty) unit.stack.push(token.name);
      if (unit.stack.length > maxUnitDepth) throw this.malformed(token, 'TOO_DEEP');
    } else if (token.kind === 'close') {
      if (unit.stack.pop() !== token.name) throw this.malformed(token, 'UNBALANCED');
      if (unit.stack.length === 0) this.complete(unit, this.scanner.slice(unit.start, token.end), true);
    }
  }

  private openRoot(token: Extract<MarkupToken, { kind: 'open' }>): void {
    const at = this.scanner.byteOffset(token.start);
    if (token.name !== 'ScheduleDump') throw new DumpRejectedError(DumpRejection.wrongRoot, at, { reason: 'NOT_SCHEDULE_DUMP' });
    const tag = this.scanner.slice(token.start, token.end);
    const node = parseUnit(token.empty ? tag : `${tag}</ScheduleDump>`, 'ScheduleDump', at);
    if (namespaceOf(node) !== scheduleNamespace) throw new DumpRejectedError(DumpRejection.wrongRoot, at, { reason: 'WRONG_NAMESPACE' });
    this.header = headerOf(node, at);
    if (token.empty) throw new DumpRejectedError(DumpRejection.endMissing, at);
    this.place = 'root';
  }

  private startUnit(token: Extract<MarkupToken, { kind: 'open' }>, element: UnitElement, until?: 'Doctor' | 'Day'): void {
    if (token.empty) return this.complete({ element, start: token.start, stack: [] }, this.scanner.slice(token.start, token.end), true);
    this.unit = { element, start: token.start, stack: [element], ...(until !== undefined && { until }) };
    this.place = 'unit';
  }

  /** `closed`: the element ended with the unit; otherwise the unit is a Clinic's or Doctor's own part and its children follow. */
  private complete(unit: Unit, text: string, closed: boolean): void {
    const at = this.scanner.byteOffset(unit.start);
    if (text.length > this.maxUnitBytes / 3 && Buffer.byteLength(text) > this.maxUnitBytes) {
      throw new DumpRejectedError(DumpRejection.unitTooLarge, at, { element: unit.element });
    }
    const header = this.header;
    if (header === undefined) throw new DumpRejectedError(DumpRejection.malformed, at, { element: unit.element, reason: 'UNEXPECTED_ELEMENT' });
    const node = parseUnit(text, unit.element, at);
    this.unit = undefined;
    switch (unit.element) {
      case 'Clinic': {
        const clinic = clinicOf(node, at);
        if (this.clinicCodes.has(clinic.code)) throw new DumpRejectedError(DumpRejection.invalidValue, at, { element: 'Clinic', attribute: 'code', reason: 'DUPLICATE' });
        this.clinicCodes.add(clinic.code);
        this.doctorCodes.clear();
        this.clinic = clinic.code;
        this.counted.clinics++;
        this.place = closed ? 'root' : 'clinic';
        this.ready.push(clinic);
        return;
      }
      case 'Doctor': {
        const doctor = doctorOf(node, this.clinic, at);
        if (this.doctorCodes.has(doctor.code)) throw new DumpRejectedError(DumpRejection.invalidValue, at, { element: 'Doctor', attribute: 'code', reason: 'DUPLICATE' });
        this.doctorCodes.add(doctor.code);
        this.dates.clear();
        this.doctor = doctor.code;
        this.counted.doctors++;
        this.place = closed ? 'clinic' : 'doctor';
        this.ready.push(doctor);
        return;
      }
      case 'Day': {
        const day = dayOf(node, { clinic: this.clinic, doctor: this.doctor }, header, at);
        if (this.dates.has(day.date)) throw new DumpRejectedError(DumpRejection.invalidValue, at, { element: 'Day', attribute: 'date', reason: 'DUPLICATE' });
        this.dates.add(day.date);
        this.counted.days++;
        this.counted.tickets += day.tickets.length;
        this.place = 'doctor';
        this.ready.push(day);
        return;
      }
      case 'End':
        this.checkCounts(countsOf(node, at), at);
        this.place = 'afterEnd';
        return;
      default:
        return unit.element satisfies never;
    }
  }

  private checkCounts(declared: DumpCounts, at: number): void {
    const differing = (Object.keys(declared) as (keyof DumpCounts)[]).find((key) => declared[key] !== this.counted[key]);
    if (differing !== undefined) throw new DumpRejectedError(DumpRejection.countsMismatch, at, { element: 'End', attribute: differing });
  }

  private malformed(token: MarkupToken, reason: string): DumpRejectedError {
    return new DumpRejectedError(DumpRejection.malformed, this.scanner.byteOffset(token.start), { reason });
  }
}
