/**
 * Runs work for one key at a time (e.g. one doctor's schedule), in arrival order, while work
 * for other keys runs freely: a notification's re-read and the poller never interleave their
 * read → diff → publish of the same schedule.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.tails.set(key, current);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === current) this.tails.delete(key);
    }
  }
}
