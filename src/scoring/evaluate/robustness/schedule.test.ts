/** @jest-environment node */
import { Rng } from '../../util/prng';
import { IRREGULAR, irregularSchedule, regularSchedule } from './schedule';

describe('schedules', () => {
  it('regular: one row per step', () => {
    const s = regularSchedule(1000, 4, 60_000);
    expect(Array.from(s.t)).toEqual([1000, 61_000, 121_000, 181_000]);
    expect(Array.from(s.step)).toEqual([0, 1, 2, 3]);
    expect(s.missing.every((m) => m === 0)).toBe(true);
  });

  it('irregular: ascending jittered rows, about 1 % dropped, short missing stretches as NaN rows', () => {
    const n = 14 * 1440;
    const s = irregularSchedule(0, n, 60_000, new Rng(9));
    for (let r = 1; r < s.t.length; r++) {
      expect(s.t[r]).toBeGreaterThan(s.t[r - 1]);
    }
    for (let r = 0; r < s.t.length; r++) {
      expect(Math.abs(s.t[r] / 60_000 - s.step[r])).toBeLessThanOrEqual(IRREGULAR.jitter);
    }
    const present = s.t.length / n;
    expect(present).toBeGreaterThan(0.985);
    expect(present).toBeLessThan(0.995);
    // Stretches: runs of missing rows, 2..15 steps, about 6 a day.
    const runs: number[] = [];
    let run = 0;
    for (let r = 0; r <= s.missing.length; r++) {
      if (r < s.missing.length && s.missing[r] === 1) {
        run++;
      } else if (run > 0) {
        runs.push(run);
        run = 0;
      }
    }
    expect(runs.length).toBeGreaterThan(14 * 3);
    expect(runs.length).toBeLessThan(14 * 9);
    expect(Math.max(...runs)).toBeLessThanOrEqual(IRREGULAR.stretchMaxSteps);
  });
});
