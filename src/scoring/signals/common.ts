/**
 * Building blocks shared by the detectors: result allocation, the severity ramp, a rolling robust
 * baseline (median / MAD over a trailing window) and sliding sums over a current + baseline window.
 */
import {
  DetectorResult,
  Direction,
  POINT_MISSING,
  POINT_OK,
  POINT_WARMING_UP,
  SignalInput,
  SignalKind,
} from '../types';
import { SortedWindow } from '../util/sortedWindow';

/** 1 / Φ⁻¹(3/4): turns a MAD into a standard deviation for normal data. */
export const MAD_TO_SIGMA = 1.482602218505602;
/** sqrt(π/2): turns a mean absolute deviation into a standard deviation for normal data. */
export const MEAN_ABS_DEV_TO_SIGMA = 1.2533141373155003;
/** Φ⁻¹(0.95): the 90th percentile of |N(0, 1)|. */
export const NORMAL_Q95 = 1.6448536269514722;

/** Allocates a result for `n` points, every point missing (NaN everywhere) until filled in. */
export function allocResult(t: Float64Array): DetectorResult {
  const n = t.length;
  const res: DetectorResult = {
    t: t.slice(),
    statistic: new Float64Array(n).fill(NaN),
    severity: new Float64Array(n).fill(NaN),
    expected: new Float64Array(n).fill(NaN),
    lower: new Float64Array(n).fill(NaN),
    upper: new Float64Array(n).fill(NaN),
    support: new Float64Array(n),
    status: new Uint8Array(n).fill(POINT_MISSING),
  };
  return res;
}

/** Marks point i as judged. Severity must be a number in [0, 1]. */
export function setOk(res: DetectorResult, i: number, statistic: number, severity: number): void {
  res.status[i] = POINT_OK;
  res.statistic[i] = statistic;
  res.severity[i] = severity;
}

export function setWarming(res: DetectorResult, i: number): void {
  res.status[i] = POINT_WARMING_UP;
}

export function setBand(res: DetectorResult, i: number, expected: number, lower: number, upper: number): void {
  res.expected[i] = expected;
  res.lower[i] = lower;
  res.upper[i] = upper;
}

/**
 * The severity ramp used by every detector: 0 up to `warn`, 1 from `max`, smoothstep in between
 * (s = u²(3 − 2u), u = (x − warn) / (max − warn)). Monotone, C¹-smooth, s(Inf) = 1. If
 * max <= warn it is a step at warn. A NaN input (only possible from Inf − Inf) maps to 0.
 */
export function rampSeverity(x: number, warn: number, max: number): number {
  if (!(x > warn)) {
    return 0;
  }
  if (!(max > warn) || x >= max) {
    return 1;
  }
  const u = (x - warn) / (max - warn);
  return u * u * (3 - 2 * u);
}

/** Magnitude of a signed statistic in the direction that counts (up: x, down: -x, both: |x|). */
export function directed(x: number, direction: Direction): number {
  return direction === 'up' ? x : direction === 'down' ? -x : Math.abs(x);
}

export function isFiniteNumber(x: number): boolean {
  return x - x === 0; // false for NaN and ±Infinity; faster than Number.isFinite on hot paths
}

export function assertInput<T extends SignalInput['type']>(
  kind: SignalKind,
  chunk: SignalInput,
  type: T
): asserts chunk is Extract<SignalInput, { type: T }> {
  if (!chunk || chunk.type !== type) {
    throw new Error(`${kind} detector expects '${type}' input, got '${chunk ? chunk.type : chunk}'`);
  }
}

/** Robust spread floors shared by robust_z, seasonal and level_shift. */
export interface ScaleFloor {
  /** Fraction of |centre| below which the scale never falls (e.g. 0.01 = 1% of the level). */
  minScaleRel: number;
  /** Absolute minimum scale, in input units. */
  minScale: number;
}

/**
 * A trailing window of the last `width` positions. Missing values (NaN/±Inf) occupy a position
 * (so the window spans a fixed time) but never enter the sorted multiset: they cannot poison it.
 */
export class RollingWindow {
  private readonly ring: Float64Array;
  private pos = 0;
  readonly sorted: SortedWindow;

  constructor(readonly width: number) {
    this.ring = new Float64Array(width).fill(NaN);
    this.sorted = new SortedWindow(width);
  }

  /** Number of valid values in the window. */
  get support(): number {
    return this.sorted.size;
  }

  push(x: number): void {
    const old = this.ring[this.pos];
    const valid = isFiniteNumber(x);
    this.ring[this.pos] = valid ? x : NaN;
    this.pos = this.pos + 1 === this.width ? 0 : this.pos + 1;
    const oldValid = old === old;
    if (oldValid && valid) {
      this.sorted.replace(old, x);
    } else if (oldValid) {
      this.sorted.remove(old);
    } else if (valid) {
      this.sorted.insert(x);
    }
  }

  median(): number {
    return this.sorted.median();
  }

