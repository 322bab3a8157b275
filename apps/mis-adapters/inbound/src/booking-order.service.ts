import type { DataSource } from 'typeorm';
import type { Clock, MisAppointment } from '@medbus/mis-adapter-kit';

export const OrderState = {
  pending: 'pending',
  done: 'done',
  refused: 'refused',
  /** Its deadline passed unanswered: void, the MIS must not carry it out. */
  expired: 'expired',
} as const;
export type OrderState = (typeof OrderState)[keyof typeof OrderState];

export type OrderKind = 'BookSlot' | 'CancelAppointment';

/** A booking command as an order for the MIS to take up (it polls for them) and its answer. */
export interface BookingOrder {
  readonly commandId: string;
  readonly kind: OrderKind;
  readonly organisationOid: string;
  readonly localResourceId: string | null;
  readonly localSlotId: string | null;
  readonly misPatientId: string;
  /** A cancellation: the appointment; a booking done: the appointment made. */
  readonly misAppointmentId: string | null;
  readonly replacesMisAppointmentId: string | null;
  /** Epoch ms. */
  readonly deadline: number;
  readonly state: OrderState;
  readonly refusalCode: string | null;
  readonly refusalMessage: string | null;
  readonly deliveries: number;
}

export type NewOrder = Omit<BookingOrder, 'state' | 'refusalCode' | 'refusalMessage' | 'deliveries'>;

/** What the MIS answered to an order. */
export type OrderAnswer = { readonly outcome: 'done'; readonly misAppointmentId: string | null } | { readonly outcome: 'refused'; readonly code: string; readonly message: string };

export type AnswerResult =
  | { readonly result: 'recorded' | 'repeated'; readonly order: BookingOrder }
  | { readonly result: 'expired' | 'conflict'; readonly order: BookingOrder }
  | { readonly result: 'not_found' };

interface OrderRow {
  command_id: string;
  kind: OrderKind;
  organisation_oid: string;
  local_resource_id: string | null;
  local_slot_id: string | null;
  mis_patient_id: string;
  mis_appointment_id: string | null;
  replaces_mis_appointment_id: string | null;
  deadline: Date;
  state: OrderState;
  refusal_code: string | null;
  refusal_message: string | null;
  deliveries: number;
  created_at: Date;
}

const columns = `command_id, kind, organisation_oid, local_resource_id, local_slot_id, mis_patient_id, mis_appointment_id,
  replaces_mis_appointment_id, deadline, state, refusal_code, refusal_message, deliveries, created_at`;

function orderOf(row: OrderRow): BookingOrder {
  return {
    commandId: row.command_id,
    kind: row.kind,
    organisationOid: row.organisation_oid,
    localResourceId: row.local_resource_id,
    localSlotId: row.local_slot_id,
    misPatientId: row.mis_patient_id,
    misAppointmentId: row.mis_appointment_id,
    replacesMisAppointmentId: row.replaces_mis_appointment_id,
    deadline: new Date(row.deadline).getTime(),
    state: row.state,
    refusalCode: row.refusal_code,
    refusalMessage: row.refusal_message,
    deliveries: Number(row.deliveries),
  };
}

/** The rows an UPDATE … RETURNING gave: TypeORM answers an UPDATE with `[rows, affected]`. */
function updated<T>(result: unknown): T[] {
  return (result as [T[], number])[0];
}

/** Whether an answer repeats the one recorded (the MIS's retry after a lost reply). */
function repeats(order: BookingOrder, answer: OrderAnswer): boolean {
  if (answer.outcome === 'refused') return order.state === OrderState.refused && order.refusalCode === answer.code;
  if (order.state !== OrderState.done) return false;
  return order.kind === 'CancelAppointment' || (answer.misAppointmentId ?? order.localSlotId) === order.misAppointmentId;
}

/** Wakes whoever waits on a key: a new order for the pollers, an answer for the command waiting on it. */
class Wakeups {
  private readonly waiting = new Map<string, Set<() => void>>();

  wait(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.waiting.get(key) ?? new Set<() => void>();
      this.waiting.set(key, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiting.get(key) === waiters) this.waiting.delete(key);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      waiters.add(done);
    });
  }

  wake(key: string): void {
    for (const done of [...(this.waiting.get(key) ?? [])]) done();
  }

  wakeAll(): void {
    for (const key of [...this.waiting.keys()]) this.wake(key);
  }
}

