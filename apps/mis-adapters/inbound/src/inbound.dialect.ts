import type { IdentifiedPatient } from '@medbus/identification';
import {
  MisDialect,
  MisUnavailableError,
  type BookOrder,
  type CancelOrder,
  type DialectContext,
  type DialectRoute,
  type MisAnswer,
  type MisAppointment,
  type SyncSummary,
} from '@medbus/mis-adapter-kit';
import { answerOf } from './booking-command.mapper';
import { BookingOrders, OrderState, type NewOrder } from './booking-order.service';
import type { InboundAdapterConfig } from './inbound.config';
import { InboundApi, type InboundApiCounters } from './inbound.controller';
import { IdentificationUnsupportedError } from './inbound.errors';
import { inboundOpenApi } from './inbound.openapi';
import { InboundPush } from './push.service';

export interface InboundHealth extends Record<string, unknown> {
  readonly requests: InboundApiCounters;
  readonly lastContactAt: string | null;
}

/** How often a command waiting for the MIS's answer reads the table again (an answer taken by another instance). */
const recheckMs = 200;

/** Whether the MIS had been given the order when its deadline passed unanswered: then it may have acted on it. */
const deliveredDetail = 'delivered';

/**
 * The dialect of a home-grown MIS with no API of its own: the MIS calls medbus (apps/mis-adapters/inbound/README.md).
 * It pushes its organisations, resources and slots to the inbound API, so `sync()` reads nothing; a
 * booking command becomes an order the MIS takes by long poll and answers, and `book()`/`cancel()` wait
 * for that answer until the order's deadline (a cancellation's: CANCEL_RETRY_WINDOW_MS), then throw
 * MisUnavailableError so the runtime's executor settles the command by its deadline rules.
 */
export class InboundDialect extends MisDialect {
  readonly push: InboundPush;
  readonly api: InboundApi;
  readonly orders?: BookingOrders;
  private stopping = false;

  constructor(
    private readonly config: InboundAdapterConfig,
    private readonly context: DialectContext,
  ) {
    super();
    this.push = new InboundPush(context);
    this.orders = context.database ? new BookingOrders(context.database, config.ADAPTER_ID, context.clock) : undefined;
    this.api = new InboundApi({
      apiKeys: config.INBOUND_API_KEYS,
      maxBodyBytes: config.INBOUND_MAX_BODY_BYTES,
      organisations: config.ADAPTER_ORGANISATIONS,
      redeliveryMs: config.INBOUND_REDELIVERY_MS,
      commandsPerPoll: config.INBOUND_COMMANDS_PER_POLL,
      clock: context.clock,
      push: this.push,
      orders: this.orders,
      openApi: inboundOpenApi,
      logger: context.logger,
      archive: context.openRawArchive(),
    });
  }

  /** The MIS called within INBOUND_CONTACT_TIMEOUT_MS (a push or a command poll). */
  get misReachable(): boolean {
    const last = this.api.lastContactAt;
    return last !== null && this.context.clock.now().getTime() - last.getTime() < this.config.INBOUND_CONTACT_TIMEOUT_MS;
  }

  /** When the MIS's last push was applied. */
  get lastSuccessfulSyncAt(): Date | null {
    return this.push.lastPushAt;
  }

  /** The MIS pushes: there is nothing to read. */
  async sync(): Promise<SyncSummary> {
    return { published: 0, failures: 0 };
  }

  book(order: BookOrder): Promise<MisAnswer> {
    return this.carryOut({
      commandId: order.commandId,
      kind: 'BookSlot',
      organisationOid: order.organisationOid,
      localResourceId: order.localResourceId,
      localSlotId: order.localSlotId,
      misPatientId: order.misPatientId,
      misAppointmentId: null,
      replacesMisAppointmentId: order.replacesMisAppointmentId,
      deadline: order.deadline,
    });
  }

  async cancel(order: CancelOrder): Promise<MisAnswer> {
    const orders = this.requireOrders();
    return this.carryOut({
      commandId: order.commandId,
      kind: 'CancelAppointment',
      organisationOid: order.organisationOid,
      localResourceId: null,
      localSlotId: await orders.slotOfAppointment(order.organisationOid, order.misPatientId, order.misAppointmentId),
      misPatientId: order.misPatientId,
      misAppointmentId: order.misAppointmentId,
      replacesMisAppointmentId: null,
      deadline: this.context.clock.now().getTime() + this.config.CANCEL_RETRY_WINDOW_MS,
    });
  }

  /** The appointments the MIS's answers made and did not end since. */
  async activeAppointments(organisationOid: string, misPatientId: string): Promise<readonly MisAppointment[]> {
    return this.orders ? this.orders.appointments(organisationOid, misPatientId) : [];
  }

  /** The MIS cannot be asked while the caller waits (README: Patients). */
  async identify(): Promise<IdentifiedPatient> {
    throw new IdentificationUnsupportedError();
  }

  /** An order the MIS had been given when its deadline passed may have been carried out. */
  mayHaveReachedMis(error: unknown): boolean {
    return error instanceof MisUnavailableError && error.details?.[deliveredDetail] === true;
  }

  /** The MIS pushes its slots again after it carries out an order: there is nothing to read. */
  async refreshSlots(): Promise<void> {
    return undefined;
  }

  override routes(): readonly DialectRoute[] {
    return this.api.routes();
  }

  override health(): InboundHealth {
    const { accepted, refused, lateOutcomes } = this.api.counters;
    return { requests: { accepted, refused: { ...refused }, lateOutcomes }, lastContactAt: this.api.lastContactAt?.toISOString() ?? null };
  }

  override async stop(): Promise<void> {
    this.stopping = true;
    this.api.stop();
  }

  /**
   * Places the order (once per command id: a retried command finds its order, with the deadline it
   * was placed with) and waits for the MIS's answer; past the deadline the order is expired, so a late
   * answer is refused, and MisUnavailableError says whether the MIS had been given it.
   */
  private async carryOut(order: NewOrder): Promise<MisAnswer> {
    const orders = this.requireOrders();
    const { commandId } = await orders.place(order);
    for (;;) {
      const stored = await orders.get(commandId);
      if (!stored) throw new MisUnavailableError('the order is gone from the table');
      const answer = answerOf(stored);
      if (answer) return answer;
      const left = stored.deadline - this.context.clock.now().getTime();
      if (stored.state === OrderState.expired || left <= 0) {
        if (stored.state === OrderState.pending && !(await orders.expire(commandId))) continue;
        throw new MisUnavailableError('the MIS answered no outcome before the order’s deadline', { details: { [deliveredDetail]: stored.deliveries > 0 } });
      }
      if (this.stopping) throw new MisUnavailableError('the adapter is stopping; the command will be redelivered');
      await orders.waitForAnswer(commandId, Math.min(recheckMs, left));
    }
  }

  private requireOrders(): BookingOrders {
    if (!this.orders) throw new MisUnavailableError('the adapter has no database for booking orders');
    return this.orders;
  }
}
