/**
 * The measurements of the robustness suite, on one scored series. Times are epoch ms; durations
 * are reported in steps ((Δt)/step), so irregular rows measure like regular ones.
 *
 * Healthy series, over the judged period t ≥ from (after the warm-up):
 *   false-severity share = #{judged points with severity ≥ 0.5} / #{judged points}, judged = status
 *                          OK (warming-up and missing points are not judgements)
 *   alert onsets         = runs of consecutive rows with tier ≥ review whose first row is in the
 *                          period (a run that began earlier is not a new alert)
 *
 * Injected series, with the anomaly window W = [start, end + grace):
 *   detected     some row in W has tier ≥ review
 *   ttd          (time of that first row − start) / step
 *   onsets       alert runs (tier ≥ review) overlapping W: 1 is an alert that holds, more is re-firing
 *   hold share   share of rows in [first detection, end) with tier ≥ review: whether the tier holds
 *                while the condition lasts (NaN when detection came after the condition's window)
 *   fade         (t_ok − settled) / step, t_ok = the first row at or after both the settle point and
 *                the first detection from which the tier stays ok for `settleSteps`; +Infinity when
 *                that never happens before the series ends (censored); NaN when not detected
 */
import { POINT_OK } from '../../types';
import { TIER_OK, TIER_REVIEW } from '../../tiers';

export interface SeverityCount {
  judged: number;
  high: number;
}

export function highSeverityCount(
  t: Float64Array,
  severity: Float64Array,
  status: Uint8Array,
  fromMs: number,
  threshold = 0.5
): SeverityCount {
  let judged = 0;
  let high = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] >= fromMs && status[i] === POINT_OK) {
      judged++;
      if (severity[i] >= threshold) {
        high++;
      }
    }
  }
  return { judged, high };
}

/** A run of rows [start, end) with tier ≥ the minimum. */
export interface AlertRun {
  start: number;
  end: number;
}

export function alertRuns(tier: Uint8Array, minTier = TIER_REVIEW): AlertRun[] {
  const runs: AlertRun[] = [];
  let open = -1;
  for (let i = 0; i < tier.length; i++) {
    if (tier[i] >= minTier) {
      if (open < 0) {
        open = i;
      }
    } else if (open >= 0) {
      runs.push({ start: open, end: i });
      open = -1;
    }
  }
  if (open >= 0) {
    runs.push({ start: open, end: tier.length });
  }
  return runs;
}

/** Alert runs (tier ≥ minTier) whose first row lies in [fromMs, toMs). */
export function onsetsBetween(
  t: Float64Array,
  tier: Uint8Array,
  fromMs: number,
  toMs: number,
  minTier = TIER_REVIEW
): number {
  return alertRuns(tier, minTier).filter((r) => t[r.start] >= fromMs && t[r.start] < toMs).length;
}

export interface AnomalyWindow {
  startMs: number;
  /** End (exclusive) of the condition's window. */
  endMs: number;
  graceMs: number;
  /** When the input stopped changing (fade is counted from here). */
  settledMs: number;
  stepMs: number;
  /** Steps the tier must stay ok to count as faded. */
  settleSteps: number;
}

export interface InjectionOutcome {
  detected: boolean;
  ttdSteps: number;
  onsets: number;
  holdShare: number;
  fadeSteps: number;
}

export function injectionOutcome(t: Float64Array, tier: Uint8Array, w: AnomalyWindow): InjectionOutcome {
  const windowEnd = w.endMs + w.graceMs;
  let first = -1;
  for (let i = 0; i < t.length && t[i] < windowEnd; i++) {
    if (t[i] >= w.startMs && tier[i] >= TIER_REVIEW) {
      first = i;
      break;
    }
  }
  const onsets = alertRuns(tier).filter((r) => t[r.start] < windowEnd && t[r.end - 1] >= w.startMs).length;
  if (first < 0) {
    return { detected: false, ttdSteps: NaN, onsets, holdShare: NaN, fadeSteps: NaN };
  }
  let rows = 0;
  let held = 0;
  for (let i = first; i < t.length && t[i] < w.endMs; i++) {
    rows++;
    if (tier[i] >= TIER_REVIEW) {
      held++;
    }
  }
  return {
    detected: true,
    ttdSteps: (t[first] - w.startMs) / w.stepMs,
    onsets,
    holdShare: rows > 0 ? held / rows : NaN,
    fadeSteps: fadeSteps(t, tier, Math.max(w.settledMs, t[first]), w),
  };
}

function fadeSteps(t: Float64Array, tier: Uint8Array, fromMs: number, w: AnomalyWindow): number {
  const settleMs = w.settleSteps * w.stepMs;
  let okSince = NaN;
  for (let i = 0; i < t.length; i++) {
    if (t[i] < fromMs) {
      continue;
    }
    if (tier[i] !== TIER_OK) {
      okSince = NaN;
      continue;
    }
    if (okSince !== okSince) {
      okSince = t[i];
    }
    if (t[i] - okSince >= settleMs) {
      return Math.max(0, (okSince - w.settledMs) / w.stepMs);
    }
  }
  return Infinity;
}