/** Key the long polls wait on. */
const newOrders = 'new-orders';

/**
 * The table of orders (CreateInboundBookingOrders1797000000000), its one owner. An order is written
 * once per command id; the MIS is given the pending ones (again after `redeliveryMs` while unanswered)
 * and answers each once: its answer is recorded only while the order's deadline is ahead, and an order
 * whose deadline passed unanswered is expired, so a late answer is refused. Other instances of the
 * adapter share the table: a wait here is woken by what happens in this process, and whoever waits
 * reads the table again after a short while for what happened in another.
 */
export class BookingOrders {
  private readonly wakeups = new Wakeups();

  constructor(
    private readonly dataSource: DataSource,
    private readonly adapterId: string,
    private readonly clock: Clock,
  ) {}

  /** Writes the order unless its command id has one; returns the order the table holds. */
  async place(order: NewOrder): Promise<BookingOrder> {
    await this.dataSource.query(
      `INSERT INTO inbound_booking_order (command_id, adapter_id, kind, organisation_oid, local_resource_id, local_slot_id, mis_patient_id,
         mis_appointment_id, replaces_mis_appointment_id, deadline, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (command_id) DO NOTHING`,
      [
        order.commandId,
        this.adapterId,
        order.kind,
        order.organisationOid,
        order.localResourceId,
        order.localSlotId,
        order.misPatientId,
        order.misAppointmentId,
        order.replacesMisAppointmentId,
        new Date(order.deadline),
        this.clock.now(),
      ],
    );
    this.wakeups.wake(newOrders);
    const stored = await this.get(order.commandId);
    if (!stored) throw new Error(`order ${order.commandId} was written but cannot be read`);
    return stored;
  }

  async get(commandId: string): Promise<BookingOrder | undefined> {
    const [row]: OrderRow[] = await this.dataSource.query(`SELECT ${columns} FROM inbound_booking_order WHERE adapter_id = $1 AND command_id = $2`, [this.adapterId, commandId]);
    return row && orderOf(row);
  }

