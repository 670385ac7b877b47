/** @jest-environment node */
import { SIGNAL_KINDS } from '../../types';
import { ANOMALY_SHAPES } from './anomalies';
import { detectionInGoal, injectionExclusion, shapeExclusion } from './applicability';
import { NOISE_SHAPES } from './noise';

describe('applicability', () => {
  it('measures every kind on every shape except a timestamp gauge read from histogram buckets', () => {
    const excluded = SIGNAL_KINDS.flatMap((k) =>
      NOISE_SHAPES.filter((s) => shapeExclusion(k, s)).map((s) => `${k}/${s}`)
    );
    expect(excluded).toEqual(['staleness/histogram_quantile']);
  });

  it('injects distribution shifts only where a distribution is observed', () => {
    const measured = SIGNAL_KINDS.filter((k) => !injectionExclusion(k, 'gaussian', 'distribution_shift'));
    expect(measured.sort()).toEqual(['calibration', 'histogram_drift']);
  });

  it('injects stalls into staleness everywhere and into value kinds only on rate-like shapes', () => {
    for (const s of NOISE_SHAPES) {
      expect(injectionExclusion('staleness', s, 'stall')).toBe(shapeExclusion('staleness', s));
    }
    const stalledValueShapes = NOISE_SHAPES.filter((s) => !injectionExclusion('robust_z', s, 'stall'));
    expect(stalledValueShapes).toEqual(['poisson_low', 'counter_resets']);
  });

  it('gives a reason for every exclusion and measures spikes and level shifts everywhere', () => {
    for (const k of SIGNAL_KINDS) {
      for (const s of NOISE_SHAPES) {
        for (const a of ANOMALY_SHAPES) {
          const why = injectionExclusion(k, s, a);
          expect(why === undefined || why.length > 20).toBe(true);
        }
        if (!shapeExclusion(k, s)) {
          expect(injectionExclusion(k, s, 'spike')).toBeUndefined();
          expect(injectionExclusion(k, s, 'level_shift')).toBeUndefined();
        }
      }
    }
  });

  it('keeps only hard limits out of the detection goal', () => {
    expect(SIGNAL_KINDS.filter((k) => !detectionInGoal(k))).toEqual(['threshold']);
  });
});
