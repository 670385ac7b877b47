/** Small numeric helpers for the detectors. */

/** x·ln(x/y) with the convention 0·ln(0/y) = 0. */
function xlogxy(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(x / y);
}

/** Kullback–Leibler divergence KL(Bernoulli(a) ‖ Bernoulli(b)) in nats; a, b in [0, 1]. */
export function bernoulliKL(a: number, b: number): number {
  const kl = xlogxy(a, b) + xlogxy(1 - a, 1 - b);
  return kl > 0 ? kl : 0; // rounding can give −1e−17
}

/**
 * Signed root of the binomial likelihood-ratio (deviance) statistic for `x` events out of `n`
 * against the rate p:  sign(x/n − p)·sqrt(2·n·KL(x/n ‖ p)).
 * Approximately N(0, 1) when the rate is p, works for real-valued counts, and, unlike the Wald
 * z = (x − np)/sqrt(np(1−p)), does not explode for small n: 1 of 3 against p = 1% gives 2.3
 * (exact binomial tail: 1.9) where Wald gives 5.6.
 */
export function binomialSignedRoot(x: number, n: number, p: number): number {
  if (!(n > 0)) {
    return 0;
  }
  const phat = Math.min(1, Math.max(0, x / n));
  const q = Math.min(1 - 1e-15, Math.max(1e-300, p));
  const r = Math.sqrt(2 * n * bernoulliKL(phat, q));
  return phat >= q ? r : -r;
}
