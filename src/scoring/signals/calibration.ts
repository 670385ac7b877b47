/**
 * calibration: expected calibration error (ECE) of a classifier from a confidence histogram and
 * the same histogram restricted to correct predictions (both cumulative per `le`).
 *
 * Per bin b (masses from adjacent edges, summed over the trailing `window` points):
 *   n_b = predictions, c_b = correct ones (clamped to [0, n_b]),
 *   conf_b = bin midpoint: lower edge 0 for the first bin, upper edge 1 for the +Inf bin (and any
 *            edge above 1), so le = [0.5, 0.9, +Inf] gives midpoints 0.25, 0.7, 0.95,
 *   acc_b = c_b / n_b,
 *   ECE = Σ_b (n_b / N)·|acc_b − conf_b| = (1/N)·Σ_b |c_b − n_b·conf_b|              statistic
 * expected = the ECE of the `baseline` window before the current one (reference 'baseline'), or 0
 * (reference 'absolute': judge the gap itself, not its change).
 *
 * A perfectly calibrated model still shows ECE > 0 from sampling noise, about
 * noise = (1/N)·Σ_b sqrt(2/π · n_b·conf_b·(1 − conf_b)) (the mean of a half-normal per bin), with
 * standard deviation sd = (1/N)·sqrt((1 − 2/π)·Σ_b n_b·conf_b·(1 − conf_b)) (plus the baseline
 * window's, in quadrature, when judging a change). Severity is that of the excess
 * e = directed(ECE − expected) − noise: by default its rarity in this series' own history
 * (rarity.ts; ideal model e/sd ~ N(0, 1) one-sided), or ramp(e, warn, max). Default direction 'up'
 * (getting worse). Band = expected ∓ (noise + e₀), lower ≥ 0, e₀ = the excess where severity rises.
 *
 * Status: current window with fewer than `minCount` predictions → POINT_MISSING; in 'baseline'
 * mode, a baseline with fewer than `minCount` predictions or `warmup` valid points → WARMING_UP.
 */
import { CalibrationInput, Detector, DetectorResult, Direction, SignalInput } from '../types';
import {
  allocResult,
  assertInput,
  directed,
  isFiniteNumber,
  setBand,
  setOk,
  setWarming,
  TwoWindowSums,
} from './common';
import { normalQuantileUpper, normalTailDecades } from '../util/normalTail';
import { SeverityScale, type SeverityScaleConfig } from './severityScale';
import { binMasses, sameLayout } from './histogramDrift';

export type CalibrationReference = 'baseline' | 'absolute';
export const CALIBRATION_REFERENCES: readonly CalibrationReference[] = ['baseline', 'absolute'];

export interface CalibrationConfig {
  window: number;
  baseline: number;
  reference: CalibrationReference;
  severity: SeverityScaleConfig;
  minCount: number;
  warmup: number;
  direction: Direction;
}

/** Confidence midpoints of the bins of an `le` layout (see the file comment). */
export function binMidpoints(le: ArrayLike<number>): Float64Array {
  const mid = new Float64Array(le.length);
  let lower = 0;
  for (let b = 0; b < le.length; b++) {
    const upper = Math.min(1, le[b]);
    mid[b] = (lower + upper) / 2;
    lower = upper;
  }
  return mid;
}

/** ECE from per-bin counts laid out as [n_0 … n_{B−1}, c_0 … c_{B−1}]. NaN when N = 0. */
export function expectedCalibrationError(counts: ArrayLike<number>, mid: ArrayLike<number>): number {
  const bins = mid.length;
  let n = 0;
  let gap = 0;
  for (let b = 0; b < bins; b++) {
    const nb = Math.max(0, counts[b]);
    const cb = Math.min(nb, Math.max(0, counts[bins + b]));
    n += nb;
    gap += Math.abs(cb - nb * mid[b]);
  }
  return n > 0 ? gap / n : NaN;
}

/** Expected ECE of a perfectly calibrated model at these bin counts (normal approximation). */
export function calibrationNoise(counts: ArrayLike<number>, mid: ArrayLike<number>): number {
  const bins = mid.length;
  let n = 0;
  let acc = 0;
  for (let b = 0; b < bins; b++) {
    const nb = Math.max(0, counts[b]);
    n += nb;
    acc += Math.sqrt((2 / Math.PI) * nb * mid[b] * (1 - mid[b]));
  }
  return n > 0 ? acc / n : NaN;
}

