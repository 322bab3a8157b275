import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, EntityManager } from 'typeorm';
import { AllEvents, CommandRejectionReason } from '@medbus/contracts';
import { isRetryable } from '@medbus/errors';
import type { Outbox } from '@medbus/kafka';
import { MisResponseRejectedError, MisUnavailableError } from '../adapter.errors';
import type { Clock } from '../clock.service';
import { backoffDelay, type BackoffOptions } from '../retry.service';
import type { MisAnswer, MisDialect } from '../runtime/mis.dialect';
import { outcomeOf, type BookingCommand, type CommandOutcome } from './booking-command.mapper';

/** The MIS calls commands make: the dialect's. */
export type CommandMis = Pick<MisDialect, 'book' | 'cancel' | 'activeAppointments' | 'mayHaveReachedMis' | 'refreshSlots'>;

export interface BookingCommandOptions {
  readonly adapterId: string;
  /** Backoff between attempts while the MIS does not answer (maxAttempts is not used: the deadline bounds them). */
  readonly retry: Omit<BackoffOptions, 'maxAttempts'>;
  /** How long a cancellation keeps being retried (a cancellation carries no deadline). */
  readonly cancelWindowMs: number;
  /** How long, after the deadline, the adapter keeps trying to read whether an unanswered call booked. */
  readonly verifyWindowMs: number;
}

export interface CommandLogger {
  log(message: string, ...params: unknown[]): void;
  warn(message: string, ...params: unknown[]): void;
}

interface StoredCommand {
  outcome_type: string | null;
  outcome: CommandOutcome['value'] | null;
}

const deadlineExceeded = (message: string): MisAnswer => ({ kind: 'refused', reason: CommandRejectionReason.DEADLINE_EXCEEDED, misErrorCode: null, message });

/**
 * Carries out booking commands at the MIS, each command id once in effect:
 * - a row per command is committed before the MIS is first called, and completed with the outcome
 *   in the same transaction as the outcome's outbox row; a redelivered command id republishes the
 *   stored outcome and never calls the MIS again;
 * - while the MIS does not answer, attempts are repeated with bounded exponential backoff until the
 *   command's deadline (a cancellation: `cancelWindowMs`), never after it;
 * - a call whose answer was lost (timeout, reset, garbled answer, or a restart after it) may have
 *   booked: when a later attempt is refused with a refusal the dialect marks `recheck`, the patient's
 *   appointments at the MIS decide, so a lost answer yields neither a false refusal nor a second
 *   booking.
 * The MIS's own calls, ids and codes are the dialect's; this is the same for every vendor.
 */
