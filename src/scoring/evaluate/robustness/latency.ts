/**
 * The request-latency process behind every histogram of the suite: per request, latency is
 * lognormal, ln L ~ N(μ, σ²), with healthy median e^μ = 120 ms and σ = 0.5 (p99 ≈ 0.38 s). A share
 * w of requests may come from a slow component with median ×3 (the distribution-shift injection:
 * "a fraction of requests got slower").
 *
 * Bucket probabilities: P(le_{b−1} < L ≤ le_b) = Φ((ln le_b − μ)/σ) − Φ((ln le_{b−1} − μ)/σ), mixed
 * over the two components. Bucket counts of n requests are multinomial, drawn as sequential
 * binomials: c_b ~ Binomial(n − Σ_{a<b} c_a, p_b / Σ_{a≥b} p_a) (exact in distribution).
 * Φ uses erfc from Numerical Recipes' Chebyshev fit (|relative error| < 1.2e-7).
 *
 * Layouts: DEFAULT_LE is Prometheus' client default (DefBuckets); COARSE_LE is the coarse layout
 * whose quantiles the histogram_quantile shape reads.
 */
import type { Rng } from '../../util/prng';

export const LATENCY = {
  median: 0.12,
  sigmaLog: 0.5,
  /** One noise unit of the latent log-location (driver and injections), in ln seconds. */
  locationUnit: 0.1,
  slowFactor: 3,
  slowShare: 0.25,
} as const;

export const DEFAULT_LE: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity];
export const COARSE_LE: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, Infinity];

/** Complementary error function (Numerical Recipes erfcc). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Per-bucket (not cumulative) probabilities into `out` for latency ln L ~ (1 − w)·N(μ, σ²) +
 * w·N(μ + ln slowFactor, σ²).
 */
export function bucketProbabilities(
  le: readonly number[],
  mu: number,
  sigma: number,
  slowShare: number,
  out: Float64Array
): Float64Array {
  const slowMu = mu + Math.log(LATENCY.slowFactor);
  let previous = 0;
  for (let b = 0; b < le.length; b++) {
    let cdf = 1;
    if (le[b] !== Infinity) {
      const x = Math.log(le[b]);
      cdf = (1 - slowShare) * normalCdf((x - mu) / sigma) + slowShare * normalCdf((x - slowMu) / sigma);
    }
    out[b] = Math.max(0, cdf - previous);
    previous = cdf;
  }
  return out;
}

/** Multinomial counts of n draws over the bucket probabilities `p` (summing to ~1) into `out`. */
export function multinomial(n: number, p: ArrayLike<number>, rng: Rng, out: Float64Array): Float64Array {
  let left = n;
  let mass = 0;
  for (let b = 0; b < p.length; b++) {
    mass += p[b];
  }
  for (let b = 0; b < p.length; b++) {
    if (left <= 0 || b === p.length - 1) {
      out[b] = left > 0 ? left : 0;
      left = 0;
      continue;
    }
    const share = mass > 0 ? Math.min(1, p[b] / mass) : 0;
    const c = rng.binomial(left, share);
    out[b] = c;
    left -= c;
    mass -= p[b];
  }
  return out;
}
