/** @jest-environment node */
import { healthyCondition, injectAnomaly, type Condition } from './anomalies';
import { SERIES_ORIGIN_MS, type SeriesContext } from './series';
import { buildTimestampInput } from './timestampSeries';

const N = 2 * 1440;
const START = 1440;
const context = (condition: Condition = healthyCondition(N)): SeriesContext => ({
  seed: 5,
  startMs: SERIES_ORIGIN_MS,
  n: N,
  stepMs: 60_000,
  condition,
});
const lags = (input: ReturnType<typeof buildTimestampInput>) =>
  Array.from(input.t, (t, i) => t / 1000 - input.value[i]);

describe('timestamp gauge', () => {
  it('healthy: the gauge never goes back and lags stay within one cadence plus the run time', () => {
    const g = buildTimestampInput('gaussian', context());
    for (let i = 1; i < g.value.length; i++) {
      expect(g.value[i]).toBeGreaterThanOrEqual(g.value[i - 1]);
    }
    const l = lags(g);
    expect(Math.min(...l)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...l)).toBeLessThan(8 * 60);
  });

  it('a stall lets the lag grow for its hour; a level shift puts the data 40 minutes behind', () => {
    const stalled = lags(buildTimestampInput('gaussian', context(injectAnomaly('stall', START, N).condition)));
    expect(stalled[START + 59]).toBeGreaterThan(55 * 60);
    const shifted = lags(buildTimestampInput('gaussian', context(injectAnomaly('level_shift', START, N).condition)));
    const late = shifted.slice(START + 120, START + 600);
    expect(Math.min(...late)).toBeGreaterThan(40 * 60);
    expect(Math.max(...late)).toBeLessThan(50 * 60);
  });

  it('counter_resets: after an exporter restart the gauge reads 0 until the next run, with NaN downtime rows', () => {
    const g = buildTimestampInput('counter_resets', context());
    expect(g.value.some((x) => x === 0)).toBe(true);
    expect(g.value.some((x) => Number.isNaN(x))).toBe(true);
  });

  it('poisson_low: event-driven updates keep lags short', () => {
    const l = lags(buildTimestampInput('poisson_low', context()));
    const sorted = [...l].sort((a, b) => a - b);
    expect(sorted[sorted.length >> 1]).toBeLessThan(3 * 60);
  });
});
