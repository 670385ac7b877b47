/**
 * A signal's severity under a changed sensitivity, from its cached severity alone (no detector
 * re-run). Shared by the attribution fixes (attributionFixes.ts) and the calibration
 * (calibrate.ts). u(s) is the inverse smoothstep (util/smoothstep.ts).
 *
 * Ramp (severity: ramp, or warn/max set): s = smoothstep((x − warn) / (max − warn)), so where
 * 0 < s < 1 the directed statistic is recovered exactly, x = warn + (max − warn)·u(s), and the
 * severity under another warn' (max kept) is s' = smoothstep((x − warn') / (max − warn')). A point at
 * s = 0 only says x <= warn and one at s = 1 only says x >= max, so the result is EXACT for every
 * point when warn <= warn' < max (s = 0 stays 0, s = 1 stays 1) and undefined below warn (a ramp
 * cannot be made more sensitive from its severities; that needs the statistic).
 *
 * Rarity (the default, signals/rarity.ts): s = smoothstep((L − L50 + h) / (2h)) over the decades of
 * rarity L, L50 = log10(rarity / block), h = SEVERITY_HALF_WIDTH_DECADES (1.5). Multiplying `rarity`
 * by f moves L50 by log10 f, so with L unchanged
 *   s' = smoothstep(u(s) − log10(f) / (2h)),
 * exact for 0 < s < 1. At the ends only a bound on L is known: s = 1 (L >= L50 + h) is kept at 1 and
 * s = 0 (L <= L50 − h) at 0. That is exact for s = 0 when f > 1 and for s = 1 when f < 1; otherwise
 * it errs one way: f > 1 may keep at 1 a point the change would lower (over-estimates severity),
 * f < 1 may keep at 0 a point the change would raise (under-estimates it).
 * "L unchanged" is the second approximation: L comes from the series' own history of block maxima,
 * and the history treats alarm blocks (a point at severity >= 0.5) apart: it holds them back while
 * the alarm lasts (RarityCalibrator). A changed severity changes which blocks are alarms, and so
 * what enters the history and when, and with it L of later points. It is second order (it moves
 * the tail fit only through the few blocks that cross 0.5, out of a 7-day history of about 2,000
 * blocks), and only re-running the detectors measures it: the calibration marks rarity changes as
 * estimates, and `npm run backtest:demo` rescores the data source with the final proposal to
 * measure the difference.
 */
import { rampSeverity } from '../signals/common';
import { SEVERITY_HALF_WIDTH_DECADES } from '../signals/rarity';
import { inverseSmoothstep, smoothstep } from '../util/smoothstep';

/** Width of the rarity severity ramp in decades (signals/rarity.ts: L50 ± 1.5). */
export const RARITY_RAMP_DECADES = 2 * SEVERITY_HALF_WIDTH_DECADES;

/**
 * Severity of a ramp signal with warn moved from `warn` to `newWarn` (max kept), from its severity
 * under the old ramp. Exact for newWarn in [warn, max): s = 0 stays 0, s = 1 stays 1.
 */
export function rampSeverityWithWarn(s: number, warn: number, max: number, newWarn: number): number {
  if (s !== s) {
    return NaN;
  }
  if (!(s > 0)) {
    return 0;
  }
  if (!(s < 1)) {
    return 1;
  }
  const x = warn + (max - warn) * inverseSmoothstep(s);
  return rampSeverity(x, newWarn, max);
}

/**
 * Severity of a rarity signal with `rarity` multiplied by `factor` (> 0), from its severity: the
 * ramp over decades moves by log10(factor). s = 1 stays 1 and s = 0 stays 0 (see the file comment).
 */
export function raritySeverityWithFactor(s: number, factor: number): number {
  if (s !== s) {
    return NaN;
  }
  if (!(s > 0)) {
    return 0;
  }
  if (!(s < 1)) {
    return 1;
  }
  return smoothstep(inverseSmoothstep(s) - Math.log10(factor) / RARITY_RAMP_DECADES);
}
