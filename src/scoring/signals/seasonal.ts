/**
 * seasonal: deviation from the same phase of previous seasons (1d, 1w or any duration).
 *
 *   expected = median of x[i − j·season + d] for j = 1..seasons, d = −tolerance..tolerance
 *              (valid values only; `tolerance` absorbs small phase jitter)
 *   r = x − expected
 *   scale = 1.4826·median(|r|) over the last `window` residuals (fallback 1.2533·mean|r| when
 *           that median is 0), floored at minScaleRel·|expected| + minScale
 *   z = r / scale                               statistic
 *   severity = rarity of directed(z) in this series' history (default; ideal model z ~ N(0, 1)),
 *              or ramp(directed(z), warn, max)
 *   band = expected ± z₀·scale, z₀ = the |z| where severity starts to rise
 *
 * Residual scale comes from the residuals themselves rather than from the spread of the k seasonal
 * values, because k is small (3–5) and a spread of 3 values is noise. Support = number of
 * seasonal values the expectation rests on.
 *
 * Warm-up: until `minSeasons` seasons have a value at this phase and `warmup` residuals exist,
 * i.e. at least one season plus `warmup` points.
 */
import { Detector, DetectorResult, Direction, SignalInput } from '../types';
import {
  allocResult,
  assertInput,
  directed,
  isFiniteNumber,
  MAD_TO_SIGMA,
  MEAN_ABS_DEV_TO_SIGMA,
  RollingWindow,
  ScaleFloor,
  setBand,
  setOk,
  setWarming,
} from './common';
import { SeverityScale, zIdealDecades, zIdealInverse, type SeverityScaleConfig } from './severityScale';

export interface SeasonalConfig extends ScaleFloor {
  /** Season length, in points. */
  season: number;
  /** How many past seasons the expectation uses (k). */
  seasons: number;
  /** Seasons that must have a value at this phase before judging. */
  minSeasons: number;
  /** Phase tolerance, in points either side (< season). */
  tolerance: number;
  /** Residual window for the scale, in points. */
  window: number;
  /** Residuals required before judging. */
  warmup: number;
  severity: SeverityScaleConfig;
  direction: Direction;
}

export class SeasonalDetector implements Detector {
  readonly kind = 'seasonal' as const;
  private readonly history: Float64Array;
  private seen = 0;
  private readonly residuals: RollingWindow;
  private readonly scratch: Float64Array;
  private readonly scale: SeverityScale;
  private readonly twoSided: boolean;
  /** The onset |z| that does not move: warn for a ramp, the ideal model's for rarity. */
  private readonly fixedOnset: number;

  constructor(private readonly cfg: SeasonalConfig) {
    if (cfg.tolerance >= cfg.season) {
      throw new Error('seasonal: tolerance must be shorter than the season');
    }
    this.history = new Float64Array(cfg.seasons * cfg.season + cfg.tolerance + 1).fill(NaN);
    this.residuals = new RollingWindow(cfg.window);
    this.scratch = new Float64Array(cfg.seasons * (2 * cfg.tolerance + 1));
    this.scale = new SeverityScale(cfg.severity);
    const twoSided = cfg.direction === 'both';
    this.twoSided = twoSided;
    this.fixedOnset = this.scale.onsetStatistic((d) => zIdealInverse(d, twoSided));
  }

  process(chunk: SignalInput): DetectorResult {
    assertInput(this.kind, chunk, 'value');
    const { value } = chunk;
    const res = allocResult(chunk.t);
    const { direction, warmup, minSeasons } = this.cfg;
    const { scale, twoSided } = this;
    const rarity = scale.mode === 'rarity';
    const t = chunk.t;
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      const expected = this.seasonalMedian();
      const { count, seasons } = this.found;
      res.support[i] = count;
      let r = NaN;
      if (seasons >= minSeasons && count > 0) {
        const spread = this.residualScale(expected);
        const ready = this.residuals.support >= warmup && this.residuals.support > 0;
        if (isFiniteNumber(x)) {
          r = x - expected;
          if (ready) {
            let z = r / spread;
            if (z !== z) {
              z = 0; // Inf/Inf near the double range limit
            }
            const d = directed(z, direction);
            const s = scale.judge(t[i], d, rarity ? zIdealDecades(d, twoSided) : 0);
            if (s === s) {
              setOk(res, i, z, s);
            } else {
              setWarming(res, i);
            }
          } else {
            setWarming(res, i);
          }
        } else if (ready) {
          scale.skip(t[i]);
        }
        if (ready) {
          const z0 = rarity ? this.onset() : this.fixedOnset;
          setBand(res, i, expected, expected - z0 * spread, expected + z0 * spread);
        }
      } else if (isFiniteNumber(x)) {
        setWarming(res, i);
      }
      this.residuals.push(Math.abs(r));
      this.history[this.seen % this.history.length] = isFiniteNumber(x) ? x : NaN;
      this.seen++;
    }
    return res;
  }

  /** Values and seasons behind the last seasonalMedian() (a field, to avoid a per-point object). */
  private readonly found = { count: 0, seasons: 0 };

  /** Median of the valid values at this phase in the last k seasons (before the current point). */
  private seasonalMedian(): number {
    const { season, seasons: k, tolerance } = this.cfg;
    const h = this.history;
    const buf = this.scratch;
    let count = 0;
    let seasonsWithData = 0;
    for (let j = 1; j <= k; j++) {
      let found = false;
      for (let d = -tolerance; d <= tolerance; d++) {
        const idx = this.seen - j * season + d;
        if (idx < 0) {
          continue;
        }
        const v = h[idx % h.length];
        if (v === v) {
          insertSorted(buf, count++, v);
          found = true;
        }
      }
      if (found) {
        seasonsWithData++;
      }
    }
    this.found.count = count;
    this.found.seasons = seasonsWithData;
    if (count === 0) {
      return NaN;
    }
    const mid = count >>> 1;
    return count & 1 ? buf[mid] : buf[mid - 1] / 2 + buf[mid] / 2;
  }

  /** The |z| where severity starts to rise now: the larger of the history's and the ideal's. */
  private onset(): number {
    const emp = this.scale.calibrator!.onsetEmpirical;
    return emp > this.fixedOnset ? emp : emp === emp ? this.fixedOnset : NaN;
  }

  private residualScale(expected: number): number {
    const sorted = this.residuals.sorted;
    let scale = MAD_TO_SIGMA * sorted.median();
    if (!(scale > 0)) {
      scale = MEAN_ABS_DEV_TO_SIGMA * sorted.meanAbsDeviation(0);
    }
    const min = this.cfg.minScaleRel * Math.abs(expected) + this.cfg.minScale;
    return scale > min ? scale : min;
  }
}

/** Inserts v into buf[0..n) kept ascending (n is small: seasons × (2·tolerance + 1)). */
function insertSorted(buf: Float64Array, n: number, v: number): void {
  let i = n;
  while (i > 0 && buf[i - 1] > v) {
    buf[i] = buf[i - 1];
    i--;
  }
  buf[i] = v;
}
