/** @jest-environment node */
import {
  chiSquareQuantileUpper,
  chiSquareTailDecades,
  normalQuantileUpper,
  normalTailDecades,
  twoSidedNormalTailDecades,
} from './normalTail';

describe('normal tail in decades', () => {
  // Q(z) from Abramowitz & Stegun table 26.1 / 26.2.12 (asymptotic for z = 10, 20).
  it.each([
    [0, 0.5],
    [1.959964, 0.025],
    [3, 1.3498980316301e-3],
    [5, 2.8665157187919e-7],
    [10, 7.6198530241605e-24],
    [20, 2.7536241186062e-89],
  ])('Q(%p) = %p to 1e-6 relative', (z, q) => {
    expect(normalTailDecades(z)).toBeCloseTo(-Math.log10(q), 5);
  });

  it('never overflows and is monotone, including negative z', () => {
    expect(normalTailDecades(40)).toBeCloseTo(349.43, 1);
    expect(normalTailDecades(Infinity)).toBe(Infinity);
    expect(normalTailDecades(-1)).toBeCloseTo(-Math.log10(0.841344746), 6);
    expect(normalTailDecades(NaN)).toBeNaN();
    let prev = -Infinity;
    for (let z = -8; z <= 60; z += 0.25) {
      const d = normalTailDecades(z);
      expect(d).toBeGreaterThan(prev);
      prev = d;
    }
  });

  it('two-sided: 2·Q(|z|), never below 0', () => {
    expect(twoSidedNormalTailDecades(1.959964)).toBeCloseTo(-Math.log10(0.05), 5);
    expect(twoSidedNormalTailDecades(-1.959964)).toBeCloseTo(-Math.log10(0.05), 5);
    expect(twoSidedNormalTailDecades(0)).toBe(0);
  });

  it('the quantile inverts the tail', () => {
    for (const d of [0.5, 1, 2, 3.5, 7, 20, 100]) {
      expect(normalTailDecades(normalQuantileUpper(d))).toBeCloseTo(d, 9);
    }
    expect(normalQuantileUpper(-Math.log10(0.025))).toBeCloseTo(1.959964, 5);
    expect(normalQuantileUpper(0)).toBe(-Infinity);
    expect(normalQuantileUpper(Infinity)).toBe(Infinity);
  });
});

describe('chi-square tail (Wilson–Hilferty)', () => {
  // Upper quantiles from standard tables: χ²_{0.95}(1) = 3.841, χ²_{0.99}(5) = 15.086,
  // χ²_{0.999}(10) = 29.588, χ²_{0.95}(30) = 43.773. Wilson–Hilferty is within ~2 % at k = 1 and
  // far closer for larger k.
  it.each([
    [3.841, 1, 0.05, 0.03],
    [15.086, 5, 0.01, 0.01],
    [29.588, 10, 0.001, 0.01],
    [43.773, 30, 0.05, 0.002],
  ])('P(χ² > %p | k = %p) ≈ %p', (x, k, p, tol) => {
    expect(Math.abs(chiSquareTailDecades(x, k) - -Math.log10(p))).toBeLessThan(tol * 10);
    expect(Math.abs(chiSquareQuantileUpper(-Math.log10(p), k) / x - 1)).toBeLessThan(tol + 0.01);
  });

  it('is 0 decades at 0 and NaN without degrees of freedom', () => {
    expect(chiSquareTailDecades(0, 3)).toBe(0);
    expect(chiSquareTailDecades(1, 0)).toBeNaN();
  });
});
