/** @jest-environment node */
import { healthyCondition, injectAnomaly, type Condition } from './anomalies';
import { normalCdf } from './latency';
import { buildRatioInput } from './ratioSeries';
import { SERIES_ORIGIN_MS, type SeriesContext } from './series';

const N = 2 * 1440;
const START = 1440;
const context = (condition: Condition = healthyCondition(N)): SeriesContext => ({
  seed: 2,
  startMs: SERIES_ORIGIN_MS,
  n: N,
  stepMs: 60_000,
  condition,
});
const pooled = (num: Float64Array, den: Float64Array, from = 0, to = num.length) => {
  let a = 0;
  let b = 0;
  for (let i = from; i < to; i++) {
    if (Number.isFinite(num[i]) && Number.isFinite(den[i])) {
      a += num[i];
      b += den[i];
    }
  }
  return { ratio: a / b, perRow: b / (to - from) };
};

describe('ratio series', () => {
  it('gaussian: about 600 requests a step at a 1 % error rate; errors never exceed requests', () => {
    const r = buildRatioInput('gaussian', context());
    const p = pooled(r.num, r.den);
    expect(p.perRow).toBeCloseTo(600, -1);
    expect(p.ratio).toBeGreaterThan(0.009);
    expect(p.ratio).toBeLessThan(0.012);
    expect(r.num.every((x, i) => x <= r.den[i])).toBe(true);
  });

  it('poisson_low has about 4 requests a step; histogram_quantile counts requests slower than 0.25 s', () => {
    expect(
      pooled(...(({ num, den }) => [num, den] as const)(buildRatioInput('poisson_low', context()))).perRow
    ).toBeCloseTo(4, 0);
    const slow = buildRatioInput('histogram_quantile', context());
    const expected = 1 - normalCdf(Math.log(0.25 / 0.12) / 0.5);
    expect(pooled(slow.num, slow.den).ratio).toBeCloseTo(expected, 1);
  });

  it('a level shift raises the error rate after the start only; a stall stops the traffic', () => {
    const shifted = buildRatioInput('ar1', context(injectAnomaly('level_shift', START, N).condition));
    const healthy = buildRatioInput('ar1', context());
    expect(Array.from(shifted.den.slice(0, START))).toEqual(Array.from(healthy.den.slice(0, START)));
    const before = pooled(shifted.num, shifted.den, 0, START).ratio;
    const after = pooled(shifted.num, shifted.den, START, N).ratio;
    expect(after / before).toBeGreaterThan(2); // +4 units of 0.25 in logit: odds ×e
    const stalled = buildRatioInput('gaussian', context(injectAnomaly('stall', START, N).condition));
    expect(stalled.den[START + 10]).toBe(0);
  });
});
