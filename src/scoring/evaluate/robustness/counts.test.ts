/** @jest-environment node */
import { healthyCondition } from './anomalies';
import { countRows, type CountModel } from './counts';
import { regularSchedule, type Schedule } from './schedule';
import { SERIES_ORIGIN_MS, type SeriesContext } from './series';

const STEP = 60_000;
const context = (n: number): SeriesContext => ({
  seed: 1,
  startMs: SERIES_ORIGIN_MS,
  n,
  stepMs: STEP,
  condition: healthyCondition(n),
});
/** Ten events a step, spread evenly in time, on counter 0; counter 1 counts the step index. */
const evenModel: CountModel = (step, from, to, out) => {
  out[0] += (10 * (to - from)) / STEP;
  out[1] += step;
};

describe('countRows', () => {
  it('direct: one step of events per row', () => {
    const ctx = context(5);
    const rows = countRows('direct', ctx, regularSchedule(ctx.startMs, 5, STEP), 2, evenModel, 'test');
    expect(Array.from(rows.counts[0])).toEqual([10, 10, 10, 10, 10]);
    expect(Array.from(rows.counts[1])).toEqual([0, 1, 2, 3, 4]);
  });

  it('irregular: counts since the previous row, NaN in stretches, one step after a stretch', () => {
    const ctx = context(6);
    const s0 = ctx.startMs;
    const schedule: Schedule = {
      t: Float64Array.from([s0, s0 + 2 * STEP, s0 + 3 * STEP, s0 + 4 * STEP, s0 + 5.5 * STEP]),
      step: Int32Array.from([0, 2, 3, 4, 5]),
      missing: Uint8Array.from([0, 0, 1, 0, 0]),
    };
    const rows = countRows('irregular', ctx, schedule, 2, evenModel, 'test');
    // row 1 follows a dropped scrape (2 steps); row 2 is in a stretch; row 3 only its own step.
    expect(Array.from(rows.counts[0])).toEqual([10, 20, NaN, 10, 15]);
  });

  it('counter: PromQL increase per step recovers the events, except around restarts', () => {
    const ctx = context(3 * 1440);
    const rows = countRows('counter', ctx, regularSchedule(ctx.startMs, ctx.n, STEP), 2, evenModel, 'test');
    const c = Array.from(rows.counts[0]);
    const finite = c.filter(Number.isFinite).sort((a, b) => a - b);
    expect(finite[finite.length >> 1]).toBeCloseTo(10, 6);
    expect(finite.length).toBeGreaterThan(c.length * 0.99);
    expect(finite[0]).toBeLessThan(9); // a window with a restart lost increments
  });
});
