import { FerNamespace } from '@medbus/federal-registry';
import { FerFaultError, decodeFerRequest } from './fer.codec';
import { QuotaLimiter } from './quota.limiter';
import { RegistryService, parseLogins } from './registry.service';
import { RegistryState } from './registry.state';
import { RegistryStats } from './registry.stats';

const mo = '1.2.643.5.1.13.13.12.2.23.1037';

/** A clock the test moves: 2026-03-02 23:59:58.500 UTC. */
function testClock(): { now: () => number; advance: (ms: number) => void } {
  let now = Date.parse('2026-03-02T23:59:58.500Z');
  return { now: () => now, advance: (ms) => (now += ms) };
}

function service(limits: Partial<{ sessionTtlSeconds: number; ratePerSecond: number; dailyQuota: number; maxBatch: number }> = {}) {
  const clock = testClock();
  const state = new RegistryState({ knowsOrganisation: (oid) => oid === mo, knowsSpecialty: () => true, knowsPosition: () => true });
  const stats = new RegistryStats(10, clock.now);
  const registry = new RegistryService(
    state,
    stats,
    parseLogins('region:secret'),
    { sessionTtlSeconds: 60, ratePerSecond: 100, dailyQuota: 1000, maxBatch: 10, maxPageSize: 1000, ...limits },
    clock.now,
  );
  return { registry, state, clock };
}

const request = (operation: string, inner: string) =>
  decodeFerRequest(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><${operation} xmlns="${FerNamespace}">${inner}</${operation}></s:Body></s:Envelope>`);
const open = (password = 'secret') => request('OpenSession', `<Login>region</Login><Password>${password}</Password>`);
const removeSlots = (session: string, count: number) =>
  request('RemoveSlots', `<Session_ID>${session}</Session_ID>${Array.from({ length: count }, (_, i) => `<Slot_Id>${mo}:S${i}</Slot_Id>`).join('')}`);

function faultOf(action: () => unknown): { code: string; retryAfterSeconds: number | undefined } {
  try {
    action();
  } catch (error) {
    if (error instanceof FerFaultError) return { code: error.code, retryAfterSeconds: error.retryAfterSeconds };
    throw error;
  }
  throw new Error('expected a fault');
}

function sessionOf(registry: RegistryService): string {
  return (registry.handle(open()).response as { Session_ID: string }).Session_ID;
}

describe('sessions', () => {
  it('refuses a wrong password and expires a session at its fixed time, however often it is used', () => {
    const { registry, clock } = service({ sessionTtlSeconds: 60 });
    expect(faultOf(() => registry.handle(open('nope')))).toEqual({ code: 'AUTH_FAILED', retryAfterSeconds: undefined });
    const opened = registry.handle(open()).response as { Session_ID: string; Expires_At: string };
    expect(opened.Expires_At).toBe('2026-03-03T00:00:58.500Z');
    clock.advance(59_000);
    registry.handle(removeSlots(opened.Session_ID, 1));
    clock.advance(1000);
    expect(faultOf(() => registry.handle(removeSlots(opened.Session_ID, 1))).code).toBe('SESSION_INVALID');
  });

  it('forgets a closed session', () => {
    const { registry } = service();
    const session = sessionOf(registry);
    registry.handle(request('CloseSession', `<Session_ID>${session}</Session_ID>`));
    expect(faultOf(() => registry.handle(removeSlots(session, 1))).code).toBe('SESSION_INVALID');
  });
});

describe('limits', () => {
  it('refuses the calls over the rate within one second, then serves the next second', () => {
    const { registry, clock } = service({ ratePerSecond: 3 });
    const session = sessionOf(registry);
    registry.handle(removeSlots(session, 1));
    registry.handle(removeSlots(session, 1));
    expect(faultOf(() => registry.handle(removeSlots(session, 1)))).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    clock.advance(500);
    expect(() => registry.handle(removeSlots(session, 1))).not.toThrow();
  });

  it('refuses a batch over Max_Batch whole', () => {
    const { registry } = service({ maxBatch: 3 });
    expect(faultOf(() => registry.handle(removeSlots(sessionOf(registry), 4))).code).toBe('BATCH_TOO_LARGE');
  });

  it('refuses items over the daily quota until the UTC day turns, spending nothing on a refusal', () => {
    const { registry, clock } = service({ dailyQuota: 5 });
    const session = sessionOf(registry);
    registry.handle(removeSlots(session, 4));
    expect(faultOf(() => registry.handle(removeSlots(session, 2)))).toEqual({ code: 'QUOTA_EXCEEDED', retryAfterSeconds: 2 });
    registry.handle(removeSlots(session, 1));
    clock.advance(1500);
    registry.handle(removeSlots(session, 5));
  });
});

describe('the quota limiter', () => {
  it('keeps each login its own allowance', () => {
    let now = 0;
    const limiter = new QuotaLimiter({ ratePerSecond: 1, dailyQuota: 10 }, () => now);
    expect(limiter.call('a')).toEqual({ allowed: true });
    expect(limiter.call('b')).toEqual({ allowed: true });
    expect(limiter.call('a')).toMatchObject({ allowed: false, limit: 'rate' });
    now = 1000;
    expect(limiter.call('a')).toEqual({ allowed: true });
    expect(limiter.items('a', 10)).toEqual({ allowed: true });
    expect(limiter.items('b', 10)).toEqual({ allowed: true });
    expect(limiter.spent()).toEqual({ a: 10, b: 10 });
  });
});

describe('logins', () => {
  it('reads login:password pairs, a password keeping its colons', () => {
    expect([...parseLogins('a:b, c:d:e')]).toEqual([
      ['a', 'b'],
      ['c', 'd:e'],
    ]);
    expect(() => parseLogins('a')).toThrow(/login:password/);
  });
});
