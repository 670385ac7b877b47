/** @jest-environment node */
import { POINT_MISSING, POINT_OK, ValueInput } from '../types';
import { runDetector } from './registry';
import { invariantViolation } from './testHelpers';

const input = (t: number[], value: number[]): ValueInput => ({
  type: 'value',
  t: Float64Array.from(t),
  value: Float64Array.from(value),
});
const params = { warn: '5m', max: '15m', missingAfter: '10m' };

describe('staleness', () => {
  it('known answer: lag = t/1000 - value in seconds, ramp from warn to max', () => {
    const r = runDetector('staleness', params, {}, input([1e9, 1e9, 1e9], [999_900, 999_400, 999_000]));
    expect(Array.from(r.statistic)).toEqual([100, 600, 1000]);
    expect(Array.from(r.severity)).toEqual([0, 0.5, 1]); // 600 s is halfway between 300 and 900
    expect(r.upper[0]).toBe(300);
    expect(r.status[0]).toBe(POINT_OK);
  });

  it('missing for longer than missingAfter is stale, judged from the last value', () => {
    const t = [0, 300, 600, 900].map((s) => 1_000_000_000 + s * 1000);
    const r = runDetector('staleness', params, {}, input(t, [1_000_000, NaN, NaN, NaN]));
    expect(r.statistic[0]).toBe(0);
    expect(r.status[1]).toBe(POINT_MISSING);
    expect(r.severity[1]).toBeNaN();
    expect(r.status[2]).toBe(POINT_MISSING); // exactly 10 min, not longer
    expect(r.status[3]).toBe(POINT_OK);
    expect(r.statistic[3]).toBe(900);
    expect(r.severity[3]).toBe(1);
  });

  it('a series that never had a value becomes stale after missingAfter (absent)', () => {
    const t = [0, 600, 660].map((s) => s * 1000);
    const r = runDetector('staleness', params, {}, input(t, [NaN, NaN, Infinity]));
    expect(r.status[1]).toBe(POINT_MISSING);
    expect(r.status[2]).toBe(POINT_OK);
    expect(r.statistic[2]).toBe(660);
    expect(invariantViolation(r)).toBeUndefined();
  });

  it('timestamps in the future give severity 0; numbers are seconds', () => {
    const r = runDetector('staleness', { warn: 60, max: 120 }, {}, input([1_000_000, 1_000_000], [2000, 910]));
    expect(r.statistic[0]).toBe(-1000);
    expect(r.severity[0]).toBe(0);
    expect(r.severity[1]).toBe(0.5);
  });
});
