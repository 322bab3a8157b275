import { Inject, Injectable } from '@nestjs/common';
import type { CallConnected, CallDisconnected } from '../calls/call-connections.service';
import { Clock } from '../clock.service';

/** A call the PBX connected to a seat, held in memory only (the number in clear never leaves the process unmasked but to the seat's operator). */
export interface SeatCall extends CallConnected {
  /** This service's clock when it was connected: the card is the seat's for {@link cardOwnershipMs}. */
  readonly seenAt: number;
  ended: boolean;
}

/** A seat's operator opens the card of a call connected to it for this long. */
export const cardOwnershipMs = 12 * 3_600_000;
const callsPerSeat = 100;
const seatsAtMost = 5_000;

/**
 * The calls connected to each seat within the last 12 hours, newest last, bounded per seat and in seats
 * (the least recently connected seat is forgotten first): the console's current call and its cards.
 */
@Injectable()
export class SeatCalls {
  private readonly bySeat = new Map<string, SeatCall[]>();
  private readonly seatOfCall = new Map<string, string>();

  constructor(@Inject(Clock) private readonly clock: Clock) {}

  connected(event: CallConnected): SeatCall {
    const call: SeatCall = { ...event, seenAt: this.clock.now().getTime(), ended: false };
    const calls = (this.bySeat.get(event.seat) ?? []).filter((c) => c.uniqueid !== event.uniqueid && this.owned(c));
    for (const previous of calls) previous.ended = true;
    calls.push(call);
    while (calls.length > callsPerSeat) this.seatOfCall.delete(calls.shift()?.uniqueid ?? '');
    this.bySeat.delete(event.seat);
    this.bySeat.set(event.seat, calls);
    this.seatOfCall.set(event.uniqueid, event.seat);
    while (this.bySeat.size > seatsAtMost) {
      const [oldest, dropped] = this.bySeat.entries().next().value ?? [];
      if (oldest === undefined) break;
      this.bySeat.delete(oldest);
      for (const c of dropped ?? []) this.seatOfCall.delete(c.uniqueid);
    }
    return call;
  }

  /** The call that ended on its seat now, once (undefined: never connected here, or already ended). */
  ended(event: CallDisconnected): SeatCall | undefined {
    const seat = event.seat ?? this.seatOfCall.get(event.uniqueid);
    const call = seat === undefined ? undefined : this.bySeat.get(seat)?.find((c) => c.uniqueid === event.uniqueid);
    if (!call || call.ended) return undefined;
    call.ended = true;
    return call;
  }

  /** The call now connected to the seat, if any. */
  current(seat: string): SeatCall | undefined {
    const calls = this.bySeat.get(seat);
    const last = calls?.[calls.length - 1];
    return last && !last.ended && this.owned(last) ? last : undefined;
  }

  /** A call connected to the seat within the last 12 hours. */
  find(seat: string, uniqueid: string): SeatCall | undefined {
    const call = this.bySeat.get(seat)?.find((c) => c.uniqueid === uniqueid);
    return call && this.owned(call) ? call : undefined;
  }

  private owned(call: SeatCall): boolean {
    return this.clock.now().getTime() - call.seenAt < cardOwnershipMs;
  }
}
