/** @jest-environment node */
import { Rng } from '../../util/prng';
import { AR1_PHI, DAY_MS, NOISE_SHAPES, profileFactor, SHAPE_TRAITS, standardNoise, weekendWeight } from './noise';

const ORIGIN = Date.UTC(2024, 0, 1); // a Monday

function robustScale(x: Float64Array): number {
  const s = Float64Array.from(x).sort();
  const med = s[s.length >> 1];
  const dev = Float64Array.from(x, (v) => Math.abs(v - med)).sort();
  return 1.4826 * dev[dev.length >> 1];
}

describe('noise drivers', () => {
  it.each(['gaussian', 'student_t2', 'ar1'] as const)('%s has robust scale 1 and median 0', (driver) => {
    const z = standardNoise(driver, 100_000, new Rng(3));
    expect(robustScale(z)).toBeCloseTo(1, 1);
    expect(Float64Array.from(z).sort()[50_000]).toBeCloseTo(0, 1);
  });

  it('ar1 is autocorrelated with φ at lag 1; gaussian is not', () => {
    const lag1 = (z: Float64Array) => {
      let num = 0;
      let den = 0;
      for (let i = 1; i < z.length; i++) {
        num += z[i] * z[i - 1];
        den += z[i] * z[i];
      }
      return num / den;
    };
    expect(lag1(standardNoise('ar1', 50_000, new Rng(4)))).toBeCloseTo(AR1_PHI, 1);
    expect(Math.abs(lag1(standardNoise('gaussian', 50_000, new Rng(4))))).toBeLessThan(0.02);
  });

  it('student_t2 has far heavier tails than gaussian at the same robust scale', () => {
    const beyond = (z: Float64Array, k: number) => z.filter((v) => Math.abs(v) > k).length / z.length;
    expect(beyond(standardNoise('student_t2', 100_000, new Rng(5)), 8)).toBeGreaterThan(0.005);
    expect(beyond(standardNoise('gaussian', 100_000, new Rng(5)), 8)).toBe(0);
  });

  it('every shape has traits', () => {
    for (const shape of NOISE_SHAPES) {
      expect(SHAPE_TRAITS[shape]).toBeDefined();
    }
  });
});

describe('profiles', () => {
  it('none is flat; daily peaks at 15:00 and bottoms at 03:00 UTC', () => {
    expect(profileFactor('none', ORIGIN + 12_345_678, ORIGIN)).toBe(1);
    const at = (h: number) => profileFactor('daily', ORIGIN + h * 3_600_000, ORIGIN);
    expect(at(15)).toBeCloseTo(1.25, 6);
    expect(at(3)).toBeCloseTo(0.75, 6);
  });

  it('the weekly profile is lower on weekends, continuous over Sunday→Monday, and trends up', () => {
    expect(weekendWeight(6)).toBeGreaterThan(0.99);
    expect(weekendWeight(2.5)).toBeLessThan(0.01);
    expect(weekendWeight(6.9999)).toBeCloseTo(weekendWeight(0), 3);
    const noon = (day: number) => profileFactor('daily_weekly_trend', ORIGIN + day * DAY_MS + 12 * 3_600_000, ORIGIN);
    expect(noon(5) / noon(3)).toBeLessThan(0.85); // Saturday vs Thursday
    expect(noon(9) / noon(2)).toBeCloseTo(1.035, 2); // a week later: +0.5 % a day
  });
});
