interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly run: (at: number) => void;
}

/** Actions at simulated instants, run in time order (ties in scheduling order): a binary heap. */
export class EventTimeline {
  private heap: Entry[] = [];
  private seq = 0;

  schedule(at: number, run: (at: number) => void): void {
    const heap = this.heap;
    heap.push({ at, seq: this.seq++, run });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Entry, heap[parent] as Entry)) break;
      [heap[i], heap[parent]] = [heap[parent] as Entry, heap[i] as Entry];
      i = parent;
    }
  }

  /** The instant of the next action, undefined when none. */
  nextAt(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Runs the next action; false when there was none. */
  step(): boolean {
    const top = this.pop();
    if (!top) return false;
    top.run(top.at);
    return true;
  }

  /** Runs every action due at or before `until`, including those they schedule. */
  runUntil(until: number): void {
    for (let next = this.nextAt(); next !== undefined && next <= until; next = this.nextAt()) this.step();
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l] as Entry, heap[m] as Entry)) m = l;
      if (r < heap.length && before(heap[r] as Entry, heap[m] as Entry)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m] as Entry, heap[i] as Entry];
      i = m;
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
