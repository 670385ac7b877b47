/**
 * histogram_drift: distance between the distribution in the current window and in a reference
 * window just before it, from Prometheus-style cumulative `le` buckets.
 *
 * Per point, bin mass = difference of adjacent cumulative edges (first bin: the first edge),
 * negative differences (rate noise) clamp to 0. Masses are summed per bin over the current window
 * (last `window` points) and the reference window (the `reference` points before it). Bins empty in
 * both windows are dropped; the rest become probabilities, floored at `floor` and renormalised, so
 * an empty bin on one side gives a large but finite divergence.
 *
 *   psi       = Σ (p − q)·ln(p / q)                      (population stability index)
 *   js        = ½ Σ p·log₂(p/m) + ½ Σ q·log₂(q/m), m = (p+q)/2   (Jensen–Shannon divergence, in [0,1])
 *   hellinger = sqrt(1 − Σ sqrt(p·q))                    (Hellinger distance, in [0,1])
 *
 * With finite counts the divergence is positive even without drift. Its expectation under "no
 * drift" follows from χ² ≈ (B − 1)(1/N_cur + 1/N_ref) (B = non-empty bins): psi ≈ χ², js ≈ χ²/(8 ln 2),
 * hellinger ≈ sqrt(χ²/8). That noise level is reported as `expected`. Severity is that of the excess
 * e = statistic − expected: by default its rarity in this series' own history (rarity.ts), with
 * the ideal model psi/c ~ χ²_{B−1}, c = 1/N_cur + 1/N_ref (multinomial sampling; real traffic is
 * overdispersed, which the history corrects); or ramp(e, warn, max). Band = [0, expected + e₀],
 * e₀ = the excess where severity starts to rise.
 *
 * Status: fewer than `minCount` observations in the reference window or fewer than `warmup` valid
 * reference points → POINT_WARMING_UP; fewer than `minCount` in the current window → POINT_MISSING
 * (too little data to judge, never a silent 0). A chunk with a different bucket layout resets the
 * state (the windows must compare identical layouts). Direction does not apply.
 */
import { BucketInput, Detector, DetectorResult, SignalInput } from '../types';
import {
  allocResult,
  assertInput,
  isFiniteNumber,
  setBand,
  setOk,
  setWarming,
  TwoWindowSums,
} from './common';
import { chiSquareQuantileAtZ, chiSquareTailDecades, normalQuantileUpper } from '../util/normalTail';
import { SeverityScale, type SeverityScaleConfig } from './severityScale';

export type DriftMetric = 'psi' | 'js' | 'hellinger';
export const DRIFT_METRICS: readonly DriftMetric[] = ['psi', 'js', 'hellinger'];

/** Default severity ramps per metric, chosen to be roughly equivalent (psi ≈ 8·js·ln2 ≈ 8·hellinger²). */
export const DRIFT_METRIC_DEFAULTS: Record<DriftMetric, { warn: number; max: number }> = {
  psi: { warn: 0.1, max: 0.5 },
  js: { warn: 0.02, max: 0.1 },
  hellinger: { warn: 0.1, max: 0.25 },
};

export interface HistogramDriftConfig {
  window: number;
  reference: number;
  metric: DriftMetric;
  severity: SeverityScaleConfig;
  minCount: number;
  floor: number;
  warmup: number;
}

/**
 * Bin masses of one point from cumulative counts into `out`; false if any count is missing.
 * Shared with the calibration detector.
 */
export function binMasses(cumulative: Float64Array[], i: number, out: Float64Array, offset = 0): boolean {
  let prev = 0;
  for (let b = 0; b < cumulative.length; b++) {
    const c = cumulative[b][i];
    if (!isFiniteNumber(c)) {
      return false;
    }
    const mass = c - prev;
    out[offset + b] = mass > 0 ? mass : 0;
    prev = c > prev ? c : prev; // keep the cumulative monotone so one bad edge does not shift two bins
  }
  return true;
}

/** The divergence between two count vectors after dropping empty bins, flooring and normalising. */
export function divergence(metric: DriftMetric, cur: ArrayLike<number>, ref: ArrayLike<number>, floor: number): number {
  let nCur = 0;
  let nRef = 0;
  for (let b = 0; b < cur.length; b++) {
    nCur += cur[b];
    nRef += ref[b];
  }
  // Normalisers after flooring.
  let zCur = 0;
  let zRef = 0;
  for (let b = 0; b < cur.length; b++) {
    if (cur[b] + ref[b] > 0) {
      zCur += Math.max(cur[b] / nCur, floor);
      zRef += Math.max(ref[b] / nRef, floor);
    }
  }
  let acc = 0;
  for (let b = 0; b < cur.length; b++) {
    if (!(cur[b] + ref[b] > 0)) {
      continue;
    }
    const p = Math.max(cur[b] / nCur, floor) / zCur;
    const q = Math.max(ref[b] / nRef, floor) / zRef;
    if (metric === 'psi') {
      acc += (p - q) * Math.log(p / q);
    } else if (metric === 'js') {
      const m = (p + q) / 2;
      acc += 0.5 * p * Math.log2(p / m) + 0.5 * q * Math.log2(q / m);
    } else {
      acc += Math.sqrt(p * q);
    }
  }
  if (metric === 'hellinger') {
    return Math.sqrt(Math.max(0, 1 - acc));
  }
  return Math.max(0, acc);
}

