import type { HeartbeatRow } from './bus.mapper';
import { Freshness, WarningReason, freshnessOf, staleReasonOf, warningChangesOf } from './district-warning.mapper';

const minute = 60_000;
const staleAfter = 10 * minute;
const t0 = new Date('2031-03-03T08:00:00Z');

function aHeartbeat(overrides: Partial<HeartbeatRow> = {}): HeartbeatRow {
  return {
    adapterId: 'medialog',
    organisationOids: ['1.2.643.1'],
    misReachable: true,
    lastSuccessfulSyncAt: new Date(t0.getTime() - minute),
    heartbeatIntervalMs: 10_000,
    heartbeatAt: t0,
    ...overrides,
  };
}

describe('whether a heartbeat says its MIS is stale', () => {
  it('is fresh when the MIS answers and was read within the limit', () => {
    expect(staleReasonOf(aHeartbeat({ lastSuccessfulSyncAt: new Date(t0.getTime() - staleAfter) }), staleAfter)).toBeNull();
  });

  it('is stale when the last sync is older than the limit at the heartbeat’s own time', () => {
    expect(staleReasonOf(aHeartbeat({ lastSuccessfulSyncAt: new Date(t0.getTime() - staleAfter - 1) }), staleAfter)).toBe(WarningReason.SYNC_STALE);
  });

  it('is stale when the MIS does not answer, even with a recent sync, or was never read since the adapter started', () => {
    expect(staleReasonOf(aHeartbeat({ misReachable: false }), staleAfter)).toBe(WarningReason.MIS_UNREACHABLE);
    expect(staleReasonOf(aHeartbeat({ lastSuccessfulSyncAt: null }), staleAfter)).toBe(WarningReason.NEVER_SYNCED);
  });
});

describe('the heartbeats of a batch that change warnings', () => {
  it('keeps each adapter’s first heartbeat and every one that turns stale into fresh or back, dropping repeats', () => {
    const at = (minutes: number) => new Date(t0.getTime() + minutes * minute);
    const fresh1 = aHeartbeat({ heartbeatAt: at(0), lastSuccessfulSyncAt: at(0) });
    const fresh2 = aHeartbeat({ heartbeatAt: at(1), lastSuccessfulSyncAt: at(1) });
    const down1 = aHeartbeat({ heartbeatAt: at(2), misReachable: false });
    const down2 = aHeartbeat({ heartbeatAt: at(3), misReachable: false });
    const back = aHeartbeat({ heartbeatAt: at(4), lastSuccessfulSyncAt: at(4) });
    const other = aHeartbeat({ adapterId: 'other', heartbeatAt: at(2), misReachable: false });
    const changes = warningChangesOf([fresh1, fresh2, down1, other, down2, back], staleAfter);
    expect(changes).toEqual([
      { heartbeat: fresh1, reason: null },
      { heartbeat: down1, reason: WarningReason.MIS_UNREACHABLE },
      { heartbeat: other, reason: WarningReason.MIS_UNREACHABLE },
      { heartbeat: back, reason: null },
    ]);
  });
});

describe('an organisation’s freshness on the region health board', () => {
  it('is fresh while its adapter’s heartbeat says fresh and has not gone silent', () => {
    expect(freshnessOf(aHeartbeat(), new Date(t0.getTime() + 30_000), staleAfter)).toBe(Freshness.fresh);
  });

  it('is stale by the warnings’ rules: an unreachable or stale MIS, or a heartbeat silent three intervals', () => {
    expect(freshnessOf(aHeartbeat({ misReachable: false }), t0, staleAfter)).toBe(Freshness.stale);
    expect(freshnessOf(aHeartbeat({ lastSuccessfulSyncAt: null }), t0, staleAfter)).toBe(Freshness.stale);
    expect(freshnessOf(aHeartbeat(), new Date(t0.getTime() + 30_001), staleAfter)).toBe(Freshness.stale);
  });

  it('is unknown without any heartbeat', () => {
    expect(freshnessOf(null, t0, staleAfter)).toBe(Freshness.unknown);
  });
});
