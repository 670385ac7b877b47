/** @jest-environment node */
import { POINT_MISSING, POINT_OK, POINT_WARMING_UP } from '../types';
import { runDetector } from './registry';
import { invariantViolation, ratioInput, STEP_MS } from './testHelpers';
import { binomialSignedRoot } from '../util/stats';

const opts = { stepMs: STEP_MS };
const params = { window: 1, baseline: 4, warmup: 4, severity: 'ramp' };
const run = (num: number[], den: number[], extra: object = {}, direction?: 'up' | 'down' | 'both') =>
  runDetector('ratio', { ...params, ...extra }, { ...opts, direction }, ratioInput(num, den));

describe('ratio', () => {
  it('known answer: deviance z against the baseline rate raised by the minimum change', () => {
    // baseline 40 of 4000 -> p0 = 40.5 / 4001; pU = max(1.1 p0, p0 + 0.001) = 1.1 p0
    const r = run([10, 10, 10, 10, 30], [1000, 1000, 1000, 1000, 1000]);
    expect(Array.from(r.status)).toEqual([1, 1, 1, 1, POINT_OK]);
    expect(r.statistic[4]).toBe(0.03);
    expect(r.expected[4]).toBeCloseTo(0.010122469382654336, 15);
    // sqrt(2 * 1000 * KL(0.03 || 0.01113471632091977)) computed independently
    expect(r.severity[4]).toBeCloseTo(0.3887112100563937, 10);
    expect(r.support[4]).toBe(4);
    expect(r.upper[4]).toBeGreaterThan(0.0111347);
    expect(r.upper[4]).toBeLessThan(0.03);
  });

  it('1 error in 3 requests is weak evidence; 300 in 900 is overwhelming', () => {
    const low = run([10, 10, 10, 10, 1], [1000, 1000, 1000, 1000, 3]);
    expect(low.statistic[4]).toBeCloseTo(1 / 3, 15); // the observed ratio is reported as is
    expect(low.severity[4]).toBe(0); // z = 2.28 < warn 3
    const high = run([10, 10, 10, 10, 300], [1000, 1000, 1000, 1000, 900]);
    expect(high.severity[4]).toBe(1); // z = 39.6
  });

  it('the signed root deviance matches a hand computation and is not the exploding Wald z', () => {
    // 1 of 3 vs p = 0.01: KL = 1/3 ln(33.33) + 2/3 ln(0.6667/0.99) = 0.905244; sqrt(6 * KL) = 2.33055
    // (Wald would give (1 - 0.03) / sqrt(0.0297) = 5.63)
    expect(binomialSignedRoot(1, 3, 0.01)).toBeCloseTo(2.3305485846944514, 12);
    expect(binomialSignedRoot(0, 3, 0.5)).toBeCloseTo(-Math.sqrt(6 * Math.log(2)), 12);
    expect(binomialSignedRoot(5, 0, 0.5)).toBe(0);
  });

  it('warm-up, missing counts and zero traffic', () => {
    const r = run([1, 1, NaN, 1, 1, 1, 0, 5], [100, 100, 100, -1, 100, 100, 0, Infinity], { warmup: 2 });
    expect(r.status[0]).toBe(POINT_WARMING_UP);
    expect(r.severity[0]).toBeNaN();
    expect(r.status[2]).toBe(POINT_MISSING);
    expect(r.status[3]).toBe(POINT_MISSING); // negative count
    expect(r.status[6]).toBe(POINT_MISSING); // no requests: no evidence
    expect(r.severity[6]).toBeNaN();
    expect(r.status[7]).toBe(POINT_MISSING);
    expect(invariantViolation(r)).toBeUndefined();
  });

  it('direction: up (default) ignores a drop, down catches it', () => {
    const num = [50, 50, 50, 50, 0];
    const den = [1000, 1000, 1000, 1000, 1000];
    expect(run(num, den).severity[4]).toBe(0);
    expect(run(num, den, {}, 'down').severity[4]).toBe(1);
    expect(run(num, den, {}, 'both').severity[4]).toBe(1);
    expect(run([50, 50, 50, 50, 150], den, {}, 'down').severity[4]).toBe(0);
  });

  it('a sliding current window sums the last points', () => {
    const r = run([0, 0, 0, 0, 0, 1, 2], [10, 10, 10, 10, 10, 10, 10], { window: 3, baseline: 2, warmup: 1 });
    expect(r.statistic[6]).toBeCloseTo(3 / 30, 15);
    expect(r.expected[6]).toBe(0.5 / 21); // baseline = points 2..3
  });

  it('num > den is clamped to den', () => {
    const r = run([1, 1, 1, 1, 50], [100, 100, 100, 100, 10]);
    expect(r.statistic[4]).toBe(1);
    expect(r.severity[4]).toBe(1);
  });
});