/** The PSI a divergence corresponds to (psi ≈ 8·ln2·js ≈ 8·hellinger², see the file comment). */
export function psiEquivalent(metric: DriftMetric, d: number): number {
  return metric === 'psi' ? d : metric === 'js' ? 8 * Math.LN2 * d : 8 * d * d;
}

/** Inverse of psiEquivalent. */
export function fromPsiEquivalent(metric: DriftMetric, psi: number): number {
  return metric === 'psi' ? psi : metric === 'js' ? psi / (8 * Math.LN2) : Math.sqrt(Math.max(0, psi) / 8);
}

/** Expected divergence without drift at these sample sizes (see the file comment). */
export function driftNoiseFloor(metric: DriftMetric, bins: number, nCur: number, nRef: number): number {
  const chi2 = Math.max(0, bins - 1) * (1 / nCur + 1 / nRef);
  return metric === 'psi' ? chi2 : metric === 'js' ? chi2 / (8 * Math.LN2) : Math.sqrt(chi2 / 8);
}

export class HistogramDriftDetector implements Detector {
  readonly kind = 'histogram_drift' as const;
  private layout: Float64Array | null = null;
  private sums: TwoWindowSums | null = null;
  private masses: Float64Array = new Float64Array(0);
  private readonly scale: SeverityScale;
  /** Rarity: the normal deviate of the severity onset (per point), for the ideal χ² band. */
  private readonly onsetZ: number;

  constructor(private readonly cfg: HistogramDriftConfig) {
    this.scale = new SeverityScale(cfg.severity);
    const cal = this.scale.calibrator;
    this.onsetZ = cal ? normalQuantileUpper(cal.onsetPointDecades) : NaN;
  }

  process(chunk: SignalInput): DetectorResult {
    assertInput(this.kind, chunk, 'buckets');
    const res = allocResult(chunk.t);
    const sums = this.sumsFor(chunk);
    const { cumulative } = chunk;
    const { metric, minCount, floor, warmup } = this.cfg;
    const { scale } = this;
    const rarity = scale.mode === 'rarity';
    const t = chunk.t;
    const masses = this.masses;
    const bins = cumulative.length;
    for (let i = 0; i < chunk.t.length; i++) {
      const valid = bins > 0 && binMasses(cumulative, i, masses);
      sums.push(valid ? masses : null);
      res.support[i] = sums.baselineValid;
      if (!valid) {
        continue;
      }
      const nRef = total(sums.baseline);
      if (sums.baselineValid < warmup || !(nRef >= minCount) || !isFiniteNumber(nRef)) {
        setWarming(res, i);
        continue;
      }
      const nCur = total(sums.current);
      if (!(nCur >= minCount) || !isFiniteNumber(nCur)) {
        scale.skip(t[i]);
        continue; // too few observations to judge: missing, not 0
      }
      const stat = divergence(metric, sums.current, sums.baseline, floor);
      const occupied = nonEmptyBins(sums.current, sums.baseline);
      const noise = driftNoiseFloor(metric, occupied, nCur, nRef);
      const c = 1 / nCur + 1 / nRef;
      const df = occupied > 1 ? occupied - 1 : 1;
      const ideal = rarity ? chiSquareTailDecades(psiEquivalent(metric, stat) / c, df) : 0;
      const sev = scale.judge(t[i], stat - noise, ideal);
      if (sev === sev) {
        setOk(res, i, stat, sev);
      } else {
        setWarming(res, i);
      }
      const onset = rarity ? this.onsetExcess(metric, c, df, noise) : scale.onsetStatistic(() => NaN);
      setBand(res, i, noise, 0, noise + onset);
    }
    return res;
  }

  /** Rarity: the excess where severity starts to rise, the larger of the history's and the ideal's. */
  private onsetExcess(metric: DriftMetric, c: number, df: number, noise: number): number {
    const emp = this.scale.calibrator!.onsetEmpirical;
    const ideal = fromPsiEquivalent(metric, c * chiSquareQuantileAtZ(this.onsetZ, df)) - noise;
    return emp > ideal ? emp : emp === emp ? ideal : NaN;
  }

  /** The sliding sums for this chunk's layout; a new layout starts over. */
  private sumsFor(chunk: BucketInput): TwoWindowSums {
    if (chunk.cumulative.length !== chunk.le.length) {
      throw new Error('histogram_drift detector: cumulative must have one series per le bound');
    }
    if (!this.sums || !this.layout || !sameLayout(this.layout, chunk.le)) {
      this.layout = Float64Array.from(chunk.le);
      this.sums = new TwoWindowSums(chunk.le.length, this.cfg.window, this.cfg.reference);
      this.masses = new Float64Array(chunk.le.length);
    }
    return this.sums;
  }
}

function total(v: Float64Array): number {
  let s = 0;
  for (let b = 0; b < v.length; b++) {
    s += v[b];
  }
  return s;
}

function nonEmptyBins(a: Float64Array, b: Float64Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] + b[i] > 0) {
      n++;
    }
  }
  return n;
}

export function sameLayout(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}
