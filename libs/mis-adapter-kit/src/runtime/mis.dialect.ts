import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import type { BookingChannel, CommandRejectionReason } from '@medbus/contracts';
import type { IdentifiedPatient, IdentifyRequest } from '@medbus/identification';
import type { CodeMap, DataQualityReport } from '../code-map.mapper';
import type { Clock } from '../clock.service';
import type { Publication } from '../publication/publication.service';
import type { RawPayloadArchive } from '../raw-payload.service';
import type { SpecialtyRule } from '../publication/specialty-rules.config';

/** The MIS refused a command; `recheck` says when the refusal may be this command's own earlier call whose answer was lost. */
export interface MisRefusal {
  readonly kind: 'refused';
  readonly reason: CommandRejectionReason;
  /** The MIS's own code, as text (it goes to Kafka and the booking service's audit). */
  readonly misErrorCode: string | null;
  /** The MIS's wording with patient-shaped strings redacted. */
  readonly message: string;
  /**
   * `always`: the refusal may mean the patient already holds exactly what was asked (HubService 307),
   * so the patient's appointments decide; `if-uncertain`: only when an earlier call of this command
   * may have reached the MIS (slot taken, booking not found). Absent: the refusal stands.
   */
  readonly recheck?: 'always' | 'if-uncertain';
}

/** What the MIS answered to a command: done (with the MIS's id of the appointment), or refused. */
export type MisAnswer = { readonly kind: 'done'; readonly misAppointmentId?: string } | MisRefusal;

/** An appointment a patient holds at the MIS: on which slot, under which id of the MIS's. */
export interface MisAppointment {
  readonly localSlotId: string;
  readonly misAppointmentId: string;
}

/** A booking as the MIS is asked to make it (a BookSlot command, less what the MIS has no use for). */
export interface BookOrder {
  readonly commandId: string;
  readonly organisationOid: string;
  readonly localResourceId: string;
  readonly localSlotId: string;
  readonly misPatientId: string;
  /** A reschedule: the MIS's id of the appointment the new one replaces, in one MIS operation where it has one. */
  readonly replacesMisAppointmentId: string | null;
  /** Epoch ms after which the booking service has given up. */
  readonly deadline: number;
}

export interface CancelOrder {
  readonly commandId: string;
  readonly organisationOid: string;
  readonly misAppointmentId: string;
  readonly misPatientId: string;
}

/** A handler on the adapter's HTTP port for what the MIS sends (notifications, webhooks): the raw request, body unread. */
export interface DialectRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path: exact (`/notifications`), or a template whose `{name}` segments match one segment each (`/orders/{id}/outcome`). */
  readonly path: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface SyncOptions {
  /** State everything again with newer versions (anti-entropy). */
  readonly reassert: boolean;
}

export interface SyncSummary {
  readonly published: number;
  /** Parts of the MIS whose answers were refused (counted; the rest of the pass went on). */
  readonly failures: number;
}

export interface DialectLogger {
  log(message: string, ...params: unknown[]): void;
  warn(message: string, ...params: unknown[]): void;
  error(message: string, ...params: unknown[]): void;
}

/** What the runtime gives a dialect: where to publish, the clock, the region's code tables and rules, the logger. */
export interface DialectContext {
  readonly adapterId: string;
  readonly misVendor: string;
  readonly publication: Publication;
  readonly clock: Clock;
  readonly codes: CodeMap;
  readonly quality: DataQualityReport;
  readonly logger: DialectLogger;
  readonly horizonDays: number;
  /** Channels that may book the MIS's slots unless a specialty rule closes some. */
  readonly bookingChannels: readonly BookingChannel[];
  /** The region's rules per specialty NSI code (who may be booked, which channels are closed), for what the MIS does not say. */
  readonly specialtyRules: Readonly<Record<string, SpecialtyRule>>;
  /** The adapter's Postgres (its own schema), when it has one: a dialect's own tables (`DialectDefinition.migrations`) are there. */
  readonly database?: DataSource;
  /** Asks for a full pass soon (a change the dialect could not read on its own). */
  readonly requestSync: () => void;
  /**
   * The raw payload archive when RAW_PAYLOAD_DIR is set (the runtime prunes it), else undefined;
   * `patientOperations` names the answers concerning a patient and what of them is kept.
   */
  readonly openRawArchive: (patientOperations?: Readonly<Record<string, readonly string[]>>) => RawPayloadArchive | undefined;
}

/**
 * A vendor's dialect: how to read its MIS into canonical states and how to book, cancel and identify
 * there. Everything else (configuration, migrations, the sync and heartbeat loops, the command
 * executor and its outbox, the HTTP port with authentication and health, the organisation scope) is
 * the runtime's (`startMisAdapter`). A dialect throws `MisUnavailableError` when the MIS does not
 * answer and `MisResponseRejectedError` when it answers something unreadable.
 */
export abstract class MisDialect {
  /** One pass over the MIS: read it and hand the listings to `context.publication`. */
  abstract sync(options: SyncOptions): Promise<SyncSummary>;

  abstract book(order: BookOrder): Promise<MisAnswer>;

  abstract cancel(order: CancelOrder): Promise<MisAnswer>;

  /** The appointments the patient holds at the organisation now (to settle a call whose answer was lost). */
  abstract activeAppointments(organisationOid: string, misPatientId: string): Promise<readonly MisAppointment[]>;

  /** Finds (or, when asked, registers) the patient at the organisation's MIS. */
  abstract identify(request: IdentifyRequest): Promise<IdentifiedPatient>;

  /** Whether a call that failed so may still have changed something at the MIS (sent, then no answer). */
  abstract mayHaveReachedMis(error: unknown): boolean;

  /** A command changed or found changed these slots: re-read and publish them now (the poller catches up otherwise). */
  abstract refreshSlots(organisationOid: string, localSlotIds: readonly string[]): Promise<void>;

  /** Whether the last call to the MIS was answered. */
  abstract get misReachable(): boolean;

  /** Start of the last pass that completed without a refused answer; null before one. */
  abstract get lastSuccessfulSyncAt(): Date | null;

  /** Start of the last reasserting pass that completed; null before one. */
  get lastReassertedAt(): Date | null {
    return null;
  }

  /** Routes on the adapter's HTTP port for what the MIS pushes. */
  routes(): readonly DialectRoute[] {
    return [];
  }

  /** The dialect's part of the adapter's health (circuit, counters...). */
  health(): Record<string, unknown> {
    return {};
  }

  /** Called once the runtime has restored what was published, before the first pass. */
  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
