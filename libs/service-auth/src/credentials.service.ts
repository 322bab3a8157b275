import { createHash } from 'node:crypto';
import { AppError } from '@medbus/errors';
import { introspectionUnavailable, invalidCredentials } from './auth.errors';
import type { Caller, Introspector } from './introspection';

/** Revocation at booking reaches a service within this long: answers, positive and negative, are kept no longer. */
export const credentialCacheMs = 5_000;
/** Keys remembered at most; a flood of made-up keys evicts old entries instead of growing the heap. */
export const credentialCacheSize = 10_000;

/** Booking's key format (`mbk.<credential id>.<secret>`): anything else is refused without asking booking. */
const keyPattern = /^mbk\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/;

interface Entry {
  readonly caller: Caller | null;
  readonly until: number;
}

/**
 * Authenticates API keys through booking's introspection (identities live only in booking's
 * database), remembering each answer for {@link credentialCacheMs}. Concurrent checks of one key share
 * one call. Entries are keyed by the key's digest, so no secret is held as a map key.
 */
export class CredentialsService {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Caller | null>>();

  constructor(
    private readonly booking: Introspector,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The caller a key belongs to.
   *
   * @throws AUTH.INVALID_API_KEY for a key booking does not know as active; AUTH.INTROSPECTION_UNAVAILABLE
   * when booking cannot be asked (never a guess either way).
   */
  async authenticate(key: string): Promise<Caller> {
    if (!keyPattern.test(key)) throw invalidCredentials();
    const digest = createHash('sha256').update(key).digest('base64url');
    const cached = this.cache.get(digest);
    const caller = cached !== undefined && cached.until > this.now() ? cached.caller : await this.lookUp(digest, key);
    if (caller === null) throw invalidCredentials();
    return caller;
  }

  private lookUp(digest: string, key: string): Promise<Caller | null> {
    const running = this.inFlight.get(digest);
    if (running) return running;
    const lookup = this.introspect(key)
      .then((caller) => {
        this.remember(digest, caller);
        return caller;
      })
      .finally(() => this.inFlight.delete(digest));
    this.inFlight.set(digest, lookup);
    return lookup;
  }

  private async introspect(key: string): Promise<Caller | null> {
    try {
      const answer = await this.booking.introspect(key);
      return answer.active ? { clientId: answer.clientId, role: answer.role, channel: answer.channel, branch: answer.branch ?? null } : null;
    } catch (error) {
      // Booking answering 400 for a key it cannot read is a "no"; any other failure is not an answer.
      if (error instanceof AppError && error.kind === 'validation') return null;
      throw introspectionUnavailable(error);
    }
  }

  private remember(digest: string, caller: Caller | null): void {
    this.cache.delete(digest);
    // Every entry lives equally long and a Map iterates in insertion order: the first is the next to expire.
    while (this.cache.size >= credentialCacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    this.cache.set(digest, { caller, until: this.now() + credentialCacheMs });
  }
}
