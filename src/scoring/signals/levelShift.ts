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
 * Autocorrelation (rarity only; a ramp keeps the legacy CUSUM): a CUSUM assumes independent
 * increments. On an autocorrelated series (a mean over overlapping windows, an AR(1) wander, a
 * daily cycle the rolling median does not remove) the sum of z grows like an independent sum of
 * (1 + ρ)/(1 − ρ) times the variance, so healthy noise alone pins S at its cap and nothing is
 * rarer than the cap. So the increments are z/f, f = sqrt((1 + ρ)/(1 − ρ)) (the long-run standard
 * deviation of an AR(1) with lag-1 autocorrelation ρ). ρ comes from the first differences, whose
 * variance is 2σ²(1 − ρ) for an AR(1) of marginal spread σ:
 *   σ_Δ = sqrt(π/2)·mean|x_t − x_{t−1}|  over consecutive valid pairs of the trailing window
 *   ρ = clamp(1 − σ_Δ² / (2·scale²), 0, 0.99)          (0 until 30 pairs)
 * A level shift is one large difference among a window of them, so it barely moves mean|Δx|, while
 * an estimate from the autocorrelation of z itself would call the shift "perfectly correlated noise"
 * and cancel its own evidence. White noise gives σ_Δ² ≈ 2σ², ρ ≈ 0, f ≈ 1.
 * A slow wander under white noise (a mean prediction score whose traffic mix shifts over hours)
 * hides from the lag-1 estimate, so f is also at least the batch-means estimate of the long-run
 * deviation (the standard estimator for a CUSUM on dependent data): z is averaged over batches of
 * B = window/24 points, and with N_b valid points a batch's N_b·mean² is χ²₁·f² under the null, so
 *   f_batch² = median over the last 24 batches of N_b·mean_b² / 0.4549   (median of χ²₁)
 * The median keeps a shift (a few batches) from inflating f; 6 batches are needed first.
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
  TwoWindowSums,
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
  /** Scale the increments by the long-run deviation of autocorrelated z (see the file comment). */
  correctAutocorrelation: boolean;
  direction: Direction;
}

/** Pairs needed before the autocorrelation is estimated. */
const MIN_PAIRS = 30;
const MAX_RHO = 0.99;
/** Batches of z over the window, and how many are needed before they count. */
const BATCHES = 24;
const MIN_BATCHES = 6;
/** Median of χ² with one degree of freedom. */
const CHI2_1_MEDIAN = 0.45493642311957;
/** sqrt(π/2): mean |N(0, σ²)| · sqrt(π/2) = σ. */
const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);

export class LevelShiftDetector implements Detector {
  readonly kind = 'level_shift' as const;
  private readonly win: RollingWindow;
  private up = 0;
  private down = 0;
  private readonly scale: SeverityScale;
  /** decades of the ideal model per unit of S: 2k·log10(e). */
  private readonly idealSlope: number;
  /** Sum of |x_t − x_{t−1}| over the consecutive valid pairs of the trailing window. */
  private readonly diffs: TwoWindowSums | null;
  private readonly diff = new Float64Array(1);
  private prevX = NaN;
  /** Batch means of z: the batch being summed, and N·mean² of the last BATCHES batches. */
  private readonly batchLen: number;
  private batchSum = 0;
  private batchValid = 0;
  private batchPushed = 0;
  private readonly batchScores: RollingWindow | null;

  constructor(private readonly cfg: LevelShiftConfig) {
    this.win = new RollingWindow(cfg.window);
    this.diffs = cfg.correctAutocorrelation ? new TwoWindowSums(1, cfg.window, 1) : null;
    this.batchLen = Math.max(10, Math.round(cfg.window / BATCHES));
    this.batchScores = cfg.correctAutocorrelation ? new RollingWindow(BATCHES) : null;
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
        const spread = win.robustScale(med, this.cfg, rarity);
        setBand(res, i, med, med - k * spread, med + k * spread);
        if (isFiniteNumber(x)) {
          let z = (x - med) / spread;
          z = z !== z ? 0 : z > clip ? clip : z < -clip ? -clip : z;
          const step = this.diffs ? z / this.inflation(spread) : z;
          this.pushBatch(z);
          this.up = Math.min(cap, Math.max(0, this.up + step - k));
          this.down = Math.min(cap, Math.max(0, this.down - step - k));
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
      if (!(support >= warmup && support > 0 && isFiniteNumber(x))) {
        this.pushBatch(NaN);
      }
      this.pushDiff(x);
      win.push(x);
    }
    return res;
  }

  /** f = sqrt((1 + ρ)/(1 − ρ)) from the differences so far (the current point not included). */
  private inflation(spread: number): number {
    const diffs = this.diffs!;
    if (diffs.currentValid < MIN_PAIRS || !(spread > 0)) {
      return 1;
    }
    const sigmaDiff = SQRT_HALF_PI * (diffs.current[0] / diffs.currentValid);
    let rho = 1 - (sigmaDiff * sigmaDiff) / (2 * spread * spread);
    rho = rho > MAX_RHO ? MAX_RHO : rho > 0 ? rho : 0;
    const lag1 = (1 + rho) / (1 - rho);
    const batches = this.batchScores!;
    const batch = batches.support >= MIN_BATCHES ? batches.median() / CHI2_1_MEDIAN : 0;
    return Math.sqrt(lag1 > batch ? lag1 : batch);
  }

  /** z (NaN: a position without one) joins the current batch; a full batch enters the window. */
  private pushBatch(z: number): void {
    const batches = this.batchScores;
    if (!batches) {
      return;
    }
    if (z === z) {
      this.batchSum += z;
      this.batchValid++;
    }
    if (++this.batchPushed === this.batchLen) {
      const n = this.batchValid;
      batches.push(n * 2 >= this.batchLen ? (this.batchSum * this.batchSum) / n : NaN);
      this.batchSum = 0;
      this.batchValid = 0;
      this.batchPushed = 0;
    }
  }

  /** |x_t − x_{t−1}| enters the trailing sums when both points are valid. */
  private pushDiff(x: number): void {
    const diffs = this.diffs;
    if (!diffs) {
      return;
    }
    const valid = isFiniteNumber(x);
    const prev = this.prevX;
    if (valid && prev === prev) {
      this.diff[0] = Math.abs(x - prev);
      diffs.push(this.diff);
    } else {
      diffs.push(null);
    }
    this.prevX = valid ? x : NaN;
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
