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
 */
import { rampSeverity } from './common';
import { RarityCalibrator, type RarityConfig } from './rarity';
import { normalQuantileUpper, normalTailDecades, twoSidedNormalTailDecades } from '../util/normalTail';

export type SeverityMode = 'rarity' | 'ramp';
export const SEVERITY_MODES: readonly SeverityMode[] = ['rarity', 'ramp'];

export type SeverityScaleConfig =
  | { mode: 'ramp'; warn: number; max: number }
  | { mode: 'rarity'; rarity: RarityConfig };

export class SeverityScale {
  readonly mode: SeverityMode;
  private readonly warn: number;
  private readonly max: number;
  /** The calibrator in rarity mode. */
  readonly calibrator: RarityCalibrator | null;

  constructor(cfg: SeverityScaleConfig) {
    this.mode = cfg.mode;
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
    if (!cal) {
      return rampSeverity(x, this.warn, this.max);
    }
    cal.advance(t);
    const s = cal.severity(cal.decades(x, idealDecades));
    cal.observe(x, s === s ? s : 0);
    return s;
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
