/**
 * A small seeded PRNG with the distributions the synthetic evaluations need (Math.random cannot be
 * seeded, and a measurement that changes from run to run cannot be compared).
 *
 * Generator: mulberry32 (32-bit state, period 2^32, passes the usual smoke tests; plenty for the
 * few million draws of one synthetic series). Independent streams per purpose come from hashing
 * (seed, salts…) with the splitmix32 finaliser, so adding draws in one stream never shifts another.
 *
 * Distributions (u ~ U[0, 1)):
 * - normal: Marsaglia's polar method (exact), the second value cached;
 * - exponential: −ln(1 − u);
 * - Student-t with ν = 2 by inversion: F(x) = ½ + x / (2·sqrt(2 + x²)) ⇒ x = (2u − 1) / sqrt(2u(1 − u));
 * - gamma(k): Marsaglia–Tsang squeeze for k ≥ 1, and gamma(k + 1)·u^(1/k) for k < 1 (exact);
 * - poisson(λ): Knuth's product of uniforms for λ < 10, Hörmann's PTRS transformed rejection for
 *   λ ≥ 10 (exact in both ranges, O(λ) and O(1) expected draws);
 * - binomial(n, p): by symmetry q = min(p, 1 − p); inversion of the pmf walking up from 0 when
 *   n·q < 30 (exact); otherwise the normal approximation round(nq + sqrt(nq(1 − q))·Z) clamped to
 *   [0, n]. With n·q ≥ 30 its skewness error (≈ (1 − 2q)/sqrt(nq(1 − q))) is below 0.2 σ in the tails
 *   the synthetic counts reach, which is far below the effects the evaluations measure;
 * - negativeBinomial(mean, dispersion): Poisson(λ) with λ ~ gamma(mean/dispersion-shaped), the
 *   gamma–Poisson mixture: Var = mean·dispersion (dispersion ≥ 1; 1 = Poisson).
 */

/** splitmix32-style finaliser: turns (seed, salts…) into a well-mixed 32-bit stream seed. */
export function mixSeed(seed: number, ...salts: Array<number | string>): number {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  for (const salt of salts) {
    const s = String(salt);
    for (let i = 0; i < s.length; i++) {
      h = Math.imul(h ^ s.charCodeAt(i), 0x85ebca6b);
      h ^= h >>> 13;
    }
    h = Math.imul(h ^ 0x2f, 0xc2b2ae35); // separator, so ('ab','c') differs from ('a','bc')
  }
  h = (h + 0x9e3779b9) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~1e-15 relative). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const y = x - 1;
  let a = c[0];
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) {
    a += c[i] / (y + i);
  }
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

export class Rng {
  private state: number;
  private spareNormal = NaN;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A stream that depends only on (seed, salts), not on draws made elsewhere. */
  static derive(seed: number, ...salts: Array<number | string>): Rng {
    return new Rng(mixSeed(seed, ...salts));
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

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.spareNormal === this.spareNormal) {
      const v = this.spareNormal;
      this.spareNormal = NaN;
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

  /** Exponential with mean 1. */
  exponential(): number {
    return -Math.log(1 - this.next());
  }

  /** Student-t with 2 degrees of freedom (infinite variance, median |x| = sqrt(2/3)). */
  studentT2(): number {
    let u = this.next();
    while (u === 0) {
      u = this.next();
    }
    return (2 * u - 1) / Math.sqrt(2 * u * (1 - u));
  }

  /** Gamma with shape k > 0 and scale 1. */
  gamma(k: number): number {
    if (!(k > 0)) {
      return NaN;
    }
    if (k < 1) {
      let u = this.next();
      while (u === 0) {
        u = this.next();
      }
      return this.gamma(k + 1) * Math.pow(u, 1 / k);
    }
    const d = k - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x = 0;
      let v = 0;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
        return d * v;
      }
    }
  }

  /** Poisson with mean λ ≥ 0 (0 for λ ≤ 0 or NaN). */
  poisson(lambda: number): number {
    if (!(lambda > 0)) {
      return 0;
    }
    if (lambda < 10) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    // PTRS (Hörmann 1993, "The transformed rejection method for generating Poisson random variables").
    const slam = Math.sqrt(lambda);
    const logLam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) {
        return k;
      }
      if (k < 0 || (us < 0.013 && v > us)) {
        continue;
      }
      if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * logLam - logGamma(k + 1)) {
        return k;
      }
    }
  }

  /** Binomial(n, p) for a whole n ≥ 0 (see the file comment for the large-n·p approximation). */
  binomial(n: number, p: number): number {
    if (!(n > 0) || !(p > 0)) {
      return 0;
    }
    if (p >= 1) {
      return n;
    }
    const flip = p > 0.5;
    const q = flip ? 1 - p : p;
    const mean = n * q;
    let k: number;
    if (mean < 30) {
      // Inversion: walk the pmf up from 0 with the ratio pmf(k+1)/pmf(k) = (n−k)/(k+1)·q/(1−q).
      const r = q / (1 - q);
      let pmf = Math.pow(1 - q, n);
      let cdf = pmf;
      const u = this.next();
      k = 0;
      while (u > cdf && k < n) {
        pmf *= ((n - k) / (k + 1)) * r;
        cdf += pmf;
        k++;
        if (pmf < 1e-300 && k > mean) {
          break; // rounding left the cdf short of u: the remaining mass is nil
        }
      }
    } else {
      k = Math.round(mean + Math.sqrt(mean * (1 - q)) * this.normal());
      k = Math.min(n, Math.max(0, k));
    }
    return flip ? n - k : k;
  }

  /** Counts with this mean and variance mean·dispersion (gamma–Poisson mixture; dispersion ≤ 1: Poisson). */
  negativeBinomial(mean: number, dispersion: number): number {
    if (!(mean > 0)) {
      return 0;
    }
    if (!(dispersion > 1)) {
      return this.poisson(mean);
    }
    // λ ~ gamma(shape r, scale mean/r) has Var λ = mean²/r; Var X = mean + mean²/r = mean·dispersion.
    const r = mean / (dispersion - 1);
    return this.poisson(this.gamma(r) * (mean / r));
  }
}
