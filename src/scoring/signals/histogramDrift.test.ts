/** @jest-environment node */
import { POINT_MISSING, POINT_OK, POINT_WARMING_UP } from '../types';
import { binMasses, divergence, driftNoiseFloor } from './histogramDrift';
import { createDetector, runDetector } from './registry';
import { bucketInput, invariantViolation, STEP_MS } from './testHelpers';

const opts = { stepMs: STEP_MS };
const LE = [1, 2, Infinity];
// Bin masses 50/30/20 (cumulative 50, 80, 100) and 20/30/50 (cumulative 20, 50, 100).
const REF_ROW = [50, 80, 100];
const CUR_ROW = [20, 50, 100];

describe('histogram_drift', () => {
  it('known answers for psi, js and hellinger (p = .2/.3/.5, q = .5/.3/.2)', () => {
    const p = [20, 30, 50];
    const q = [50, 30, 20];
    // psi = (0.2-0.5) ln(0.4) + 0 + (0.5-0.2) ln(2.5) = 0.6 ln 2.5
    expect(divergence('psi', p, q, 1e-12)).toBeCloseTo(0.6 * Math.log(2.5), 12);
    expect(divergence('psi', p, q, 1e-12)).toBeCloseTo(0.549774439124493, 12);
    // js (base 2), m = .35/.3/.35: 0.2 log2(0.2/0.35) + 0.5 log2(0.5/0.35)
    expect(divergence('js', p, q, 1e-12)).toBeCloseTo(0.09581560200335826, 12);
    // hellinger = sqrt(1 - (2 sqrt(0.1) + 0.3))
    expect(divergence('hellinger', p, q, 1e-12)).toBeCloseTo(0.2598931856865897, 12);
    expect(divergence('psi', p, p, 1e-4)).toBe(0);
  });

  it('bin masses come from differences of adjacent cumulative edges', () => {
    const out = new Float64Array(3);
    const cum = [Float64Array.of(50), Float64Array.of(80), Float64Array.of(100)];
    expect(binMasses(cum, 0, out)).toBe(true);
    expect(Array.from(out)).toEqual([50, 30, 20]);
    // a decreasing edge (rate noise) clamps to 0 instead of going negative
    const noisy = [Float64Array.of(50), Float64Array.of(45), Float64Array.of(100)];
    binMasses(noisy, 0, out);
    expect(Array.from(out)).toEqual([50, 0, 50]);
    expect(binMasses([Float64Array.of(NaN)], 0, out)).toBe(false);
  });

  it('known answer through the detector: noise floor subtracted before the ramp', () => {
    const r = runDetector(
      'histogram_drift',
      { severity: 'ramp', window: 1, reference: 1, warmup: 1, minCount: 50, warn: 0.1, max: 1 },
      opts,
      bucketInput(LE, [REF_ROW, CUR_ROW])
    );
    expect(r.status[0]).toBe(POINT_WARMING_UP);
    expect(r.severity[0]).toBeNaN();
    expect(r.status[1]).toBe(POINT_OK);
    expect(r.statistic[1]).toBeCloseTo(0.549774439124493, 12);
    expect(r.expected[1]).toBeCloseTo(0.04, 15); // (3 - 1) * (1/100 + 1/100)
    expect(r.upper[1]).toBeCloseTo(0.14, 15);
    // ramp(0.549774 - 0.04, 0.1, 1) = smoothstep(0.455305)
    expect(r.severity[1]).toBeCloseTo(0.43313596866154436, 10);
  });

  it('empty bins are floored: finite divergence when a bin is empty on one side', () => {
    const d = divergence('psi', [50, 50], [100, 0], 1e-4);
    expect(Number.isFinite(d)).toBe(true);
    expect(d).toBeGreaterThan(2);
    // bins empty in both windows are ignored
    expect(divergence('psi', [20, 0, 30, 50], [50, 0, 30, 20], 1e-4)).toBeCloseTo(
      divergence('psi', [20, 30, 50], [50, 30, 20], 1e-4),
      12
    );
  });

  it('below minCount the point is missing (current) or warming up (reference), never 0', () => {
    const few = [2, 3, 5];
    const r = runDetector(
      'histogram_drift',
      { severity: 'ramp', window: 1, reference: 2, warmup: 1, minCount: 100 },
      opts,
      bucketInput(LE, [REF_ROW, few, REF_ROW, few, CUR_ROW])
    );
    // point 1: reference = point 0 (100 observations): judged? current has 10 < 100 -> missing
    expect(r.status[1]).toBe(POINT_MISSING);
    expect(r.severity[1]).toBeNaN();
    // point 2: reference = points 0..1 (110), current 100 -> ok
    expect(r.status[2]).toBe(POINT_OK);
    // point 4: reference = points 2..3 (110), current = CUR_ROW -> ok and drifted
    expect(r.status[4]).toBe(POINT_OK);
    expect(r.severity[4]).toBeGreaterThan(0.5);
    const warming = runDetector(
      'histogram_drift',
      { severity: 'ramp', window: 1, reference: 1, warmup: 1, minCount: 100 },
      opts,
      bucketInput(LE, [few, CUR_ROW])
    );
    expect(warming.status[1]).toBe(POINT_WARMING_UP);
  });

  it('no drift at large counts gives severity 0; sampling noise at moderate counts stays below warn', () => {
    const rows = [REF_ROW.map((x) => x * 100), [5010, 7990, 10000]];
    const r = runDetector(
      'histogram_drift',
      { severity: 'ramp', window: 1, reference: 1, warmup: 1 },
      opts,
      bucketInput(LE, rows)
    );
    expect(r.severity[1]).toBe(0);
    expect(r.statistic[1]).toBeGreaterThan(0);
    expect(driftNoiseFloor('hellinger', 3, 100, 100)).toBeCloseTo(Math.sqrt(0.04 / 8), 15);
  });

  it('a new bucket layout resets the state; missing buckets are missing', () => {
    const det = createDetector(
      'histogram_drift',
      { severity: 'ramp', window: 1, reference: 1, warmup: 1, minCount: 10 },
      opts
    );
    det.process(bucketInput(LE, [REF_ROW]));
    const same = det.process(bucketInput(LE, [CUR_ROW]));
    expect(same.status[0]).toBe(POINT_OK);
    const other = det.process(bucketInput([1, 5, Infinity], [CUR_ROW, [NaN, 1, 2]]));
    expect(other.status[0]).toBe(POINT_WARMING_UP);
    expect(other.status[1]).toBe(POINT_MISSING);
    expect(invariantViolation(other)).toBeUndefined();
  });
});
