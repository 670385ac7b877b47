/**
 * Anomaly injectors. An injection is a per-step Condition on the generating process (never an edit
 * of the observed values), so quantisation, counters, scrapes and sampling noise act on the anomaly
 * exactly as on healthy data. The input builders say how each field moves their process.
 *
 *   shift[i]    offset of the latent location in noise units (the shape's robust σ for value
 *               series; the builders' documented unit for rates, latencies, confidences, lags)
 *   scale[i]    multiplier of the noise scale (1 = healthy)
 *   mix[i]      weight in [0, 1] of a changed distribution shape (histograms: a slow component;
 *               calibration: over-confident scores)
 *   stalled[i]  1 where the process stops (no events, no updates)
 *
 * Shapes, with the window in which an alert counts as detecting the anomaly ([start, end) plus a
 * grace period) and the step from which the input stops changing (`settled`, where the fade to ok
 * of item 3 is counted from):
 *
 *   spike               shift = +10 for 5 steps, then healthy            end = start + 5,   settled = end
 *   level_shift         shift = +4 from start on (permanent)             end = start + 240, settled = start
 *   drift               shift = 6·(i − start)/240 for 240 steps, then 6  end = start + 240, settled = end
 *   variance_change     scale = 3 from start on                          end = start + 240, settled = start
 *   distribution_shift  mix = 1 from start on                            end = start + 240, settled = start
 *   stall               stalled for 60 steps, then healthy               end = start + 60,  settled = end
 *
 * Sustained conditions are permanent: they stay anomalous for the 240-step window (4 h at 1 m) and
 * then are the new normal, which is what the fade measurement needs; a permanent condition also
 * avoids counting the return to normal as a second anomaly.
 */

export type AnomalyShape = 'spike' | 'level_shift' | 'drift' | 'variance_change' | 'distribution_shift' | 'stall';

export const ANOMALY_SHAPES: readonly AnomalyShape[] = [
  'spike',
  'level_shift',
  'drift',
  'variance_change',
  'distribution_shift',
  'stall',
];

export const INJECTION = {
  spikeUnits: 10,
  spikeSteps: 5,
  shiftUnits: 4,
  driftUnits: 6,
  driftSteps: 240,
  varianceFactor: 3,
  conditionSteps: 240,
  stallSteps: 60,
  /** Steps after the window's end in which an alert still counts as a detection. */
  graceSteps: 60,
} as const;

export interface Condition {
  shift: Float64Array;
  scale: Float64Array;
  mix: Float64Array;
  stalled: Uint8Array;
}

export interface Injection {
  anomaly: AnomalyShape;
  /** First anomalous step. */
  start: number;
  /** End (exclusive) of the anomaly window, in steps. */
  end: number;
  /** Step from which the input no longer changes (fade is counted from here). */
  settled: number;
  condition: Condition;
}

export function healthyCondition(n: number): Condition {
  return {
    shift: new Float64Array(n),
    scale: new Float64Array(n).fill(1),
    mix: new Float64Array(n),
    stalled: new Uint8Array(n),
  };
}

/** The condition of `anomaly` starting at step `start` of an n-step series. */
export function injectAnomaly(anomaly: AnomalyShape, start: number, n: number): Injection {
  if (!(start >= 0 && start < n && Number.isInteger(start))) {
    throw new Error(`injection start ${start} outside the series (0..${n - 1})`);
  }
  const c = healthyCondition(n);
  const I = INJECTION;
  let end = start + I.conditionSteps;
  let settled = start;
  switch (anomaly) {
    case 'spike':
      end = Math.min(n, start + I.spikeSteps);
      c.shift.fill(I.spikeUnits, start, end);
      settled = end;
      break;
    case 'level_shift':
      c.shift.fill(I.shiftUnits, start);
      break;
    case 'drift':
      end = start + I.driftSteps;
      for (let i = start; i < n; i++) {
        c.shift[i] = I.driftUnits * Math.min(1, (i - start) / I.driftSteps);
      }
      settled = end;
      break;
    case 'variance_change':
      c.scale.fill(I.varianceFactor, start);
      break;
    case 'distribution_shift':
      c.mix.fill(1, start);
      break;
    case 'stall':
      end = Math.min(n, start + I.stallSteps);
      c.stalled.fill(1, start, end);
      settled = end;
      break;
  }
  return { anomaly, start, end: Math.min(n, end), settled: Math.min(n, settled), condition: c };
}

/** Clamped read of a condition at a step (rows of irregular or sub-step schedules may fall past the end). */
export function conditionAt(
  c: Condition,
  step: number
): { shift: number; scale: number; mix: number; stalled: boolean } {
  const i = Math.min(c.shift.length - 1, Math.max(0, step));
  return { shift: c.shift[i], scale: c.scale[i], mix: c.mix[i], stalled: c.stalled[i] === 1 };
}
