import { freshnessOf, type HeartbeatFacts } from './freshness.mapper';

const now = new Date('2026-03-02T05:00:00Z');
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1_000);

function aHeartbeat(overrides: Partial<HeartbeatFacts> = {}): HeartbeatFacts {
  return { misReachable: true, heartbeatAt: secondsAgo(5), heartbeatIntervalMs: 10_000, lastSuccessfulSyncAt: secondsAgo(20), ...overrides };
}

describe('freshness of an organisation', () => {
  it('is fresh while heartbeats arrive, the MIS answers and the adapter has synced', () => {
    expect(freshnessOf(aHeartbeat(), now, 3)).toEqual({
      stale: false,
      reason: null,
      lastSyncAt: '2026-03-02T04:59:40.000Z',
      lastHeartbeatAt: '2026-03-02T04:59:55.000Z',
    });
  });

  it('is stale without any heartbeat', () => {
    expect(freshnessOf(null, now, 3)).toEqual({ stale: true, reason: 'NO_HEARTBEAT', lastSyncAt: null, lastHeartbeatAt: null });
  });

  it('turns stale once the last heartbeat is older than the allowed number of intervals', () => {
    expect(freshnessOf(aHeartbeat({ heartbeatAt: secondsAgo(30) }), now, 3).stale).toBe(false);
    expect(freshnessOf(aHeartbeat({ heartbeatAt: secondsAgo(31) }), now, 3)).toMatchObject({ stale: true, reason: 'HEARTBEAT_OVERDUE' });
  });

  it('is stale when the adapter reports the MIS unreachable, keeping the last sync time', () => {
    expect(freshnessOf(aHeartbeat({ misReachable: false }), now, 3)).toMatchObject({ stale: true, reason: 'MIS_UNREACHABLE', lastSyncAt: '2026-03-02T04:59:40.000Z' });
  });

  it('is stale while the adapter has not finished a sync since it started', () => {
    expect(freshnessOf(aHeartbeat({ lastSuccessfulSyncAt: null }), now, 3)).toMatchObject({ stale: true, reason: 'NEVER_SYNCED' });
  });
});
