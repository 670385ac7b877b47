/**
 * level_shift: two-sided CUSUM (Page 1954) on a robustly standardised series, for sustained shifts
 * and slow drifts that a point-wise z misses.
 *
 *   z  = clip((x − median) / scale, ±clip)      median / scale of the trailing window (current
 *                                               point excluded), as in robust_z
 *   S⁺ = min(cap, max(0, S⁺ + z − k))           evidence of an upward shift
 *   S⁻ = min(cap, max(0, S⁻ − z − k))           evidence of a downward shift
 *   statistic = S⁺ if S⁺ ≥ S⁻ else −S⁻ ('up': S⁺, 'down': −S⁻)
 *   severity  = rarity of S in the direction against this series' own history of S (default;
 *               rarity.ts), or ramp(S in the direction, warn, max) (warn plays CUSUM's h)
 *   ideal model: for in-control N(0, 1) increments, P(S > h) ≈ exp(−2k·h) (the stationary law of
 *               a reflected random walk with drift −k, Siegmund 1985), i.e. 2k·h·log10(e) decades;
 *               autocorrelated series (means of overlapping windows …) accumulate far faster than
 *               that, which is exactly what the history corrects.
 *
 * Reset rules (documented because they shape what users see):
 * - the max(0, ·) floor is the classic CUSUM reset: in-control data drains S at k per point;
 * - S is capped at `cap` (default: `max` for a ramp, 30 for rarity), so once the rolling baseline
 *   has absorbed a shift the severity returns to 0 within about cap/k points instead of staying
 *   high for as long as it grew;
 * - z is clipped at ±clip so one huge spike (robust_z's job) adds at most clip − k;
 * - missing points and warm-up leave S unchanged (no evidence either way).
 * The baseline window keeps rolling: a shift is absorbed after about window/2 points, and a drift
 * keeps z ≈ slope·window/(2·scale) > k, so it keeps accumulating.
 */
import { Detector, DetectorResult, Direction, SignalInput } from '../types';
import {
  allocResult,
  assertInput,
  isFiniteNumber,
  RollingWindow,
  ScaleFloor,
  setBand,
  setOk,
  setWarming,
} from './common';
import { SeverityScale, type SeverityScaleConfig } from './severityScale';

const LOG10_2 = Math.log10(2);

export interface LevelShiftConfig extends ScaleFloor {
  /** Trailing baseline window for standardisation, in points. */
  window: number;
  warmup: number;
  /** CUSUM allowance (reference value) in robust standard deviations. */
  k: number;
  /** How S becomes severity. */
  severity: SeverityScaleConfig;
  /** Largest value S may take. */
  cap: number;
  /** Winsorisation of z before accumulating. */
  clip: number;
  direction: Direction;
}

export class LevelShiftDetector implements Detector {
  readonly kind = 'level_shift' as const;
  private readonly win: RollingWindow;
  private up = 0;
  private down = 0;
  private readonly scale: SeverityScale;
  /** decades of the ideal model per unit of S: 2k·log10(e). */
  private readonly idealSlope: number;

  constructor(private readonly cfg: LevelShiftConfig) {
    this.win = new RollingWindow(cfg.window);
    this.scale = new SeverityScale(cfg.severity);
    this.idealSlope = cfg.k > 0 ? 2 * cfg.k * Math.LOG10E : 0;
  }

  process(chunk: SignalInput): DetectorResult {
    assertInput(this.kind, chunk, 'value');
    const { value } = chunk;
    const res = allocResult(chunk.t);
    const { k, cap, clip, direction, warmup } = this.cfg;
    const { scale, idealSlope } = this;
    const rarity = scale.mode === 'rarity';
    const t = chunk.t;
    const win = this.win;
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      const support = win.support;
      res.support[i] = support;
      if (support >= warmup && support > 0) {
        const med = win.median();
        const spread = win.robustScale(med, this.cfg);
        setBand(res, i, med, med - k * spread, med + k * spread);
        if (isFiniteNumber(x)) {
          let z = (x - med) / spread;
          z = z !== z ? 0 : z > clip ? clip : z < -clip ? -clip : z;
          this.up = Math.min(cap, Math.max(0, this.up + z - k));
          this.down = Math.min(cap, Math.max(0, this.down - z - k));
          const d = this.magnitude(direction);
          // No ideal bound when k = 0 (the walk has no drift back to 0).
          const ideal = !rarity ? 0 : idealSlope > 0 ? idealSlope * d - (direction === 'both' ? LOG10_2 : 0) : Infinity;
          const s = scale.judge(t[i], d, ideal);
          if (s === s) {
            setOk(res, i, this.statistic(direction), s);
          } else {
            setWarming(res, i);
          }
        } else {
          scale.skip(t[i]);
        }
      } else if (isFiniteNumber(x)) {
        setWarming(res, i);
      }
      win.push(x);
    }
    return res;
  }

  /** S in the direction that counts (the larger side for 'both'). */
  private magnitude(direction: Direction): number {
    return direction === 'up' ? this.up : direction === 'down' ? this.down : this.up > this.down ? this.up : this.down;
  }

  private statistic(direction: Direction): number {
    if (direction === 'up') {
      return this.up;
    }
    if (direction === 'down') {
      return -this.down;
    }
    return this.up >= this.down ? this.up : -this.down;
  }
}
