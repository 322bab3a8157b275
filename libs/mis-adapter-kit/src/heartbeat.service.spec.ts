import type { OutgoingEvent } from '@medbus/kafka';
import { ManualClock } from './clock.service';
import { HeartbeatPublisher, toHeartbeat } from './heartbeat.service';

const identity = { adapterId: 'hubservice-krasnodar-1', misVendor: 'hubservice', adapterVersion: '0.1.0' };

describe('heartbeat', () => {
  it('reports lag as the time since the last successful sync', () => {
    const now = new Date('2026-03-02T05:01:00Z');
    const beat = toHeartbeat(identity, { organisationOids: ['1.2.3'], misReachable: true, lastSuccessfulSyncAt: new Date('2026-03-02T05:00:00Z') }, 10_000, now);
    expect(beat).toEqual({
      ...identity,
      organisationOids: ['1.2.3'],
      misReachable: true,
      lastSuccessfulSyncAt: Date.parse('2026-03-02T05:00:00Z'),
      syncLagMs: 60_000,
      heartbeatIntervalMs: 10_000,
      occurredAt: now.getTime(),
      lastReassertedAt: null,
    });
  });

  it('says the MIS is unreachable and leaves lag null before any sync succeeded', () => {
    const beat = toHeartbeat(identity, { organisationOids: [], misReachable: false, lastSuccessfulSyncAt: null }, 10_000, new Date());
    expect(beat).toMatchObject({ misReachable: false, lastSuccessfulSyncAt: null, syncLagMs: null });
  });

  it('publishes AdapterHeartbeatRecorded keyed by the adapter id', async () => {
    const sent: OutgoingEvent[] = [];
    const heartbeat = new HeartbeatPublisher(
      { publishAll: async (events) => (sent.push(...events), events.map(() => 'id')) },
      new ManualClock(),
      identity,
      () => ({ organisationOids: [], misReachable: true, lastSuccessfulSyncAt: null }),
      10_000,
    );
    await heartbeat.beat();
    expect(sent).toEqual([expect.objectContaining({ key: 'hubservice-krasnodar-1', event: expect.objectContaining({ name: 'AdapterHeartbeatRecorded' }) })]);
  });
});
