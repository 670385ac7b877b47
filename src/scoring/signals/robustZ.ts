/**
 * robust_z: how far a point lies from the rolling median of the trailing window (current point
 * excluded), in robust standard deviations (1.4826·MAD, see RollingWindow.robustScale).
 *
 *   z = (x − median) / scale          statistic
 *   s = ramp(directed(z), warn, max)  severity (smoothstep from |z| = warn to |z| = max)
 *   expected = median, band = median ± warn·scale (the values with severity 0 in 'both' mode)
 */
import { Detector, DetectorResult, Direction, SignalInput } from '../types';
import {
  allocResult,
  assertInput,
  directed,
  isFiniteNumber,
  rampSeverity,
  RollingWindow,
  ScaleFloor,
  setBand,
  setOk,
  setWarming,
} from './common';

export interface RobustZConfig extends ScaleFloor {
  /** Trailing window, in points (current point excluded). */
  window: number;
  /** Valid points the window must hold before judging. */
  warmup: number;
  /** |z| where severity starts to rise. */
  warn: number;
  /** |z| where severity reaches 1. */
  max: number;
  direction: Direction;
}

export class RobustZDetector implements Detector {
  readonly kind = 'robust_z' as const;
  private readonly win: RollingWindow;

  constructor(private readonly cfg: RobustZConfig) {
    this.win = new RollingWindow(cfg.window);
  }

  process(chunk: SignalInput): DetectorResult {
    assertInput(this.kind, chunk, 'value');
    const { value } = chunk;
    const res = allocResult(chunk.t);
    const { warn, max, direction, warmup } = this.cfg;
    const win = this.win;
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      const support = win.support;
      res.support[i] = support;
      if (support >= warmup && support > 0) {
        const med = win.median();
        const scale = win.robustScale(med, this.cfg);
        setBand(res, i, med, med - warn * scale, med + warn * scale);
        if (isFiniteNumber(x)) {
          let z = (x - med) / scale;
          if (z !== z) {
            z = 0; // Inf/Inf with values near ±1.8e308: no usable evidence either way
          }
          setOk(res, i, z, rampSeverity(directed(z, direction), warn, max));
        }
      } else if (isFiniteNumber(x)) {
        setWarming(res, i);
      }
      win.push(x);
    }
    return res;
  }
}
