/** @jest-environment node */
import { healthyCondition, injectAnomaly, type Condition } from './anomalies';
import { NOISE_SHAPES } from './noise';
import { IRREGULAR } from './schedule';
import { SERIES_ORIGIN_MS, type SeriesContext } from './series';
import { buildValueInput } from './valueSeries';

const N = 3 * 1440;
const START = 2 * 1440;
const context = (condition: Condition = healthyCondition(N), seed = 1): SeriesContext => ({
  seed,
  startMs: SERIES_ORIGIN_MS,
  n: N,
  stepMs: 60_000,
  condition,
});
const medianOf = (x: ArrayLike<number>) => {
  const s = Array.from(x)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return s[s.length >> 1];
};

describe('value series', () => {
  it.each(NOISE_SHAPES)('%s: ascending times and a healthy prefix identical under an injection', (shape) => {
    const healthy = buildValueInput(shape, context());
    for (let i = 1; i < healthy.t.length; i++) {
      expect(healthy.t[i]).toBeGreaterThan(healthy.t[i - 1]);
    }
    const shifted = buildValueInput(shape, context(injectAnomaly('level_shift', START, N).condition));
    // Rows of the anomaly's first step may be jittered up to 0.3 step before its time.
    const cut = healthy.t.findIndex((t) => t >= SERIES_ORIGIN_MS + (START - IRREGULAR.jitter) * 60_000);
    expect(Array.from(shifted.value.slice(0, cut))).toEqual(Array.from(healthy.value.slice(0, cut)));
    expect(medianOf(shifted.value.slice(cut))).toBeGreaterThan(medianOf(healthy.value.slice(cut)));
  });

  it('healthy levels are what the header says', () => {
    expect(medianOf(buildValueInput('gaussian', context()).value)).toBeCloseTo(100, 0);
    expect(medianOf(buildValueInput('counter_resets', context()).value)).toBeCloseTo(20, 0);
    const counts = buildValueInput('poisson_low', context()).value;
    expect(counts.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0) / counts.length).toBeCloseTo(2, 1);
    // histogram_quantile interpolates inside coarse buckets: the p99 lies in (0.25, 1], never on a
    // continuum below the 0.25 edge.
    const q = buildValueInput('histogram_quantile', context()).value;
    expect(q.every((x) => x > 0.25 && x <= 1)).toBe(true);
    const irregular = buildValueInput('irregular_scrapes', context());
    expect(irregular.t.length).toBeLessThan(N);
    expect(irregular.value.some((x) => Number.isNaN(x))).toBe(true);
  });

  it('a stall drops a rate to 0 and freezes a gauge', () => {
    const stall = injectAnomaly('stall', START, N).condition;
    const rate = buildValueInput('counter_resets', context(stall)).value;
    expect(rate[START + 30]).toBe(0);
    const gauge = buildValueInput('gaussian', context(stall)).value;
    expect(gauge[START + 30]).toBe(gauge[START - 1]);
    expect(buildValueInput('poisson_low', context(stall)).value[START + 30]).toBe(0);
  });

  it('a variance change widens the spread and keeps the level', () => {
    const wide = buildValueInput('gaussian', context(injectAnomaly('variance_change', START, N).condition)).value;
    const spread = (x: Float64Array) => {
      const m = medianOf(x);
      return medianOf(Float64Array.from(x, (v) => Math.abs(v - m)));
    };
    expect(spread(wide.slice(START)) / spread(wide.slice(0, START))).toBeCloseTo(3, 0);
    expect(medianOf(wide.slice(START))).toBeCloseTo(100, -1);
  });
});