/** Variance of the ECE of a perfectly calibrated model at these bin counts (half-normal terms). */
export function calibrationNoiseVariance(counts: ArrayLike<number>, mid: ArrayLike<number>): number {
  const bins = mid.length;
  let n = 0;
  let acc = 0;
  for (let b = 0; b < bins; b++) {
    const nb = Math.max(0, counts[b]);
    n += nb;
    acc += (1 - 2 / Math.PI) * nb * mid[b] * (1 - mid[b]);
  }
  return n > 0 ? acc / (n * n) : NaN;
}

function predictions(counts: Float64Array, bins: number): number {
  let n = 0;
  for (let b = 0; b < bins; b++) {
    n += Math.max(0, counts[b]);
  }
  return n;
}

export class CalibrationDetector implements Detector {
  readonly kind = 'calibration' as const;
  private layout: Float64Array | null = null;
  private sums: TwoWindowSums | null = null;
  private mid: Float64Array = new Float64Array(0);
  private counts: Float64Array = new Float64Array(0);
  private readonly scale: SeverityScale;
  /** Rarity: the normal deviate of the severity onset (per point), for the ideal band. */
  private readonly onsetZ: number;

  constructor(private readonly cfg: CalibrationConfig) {
    this.scale = new SeverityScale(cfg.severity);
    const cal = this.scale.calibrator;
    this.onsetZ = cal ? normalQuantileUpper(cal.onsetPointDecades) : NaN;
  }

  process(chunk: SignalInput): DetectorResult {
    assertInput(this.kind, chunk, 'calibration');
    const res = allocResult(chunk.t);
    const sums = this.sumsFor(chunk);
    const { reference, minCount, warmup, direction } = this.cfg;
    const { scale } = this;
    const rarity = scale.mode === 'rarity';
    const t = chunk.t;
    const { mid, counts } = this;
    const bins = mid.length;
    for (let i = 0; i < chunk.t.length; i++) {
      const valid = bins > 0 && binMasses(chunk.total, i, counts, 0) && binMasses(chunk.correct, i, counts, bins);
      if (valid) {
        for (let b = 0; b < bins; b++) {
          counts[bins + b] = Math.min(counts[b], counts[bins + b]);
        }
      }
      sums.push(valid ? counts : null);
      res.support[i] = sums.baselineValid;
      if (!valid) {
        continue;
      }
      let expected = 0;
      let baseVariance = 0;
      if (reference === 'baseline') {
        const nBase = predictions(sums.baseline, bins);
        if (sums.baselineValid < warmup || !(nBase >= minCount) || !isFiniteNumber(nBase)) {
          setWarming(res, i);
          continue;
        }
        expected = expectedCalibrationError(sums.baseline, mid);
        baseVariance = rarity ? calibrationNoiseVariance(sums.baseline, mid) : 0;
      }
      const nCur = predictions(sums.current, bins);
      if (!(nCur >= minCount) || !isFiniteNumber(nCur)) {
        scale.skip(t[i]);
        continue; // too few predictions to judge: missing, not 0
      }
      const ece = expectedCalibrationError(sums.current, mid);
      const noise = calibrationNoise(sums.current, mid);
      const excess = directed(ece - expected, direction) - noise;
      const sd = rarity ? Math.sqrt(calibrationNoiseVariance(sums.current, mid) + baseVariance) : NaN;
      const ideal = rarity ? (sd > 0 ? normalTailDecades(excess / sd) : Infinity) : 0;
      const sev = scale.judge(t[i], excess, ideal);
      if (sev === sev) {
        setOk(res, i, ece, sev);
      } else {
        setWarming(res, i);
      }
      const onset = rarity ? this.onsetExcess(sd) : scale.onsetStatistic(() => NaN);
      setBand(res, i, expected, Math.max(0, expected - noise - onset), expected + noise + onset);
    }
    return res;
  }

  /** Rarity: the excess where severity starts to rise, the larger of the history's and the ideal's. */
  private onsetExcess(sd: number): number {
    const emp = this.scale.calibrator!.onsetEmpirical;
    const ideal = this.onsetZ * sd;
    return emp > ideal ? emp : emp === emp ? ideal : NaN;
  }

  private sumsFor(chunk: CalibrationInput): TwoWindowSums {
    const bins = chunk.le.length;
    if (chunk.total.length !== bins || chunk.correct.length !== bins) {
      throw new Error('calibration detector: total and correct must have one series per le bound');
    }
    if (!this.sums || !this.layout || !sameLayout(this.layout, chunk.le)) {
      this.layout = Float64Array.from(chunk.le);
      this.sums = new TwoWindowSums(2 * bins, this.cfg.window, this.cfg.baseline);
      this.mid = binMidpoints(chunk.le);
      this.counts = new Float64Array(2 * bins);
    }
    return this.sums;
  }
}
