/** @jest-environment node */
import { SIGNAL_KIND_INFO, validateSignalParams } from '../../signals/registry';
import { healthyCondition } from './anomalies';
import { shapeExclusion } from './applicability';
import { buildSignal, farUpperLimit } from './inputs';
import { NOISE_SHAPES } from './noise';
import { ALL_KINDS } from './runner';
import { SERIES_ORIGIN_MS, type SeriesContext } from './series';

const N = 1440;
const ctx: SeriesContext = { seed: 1, startMs: SERIES_ORIGIN_MS, n: N, stepMs: 60_000, condition: healthyCondition(N) };
const warmupEnd = SERIES_ORIGIN_MS + (N / 2) * 60_000;

describe('signal inputs', () => {
  it('every measured kind × shape gets the input type its detector takes, and valid params', () => {
    for (const kind of ALL_KINDS) {
      for (const shape of NOISE_SHAPES) {
        if (shapeExclusion(kind, shape)) {
          continue;
        }
        const setup = buildSignal(kind, shape, ctx, warmupEnd);
        expect(`${kind}/${shape}: ${setup.input.type}`).toBe(`${kind}/${shape}: ${SIGNAL_KIND_INFO[kind].inputType}`);
        expect(validateSignalParams(kind, setup.params, 'params')).toEqual([]);
        if (kind !== 'threshold') {
          expect(setup.params).toEqual({}); // defaults only
        }
      }
    }
  });

  it('the threshold limit is twice the largest warm-up excursion above the median, from warm-up rows only', () => {
    const t = Float64Array.from([0, 1, 2, 3, 4, 5]);
    const v = Float64Array.from([10, 11, 12, 9, NaN, 1000]);
    expect(farUpperLimit(t, v, 4.5)).toBe(11 + 2 * (12 - 11));
    expect(() => farUpperLimit(t, v, 0)).toThrow(/no finite values/);
    const setup = buildSignal('threshold', 'gaussian', ctx, warmupEnd);
    expect(setup.params.above).toBeGreaterThan(115); // 100 + 2·(≈3.5σ·5)
  });
});