  /**
   * Robust standard deviation around `centre`: 1.4826·MAD; when more than half the window equals
   * the centre (MAD = 0, e.g. error counts that are mostly 0) fall back to 1.2533·mean absolute
   * deviation; never below minScaleRel·|centre| + minScale, so a flat series does not divide by 0.
   */
  robustScale(centre: number, floor: ScaleFloor, tieAware = false): number {
    let scale = MAD_TO_SIGMA * this.sorted.medianAbsDeviation(centre);
    if (tieAware) {
      scale = scale > 0 ? (this.lastScale = scale) : this.tiedScale(centre);
    } else if (!(scale > 0)) {
      scale = MEAN_ABS_DEV_TO_SIGMA * this.sorted.meanAbsDeviation(centre);
    }
    const min = floor.minScaleRel * Math.abs(centre) + floor.minScale;
    return scale > min ? scale : min;
  }

  /** Last positive spread (tie-aware mode), carried over windows that are all one value. */
  private lastScale = NaN;

  /**
   * The spread of a window whose median absolute deviation is 0 (more than half of it equals the
   * centre: a quantile on a bucket edge, counts that are mostly 0), used by the rarity severity:
   * - the 90th percentile of |x − centre| / Φ⁻¹(0.95) when at least 10 % of the window moves (for a
   *   quantised series, about one quantisation step: a step to the next bucket edge is |z| ≈ 1.6,
   *   not the hundreds a tiny mean deviation would make of it);
   * - else 1.2533·mean absolute deviation (a few values off the centre);
   * - else (the window is one value) the last positive spread of this kind: a quiet hour does not
   *   make the noise 0, and the first count after it is not a billion robust deviations.
   */
  private tiedScale(centre: number): number {
    const n = this.sorted.size;
    let scale = n > 0 ? this.sorted.kthAbsDeviation(centre, Math.floor(0.9 * (n - 1))) / NORMAL_Q95 : NaN;
    if (!(scale > 0)) {
      scale = MEAN_ABS_DEV_TO_SIGMA * this.sorted.meanAbsDeviation(centre);
    }
    if (scale > 0) {
      this.lastScale = scale;
      return scale;
    }
    return this.lastScale;
  }
}

/**
 * Per-channel sums over two adjacent sliding windows: the `current` window (the last `currentLen`
 * positions, including the newest) and the `baseline` window (the `baselineLen` positions before
 * it). A push of `null` marks a missing position. Running sums are re-summed exactly from the ring
 * every (currentLen + baselineLen) pushes so floating-point drift from add/subtract stays bounded;
 * the schedule depends only on the push count, so any chunking gives bit-identical sums.
 */
export class TwoWindowSums {
  readonly current: Float64Array;
  readonly baseline: Float64Array;
  currentValid = 0;
  baselineValid = 0;
  private readonly ring: Float64Array;
  private readonly valid: Uint8Array;
  private readonly len: number;
  private pushed = 0;

  constructor(
    readonly channels: number,
    readonly currentLen: number,
    readonly baselineLen: number
  ) {
    this.len = currentLen + baselineLen;
    this.current = new Float64Array(channels);
    this.baseline = new Float64Array(channels);
    this.ring = new Float64Array(channels * this.len);
    this.valid = new Uint8Array(this.len);
  }

  push(values: Float64Array | null): void {
    const { channels, ring, valid, len, current, baseline } = this;
    const n = this.pushed;
    const slot = n % len;
    if (n >= len && valid[slot]) {
      // The oldest position leaves the baseline window.
      for (let c = 0, o = slot * channels; c < channels; c++) {
        baseline[c] -= ring[o + c];
      }
      this.baselineValid--;
    }
    if (n >= this.currentLen) {
      // The position currentLen back moves from the current window into the baseline window.
      const moving = (n - this.currentLen) % len;
      if (valid[moving]) {
        for (let c = 0, o = moving * channels; c < channels; c++) {
          current[c] -= ring[o + c];
          baseline[c] += ring[o + c];
        }
        this.currentValid--;
        this.baselineValid++;
      }
    }
    const o = slot * channels;
    if (values) {
      for (let c = 0; c < channels; c++) {
        ring[o + c] = values[c];
        current[c] += values[c];
      }
      valid[slot] = 1;
      this.currentValid++;
    } else {
      valid[slot] = 0;
    }
    this.pushed = n + 1;
    if (this.pushed % len === 0) {
      this.resum();
    }
  }

  /** Exact re-summation, oldest position first. */
  private resum(): void {
    const { channels, ring, valid, len, current, baseline } = this;
    current.fill(0);
    baseline.fill(0);
    const newest = this.pushed - 1;
    for (let age = len - 1; age >= 0; age--) {
      const idx = newest - age;
      if (idx < 0) {
        continue;
      }
      const slot = idx % len;
      if (!valid[slot]) {
        continue;
      }
      const target = age < this.currentLen ? current : baseline;
      for (let c = 0, o = slot * channels; c < channels; c++) {
        target[c] += ring[o + c];
      }
    }
  }
}
