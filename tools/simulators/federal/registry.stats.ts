import type { FerOperation, FerReasonCode, FerResultStatus } from '@medbus/federal-registry';
import type { ItemOutcome } from './registry.state';
import type { Clock } from './session.store';

/** A rejected item as `GET /admin/rejections` shows it: never a value of the item, only its key and why. */
export interface RejectionRecord {
  readonly at: string;
  readonly operation: FerOperation;
  readonly mo: string | null;
  readonly key: string;
  readonly reasonCode: FerReasonCode | null;
  readonly reason: string | null;
}

type Outcomes = Record<'accepted' | 'unchanged' | 'rejected', number>;

const none = (): Outcomes => ({ accepted: 0, unchanged: 0, rejected: 0 });
const outcomeKey = { ACCEPTED: 'accepted', UNCHANGED: 'unchanged', REJECTED: 'rejected' } as const satisfies Record<FerResultStatus, keyof Outcomes>;

/** What the federal side counted: calls, faults it gave, item outcomes per operation and per organisation. */
export class RegistryStats {
  private readonly calls = new Map<string, number>();
  private readonly faults = new Map<string, number>();
  private readonly injected = new Map<string, number>();
  private readonly byOperation = new Map<string, Outcomes>();
  private readonly byMo = new Map<string, Outcomes>();
  private readonly rejections: RejectionRecord[] = [];

  constructor(
    private readonly rejectionsKept: number,
    private readonly clock: Clock,
  ) {}

  call(operation: string): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
  }

  fault(code: string): void {
    this.faults.set(code, (this.faults.get(code) ?? 0) + 1);
  }

  /** A failure the admin asked for: down, drop, slow, error. */
  inject(kind: string): void {
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
  }

  /** Counts item outcomes; answers them summed for the call's log line. */
  items(operation: FerOperation, outcomes: readonly ItemOutcome[]): Outcomes {
    const total = none();
    let perOperation = this.byOperation.get(operation);
    if (!perOperation) this.byOperation.set(operation, (perOperation = none()));
    for (const { result, mo } of outcomes) {
      const key = outcomeKey[result.Status];
      total[key] += 1;
      perOperation[key] += 1;
      const moKey = mo ?? 'unknown';
      let perMo = this.byMo.get(moKey);
      if (!perMo) this.byMo.set(moKey, (perMo = none()));
      perMo[key] += 1;
      if (result.Status === 'REJECTED') {
        this.rejections.push({ at: new Date(this.clock()).toISOString(), operation, mo: mo ?? null, key: result.Key, reasonCode: result.Reason_Code ?? null, reason: result.Reason ?? null });
        if (this.rejections.length > this.rejectionsKept) this.rejections.splice(0, this.rejections.length - this.rejectionsKept);
      }
    }
    return total;
  }

  /** The last `limit` rejections, newest last. */
  lastRejections(limit: number): RejectionRecord[] {
    return this.rejections.slice(-limit);
  }

  snapshot(): {
    calls: Record<string, number>;
    faultsGiven: Record<string, number>;
    injected: Record<string, number>;
    operations: Record<string, Outcomes>;
    organisations: Record<string, Outcomes>;
  } {
    return {
      calls: Object.fromEntries(this.calls),
      faultsGiven: Object.fromEntries(this.faults),
      injected: Object.fromEntries(this.injected),
      operations: Object.fromEntries([...this.byOperation].map(([k, v]) => [k, { ...v }])),
      organisations: Object.fromEntries([...this.byMo].map(([k, v]) => [k, { ...v }])),
    };
  }

  clear(): void {
    for (const map of [this.calls, this.faults, this.injected, this.byOperation, this.byMo]) map.clear();
    this.rejections.length = 0;
  }
}
