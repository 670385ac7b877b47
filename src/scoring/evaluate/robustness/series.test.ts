/** @jest-environment node */
import { healthyCondition } from './anomalies';
import { driverOf, scheduleOf, SERIES_ORIGIN_MS, stepOf, stepTimes, stream, type SeriesContext } from './series';

const ctx: SeriesContext = {
  seed: 1,
  startMs: SERIES_ORIGIN_MS,
  n: 100,
  stepMs: 60_000,
  condition: healthyCondition(100),
};

describe('series context', () => {
  it('starts on a Monday at midnight UTC', () => {
    const d = new Date(SERIES_ORIGIN_MS);
    expect([d.getUTCDay(), d.getUTCHours(), d.getUTCMinutes()]).toEqual([1, 0, 0]);
  });

  it('maps times to clamped nominal steps and gives the step grid', () => {
    expect(stepOf(ctx, SERIES_ORIGIN_MS + 90_000)).toBe(1);
    expect(stepOf(ctx, SERIES_ORIGIN_MS - 1)).toBe(0);
    expect(stepOf(ctx, SERIES_ORIGIN_MS + 1e9)).toBe(99);
    expect(stepTimes(ctx)[3]).toBe(SERIES_ORIGIN_MS + 180_000);
  });

  it('derives independent, reproducible streams per purpose and seed', () => {
    expect(stream(ctx, 'a').next()).toBe(stream(ctx, 'a').next());
    expect(stream(ctx, 'a').next()).not.toBe(stream(ctx, 'b').next());
    expect(stream({ ...ctx, seed: 2 }, 'a').next()).not.toBe(stream(ctx, 'a').next());
    expect(Array.from(driverOf('ar1', ctx, 'x'))).toEqual(Array.from(driverOf('ar1', ctx, 'x')));
  });

  it('uses the irregular schedule only for irregular_scrapes', () => {
    expect(scheduleOf('gaussian', ctx, 'x').t.length).toBe(100);
    expect(
      scheduleOf('irregular_scrapes', { ...ctx, n: 5000, condition: healthyCondition(5000) }, 'x').t.length
    ).toBeLessThan(5000);
  });
});
