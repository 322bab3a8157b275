export const callOutcomes = ['ANSWERED', 'ABANDONED'] as const;
export type CallOutcome = (typeof callOutcomes)[number];

/** The ground truth of one finished call, as the admin API serves it. */
export interface CallFact {
  readonly uniqueid: string;
  readonly queue: string;
  readonly callerNumber: string;
  readonly joinedAt: string;
  readonly answeredAt: string | null;
  readonly endedAt: string;
  readonly holdSeconds: number;
  readonly talkSeconds: number | null;
  readonly outcome: CallOutcome;
  readonly agent: string | null;
  readonly abandonPosition: number | null;
  /** Wall-clock time the abandon / complete event was written to the AMI clients. */
  readonly emittedAt: string;
}

export interface CallQuery {
  readonly from?: number;
  readonly to?: number;
  readonly queue?: string;
  readonly after?: string;
  readonly limit: number;
}

/** Every finished call, in the order it finished; queried by join time, queue and a uniqueid cursor. */
export class CallRecords {
  private facts: CallFact[] = [];
  private index = new Map<string, number>();

  add(fact: CallFact): void {
    this.index.set(fact.uniqueid, this.facts.length);
    this.facts.push(fact);
  }

  /** Matching calls after the cursor's call (in finishing order), at most `limit`. */
  query(q: CallQuery): CallFact[] {
    const items: CallFact[] = [];
    const start = q.after === undefined ? 0 : (this.index.get(q.after) ?? -1) + 1;
    for (let i = start; i < this.facts.length && items.length < q.limit; i++) {
      const fact = this.facts[i];
      if (!fact) continue;
      const joined = Date.parse(fact.joinedAt);
      if (q.from !== undefined && joined < q.from) continue;
      if (q.to !== undefined && joined >= q.to) continue;
      if (q.queue !== undefined && fact.queue !== q.queue) continue;
      items.push(fact);
    }
    return items;
  }

  has(uniqueid: string): boolean {
    return this.index.has(uniqueid);
  }

  get size(): number {
    return this.facts.length;
  }

  clear(): void {
    this.facts = [];
    this.index = new Map();
  }
}
