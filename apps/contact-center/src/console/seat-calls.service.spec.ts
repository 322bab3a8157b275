import type { CallConnected } from '../calls/call-connections.service';
import { ManualClock } from '../__fixtures__/contact-center.int-app';
import { SeatCalls } from './seat-calls.service';

const t0 = new Date('2026-11-30T09:00:00Z');
let serial = 0;

function aConnection(overrides: Partial<CallConnected> = {}): CallConnected {
  return { kind: 'connected', uniqueid: `1796000000.${++serial}`, queue: 'sochi', branch: 'sochi', seat: 'PJSIP/sochi-op01', callerNumber: '79181234567', callerHash: 'h', connectedAt: t0, ...overrides };
}

describe('the calls connected to each seat', () => {
  it('makes the last connected call the seat’s current one until it ends, once', () => {
    const seats = new SeatCalls(new ManualClock(t0));
    const call = seats.connected(aConnection());
    expect(seats.current('PJSIP/sochi-op01')?.uniqueid).toBe(call.uniqueid);
    expect(seats.current('PJSIP/sochi-op02')).toBeUndefined();
    expect(seats.ended({ kind: 'ended', uniqueid: call.uniqueid, seat: null })?.uniqueid).toBe(call.uniqueid);
    expect(seats.ended({ kind: 'ended', uniqueid: call.uniqueid, seat: 'PJSIP/sochi-op01' })).toBeUndefined();
    expect(seats.current('PJSIP/sochi-op01')).toBeUndefined();
    expect(seats.find('PJSIP/sochi-op01', call.uniqueid)?.uniqueid).toBe(call.uniqueid);
  });

  it('ignores the end of a call never connected to a seat (an abandoned caller)', () => {
    const seats = new SeatCalls(new ManualClock(t0));
    expect(seats.ended({ kind: 'ended', uniqueid: '1796000000.999', seat: null })).toBeUndefined();
  });

  it('keeps a call’s card for its seat 12 hours, and for no other seat', () => {
    const clock = new ManualClock(t0);
    const seats = new SeatCalls(clock);
    const call = seats.connected(aConnection());
    expect(seats.find('PJSIP/sochi-op02', call.uniqueid)).toBeUndefined();
    clock.advanceHours(11.9);
    expect(seats.find('PJSIP/sochi-op01', call.uniqueid)).toBeDefined();
    clock.advanceHours(0.2);
    expect(seats.find('PJSIP/sochi-op01', call.uniqueid)).toBeUndefined();
    expect(seats.current('PJSIP/sochi-op01')).toBeUndefined();
  });

  it('keeps at most the last 100 calls of a seat', () => {
    const seats = new SeatCalls(new ManualClock(t0));
    const calls = Array.from({ length: 101 }, () => seats.connected(aConnection()));
    expect(seats.find('PJSIP/sochi-op01', calls[0].uniqueid)).toBeUndefined();
    expect(seats.find('PJSIP/sochi-op01', calls[1].uniqueid)).toBeDefined();
    expect(seats.current('PJSIP/sochi-op01')?.uniqueid).toBe(calls[100].uniqueid);
  });
});
