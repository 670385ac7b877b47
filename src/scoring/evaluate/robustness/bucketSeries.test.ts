/** @jest-environment node */
import { healthyCondition, injectAnomaly, type Condition } from './anomalies';
import { bucketLayout, buildBucketInput } from './bucketSeries';
import { COARSE_LE, DEFAULT_LE } from './latency';
import { SERIES_ORIGIN_MS, type SeriesContext } from './series';

const N = 2 * 1440;
const START = 1440;
const context = (condition: Condition = healthyCondition(N)): SeriesContext => ({
  seed: 3,
  startMs: SERIES_ORIGIN_MS,
  n: N,
  stepMs: 60_000,
  condition,
});
/** Share of observations above the bucket edge `le` over rows [from, to). */
function shareAbove(input: ReturnType<typeof buildBucketInput>, le: number, from: number, to: number): number {
  const j = Array.from(input.le).indexOf(le);
  const last = input.cumulative.length - 1;
  let below = 0;
  let total = 0;
  for (let i = from; i < to; i++) {
    below += input.cumulative[j][i];
    total += input.cumulative[last][i];
  }
  return 1 - below / total;
}

describe('bucket series', () => {
  it('cumulative counts never decrease along le, about 300 observations a step', () => {
    const b = buildBucketInput('gaussian', context());
    expect(Array.from(b.le)).toEqual(DEFAULT_LE);
    for (let i = 0; i < N; i += 97) {
      for (let j = 1; j < b.le.length; j++) {
        expect(b.cumulative[j][i]).toBeGreaterThanOrEqual(b.cumulative[j - 1][i]);
      }
    }
    const total = b.cumulative[b.le.length - 1];
    expect(total.reduce((a, x) => a + x, 0) / N).toBeCloseTo(300, -1);
    expect(bucketLayout('histogram_quantile')).toEqual(COARSE_LE);
  });

  it('a distribution shift makes a quarter of requests slower; the prefix is untouched', () => {
    const shifted = buildBucketInput('gaussian', context(injectAnomaly('distribution_shift', START, N).condition));
    const healthy = buildBucketInput('gaussian', context());
    expect(Array.from(shifted.cumulative[5].slice(0, START))).toEqual(
      Array.from(healthy.cumulative[5].slice(0, START))
    );
    const before = shareAbove(shifted, 0.25, 0, START);
    const after = shareAbove(shifted, 0.25, START, N);
    expect(before).toBeLessThan(0.1);
    expect(after - before).toBeGreaterThan(0.15);
  });

  it('counter resets leave non-integer (extrapolated) counts', () => {
    const b = buildBucketInput('counter_resets', context());
    const last = b.cumulative[b.le.length - 1];
    expect(Array.from(last).some((x) => Number.isFinite(x) && !Number.isInteger(x))).toBe(true);
  });
});
