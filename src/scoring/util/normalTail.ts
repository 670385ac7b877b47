/**
 * Tail probabilities in decades (−log10 p), computed in log space so that z = 40 gives 349.4
 * rather than Infinity.
 *
 *   normalTailDecades(z)  = −log10 Q(z),  Q(z) = P(Z > z) = ½·erfc(z/√2), Z ~ N(0, 1)
 *   chiSquareTailDecades(x, k) = −log10 P(X > x), X ~ χ²_k, by the Wilson–Hilferty cube-root
 *     approximation: ((X/k)^(1/3) − (1 − 2/(9k))) / √(2/(9k)) ~ N(0, 1)  (Wilson & Hilferty 1931)
 *   normalQuantileUpper(d) = z with −log10 Q(z) = d (Newton's method on the log tail)
 *
 * erfc uses the Chebyshev fit of Numerical Recipes (Press et al., 2nd ed., §6.2, `erfcc`), whose
 * fractional error is below 1.2e-7 everywhere; written as ln erfc(x) = ln t − x² + P(t), it never
 * underflows. Known answers (tests): Q(1.959964) = 0.025, Q(3) = 1.3499e-3, Q(5) = 2.8665e-7,
 * Q(10) = 7.6199e-24 (Abramowitz & Stegun, table 26.1 and 26.2.12).
 */

const LN10 = Math.LN10;
const LN_HALF = Math.log(0.5);

/** ln erfc(x) for x >= 0 (Numerical Recipes erfcc, in log form). */
function lnErfcNonNegative(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - x * x + poly;
}

/** −log10 P(Z > z) for a standard normal Z; 0 … +Infinity, monotone increasing in z. */
export function normalTailDecades(z: number): number {
  if (z !== z) {
    return NaN;
  }
  if (z === Infinity) {
    return Infinity;
  }
  const x = z / Math.SQRT2;
  if (x >= 0) {
    return -(LN_HALF + lnErfcNonNegative(x)) / LN10;
  }
  // Q(z) = 1 − Q(−z) for z < 0: at most log10(2) decades… i.e. close to 0.
  const q = 1 - 0.5 * Math.exp(lnErfcNonNegative(-x));
  return -Math.log10(q);
}

/** −log10 P(|Z| > z) = −log10(2·Q(|z|)), never below 0. */
export function twoSidedNormalTailDecades(z: number): number {
  const d = normalTailDecades(Math.abs(z)) - Math.log10(2);
  return d > 0 ? d : d === d ? 0 : NaN;
}

/** −log10 P(X > x) for X ~ χ² with k degrees of freedom (Wilson–Hilferty); 0 for x <= 0. */
export function chiSquareTailDecades(x: number, k: number): number {
  if (!(k > 0) || x !== x) {
    return NaN;
  }
  if (!(x > 0)) {
    return 0;
  }
  const c = 2 / (9 * k);
  const z = (Math.cbrt(x / k) - (1 - c)) / Math.sqrt(c);
  return normalTailDecades(z);
}

/** The χ²_k value whose upper tail is 10^−decades (inverse of chiSquareTailDecades). */
export function chiSquareQuantileUpper(decades: number, k: number): number {
  return chiSquareQuantileAtZ(normalQuantileUpper(decades), k);
}

/** The χ²_k value whose Wilson–Hilferty normal deviate is z (for a z computed once and reused). */
export function chiSquareQuantileAtZ(z: number, k: number): number {
  const c = 2 / (9 * k);
  const root = 1 - c + z * Math.sqrt(c);
  return root > 0 ? k * root * root * root : 0;
}

/**
 * The z whose one-sided upper tail is 10^−decades (decades > 0). Newton's method on
 * f(z) = normalTailDecades(z) − decades, whose derivative is φ(z) / (Q(z)·ln 10) > 0; started from
 * the asymptotic z ≈ sqrt(2·ln(10)·decades) and converging to ~1e-12 in a few steps.
 */
export function normalQuantileUpper(decades: number): number {
  if (!(decades > 0)) {
    return decades === 0 ? -Infinity : NaN;
  }
  if (decades === Infinity) {
    return Infinity;
  }
  let z = decades > Math.log10(2) ? Math.sqrt(2 * LN10 * decades) - 0.5 : 0;
  for (let iter = 0; iter < 50; iter++) {
    const f = normalTailDecades(z) - decades;
    // d/dz (−log10 Q) = φ(z) / (Q(z) ln 10), with Q from its decades to stay in log space.
    const lnPhi = -0.5 * z * z - 0.5 * Math.log(2 * Math.PI);
    const lnQ = -normalTailDecades(z) * LN10;
    const slope = Math.exp(lnPhi - lnQ) / LN10;
    const step = f / slope;
    z -= step;
    if (Math.abs(step) < 1e-12 * Math.max(1, Math.abs(z))) {
      break;
    }
  }
  return z;
}
