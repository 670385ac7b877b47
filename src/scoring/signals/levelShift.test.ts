/** @jest-environment node */
import { POINT_OK, POINT_WARMING_UP } from '../types';
import { runDetector } from './registry';
import { countWhere, gaussian, invariantViolation, STEP_MS, valueInput } from './testHelpers';

const opts = { stepMs: STEP_MS };
const run = (values: number[], params: object = {}, direction?: 'up' | 'down' | 'both') =>
  runDetector(
    'level_shift',
    { window: 5, warmup: 5, severity: 'ramp', ...params },
    { ...opts, direction },
    valueInput(values)
  );

describe('level_shift', () => {
  it('known answer: CUSUM of the robust z with allowance k', () => {
    // i=5: window [8..12] median 10, MAD 1: z = 3/1.4826 = 2.0235, S+ = z - 0.5
    // i=6: window [9..13] median 11, MAD 1: z = 2/1.4826 = 1.3490, S+ += z - 0.5
    const r = run([8, 9, 10, 11, 12, 13, 13]);
    expect(r.status[4]).toBe(POINT_WARMING_UP);
    expect(r.severity[4]).toBeNaN();
    expect(r.status[5]).toBe(POINT_OK);
    expect(r.statistic[5]).toBeCloseTo(1.5234692505882448, 12);
    expect(r.statistic[6]).toBeCloseTo(2.372448750980408, 12);
    expect(r.severity[6]).toBe(0); // below warn = 5
    expect(r.expected[6]).toBe(11);
  });

  it('one spike cannot raise a level shift (z is clipped)', () => {
    const r = run([8, 9, 10, 11, 12, 1e6, 10, 10]);
    expect(r.statistic[5]).toBe(3.5); // clip 4 - k 0.5
    expect(r.severity[5]).toBe(0);
  });

  it('catches a sustained shift that robust_z would absorb, and stays quiet on noise', () => {
    const noise = gaussian(1500, 3);
    const values = Array.from(noise, (x, i) => 50 + x + (i >= 1000 ? 2 : 0)); // +2 sigma shift
    const r = runDetector('level_shift', { window: 200, severity: 'ramp' }, opts, valueInput(values));
    expect(invariantViolation(r)).toBeUndefined();
    let firstAlarm = -1;
    for (let i = 1000; i < 1100; i++) {
      if (r.severity[i] > 0.5) {
        firstAlarm = i;
        break;
      }
    }
    expect(firstAlarm).toBeGreaterThanOrEqual(1000);
    expect(firstAlarm).toBeLessThan(1015); // ~ (warn + (max-warn)/2) / (2 - 0.5) points
    expect(r.statistic[firstAlarm]).toBeGreaterThan(0);
    const before = Array.from(r.severity.slice(200, 1000));
    expect(before.filter((s) => s > 0.5).length).toBeLessThanOrEqual(5);
  });

  it('catches a slow drift', () => {
    const noise = gaussian(2000, 11);
    const values = Array.from(noise, (x, i) => 50 + x + (i >= 1000 ? (i - 1000) * 0.02 : 0)); // 1 sigma per 50 points
    const r = runDetector('level_shift', { window: 200, severity: 'ramp' }, opts, valueInput(values));
    expect(Math.max(...Array.from(r.severity.slice(1000, 1300)))).toBe(1);
  });

  it('the CUSUM is capped at max, so severity returns to 0 once the baseline has absorbed the shift', () => {
    const values = Array.from({ length: 400 }, (_, i) => (i % 2 ? 1 : -1) + (i >= 100 ? 20 : 0));
    const r = run(values, { window: 50, warmup: 50 });
    expect(Math.max(...Array.from(r.statistic.slice(50)))).toBe(15);
    expect(r.severity[110]).toBe(1);
    expect(r.severity[399]).toBe(0);
  });

  it('direction: up ignores a downward shift and reports S+; down reports -S-', () => {
    const down = [8, 9, 10, 11, 12, 0, 0, 0, 0];
    expect(Math.max(...Array.from(run(down, {}, 'up').severity.slice(5)))).toBe(0);
    expect(Math.max(...Array.from(run(down, {}, 'down').severity.slice(5)))).toBeGreaterThan(0);
    expect(run(down, {}, 'down').statistic[8]).toBeLessThan(0);
    expect(run(down, {}, 'up').statistic[8]).toBe(0);
    expect(run(down, {}, 'both').statistic[8]).toBe(run(down, {}, 'down').statistic[8]);
  });
});

describe('level_shift on the rarity severity: autocorrelated noise', () => {
  const n = 12 * 1440;
  const ar1 = (phi: number, seed: number) => {
    const g = gaussian(n, seed);
    const v = new Float64Array(n);
    let x = 0;
    for (let i = 0; i < n; i++) {
      x = phi * x + g[i];
      v[i] = 100 + x;
    }
    return v;
  };
  const maxAbs = (a: Float64Array, from: number) => {
    let m = 0;
    for (let i = from; i < a.length; i++) {
      const v = Math.abs(a[i]);
      m = v > m ? v : m;
    }
    return m;
  };

  it('does not pin the CUSUM at its cap on an AR(1) wander (the ramp’s legacy CUSUM does)', () => {
    const v = ar1(0.95, 7);
    const rarity = runDetector('level_shift', {}, opts, valueInput(v));
    const ramp = runDetector('level_shift', { severity: 'ramp' }, opts, valueInput(v));
    expect(maxAbs(ramp.statistic, 1440)).toBe(15); // the legacy cap, reached by healthy noise
    expect(maxAbs(rarity.statistic, 1440)).toBeLessThan(5);
    expect(countWhere(rarity.severity, (s) => s >= 0.5)).toBe(0);
  });

  it('keeps white noise as it was, and still finds a shift there', () => {
    const v = Float64Array.from(gaussian(n, 3), (g, i) => 100 + g + (i >= 11 * 1440 ? 2 : 0));
    const r = runDetector('level_shift', {}, opts, valueInput(v));
    const first = Array.from(r.severity).findIndex((s, i) => i >= 11 * 1440 && s >= 0.5);
    expect(first - 11 * 1440).toBeGreaterThanOrEqual(0);
    expect(first - 11 * 1440).toBeLessThan(30);
  });
});