export class CommandExecutor {
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly mis: CommandMis,
    private readonly clock: Clock,
    private readonly options: BookingCommandOptions,
    private readonly logger: CommandLogger,
  ) {}

  /** Stops waiting: a command in progress ends with a retryable error, leaving its message to be redelivered. */
  stop(): void {
    this.stopping = true;
  }

  /** Carries out the command (or answers its stored outcome) and returns the outcome written to the outbox. */
  async execute(command: BookingCommand, correlationId?: string): Promise<CommandOutcome> {
    const { commandId } = command.value;
    const stored = await this.stored(commandId);
    if (stored?.outcome && stored.outcome_type) {
      const outcome = { name: stored.outcome_type, value: stored.outcome } as CommandOutcome;
      await this.dataSource.transaction((tx) => this.enqueue(tx, outcome, correlationId));
      this.logger.log('command redelivered; stored outcome published again', { commandId, outcome: outcome.name });
      return outcome;
    }
    // A row without an outcome: an earlier run took the command up and stopped before finishing it.
    const mayHaveActed = stored !== undefined;
    if (!stored) await this.markStarted(command);

    const { result, touched } = command.name === 'BookSlot' ? await this.book(command, mayHaveActed) : await this.cancel(command, mayHaveActed);
    const outcome = await this.dataSource.transaction(async (tx) => {
      const [row]: StoredCommand[] = await tx.query(`SELECT outcome_type, outcome FROM mis_adapter_command WHERE command_id = $1 FOR UPDATE`, [commandId]);
      // Another instance finished it meanwhile (a rebalance): its outcome stands.
      const decided = row?.outcome && row.outcome_type ? ({ name: row.outcome_type, value: row.outcome } as CommandOutcome) : undefined;
      const answer = decided ?? outcomeOf(command, result, this.clock.now().getTime());
      if (!decided) {
        await tx.query(`UPDATE mis_adapter_command SET outcome_type = $2, outcome = $3, finished_at = now() WHERE command_id = $1`, [
          commandId,
          answer.name,
          JSON.stringify(answer.value),
        ]);
      }
      await this.enqueue(tx, answer, correlationId);
      return answer;
    });
    this.logger.log('command carried out', {
      commandId,
      command: command.name,
      outcome: outcome.name,
      ...('reason' in outcome.value ? { reason: outcome.value.reason, misErrorCode: outcome.value.misErrorCode } : {}),
    });
    if (touched.length > 0) {
      this.mis.refreshSlots(command.value.organisationOid, touched).catch((error: unknown) =>
        this.logger.warn('slots a command touched not re-read; the poller will catch up', { commandId, error: (error as Error).message }),
      );
    }
    return outcome;
  }

  private async book(command: Extract<BookingCommand, { name: 'BookSlot' }>, mayHaveActed: boolean): Promise<Carried> {
    const { commandId, organisationOid, localResourceId, localSlotId, misPatientId, replacesMisAppointmentId, deadline } = command.value;
    let uncertain = mayHaveActed;
    let called = false;
    const booked = (misAppointmentId?: string): Carried => ({ result: { kind: 'done', misAppointmentId }, touched: [localSlotId, ...(replacesMisAppointmentId ? [replacesMisAppointmentId] : [])] });
    /** The patient's appointment on the slot asked for, if the MIS shows one (a lost answer's booking). */
    const held = async () => (await this.mis.activeAppointments(organisationOid, misPatientId)).find((a) => a.localSlotId === localSlotId);
    for (let attempt = 1; ; attempt++) {
      if (this.clock.now().getTime() >= deadline) {
        if (uncertain && called) return this.settleAfterDeadline(held, (found) => booked(found.misAppointmentId), [localSlotId]);
        return { result: deadlineExceeded('the MIS did not answer before the deadline; nothing was booked'), touched: [] };
      }
      try {
        called = true;
        const answer = await this.mis.book({ commandId, organisationOid, localResourceId, localSlotId, misPatientId, replacesMisAppointmentId, deadline });
        if (answer.kind === 'done') return booked(answer.misAppointmentId);
        // The patient may already hold exactly this slot (another instance's call during a rebalance, a call whose answer was lost).
        const found = answer.recheck === 'always' || (answer.recheck === 'if-uncertain' && uncertain) ? await held() : undefined;
        if (found) return booked(found.misAppointmentId);
        const reread = answer.reason === CommandRejectionReason.SLOT_TAKEN || answer.reason === CommandRejectionReason.SLOT_NOT_FOUND;
        return { result: answer, touched: reread ? [localSlotId] : [] };
      } catch (error) {
        uncertain = this.afterFailure(error, command, attempt) || uncertain;
        await this.pause(attempt, deadline);
      }
    }
  }

  private async cancel(command: Extract<BookingCommand, { name: 'CancelAppointment' }>, mayHaveActed: boolean): Promise<Carried> {
    const { commandId, organisationOid, misAppointmentId, misPatientId } = command.value;
    const until = this.timeLimitOf(command);
    let uncertain = mayHaveActed;
    let called = false;
    const cancelled = (): Carried => ({ result: { kind: 'done' }, touched: [misAppointmentId] });
    /** The MIS shows no appointment of the patient under this id any more: a lost answer's cancellation. */
    const gone = async () => ((await this.mis.activeAppointments(organisationOid, misPatientId)).some((a) => a.misAppointmentId === misAppointmentId) ? undefined : true);
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1 && this.clock.now().getTime() >= until) {
        if (uncertain && called) return this.settleAfterDeadline(gone, cancelled, []);
        return { result: deadlineExceeded('the MIS did not answer in time; the booking stays as it was'), touched: [] };
      }
      try {
        called = true;
        const answer = await this.mis.cancel({ commandId, organisationOid, misAppointmentId, misPatientId });
        if (answer.kind === 'done') return cancelled();
        if ((answer.recheck === 'always' || (answer.recheck === 'if-uncertain' && uncertain)) && (await gone())) return cancelled();
        return { result: answer, touched: [] };
      } catch (error) {
        uncertain = this.afterFailure(error, command, attempt) || uncertain;
        await this.pause(attempt, until);
      }
    }
  }

  /**
   * The deadline passed after a call whose answer was lost: no new change is made, but the MIS is
   * read (within `verifyWindowMs`) to answer the truth rather than a refusal that may be false.
   */
  private async settleAfterDeadline<T>(happened: () => Promise<T | undefined>, done: (evidence: T) => Carried, touched: string[]): Promise<Carried> {
    const until = this.clock.now().getTime() + this.options.verifyWindowMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const evidence = await happened();
        if (evidence !== undefined) return done(evidence);
        return { result: deadlineExceeded('the deadline passed; the MIS shows the change was not made'), touched };
      } catch (error) {
        if (!isRetryable(error) && !(error instanceof MisResponseRejectedError)) throw error;
        if (this.clock.now().getTime() >= until) {
          return { result: deadlineExceeded('the deadline passed and the MIS did not answer; an unanswered call may have taken effect, the next schedule read shows it'), touched };
        }
        await this.pause(attempt, until);
      }
    }
  }

  /** Whether the failed call may have changed something at the MIS; rethrows what retrying cannot help. */
  private afterFailure(error: unknown, command: BookingCommand, attempt: number): boolean {
    const garbled = error instanceof MisResponseRejectedError;
    if (!garbled && !isRetryable(error)) throw error;
    const reached = garbled || this.mis.mayHaveReachedMis(error);
    this.logger.warn('MIS call for a command failed; retrying', {
      commandId: command.value.commandId,
      attempt,
      code: (error as { code?: string }).code,
      mayHaveTakenEffect: reached,
    });
    return reached;
  }

  /** Waits before the next attempt, never past `until`; a stopping adapter gives the message back. */
  private async pause(attempt: number, until: number): Promise<void> {
    const delay = Math.min(backoffDelay(attempt, { ...this.options.retry, maxAttempts: Number.MAX_SAFE_INTEGER }), Math.max(0, until - this.clock.now().getTime()));
    const end = Date.now() + delay;
    while (!this.stopping && Date.now() < end) await sleep(Math.min(100, end - Date.now()));
    if (this.stopping) throw new MisUnavailableError('the adapter is stopping; the command will be redelivered');
  }

  private timeLimitOf(command: BookingCommand): number {
    return command.name === 'BookSlot' ? command.value.deadline : this.clock.now().getTime() + this.options.cancelWindowMs;
  }

  private async stored(commandId: string): Promise<StoredCommand | undefined> {
    const [row]: StoredCommand[] = await this.dataSource.query(`SELECT outcome_type, outcome FROM mis_adapter_command WHERE command_id = $1`, [commandId]);
    return row;
  }

  private async markStarted(command: BookingCommand): Promise<void> {
    const { commandId, appointmentId, organisationOid, slotId } = command.value;
    await this.dataSource.query(
      `INSERT INTO mis_adapter_command (command_id, adapter_id, command_type, appointment_id, organisation_oid, slot_id)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (command_id) DO NOTHING`,
      [commandId, this.options.adapterId, command.name, appointmentId, organisationOid, slotId],
    );
  }

  private async enqueue(tx: EntityManager, outcome: CommandOutcome, correlationId?: string): Promise<void> {
    await this.outbox.enqueue(tx, { event: AllEvents[outcome.name], key: outcome.value.appointmentId, value: outcome.value, correlationId });
  }
}

interface Carried {
  readonly result: MisAnswer;
  /** The MIS's ids of slots to re-read now. */
  readonly touched: string[];
}
