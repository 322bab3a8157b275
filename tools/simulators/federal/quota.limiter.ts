import type { Clock } from './session.store';

export type QuotaDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly limit: 'rate' | 'daily'; readonly retryAfterSeconds: number };

interface LoginUsage {
  second: number;
  calls: number;
  day: number;
  items: number;
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Per login: at most `ratePerSecond` calls in one clock second (a fixed window), and at most
 * `dailyQuota` pushed items per UTC day. A refused call spends nothing.
 */
export class QuotaLimiter {
  private readonly usage = new Map<string, LoginUsage>();

  constructor(
    private readonly limits: { ratePerSecond: number; dailyQuota: number },
    private readonly clock: Clock,
  ) {}

  /** Counts one call of `login`, or refuses it when the second's calls are spent. */
  call(login: string): QuotaDecision {
    const now = this.clock();
    const usage = this.usageOf(login, now);
    if (usage.calls >= this.limits.ratePerSecond) return { allowed: false, limit: 'rate', retryAfterSeconds: 1 };
    usage.calls += 1;
    return { allowed: true };
  }

  /** Spends `items` of the daily quota of `login`, or refuses them all when they do not fit. */
  items(login: string, items: number): QuotaDecision {
    const now = this.clock();
    const usage = this.usageOf(login, now);
    if (usage.items + items > this.limits.dailyQuota) {
      return { allowed: false, limit: 'daily', retryAfterSeconds: Math.max(1, Math.ceil(((usage.day + 1) * dayMs - now) / 1000)) };
    }
    usage.items += items;
    return { allowed: true };
  }

  /** Items spent today per login. */
  spent(): Record<string, number> {
    const today = Math.floor(this.clock() / dayMs);
    return Object.fromEntries([...this.usage].map(([login, usage]) => [login, usage.day === today ? usage.items : 0]));
  }

  private usageOf(login: string, now: number): LoginUsage {
    const second = Math.floor(now / 1000);
    const day = Math.floor(now / dayMs);
    let usage = this.usage.get(login);
    if (!usage) this.usage.set(login, (usage = { second, calls: 0, day, items: 0 }));
    if (usage.second !== second) Object.assign(usage, { second, calls: 0 });
    if (usage.day !== day) Object.assign(usage, { day, items: 0 });
    return usage;
  }
}
