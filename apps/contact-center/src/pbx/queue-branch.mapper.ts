/** The branch a queue belongs to (CC_QUEUE_BRANCHES), else the queue's own name. */
export function branchOfQueue(queue: string, branches: Readonly<Record<string, string>>): string {
  return branches[queue] ?? queue;
}

/** The queue a branch's call-backs are put through: the first queue mapped to it, else the branch id itself. */
export function queueOfBranch(branch: string, branches: Readonly<Record<string, string>>): string {
  return Object.entries(branches).find(([, of]) => of === branch)?.[0] ?? branch;
}

/**
 * How long to wait before reconnection attempt `attempt` (0 first): exponential from 200 ms, capped at
 * `maxMs`, with jitter (a random point in the upper half) so that many instances do not reconnect in step.
 */
export function reconnectDelayMs(attempt: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, 200 * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
