/**
 * Which kind × noise shape and kind × shape × anomaly combinations the suite measures, and why the
 * others are not meaningful. Every exclusion carries its reason, printed with the results, so a
 * gap in the table is never silent.
 *
 * Hard limits (`threshold`) are measured under injections but kept out of the detection goal: they
 * are absolute by design and catch only what crosses the limit, which the suite sets far from
 * healthy values.
 */
import type { SignalKind } from '../../types';
import type { AnomalyShape } from './anomalies';
import type { NoiseShape } from './noise';

const VALUE_KINDS: readonly SignalKind[] = ['robust_z', 'seasonal', 'level_shift', 'threshold'];
const RATE_LIKE_SHAPES: readonly NoiseShape[] = ['poisson_low', 'counter_resets'];

/** Why a kind is not measured on a shape, or undefined when it is. */
export function shapeExclusion(kind: SignalKind, shape: NoiseShape): string | undefined {
  if (kind === 'staleness' && shape === 'histogram_quantile') {
    return 'a *_timestamp_seconds gauge is not read from histogram buckets';
  }
  return undefined;
}

/** Why an anomaly is not injected for a kind on a shape, or undefined when it is. */
export function injectionExclusion(kind: SignalKind, shape: NoiseShape, anomaly: AnomalyShape): string | undefined {
  const shapeReason = shapeExclusion(kind, shape);
  if (shapeReason) {
    return shapeReason;
  }
  switch (anomaly) {
    case 'distribution_shift':
      if (VALUE_KINDS.includes(kind) || kind === 'ratio') {
        return 'one number a step: the location and spread of its distribution are the level_shift and variance_change injections';
      }
      if (kind === 'staleness') {
        return 'a timestamp gauge has no distribution to shift';
      }
      return undefined;
    case 'variance_change':
      if (kind === 'calibration') {
        return 'a calibrated model with more variable confidences is still calibrated: nothing to detect';
      }
      if (kind === 'staleness') {
        return 'more jitter in run times is no staleness incident unless it delays updates (level_shift, stall)';
      }
      return undefined;
    case 'stall':
      if (kind === 'staleness') {
        return undefined;
      }
      if (kind === 'threshold') {
        return 'a stall lowers the value and the limit is an upper one';
      }
      if (kind === 'ratio' || kind === 'histogram_drift' || kind === 'calibration') {
        return "no events: the detector reports the points as missing (data that stopped is the staleness kind's job)";
      }
      if (shape === 'histogram_quantile') {
        return 'no requests: histogram_quantile returns NaN, the points are missing (staleness / absent)';
      }
      if (!RATE_LIKE_SHAPES.includes(shape)) {
        return 'a stuck gauge keeps reporting its last value, inside its band (staleness on a timestamp gauge catches it)';
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Whether a kind's detection rates count towards the suite's detection goal (min_detection_rate). */
export function detectionInGoal(kind: SignalKind): boolean {
  return kind !== 'threshold';
}
