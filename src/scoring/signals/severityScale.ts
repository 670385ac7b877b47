/**
 * How a detector's statistic becomes severity: the self-calibrating rarity (the default for every
 * statistical kind, see rarity.ts) or a fixed smoothstep ramp from `warn` to `max` (explicit, or
 * implied when warn/max are set).
 *
 *   ramp:    s = ramp(x, warn, max)                                  (common.ts)
 *   rarity:  s = smoothstep over L = min(L_history(x), L_ideal(x))   (rarity.ts)
 *
 * `x` is the directed statistic (larger = more anomalous); `idealDecades` is the kind's −log10 tail
 * probability of x under ideal noise, per point (Infinity when the kind has no ideal model).
 *
 * Hold: the severity reported at t is the highest raw severity in (t − hold, t] (a rolling maximum
 * over time, 0 = off), so a condition whose statistic flickers around the alarm level — a 5-minute
 * error ratio whose counts wobble, a quantile that steps between bucket edges — raises one alert
 * instead of a dozen. The score still rises at the first alarm point; it only falls `hold` later.
 * PromQL has it exactly: max_over_time(severity[hold]). The history (rarity.ts) sees the raw
 * severity.
 */
import { rampSeverity } from './common';
import { RarityCalibrator, type RarityConfig } from './rarity';
import { normalQuantileUpper, normalTailDecades, twoSidedNormalTailDecades } from '../util/normalTail';

export type SeverityMode = 'rarity' | 'ramp';
export const SEVERITY_MODES: readonly SeverityMode[] = ['rarity', 'ramp'];

export type SeverityScaleConfig = (
  | { mode: 'ramp'; warn: number; max: number }
  | { mode: 'rarity'; rarity: RarityConfig }
) & {
  /** Rolling-maximum hold of the severity, in ms (0 or absent: none). */
  holdMs?: number;
};

export class SeverityScale {
  readonly mode: SeverityMode;
  private readonly warn: number;
  private readonly max: number;
  /** The calibrator in rarity mode. */
  readonly calibrator: RarityCalibrator | null;
  private readonly holdMs: number;
  /** Monotone deque of (time, severity) for the rolling maximum: severities strictly decreasing. */
  private readonly holdT: number[] = [];
  private readonly holdS: number[] = [];
  private holdHead = 0;

  constructor(cfg: SeverityScaleConfig) {
    this.mode = cfg.mode;
    this.holdMs = cfg.holdMs && cfg.holdMs > 0 ? cfg.holdMs : 0;
    if (cfg.mode === 'ramp') {
      this.warn = cfg.warn;
      this.max = cfg.max;
      this.calibrator = null;
    } else {
      this.warn = NaN;
      this.max = NaN;
      this.calibrator = new RarityCalibrator(cfg.rarity);
    }
  }

  /**
   * Severity of the directed statistic x at time t (ms). NaN in rarity mode while the history is
   * too short (the point still enters the history). Call once per judged point, in time order.
   */
  judge(t: number, x: number, idealDecades: number): number {
    const cal = this.calibrator;
    let s: number;
    if (!cal) {
      s = rampSeverity(x, this.warn, this.max);
    } else {
      cal.advance(t);
      s = cal.severity(cal.decades(x, idealDecades));
      cal.observe(x, s === s ? s : 0);
    }
    return this.holdMs > 0 && s === s ? this.held(t, s) : s;
  }

  /** The rolling maximum of the severities judged in (t − hold, t], s included. */
  private held(t: number, s: number): number {
    const { holdT, holdS } = this;
    while (holdT.length > this.holdHead && holdS[holdS.length - 1] <= s) {
      holdT.pop();
      holdS.pop();
    }
    holdT.push(t);
    holdS.push(s);
    while (holdT[this.holdHead] <= t - this.holdMs) {
      this.holdHead++;
    }
    if (this.holdHead > 1024 && this.holdHead * 2 > holdT.length) {
      holdT.splice(0, this.holdHead);
      holdS.splice(0, this.holdHead);
      this.holdHead = 0;
    }
    return holdS[this.holdHead];
  }

  /**
   * A point that cannot be judged (e.g. the baseline is warming up) still moves the block clock, so
   * the history's blocks follow time.
   */
  skip(t: number): void {
    this.calibrator?.advance(t);
  }

  /**
   * The statistic where severity starts to rise: `warn` for a ramp; for rarity the larger of the
   * history's and the ideal model's (both must call x rare), given the ideal inverse per point.
   */
  onsetStatistic(idealInverse: (pointDecades: number) => number): number {
    const cal = this.calibrator;
    if (!cal) {
      return this.warn;
    }
    const emp = cal.onsetEmpirical;
    const ideal = idealInverse(cal.onsetPointDecades);
    return emp > ideal ? emp : ideal === ideal ? ideal : emp;
  }
}

/** Ideal model of a z statistic: N(0, 1), one-sided ('up'/'down') or on |z| ('both'). */
export function zIdealDecades(x: number, twoSided: boolean): number {
  return twoSided ? twoSidedNormalTailDecades(x) : normalTailDecades(x);
}

/** Inverse of zIdealDecades. */
export function zIdealInverse(decades: number, twoSided: boolean): number {
  return normalQuantileUpper(twoSided ? decades + Math.log10(2) : decades);
}
