import { AllEvents, type AdapterHeartbeatRecorded } from '@medbus/contracts';
import type { EventPublisher } from '@medbus/kafka';
import type { Clock } from './clock.service';

export interface AdapterIdentity {
  readonly adapterId: string;
  readonly misVendor: string;
  readonly adapterVersion: string;
}

export interface AdapterHealth {
  readonly organisationOids: readonly string[];
  readonly misReachable: boolean;
  readonly lastSuccessfulSyncAt: Date | null;
  /** Start of the last completed reasserting pass (every known entity published again since); absent or null before one. */
  readonly lastReassertedAt?: Date | null;
}

export function toHeartbeat(identity: AdapterIdentity, health: AdapterHealth, intervalMs: number, now: Date): AdapterHeartbeatRecorded {
  const last = health.lastSuccessfulSyncAt?.getTime() ?? null;
  return {
    adapterId: identity.adapterId,
    misVendor: identity.misVendor,
    adapterVersion: identity.adapterVersion,
    organisationOids: [...health.organisationOids],
    misReachable: health.misReachable,
    lastSuccessfulSyncAt: last,
    syncLagMs: last === null ? null : Math.max(0, now.getTime() - last),
    heartbeatIntervalMs: intervalMs,
    occurredAt: now.getTime(),
    lastReassertedAt: health.lastReassertedAt?.getTime() ?? null,
  };
}

/** Publishes AdapterHeartbeatRecorded every intervalMs; a failed beat is reported, never thrown. */
export class HeartbeatPublisher {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly publisher: Pick<EventPublisher, 'publishAll'>,
    private readonly clock: Clock,
    private readonly identity: AdapterIdentity,
    private readonly health: () => AdapterHealth,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async beat(): Promise<AdapterHeartbeatRecorded> {
    const value = toHeartbeat(this.identity, this.health(), this.intervalMs, this.clock.now());
    await this.publisher.publishAll([{ event: AllEvents.AdapterHeartbeatRecorded, key: value.adapterId, value }]);
    return value;
  }

  start(): void {
    if (this.timer) return;
    const beat = () => void this.beat().catch(this.onError);
    beat();
    this.timer = setInterval(beat, this.intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
