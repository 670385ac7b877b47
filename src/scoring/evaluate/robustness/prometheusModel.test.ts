/** @jest-environment node */
import { Rng } from '../../util/prng';
import { extrapolatedDelta, histogramQuantile, rangeDelta, simulateCounters } from './prometheusModel';

describe('histogramQuantile (PromQL bucketQuantile)', () => {
  const le = [0.1, 0.5, Infinity];

  it('interpolates linearly inside the bucket that holds the rank', () => {
    expect(histogramQuantile(0.5, le, [10, 90, 100])).toBeCloseTo(0.3, 12); // 0.1 + 0.4·40/80
    expect(histogramQuantile(0.05, le, [10, 90, 100])).toBeCloseTo(0.05, 12); // first bucket from 0
  });

  it('returns the last finite bound when the rank falls in +Inf', () => {
    expect(histogramQuantile(0.99, le, [10, 90, 100])).toBe(0.5);
  });

  it('repairs non-monotone buckets and gives NaN without observations or a +Inf bucket', () => {
    expect(histogramQuantile(0.5, le, [10, 8, 100])).toBe(0.5);
    expect(histogramQuantile(0.5, le, [0, 0, 0])).toBeNaN();
    expect(histogramQuantile(0.5, [0.1, 0.5], [10, 20])).toBeNaN();
  });
});

describe('extrapolatedDelta (PromQL increase / rate)', () => {
  const t = [15_000, 30_000, 45_000, 60_000];

  it('extrapolates a regular counter to the whole range', () => {
    const v = t.map((x) => (2 * x) / 1000); // 2 per second
    expect(extrapolatedDelta(t, v, 0, 4, 60_000, 60_000, false)).toBeCloseTo(120, 9);
    expect(extrapolatedDelta(t, v, 0, 4, 60_000, 60_000, true)).toBeCloseTo(2, 9);
  });

  it('adds the value before a drop (counter reset)', () => {
    const v = [100, 130, 10, 40];
    // Δ = 40 − 100 + 130 = 70 seen increments, extrapolated by 60/45 (the first sample is 15 s in).
    expect(extrapolatedDelta(t, v, 0, 4, 60_000, 60_000, false)).toBeCloseTo(70 * (60 / 45), 9);
  });

  it('does not extrapolate below zero, and only half an interval into a gap', () => {
    const tt = [20_000, 35_000, 50_000];
    const v = [2, 32, 62];
    // dStart = 20 s ≥ 1.1·15 → 7.5, capped by the zero point 30·2/60 = 1; dEnd = 10 s stays.
    expect(extrapolatedDelta(tt, v, 0, 3, 60_000, 60_000, false)).toBeCloseTo((60 * (30 + 1 + 10)) / 30, 9);
  });

  it('gives no value with fewer than two samples', () => {
    expect(extrapolatedDelta([1000], [5], 0, 1, 60_000, 60_000, false)).toBeNaN();
    expect(
      Number.isNaN(rangeDelta(Float64Array.from([1000]), Float64Array.from([5]), [60_000], 60_000, false)[0])
    ).toBe(true);
  });

  it('rangeDelta selects the left-open window (evalT − range, evalT] at each evaluation', () => {
    const tt = Float64Array.from([0, 15_000, 30_000, 45_000, 60_000, 75_000]);
    const v = Float64Array.from(tt, (x) => x / 1000);
    const out = rangeDelta(tt, v, [60_000, 75_000], 60_000, true);
    expect(out[0]).toBeCloseTo(1, 9);
    expect(out[1]).toBeCloseTo(1, 9);
  });
});

describe('simulateCounters', () => {
  const day = 86_400_000;
  const run = (seed: number) =>
    simulateCounters({
      startMs: 0,
      endMs: 2 * day,
      counters: 1,
      scrapeMs: 15_000,
      jitterMs: 500,
      restartMeanMs: 6 * 3_600_000,
      downtimeMs: [20_000, 60_000],
      rng: new Rng(seed),
      increments: (from, to, out) => {
        out[0] += (10 * (to - from)) / 1000; // exactly 10 events a second
      },
    });

  it('resets every counter at each restart and scrapes nothing while the target is down', () => {
    const s = run(1);
    expect(s.restarts.length).toBeGreaterThanOrEqual(2);
    const v = s.values[0];
    let drops = 0;
    for (let k = 1; k < v.length; k++) {
      if (v[k] < v[k - 1]) {
        drops++;
        expect(s.t[k] - s.t[k - 1]).toBeGreaterThan(20_000); // the downtime left a hole
      }
    }
    expect(drops).toBe(s.restarts.length);
  });

  it('rate over the scrapes recovers the event rate, with dips where restarts lost increments', () => {
    const s = run(2);
    const evalTimes = Float64Array.from({ length: 2 * 1440 }, (_, i) => (i + 1) * 60_000);
    const rate = rangeDelta(s.t, s.values[0], evalTimes, 120_000, true);
    const finite = Array.from(rate)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    expect(finite[finite.length >> 1]).toBeCloseTo(10, 1);
    expect(finite[0]).toBeLessThan(9.5); // some window spans a restart's lost increments
  });
});
