/**
 * The input of each signal kind from a noise shape, with the params the suite gives it:
 *
 *   robust_z, seasonal, level_shift   valueSeries.ts        params {} (the kind's defaults)
 *   threshold                         valueSeries.ts        params { above: L } — a hard limit needs
 *                                                           one; L = m + 2·(max − m) over the warm-up
 *                                                           rows (m = their median): twice the largest
 *                                                           healthy excursion, far from healthy values
 *   ratio                             ratioSeries.ts        params {}
 *   histogram_drift                   bucketSeries.ts       params {}
 *   calibration                       calibrationSeries.ts  params {}
 *   staleness                         timestampSeries.ts    params {}
 * Directions are never set: the engine applies the kind's default (up for ratio and calibration,
 * both for the value kinds), and every injection moves its process up (more errors, slower, later,
 * less accurate) except stall.
 */
import type { SignalInput, SignalKind } from '../../types';
import { buildBucketInput } from './bucketSeries';
import { buildCalibrationInput } from './calibrationSeries';
import type { NoiseShape } from './noise';
import { buildRatioInput } from './ratioSeries';
import type { SeriesContext } from './series';
import { buildTimestampInput } from './timestampSeries';
import { buildValueInput } from './valueSeries';

export interface SignalSetup {
  input: SignalInput;
  /** Params beyond the kind's defaults (only threshold's limit). */
  params: Record<string, unknown>;
}

/** Upper limit twice the largest healthy excursion above the median, over values before `untilMs`. */
export function farUpperLimit(t: Float64Array, value: Float64Array, untilMs: number): number {
  const healthy: number[] = [];
  for (let i = 0; i < t.length && t[i] < untilMs; i++) {
    if (Number.isFinite(value[i])) {
      healthy.push(value[i]);
    }
  }
  if (healthy.length === 0) {
    throw new Error('farUpperLimit: no finite values before the end of the warm-up');
  }
  healthy.sort((a, b) => a - b);
  const median = healthy[Math.floor(healthy.length / 2)];
  const max = healthy[healthy.length - 1];
  return median + 2 * Math.max(max - median, Math.abs(median) * 1e-3, 1e-9);
}

export function buildSignal(kind: SignalKind, shape: NoiseShape, ctx: SeriesContext, warmupEndMs: number): SignalSetup {
  switch (kind) {
    case 'robust_z':
    case 'seasonal':
    case 'level_shift':
      return { input: buildValueInput(shape, ctx), params: {} };
    case 'threshold': {
      const input = buildValueInput(shape, ctx);
      return { input, params: { above: farUpperLimit(input.t, input.value, warmupEndMs) } };
    }
    case 'ratio':
      return { input: buildRatioInput(shape, ctx), params: {} };
    case 'histogram_drift':
      return { input: buildBucketInput(shape, ctx), params: {} };
    case 'calibration':
      return { input: buildCalibrationInput(shape, ctx), params: {} };
    case 'staleness':
      return { input: buildTimestampInput(shape, ctx), params: {} };
  }
}
