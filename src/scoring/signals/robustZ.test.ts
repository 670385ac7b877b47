/** @jest-environment node */
import { POINT_MISSING, POINT_OK, POINT_WARMING_UP } from '../types';
import { runDetector } from './registry';
import { countWhere, gaussian, invariantViolation, STEP_MS, valueInput } from './testHelpers';

const opts = { stepMs: STEP_MS };
const run = (values: number[], params: object = {}, direction?: 'up' | 'down' | 'both') =>
  runDetector(
    'robust_z',
    { window: 5, warmup: 5, severity: 'ramp', ...params },
    { ...opts, direction },
    valueInput(values)
  );

describe('robust_z', () => {
  it('known answer: median/MAD of the trailing window, current point excluded', () => {
    // window [10, 12, 11, 13, 9]: median 11, |dev| 1, 1, 0, 2, 2 -> MAD 1 -> scale 1.482602218505602
    const r = run([10, 12, 11, 13, 9, 17]);
    expect(Array.from(r.status)).toEqual([1, 1, 1, 1, 1, POINT_OK]);
    expect(r.expected[5]).toBe(11);
    expect(r.statistic[5]).toBeCloseTo(4.04693850117649, 12); // (17 - 11) / 1.4826
    expect(r.severity[5]).toBeCloseTo(0.16965477385269223, 12); // smoothstep((z - 3) / 4)
    expect(r.lower[5]).toBeCloseTo(11 - 3 * 1.482602218505602, 12);
    expect(r.upper[5]).toBeCloseTo(11 + 3 * 1.482602218505602, 12);
    expect(r.support[5]).toBe(5);
  });

  it('warm-up gives NaN severity and the warming status, never 0', () => {
    const r = run([1, 2, 3, 4, 5, 6]);
    for (let i = 0; i < 5; i++) {
      expect(r.status[i]).toBe(POINT_WARMING_UP);
      expect(r.severity[i]).toBeNaN();
      expect(r.statistic[i]).toBeNaN();
    }
    expect(r.status[5]).toBe(POINT_OK);
  });

  it('MAD = 0 falls back to the mean absolute deviation', () => {
    // window [0, 0, 0, 0, 4]: MAD 0, mean |dev| 0.8 -> scale 1.2533141373155003 * 0.8
    const r = run([0, 0, 0, 0, 4, 4]);
    expect(r.statistic[5]).toBeCloseTo(3.989422804014326, 12);
    expect(r.severity[5]).toBeCloseTo(0.1532856890843575, 12);
  });

  it('a constant series uses the relative floor instead of dividing by zero', () => {
    // scale = 0.01 * 5 + 1e-9
    const r = run([5, 5, 5, 5, 5, 5, 5.1, 6]);
    expect(r.statistic[5]).toBe(0);
    expect(r.severity[5]).toBe(0);
    expect(r.statistic[6]).toBeCloseTo(0.1 / 0.050000001, 6);
    expect(r.severity[6]).toBe(0);
    expect(r.severity[7]).toBe(1);
  });

  it('missing points are POINT_MISSING and do not poison the window', () => {
    const r = run([10, 12, NaN, 11, Infinity, 13, 9, -Infinity, 17]);
    expect(r.status[2]).toBe(POINT_MISSING);
    expect(r.status[4]).toBe(POINT_MISSING);
    expect(r.status[7]).toBe(POINT_MISSING);
    expect(r.severity[7]).toBeNaN();
    // at index 8 the window is positions 3..7 = [11, Inf, 13, 9, -Inf]: 3 valid values < warmup 5
    expect(r.status[8]).toBe(POINT_WARMING_UP);
    const r2 = run([10, 12, NaN, 11, Infinity, 13, 9, -Infinity, 17], { warmup: 3 });
    expect(r2.status[8]).toBe(POINT_OK);
    expect(r2.expected[8]).toBe(11); // median of 11, 13, 9
    expect(invariantViolation(r2)).toBeUndefined();
  });

  it('catches a spike in gaussian noise and stays quiet on the noise', () => {
    const noise = gaussian(3000, 7);
    const values = Array.from(noise, (x) => 100 + x);
    values[2000] = 100 + 12;
    const r = runDetector('robust_z', { window: '1h', severity: 'ramp' }, opts, valueInput(values));
    expect(r.severity[2000]).toBe(1);
    const falseAlarms = countWhere(r.severity, (s, i) => i !== 2000 && s > 0.2);
    expect(falseAlarms).toBeLessThanOrEqual(3); // |z| > ~3.6 happens ~1 in 3000 for normal noise
    expect(invariantViolation(r)).toBeUndefined();
  });

  it('direction up / down / both', () => {
    const base = [10, 12, 11, 13, 9];
    const spike = [...base, 40];
    const dip = [...base, -20];
    expect(run(spike, {}, 'up').severity[5]).toBe(1);
    expect(run(dip, {}, 'up').severity[5]).toBe(0);
    expect(run(spike, {}, 'down').severity[5]).toBe(0);
    expect(run(dip, {}, 'down').severity[5]).toBe(1);
    expect(run(spike, {}, 'both').severity[5]).toBe(1);
    expect(run(dip, {}, 'both').severity[5]).toBe(1);
    // the statistic stays signed whatever the direction
    expect(run(dip, {}, 'up').statistic[5]).toBeLessThan(0);
  });

  it('huge values do not produce NaN', () => {
    const r = run([1e300, -1e300, 1e300, 1.7e308, -1.7e308, 1.7e308, 0, 1e300], { warmup: 2 });
    expect(invariantViolation(r)).toBeUndefined();
  });
});
