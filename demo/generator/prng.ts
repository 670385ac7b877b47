/**
 * Small seeded PRNG so the demo data is reproducible from a seed alone (Math.random is not
 * seedable). mulberry32 is fast, has a 2^32 period (plenty for a few million draws per run) and
 * passes the usual smoke tests; we derive independent streams per purpose with splitmix32 so that
 * adding draws in one part of the model does not shift every other random number.
 */

/** splitmix32 finaliser: turns (seed, salt) into a well-mixed 32-bit stream seed. */
export function mixSeed(seed: number, salt: number | string): number {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  const s = typeof salt === 'number' ? String(salt) : salt;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = (h + 0x9e3779b9) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Rng {
  private state: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A child stream that is independent of how many draws this one has made. */
  static derive(seed: number, salt: number | string): Rng {
    return new Rng(mixSeed(seed, salt));
  }

  /** mulberry32: uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** Standard normal (Marsaglia polar method, caching the second value). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /**
   * Poisson draw. Knuth's product method for small means (exact), a rounded normal for large
   * ones: at the volumes we simulate (tens to thousands per step) the difference is invisible
   * and the normal keeps generation fast.
   */
  poisson(mean: number): number {
    if (mean <= 0) {
      return 0;
    }
    if (mean < 30) {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
  }

  /** Binomial draw: exact Bernoulli loop for small n, normal approximation otherwise. */
  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) {
      return 0;
    }
    if (p >= 1) {
      return n;
    }
    if (n < 40) {
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (this.next() < p) {
          k++;
        }
      }
      return k;
    }
    const mean = n * p;
    const sd = Math.sqrt(mean * (1 - p));
    if (mean < 10) {
      // Skewed regime: a Poisson is closer than a normal and still cheap.
      return Math.min(n, this.poisson(mean));
    }
    return Math.min(n, Math.max(0, Math.round(mean + sd * this.normal())));
  }

  /**
   * Multinomial split of n over bins with probabilities `probs` (summing to 1), as sequential
   * binomials; writes counts into `out` so the hot loop allocates nothing.
   */
  multinomial(n: number, probs: ArrayLike<number>, out: Float64Array): void {
    let left = n;
    let mass = 1;
    const last = probs.length - 1;
    for (let i = 0; i < last; i++) {
      const p = mass > 0 ? Math.min(1, Math.max(0, probs[i] / mass)) : 0;
      const k = left > 0 ? this.binomial(left, p) : 0;
      out[i] = k;
      left -= k;
      mass -= probs[i];
    }
    out[last] = left;
  }
}
