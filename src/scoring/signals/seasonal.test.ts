/** @jest-environment node */
import { POINT_MISSING, POINT_OK, POINT_WARMING_UP } from '../types';
import { runDetector } from './registry';
import { countWhere, gaussian, invariantViolation, STEP_MS, valueInput } from './testHelpers';

const opts = { stepMs: STEP_MS };

describe('seasonal', () => {
  it('known answer: median of past seasons at the same phase, residual-based scale', () => {
    const values = [1, 2, 3, 4, 1.5, 2, 3, 4, 2];
    const r = runDetector(
      'seasonal',
      { severity: 'ramp', season: 4, seasons: 2, window: 4, warmup: 4 },
      opts,
      valueInput(values)
    );
    for (let i = 0; i < 8; i++) {
      expect(r.status[i]).toBe(POINT_WARMING_UP);
      expect(r.severity[i]).toBeNaN();
    }
    // expected at 8 = median(x[4] = 1.5, x[0] = 1) = 1.25; residuals |r| = .5, 0, 0, 0 -> median 0
    // -> fallback 1.2533141 * mean 0.125 = 0.1566643; z = 0.75 / 0.1566643
    expect(r.status[8]).toBe(POINT_OK);
    expect(r.expected[8]).toBe(1.25);
    expect(r.support[8]).toBe(2);
    expect(r.statistic[8]).toBeCloseTo(4.787307364817192, 12);
    expect(r.severity[8]).toBeCloseTo(0.42054094377007567, 10);
  });

  it('durations: season 1d at a 1h step is 24 points', () => {
    const day = Array.from({ length: 24 }, (_, h) => 100 + 50 * Math.sin((2 * Math.PI * h) / 24));
    const values = [...day, ...day, ...day, ...day.map((v, h) => (h === 12 ? v + 80 : v))];
    const r = runDetector(
      'seasonal',
      { severity: 'ramp', season: '1d', window: '1d', warmup: 10 },
      { stepMs: 3_600_000 },
      valueInput(values, 3_600_000)
    );
    expect(r.expected[72 + 12]).toBeCloseTo(day[12], 9);
    expect(r.severity[72 + 12]).toBe(1); // residuals were all 0: floor 1% of the level
    expect(r.severity[72 + 11]).toBe(0);
  });

  it('catches an off-shape point in noisy daily traffic, quiet otherwise', () => {
    const steps = 288; // 5 min steps
    const noise = gaussian(steps * 6, 5);
    const values = Array.from(noise, (x, i) => 1000 + 400 * Math.sin((2 * Math.PI * i) / steps) + 10 * x);
    const spike = steps * 5 + 100;
    values[spike] -= 150; // looks normal for the level of the day, not for this time of day
    const r = runDetector('seasonal', { severity: 'ramp' }, { stepMs: 300_000 }, valueInput(values, 300_000));
    expect(r.severity[spike]).toBe(1);
    expect(r.statistic[spike]).toBeLessThan(0);
    expect(countWhere(r.severity, (s, i) => i !== spike && s > 0.2)).toBeLessThanOrEqual(3);
    expect(invariantViolation(r)).toBeUndefined();
  });

  it('missing history and tolerance', () => {
    const values = [1, NaN, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4];
    const r = runDetector(
      'seasonal',
      { severity: 'ramp', season: 4, seasons: 1, window: 4, warmup: 1 },
      opts,
      valueInput(values)
    );
    expect(r.status[1]).toBe(POINT_MISSING);
    expect(r.status[5]).toBe(POINT_WARMING_UP); // nothing one season ago
    const tol = runDetector(
      'seasonal',
      { severity: 'ramp', season: 4, seasons: 1, window: 4, warmup: 1, tolerance: 1 },
      opts,
      valueInput(values)
    );
    expect(tol.support[5]).toBe(2); // x[0] and x[2] (x[1] missing)
    expect(tol.expected[5]).toBe(2);
  });

  it('direction', () => {
    const values = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 40];
    const run = (direction: 'up' | 'down') =>
      runDetector(
        'seasonal',
        { severity: 'ramp', season: 4, seasons: 2, window: 4, warmup: 3 },
        { ...opts, direction },
        valueInput(values)
      );
    expect(run('up').severity[11]).toBe(1);
    expect(run('down').severity[11]).toBe(0);
  });
});
