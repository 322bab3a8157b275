import { randomUUID } from 'node:crypto';
import type { ScheduleState, SlotChange } from '../clinic/schedule.state';
import type { AppointmentRegistry } from './appointment.registry';
import { facilityId, practitionerId, slotId } from './medrest.mapper';
import type { WebhookClient, WebhookEvent } from './webhook.client';

/**
 * The webhooks for a run of changes, in the order of their first change. Per practitioner and day:
 * a day opened, closed, blocked or with a slot removed is one `schedule.changed` (re-read the day);
 * otherwise each slot booked or freed is one `slot.updated`. Facilities whose MIS does not send
 * webhooks are left out.
 */
export function webhookEventsOf(changes: readonly SlotChange[], sends: (idLpu: number) => boolean, occurredAt: string, newId: () => string = randomUUID): WebhookEvent[] {
  const days = new Map<string, { first: SlotChange; whole: boolean; slots: Map<string, SlotChange> }>();
  for (const change of changes) {
    if (!sends(change.idLpu)) continue;
    const key = `${change.idLpu}/${change.idDoc}/${change.visitStart.slice(0, 10)}`;
    const day = days.get(key) ?? { first: change, whole: false, slots: new Map<string, SlotChange>() };
    days.set(key, day);
    if (change.change === 'booked' || change.change === 'freed') {
      if (!day.slots.has(change.idAppointment)) day.slots.set(change.idAppointment, change);
    } else day.whole = true;
  }
  const ordered: { seq: number; event: Omit<WebhookEvent, 'id' | 'occurred_at'> }[] = [];
  for (const day of days.values()) {
    const { idLpu, idDoc, visitStart } = day.first;
    const base = { facility_id: facilityId(idLpu), practitioner_id: practitionerId(idLpu, idDoc), date: visitStart.slice(0, 10) };
    if (day.whole) ordered.push({ seq: day.first.seq, event: { type: 'schedule.changed', data: base } });
    else for (const change of day.slots.values()) ordered.push({ seq: change.seq, event: { type: 'slot.updated', data: { ...base, slot_id: slotId(change.idAppointment) } } });
  }
  return ordered.sort((a, b) => a.seq - b.seq).map(({ event }) => ({ id: `evt-${newId()}`, type: event.type, occurred_at: occurredAt, data: event.data }));
}

/**
 * Follows the clinic model's change log for the API: when each change was first seen (a slot's
 * `updated_at`), appointments ended by the clinic, and webhooks. `sync()` runs before every API
 * answer and on a short timer, so changes made at the front desk are seen within it.
 */
export class ChangeTracker {
  private cursor: number;
  /** Change counter → when first seen, at most one entry per second (a coarse clock, to the second). */
  private readonly stamps: { seq: number; at: number }[] = [];

  constructor(
    private readonly state: ScheduleState,
    private readonly registry: AppointmentRegistry,
    private readonly webhooks: WebhookClient | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.cursor = state.version;
    this.stamps.push({ seq: state.version, at: now() });
  }

  sync(): void {
    const head = this.state.version;
    if (head === this.cursor) return;
    this.stamp(head);
    const at = new Date(this.now()).toISOString();
    const oldest = this.state.oldestChange;
    if (this.cursor < oldest - 1) {
      this.registry.settleAll(at);
      this.webhooks?.countMissed(oldest - 1 - this.cursor);
      this.cursor = oldest - 1;
    }
    const changes: SlotChange[] = [];
    for (;;) {
      const batch = this.state.changesSince(this.cursor, 10_000);
      changes.push(...batch);
      const last = batch.at(-1);
      if (!last) break;
      this.cursor = last.seq;
    }
    for (const change of changes) if (change.change !== 'opened') this.registry.settle(change.idAppointment, at);
    if (this.webhooks) {
      for (const event of webhookEventsOf(changes, (idLpu) => this.state.organisations.get(idLpu)?.notifies === true, at)) this.webhooks.enqueue(event);
    }
  }

  /** When the change with this counter value was first seen, ISO 8601 in UTC. */
  updatedAt(version: number): string {
    if (version > (this.stamps.at(-1)?.seq ?? 0)) this.stamp(this.state.version);
    let low = 0;
    let high = this.stamps.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.stamps[middle]?.seq ?? 0) < version) low = middle + 1;
      else high = middle;
    }
    return new Date(this.stamps[low]?.at ?? this.now()).toISOString();
  }

  private stamp(seq: number): void {
    const now = this.now();
    const last = this.stamps.at(-1);
    if (last && Math.floor(last.at / 1000) === Math.floor(now / 1000)) last.seq = Math.max(last.seq, seq);
    else this.stamps.push({ seq, at: now });
  }
}
