import { timingSafeEqual } from 'node:crypto';
import { FerFaultCode, FerOperation, type FerResponses } from '@medbus/federal-registry';
import { FerFaultError, type DecodedRequest } from './fer.codec';
import { QuotaLimiter } from './quota.limiter';
import type { RegistryState, ItemOutcome } from './registry.state';
import type { RegistryStats } from './registry.stats';
import { SessionStore, type Clock, type Session } from './session.store';

export interface RegistryLimits {
  readonly sessionTtlSeconds: number;
  readonly ratePerSecond: number;
  readonly dailyQuota: number;
  readonly maxBatch: number;
  readonly maxPageSize: number;
}

/** An answered call: the response and what its log line says (counts, never values). */
export interface Handled {
  readonly response: FerResponses[FerOperation];
  readonly login: string;
  readonly items?: number;
  readonly outcomes?: Record<'accepted' | 'unchanged' | 'rejected', number>;
}

/** `login:password,login2:password2` (a password may contain colons, a login may not). */
export function parseLogins(value: string): Map<string, string> {
  const logins = new Map<string, string>();
  for (const pair of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) throw new Error('logins must be login:password pairs separated by commas');
    logins.set(pair.slice(0, colon), pair.slice(colon + 1));
  }
  return logins;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The push API's operations over the held state: sessions, the per-login rate and daily quota, the
 * batch limit, then the items one by one. A refused call (a Fault) changes nothing and spends no quota.
 */
export class RegistryService {
  readonly sessions: SessionStore;
  readonly limiter: QuotaLimiter;

  constructor(
    private readonly state: RegistryState,
    private readonly stats: RegistryStats,
    private readonly logins: ReadonlyMap<string, string>,
    private readonly limits: RegistryLimits,
    private readonly clock: Clock,
  ) {
    this.sessions = new SessionStore(limits.sessionTtlSeconds, clock);
    this.limiter = new QuotaLimiter(limits, clock);
  }

  handle(request: DecodedRequest): Handled {
    if (request.operation === FerOperation.OpenSession) {
      const { Login, Password } = request.params;
      const expected = this.logins.get(Login);
      if (expected === undefined || !sameSecret(Password, expected)) throw new FerFaultError(FerFaultCode.AuthFailed, 'login or password is wrong');
      this.admitCall(Login);
      const session = this.sessions.open(Login);
      return { login: Login, response: { Session_ID: session.id, Expires_At: new Date(session.expiresAt).toISOString() } };
    }
    const session = this.sessionOf(request.params.Session_ID);
    this.admitCall(session.login);
    const login = session.login;
    switch (request.operation) {
      case FerOperation.CloseSession:
        this.sessions.close(session.id);
        return { login, response: {} };
      case FerOperation.UpdateLocations: {
        const items = this.admitItems(login, request.params.Location.length);
        return this.batch(login, request.operation, items, request.params.Location.map((item) => this.state.updateLocation(item)));
      }
      case FerOperation.RemoveLocations: {
        const items = this.admitItems(login, request.params.Location_Id.length);
        return this.batch(login, request.operation, items, request.params.Location_Id.map((id) => this.state.removeLocation(id)));
      }
      case FerOperation.UpdateSlots: {
        const items = this.admitItems(login, request.params.Slot.length);
        return this.batch(login, request.operation, items, request.params.Slot.map((item) => this.state.updateSlot(item)));
      }
      case FerOperation.RemoveSlots: {
        const items = this.admitItems(login, request.params.Slot_Id.length);
        return this.batch(login, request.operation, items, request.params.Slot_Id.map((id) => this.state.removeSlot(id)));
      }
      case FerOperation.GetLocations: {
        const { MO_OID, Page, Page_Size } = request.params;
        const all = this.state.locationsOf(MO_OID);
        return { login, response: { Location: this.page(all, Page, Page_Size), Total: all.length } };
      }
      case FerOperation.GetSlots: {
        const { MO_OID, Location_Id, Page, Page_Size } = request.params;
        const all = this.state.slotsOf(MO_OID, Location_Id);
        return { login, response: { Slot: this.page(all, Page, Page_Size), Total: all.length } };
      }
      case FerOperation.UpdateAppointmentStatus: {
        this.admitItems(login, 1);
        const outcome = this.state.updateAppointmentStatus(request.params);
        const outcomes = this.stats.items(request.operation, [outcome]);
        return { login, items: 1, outcomes, response: { Result: outcome.result } };
      }
      default:
        throw new Error(`unhandled operation ${request satisfies never}`);
    }
  }

  private sessionOf(id: string): Session {
    const session = this.sessions.find(id);
    if (!session) throw new FerFaultError(FerFaultCode.SessionInvalid, 'Session_ID is unknown or expired: open a new session');
    return session;
  }

  private admitCall(login: string): void {
    const decision = this.limiter.call(login);
    if (!decision.allowed) throw new FerFaultError(FerFaultCode.RateLimited, `more than ${this.limits.ratePerSecond} calls per second`, decision.retryAfterSeconds);
  }

  private admitItems(login: string, items: number): number {
    if (items > this.limits.maxBatch) throw new FerFaultError(FerFaultCode.BatchTooLarge, `${items} items in one call, at most ${this.limits.maxBatch}`);
    const decision = this.limiter.items(login, items);
    if (!decision.allowed) throw new FerFaultError(FerFaultCode.QuotaExceeded, `the daily quota of ${this.limits.dailyQuota} items is spent`, decision.retryAfterSeconds);
    return items;
  }

  private batch(login: string, operation: FerOperation, items: number, outcomes: ItemOutcome[]): Handled {
    return { login, items, outcomes: this.stats.items(operation, outcomes), response: { Result: outcomes.map((o) => o.result) } };
  }

  private page<T>(all: readonly T[], page: number, size: number): T[] {
    if (page < 1) throw new FerFaultError(FerFaultCode.MalformedRequest, 'Page starts at 1');
    if (size < 1 || size > this.limits.maxPageSize) throw new FerFaultError(FerFaultCode.MalformedRequest, `Page_Size must be 1..${this.limits.maxPageSize}`);
    return all.slice((page - 1) * size, page * size);
  }
}
