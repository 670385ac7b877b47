/**
 * level_shift: two-sided CUSUM (Page 1954) on a robustly standardised series, for sustained shifts
 * and slow drifts that a point-wise z misses.
 *
 *   z  = clip((x − median) / scale, ±clip)      median / scale of the trailing window (current
 *                                               point excluded), as in robust_z
 *   S⁺ = min(cap, max(0, S⁺ + z − k))           evidence of an upward shift
 *   S⁻ = min(cap, max(0, S⁻ − z − k))           evidence of a downward shift
 *   statistic = S⁺ if S⁺ ≥ S⁻ else −S⁻ ('up': S⁺, 'down': −S⁻)
 *   severity  = ramp(S in the direction, warn, max)       (warn plays the role of CUSUM's h)
 *
 * Reset rules (documented because they shape what users see):
 * - the max(0, ·) floor is the classic CUSUM reset: in-control data drains S at k per point;
 * - S is capped at `max` (cap), so once the rolling baseline has absorbed a shift the severity
 *   returns to 0 within (max − warn)/k points instead of staying high for as long as it grew;
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
  rampSeverity,
  RollingWindow,
  ScaleFloor,
  setBand,
  setOk,
  setWarming,
} from './common';

export interface LevelShiftConfig extends ScaleFloor {
  /** Trailing baseline window for standardisation, in points. */
  window: number;
  warmup: number;
  /** CUSUM allowance (reference value) in robust standard deviations. */
  k: number;
  /** CUSUM value where severity starts (CUSUM's decision interval h). */
  warn: number;
  /** CUSUM value where severity reaches 1; also the cap on S. */
  max: number;
  /** Winsorisation of z before accumulating. */
  clip: number;
  direction: Direction;
}

export class LevelShiftDetector implements Detector {
  readonly kind = 'level_shift' as const;
  private readonly win: RollingWindow;
  private up = 0;
  private down = 0;

  constructor(private readonly cfg: LevelShiftConfig) {
    this.win = new RollingWindow(cfg.window);
  }

  process(chunk: SignalInput): DetectorResult {
    assertInput(this.kind, chunk, 'value');
    const { value } = chunk;
    const res = allocResult(chunk.t);
    const { k, warn, max, clip, direction, warmup } = this.cfg;
    const cap = max > warn ? max : warn;
    const win = this.win;
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      const support = win.support;
      res.support[i] = support;
      if (support >= warmup && support > 0) {
        const med = win.median();
        const scale = win.robustScale(med, this.cfg);
        setBand(res, i, med, med - k * scale, med + k * scale);
        if (isFiniteNumber(x)) {
          let z = (x - med) / scale;
          z = z !== z ? 0 : z > clip ? clip : z < -clip ? -clip : z;
          this.up = Math.min(cap, Math.max(0, this.up + z - k));
          this.down = Math.min(cap, Math.max(0, this.down - z - k));
          setOk(res, i, this.statistic(direction), this.severity(direction, warn, max));
        }
      } else if (isFiniteNumber(x)) {
        setWarming(res, i);
      }
      win.push(x);
    }
    return res;
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

  private severity(direction: Direction, warn: number, max: number): number {
    const up = direction === 'down' ? 0 : rampSeverity(this.up, warn, max);
    const down = direction === 'up' ? 0 : rampSeverity(this.down, warn, max);
    return up > down ? up : down;
  }
}
