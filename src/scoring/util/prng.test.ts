/** @jest-environment node */
import { logGamma, mixSeed, Rng } from './prng';

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sq / n - mean * mean };
}

describe('Rng', () => {
  it('is reproducible from its seed, and derived streams differ by salt', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Rng.derive(7, 'noise').next()).not.toBe(Rng.derive(7, 'gaps').next());
    expect(mixSeed(1, 'ab', 'c')).not.toBe(mixSeed(1, 'a', 'bc'));
    expect(mixSeed(1, 'x')).toBe(mixSeed(1, 'x'));
  });

  it('logGamma matches factorials and Γ(1/2) = sqrt(π)', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 10);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });

  it('normal, exponential and gamma have their moments', () => {
    const r = new Rng(1);
    const z = moments(() => r.normal(), 100_000);
    expect(z.mean).toBeCloseTo(0, 1);
    expect(z.variance).toBeCloseTo(1, 1);
    const e = moments(() => r.exponential(), 100_000);
    expect(e.mean).toBeCloseTo(1, 1);
    for (const k of [0.5, 3]) {
      const g = moments(() => r.gamma(k), 100_000);
      expect(g.mean).toBeCloseTo(k, 1);
      expect(g.variance / k).toBeCloseTo(1, 1);
    }
  });

  it('Student-t ν=2 has median |x| = sqrt(2/3) and heavy tails', () => {
    const r = new Rng(3);
    const n = 100_000;
    const abs = Float64Array.from({ length: n }, () => Math.abs(r.studentT2())).sort();
    expect(abs[n / 2]).toBeCloseTo(Math.sqrt(2 / 3), 1);
    // P(|T| > 10) = 1 − 10/sqrt(102) ≈ 0.0099, where a normal gives 1.5e-23.
    const beyond10 = abs.filter((x) => x > 10).length / n;
    expect(beyond10).toBeGreaterThan(0.007);
    expect(beyond10).toBeLessThan(0.013);
  });

  it.each([0.3, 4, 25, 400])('poisson(%p) has mean = variance = λ', (lambda) => {
    const r = new Rng(11);
    const m = moments(() => r.poisson(lambda), 50_000);
    expect(m.mean / lambda).toBeCloseTo(1, 1);
    expect(m.variance / lambda).toBeCloseTo(1, 1);
  });

  it('poisson(2) matches its pmf at 0 and 5', () => {
    const r = new Rng(5);
    const n = 200_000;
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const k = r.poisson(2);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect((counts.get(0) ?? 0) / n).toBeCloseTo(Math.exp(-2), 2);
    expect((counts.get(5) ?? 0) / n).toBeCloseTo((Math.exp(-2) * 32) / 120, 2);
  });

  it.each([
    [10, 0.2],
    [600, 0.01],
    [300, 0.4],
    [300, 0.95],
  ])('binomial(%p, %p) has mean np and variance np(1-p), within [0, n]', (n, p) => {
    const r = new Rng(13);
    let lo = Infinity;
    let hi = -Infinity;
    const m = moments(() => {
      const k = r.binomial(n, p);
      lo = Math.min(lo, k);
      hi = Math.max(hi, k);
      return k;
    }, 50_000);
    expect(m.mean / (n * p)).toBeCloseTo(1, 1);
    expect(m.variance / (n * p * (1 - p))).toBeCloseTo(1, 1);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(n);
    expect(r.binomial(0, 0.5)).toBe(0);
    expect(r.binomial(n, 0)).toBe(0);
    expect(r.binomial(n, 1)).toBe(n);
  });

  it('negativeBinomial keeps the mean and multiplies the variance by the dispersion', () => {
    const r = new Rng(17);
    const m = moments(() => r.negativeBinomial(2, 9), 200_000);
    expect(m.mean).toBeCloseTo(2, 1);
    expect(m.variance / 18).toBeCloseTo(1, 1);
    const p = moments(() => r.negativeBinomial(2, 1), 100_000);
    expect(p.variance / 2).toBeCloseTo(1, 1);
  });
});