  /** The pending orders of these organisations due to be given to the MIS (never given, or unanswered for `redeliveryMs`), marked given. */
  async deliver(organisationOids: readonly string[], redeliveryMs: number, limit: number): Promise<BookingOrder[]> {
    const now = this.clock.now();
    const rows = updated<OrderRow>(
      await this.dataSource.query(
        `UPDATE inbound_booking_order o SET deliveries = o.deliveries + 1, delivered_at = $3
         FROM (SELECT command_id FROM inbound_booking_order
               WHERE adapter_id = $1 AND state = 'pending' AND organisation_oid = ANY($2) AND deadline > $3
                 AND (delivered_at IS NULL OR delivered_at <= $4)
               ORDER BY created_at, command_id LIMIT $5 FOR UPDATE SKIP LOCKED) due
         WHERE o.command_id = due.command_id
         RETURNING o.*`,
        [this.adapterId, [...organisationOids], now, new Date(now.getTime() - redeliveryMs), limit],
      ),
    );
    return rows.sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime()).map(orderOf);
  }

  /** Waits until an order may be due (one was placed here) or `ms` has passed. */
  waitForOrders(ms: number): Promise<void> {
    return this.wakeups.wait(newOrders, ms);
  }

  /** Waits until the order is answered here or `ms` has passed. */
  waitForAnswer(commandId: string, ms: number): Promise<void> {
    return this.wakeups.wait(commandId, ms);
  }

  /** Ends every wait now (the adapter stops). */
  wakeAll(): void {
    this.wakeups.wakeAll();
  }

  /** Records the MIS's answer while the order is pending and its deadline ahead; a deadline passed expires it. */
  async answer(commandId: string, answer: OrderAnswer): Promise<AnswerResult> {
    const now = this.clock.now();
    const result = await this.dataSource.transaction(async (tx): Promise<AnswerResult> => {
      const [row]: OrderRow[] = await tx.query(`SELECT ${columns} FROM inbound_booking_order WHERE adapter_id = $1 AND command_id = $2 FOR UPDATE`, [this.adapterId, commandId]);
      if (!row) return { result: 'not_found' };
      const order = orderOf(row);
      if (order.state === OrderState.pending && now.getTime() >= order.deadline) {
        await tx.query(`UPDATE inbound_booking_order SET state = 'expired' WHERE command_id = $1`, [commandId]);
        return { result: 'expired', order: { ...order, state: OrderState.expired } };
      }
      if (order.state === OrderState.expired) return { result: 'expired', order };
      if (order.state !== OrderState.pending) return { result: repeats(order, answer) ? 'repeated' : 'conflict', order };
      const [answered] = updated<OrderRow>(
        answer.outcome === 'done'
          ? await tx.query(
              `UPDATE inbound_booking_order SET state = 'done', answered_at = $2,
                 mis_appointment_id = CASE WHEN kind = 'BookSlot' THEN COALESCE($3, local_slot_id) ELSE mis_appointment_id END
               WHERE command_id = $1 RETURNING ${columns}`,
              [commandId, now, answer.misAppointmentId],
            )
          : await tx.query(
              `UPDATE inbound_booking_order SET state = 'refused', answered_at = $2, refusal_code = $3, refusal_message = $4
               WHERE command_id = $1 RETURNING ${columns}`,
              [commandId, now, answer.code, answer.message],
            ),
      );
      if (!answered) throw new Error(`order ${commandId} vanished while answered`);
      return { result: 'recorded', order: orderOf(answered) };
    });
    if (result.result === 'recorded') this.wakeups.wake(commandId);
    return result;
  }

  /** Expires the order if it is still pending; false when an answer came first. */
  async expire(commandId: string): Promise<boolean> {
    const rows = updated<{ command_id: string }>(
      await this.dataSource.query(
        `UPDATE inbound_booking_order SET state = 'expired' WHERE adapter_id = $1 AND command_id = $2 AND state = 'pending' RETURNING command_id`,
        [this.adapterId, commandId],
      ),
    );
    return rows.length > 0;
  }

  /**
   * The patient's appointments at the organisation as the MIS's answers tell them: bookings done, less
   * those a cancellation or a reschedule answered done after them has ended.
   */
  async appointments(organisationOid: string, misPatientId: string): Promise<MisAppointment[]> {
    const rows: Array<{ local_slot_id: string; mis_appointment_id: string }> = await this.dataSource.query(
      `SELECT b.local_slot_id, b.mis_appointment_id FROM inbound_booking_order b
       WHERE b.adapter_id = $1 AND b.organisation_oid = $2 AND b.mis_patient_id = $3 AND b.kind = 'BookSlot' AND b.state = 'done'
         AND b.local_slot_id IS NOT NULL AND b.mis_appointment_id IS NOT NULL
         AND NOT EXISTS (
           SELECT 1 FROM inbound_booking_order e
           WHERE e.adapter_id = b.adapter_id AND e.organisation_oid = b.organisation_oid AND e.state = 'done' AND e.answered_at >= b.answered_at
             AND e.command_id <> b.command_id
             AND ((e.kind = 'CancelAppointment' AND e.mis_appointment_id = b.mis_appointment_id)
               OR (e.kind = 'BookSlot' AND e.replaces_mis_appointment_id = b.mis_appointment_id)))
       ORDER BY b.answered_at`,
      [this.adapterId, organisationOid, misPatientId],
    );
    return rows.map((r) => ({ localSlotId: r.local_slot_id, misAppointmentId: r.mis_appointment_id }));
  }

  /** The slot of an appointment a booking of the patient made, when the MIS answered one. */
  async slotOfAppointment(organisationOid: string, misPatientId: string, misAppointmentId: string): Promise<string | null> {
    const [row]: Array<{ local_slot_id: string | null }> = await this.dataSource.query(
      `SELECT local_slot_id FROM inbound_booking_order
       WHERE adapter_id = $1 AND organisation_oid = $2 AND mis_patient_id = $3 AND kind = 'BookSlot' AND state = 'done' AND mis_appointment_id = $4
       ORDER BY answered_at DESC LIMIT 1`,
      [this.adapterId, organisationOid, misPatientId, misAppointmentId],
    );
    return row?.local_slot_id ?? null;
  }
}
