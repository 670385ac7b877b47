/**
 * Core contracts of the scoring engine. Pure TypeScript: nothing in src/scoring imports Grafana,
 * React or anything of ours outside src/scoring.
 *
 * Time is epoch milliseconds everywhere (Grafana's convention). Per-point data lives in typed arrays
 * (columnar, like d3-array / simple-statistics work on plain arrays) so that 10^7 points score without
 * per-point allocation.
 */

export type Direction = 'up' | 'down' | 'both';

export type SignalKind =
  | 'robust_z' // rolling median / MAD
  | 'seasonal' // same time 1d / 1w ago, median over k seasons
  | 'level_shift' // CUSUM on a robustly standardised series
  | 'ratio' // errors / total with the counts behind it
  | 'histogram_drift' // PSI, Jensen-Shannon or Hellinger from cumulative `le` buckets
  | 'calibration' // ECE from confidence buckets with outcome counts
  | 'staleness' // age of a timestamp gauge / missing data
  | 'threshold'; // hard limits

export const SIGNAL_KINDS: readonly SignalKind[] = [
  'robust_z',
  'seasonal',
  'level_shift',
  'ratio',
  'histogram_drift',
  'calibration',
  'staleness',
  'threshold',
];

export type CompositeMethod = 'evidence' | 'weighted_mean' | 'max';

export type Tier = 'ok' | 'watch' | 'review' | 'critical';
export const TIERS: readonly Tier[] = ['ok', 'watch', 'review', 'critical'];

/** Per-point status codes stored in a Uint8Array. */
export const POINT_OK = 0;
export const POINT_WARMING_UP = 1;
export const POINT_MISSING = 2;
export type PointStatus = typeof POINT_OK | typeof POINT_WARMING_UP | typeof POINT_MISSING;

/** Per-signal status over a whole evaluation (frame `meta.custom`). */
export type SignalState = 'ok' | 'warming_up' | 'missing' | 'error';

// ---------------------------------------------------------------------------------------------
// Detector inputs: columnar, all arrays of one input share the time axis `t` (ascending, unique
// after normalisation; NaN marks a missing value).
// ---------------------------------------------------------------------------------------------

/** One numeric series: gauges, rates, latency quantiles, timestamp gauges. */
export interface ValueInput {
  type: 'value';
  t: Float64Array;
  value: Float64Array;
}

/** Event counts per step: `num` of `den` (e.g. errors of requests), NOT a precomputed ratio. */
export interface RatioInput {
  type: 'ratio';
  t: Float64Array;
  num: Float64Array;
  den: Float64Array;
}

/**
 * A Prometheus-style histogram: `le` upper bounds ascending (last may be +Infinity) and, per bound,
 * the cumulative count observed during each step (e.g. `increase(x_bucket[step])`).
 * `cumulative[j][i]` = count <= le[j] at point i.
 */
export interface BucketInput {
  type: 'buckets';
  t: Float64Array;
  le: Float64Array;
  cumulative: Float64Array[];
}

/**
 * Confidence histogram plus the same histogram restricted to correct predictions (outcome counts):
 * both cumulative per `le` like BucketInput. Confidence is in [0, 1].
 */
export interface CalibrationInput {
  type: 'calibration';
  t: Float64Array;
  le: Float64Array;
  total: Float64Array[];
  correct: Float64Array[];
}

export type SignalInput = ValueInput | RatioInput | BucketInput | CalibrationInput;

// ---------------------------------------------------------------------------------------------
// Detector output
// ---------------------------------------------------------------------------------------------

/**
 * What a detector says about each point. Arrays have the input's length.
 * - statistic: the raw statistic (z, PSI, ECE, lag seconds ...), NaN when not computable.
 * - severity: in [0, 1]; NaN when status is not POINT_OK (warming up or missing): never 0 by default.
 * - expected/lower/upper: the baseline and band used in explanations, in the input's units.
 * - support: how many points the baseline rests on (drives the score's confidence interval).
 */
export interface DetectorResult {
  t: Float64Array;
  statistic: Float64Array;
  severity: Float64Array;
  expected: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  support: Float64Array;
  status: Uint8Array;
}

/**
 * A stateful detector. `process` consumes a chunk of points and returns results for exactly those
 * points; state carries over, so feeding a series in any chunking gives bit-identical results to
 * one call over the whole series (the incremental API rests on this).
 */
export interface Detector {
  readonly kind: SignalKind;
  process(chunk: SignalInput): DetectorResult;
}
