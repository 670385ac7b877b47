/**
 * robust_z: how far a point lies from the rolling median of the trailing window (current point
 * excluded), in robust standard deviations (1.4826·MAD, see RollingWindow.robustScale).
 *
 *   z = (x − median) / scale          statistic
 *   severity = rarity of directed(z) against this series' own history (default, rarity.ts; ideal
 *              model z ~ N(0, 1)), or ramp(directed(z), warn, max) with a fixed ramp
 *   expected = median, band = median ± z₀·scale, z₀ = the |z| where severity starts to rise
 */
import { Detector, DetectorResult, Direction, SignalInput } from '../types';
import {
  allocResult,
  assertInput,
  directed,
  isFiniteNumber,
  RollingWindow,
  ScaleFloor,
  setBand,
  setOk,
  setWarming,
} from './common';
import { SeverityScale, zIdealDecades, zIdealInverse, type SeverityScaleConfig } from './severityScale';

export interface RobustZConfig extends ScaleFloor {
  /** Trailing window, in points (current point excluded). */
  window: number;
  /** Valid points the window must hold before judging. */
  warmup: number;
  /** How the directed z becomes severity. */
  severity: SeverityScaleConfig;
  direction: Direction;
}

export class RobustZDetector implements Detector {
  readonly kind = 'robust_z' as const;
  private readonly win: RollingWindow;
  private readonly scale: SeverityScale;
  private readonly twoSided: boolean;
  /** The onset |z| that does not move: warn for a ramp, the ideal model's for rarity. */
  private readonly fixedOnset: number;

  constructor(private readonly cfg: RobustZConfig) {
    this.win = new RollingWindow(cfg.window);
    this.scale = new SeverityScale(cfg.severity);
    this.twoSided = cfg.direction === 'both';
    const twoSided = this.twoSided;
    this.fixedOnset = this.scale.onsetStatistic((d) => zIdealInverse(d, twoSided));
  }

  process(chunk: SignalInput): DetectorResult {
    assertInput(this.kind, chunk, 'value');
    const { value, t } = chunk;
    const res = allocResult(t);
    const { direction, warmup } = this.cfg;
    const { win, scale, twoSided } = this;
    const rarity = scale.mode === 'rarity';
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      const support = win.support;
      res.support[i] = support;
      if (support >= warmup && support > 0) {
        const med = win.median();
        const spread = win.robustScale(med, this.cfg, rarity);
        if (isFiniteNumber(x)) {
          let z = (x - med) / spread;
          if (z !== z) {
            z = 0; // Inf/Inf with values near ±1.8e308: no usable evidence either way
          }
          const d = directed(z, direction);
          const s = scale.judge(t[i], d, rarity ? zIdealDecades(d, twoSided) : 0);
          if (s === s) {
            setOk(res, i, z, s);
          } else {
            setWarming(res, i);
          }
        } else {
          scale.skip(t[i]);
        }
        const z0 = rarity ? this.onset() : this.fixedOnset;
        if (z0 === z0) {
          setBand(res, i, med, med - z0 * spread, med + z0 * spread);
        } else {
          setBand(res, i, med, NaN, NaN);
        }
      } else if (isFiniteNumber(x)) {
        setWarming(res, i);
      }
      win.push(x);
    }
    return res;
  }

  /** The |z| where severity starts to rise now: the larger of the history's and the ideal's. */
  private onset(): number {
    const emp = this.scale.calibrator!.onsetEmpirical;
    return emp > this.fixedOnset ? emp : emp === emp ? this.fixedOnset : NaN;
  }
}
