export type Random = () => number;

/** A seeded uniform [0, 1) generator (mulberry32): the same seed gives the same day. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function exponential(random: Random, mean: number): number {
  return -Math.log(1 - random()) * mean;
}

/** Lognormal with the given mean and shape sigma (of the underlying normal). */
export function lognormal(random: Random, mean: number, sigma = 0.6): number {
  const u = 1 - random();
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.exp(Math.log(mean) - (sigma * sigma) / 2 + sigma * normal);
}

/** An index drawn with probability proportional to its weight. */
export function weightedIndex(random: Random, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = random() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i] ?? 0;
    if (r < 0) return i;
  }
  return weights.length - 1;
}

/** A Russian mobile number `79XXXXXXXXX`. */
export function mobileNumber(random: Random): string {
  return `79${String(Math.floor(random() * 1e9)).padStart(9, '0')}`;
}
