/**
 * Numenta Anomaly Benchmark (NAB) scoring, written from NAB's published rules (Lavin & Ahmad 2015,
 * "Evaluating Real-time Anomaly Detection Algorithms — the Numenta Anomaly Benchmark", and the
 * behaviour of NAB v1.1's scorer/sweeper). Pure TypeScript: reused by the backtest feature, so the
 * API is generic: anomaly windows + timestamps + per-row scores -> detections, per-window results,
 * raw and normalised scores, and the corpus-wide threshold that maximises the score.
 *
 * The rules, as implemented here:
 * - A window [start, end] (timestamps, inclusive) covers rows left..right; width = right - left + 1.
 * - A row i is a detection when score[i] >= threshold (NaN never detects).
 * - Probationary period: rows i < min(floor(0.15 * n), 0.15 * 5000) are ignored entirely (neither
 *   detections nor misses); a window with no scorable row does not count.
 * - Each counted window earns the reward of its EARLIEST detection:
 *     A_TP * scaledSigmoid(p) / scaledSigmoid(-1), p = -(right - i + 1) / width
 *   (p = -1 at the window's first row: exactly A_TP; decays towards 0 at its last row). Later
 *   detections in the same window add nothing. A window without detection costs -A_FN.
 * - A detection outside every window costs A_FP * scaledSigmoid(q) (negative), with
 *   q = (i - prevRight) / (prevWidth - 1) measured from the end of the closest preceding window, and
 *   -A_FP when no window precedes it (or q >= 3).
 * - scaledSigmoid(x) = 2 / (1 + e^(5x)) - 1.
 * - Normalised score = 100 * (raw - null) / (perfect - null) over the corpus, where null is the
 *   detector that never fires (-A_FN per counted window) and perfect detects every counted window on
 *   its first row (+A_TP per window).
 * - One threshold per profile for the whole corpus, chosen to maximise the raw score (a sweep over
 *   every distinct score value, exactly as NAB's sweeper does).
 *
 * NAB's profiles also carry A_TN = 1, which the scoring never uses (true negatives are free).
 */

export interface NabProfile {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
  tnWeight: number;
}

export type NabProfileName = 'standard' | 'reward_low_FP' | 'reward_low_FN';

/** NAB's config/profiles.json ("reward_low_FP_rate"/"reward_low_FN_rate" shortened). */
export const NAB_PROFILES: Readonly<Record<NabProfileName, NabProfile>> = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1, tnWeight: 1 },
  reward_low_FP: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1, tnWeight: 1 },
  reward_low_FN: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2, tnWeight: 1 },
};

export const NAB_PROBATIONARY_PERCENT = 0.15;

/** NAB's scaled sigmoid: +0.9866 at x = -1, 0 at x = 0, -0.9866 at x = 1; -1 from x >= 3. */
export function scaledSigmoid(x: number): number {
  if (x >= 3) {
    return -1;
  }
  return 2 / (1 + Math.exp(5 * x)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

/** Number of leading rows NAB ignores: min(floor(p * n), p * 5000) (= 750 rows at p = 0.15). */
export function probationaryLength(n: number, percent = NAB_PROBATIONARY_PERCENT): number {
  return Math.min(Math.floor(percent * n), Math.floor(percent * 5000));
}

/** An anomaly window in time (epoch ms, both ends inclusive). */
export interface TimeWindow {
  start: number;
  end: number;
}

/** A window resolved to row indices of one series. */
export interface ResolvedWindow {
  id: number;
  start: number;
  end: number;
  /** First row with t >= start. */
  left: number;
  /** Last row with t <= end. */
  right: number;
  width: number;
  /** False when every row of the window lies in the probationary period (or it covers no row). */
  counted: boolean;
}

/** Row-level scoring weights of one series, independent of the profile and of the scores. */
export interface PreparedSeries {
  name: string;
  t: Float64Array;
  n: number;
  probation: number;
  windows: ResolvedWindow[];
  /** Window id of each row, -1 outside every window. */
  windowOf: Int32Array;
  /**
   * For rows inside a window: the fraction of A_TP a first detection here earns (0..1].
   * For rows outside: the (negative) fraction of A_FP a detection here costs (-1..0).
   */
  unit: Float64Array;
}

export interface PrepareOptions {
  probationaryPercent?: number;
}

function lowerBound(t: Float64Array, x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < x) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** Resolves windows to rows and precomputes each row's reward/cost fraction. `t` ascending. */
export function prepareSeries(
  name: string,
  t: Float64Array,
  windows: readonly TimeWindow[],
  options: PrepareOptions = {}
): PreparedSeries {
  const n = t.length;
  const probation = probationaryLength(n, options.probationaryPercent ?? NAB_PROBATIONARY_PERCENT);
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  const resolved: ResolvedWindow[] = [];
  for (const w of sorted) {
    if (!(w.end >= w.start)) {
      throw new Error(`window ${name} [${w.start}, ${w.end}]: end before start`);
    }
    const left = lowerBound(t, w.start);
    const right = lowerBound(t, w.end + 1e-9) - 1;
    if (right < left) {
      continue; // covers no row of this series
    }
    const prev = resolved[resolved.length - 1];
    if (prev && left <= prev.right) {
      throw new Error(`windows of ${name} overlap at ${w.start}`);
    }
    resolved.push({
      id: resolved.length,
      start: w.start,
      end: w.end,
      left,
      right,
      width: right - left + 1,
      counted: right >= probation,
    });
  }
  const windowOf = new Int32Array(n).fill(-1);
  const unit = new Float64Array(n);
  let wi = 0;
  let prev: ResolvedWindow | undefined;
  for (let i = 0; i < n; i++) {
    while (wi < resolved.length && resolved[wi].right < i) {
      prev = resolved[wi];
      wi++;
    }
    const w = resolved[wi];
    if (w && i >= w.left && i <= w.right) {
      windowOf[i] = w.id;
      unit[i] = scaledSigmoid(-(w.right - i + 1) / w.width) / MAX_TP;
    } else if (!prev) {
      unit[i] = -1;
    } else {
      const q = prev.width > 1 ? (i - prev.right) / (prev.width - 1) : 3;
      unit[i] = scaledSigmoid(q);
    }
  }
  return { name, t, n, probation, windows: resolved, windowOf, unit };
}

export interface WindowResult {
  window: ResolvedWindow;
  /** Row of the earliest detection inside the window, -1 when missed. */
  firstDetection: number;
  /** Time of that detection (NaN when missed). */
  detectedAt: number;
  /** Rows from the window start to the detection (NaN when missed). */
  rowsAfterStart: number;
  /** Contribution to the raw score: +A_TP * fraction, or -A_FN when missed. */
  reward: number;
}

export interface FalsePositive {
  row: number;
  t: number;
  /** Negative contribution to the raw score. */
  cost: number;
}

export interface SeriesResult {
  name: string;
  raw: number;
  tp: number;
  fn: number;
  fp: number;
  /** Scorable rows with score >= threshold. */
  detections: number[];
  windows: WindowResult[];
  falsePositives: FalsePositive[];
}

function isDetection(score: number, threshold: number): boolean {
  return score >= threshold; // NaN -> false
}

/** Scores one series at a given threshold. */
export function scoreSeries(
  prep: PreparedSeries,
  scores: ArrayLike<number>,
  threshold: number,
  profile: NabProfile
): SeriesResult {
  if (scores.length !== prep.n) {
    throw new Error(`${prep.name}: ${scores.length} scores for ${prep.n} rows`);
  }
  const first = new Int32Array(prep.windows.length).fill(-1);
  const detections: number[] = [];
  const falsePositives: FalsePositive[] = [];
  let fpSum = 0;
  for (let i = prep.probation; i < prep.n; i++) {
    if (!isDetection(scores[i], threshold)) {
      continue;
    }
    detections.push(i);
    const w = prep.windowOf[i];
    if (w >= 0) {
      if (first[w] < 0) {
        first[w] = i;
      }
    } else {
      const cost = prep.unit[i] * profile.fpWeight;
      fpSum += cost;
      falsePositives.push({ row: i, t: prep.t[i], cost });
    }
  }
  let raw = fpSum;
  let tp = 0;
  let fn = 0;
  const windows: WindowResult[] = [];
  for (const w of prep.windows) {
    if (!w.counted) {
      continue;
    }
    const f = first[w.id];
    if (f >= 0) {
      const reward = prep.unit[f] * profile.tpWeight;
      raw += reward;
      tp++;
      windows.push({ window: w, firstDetection: f, detectedAt: prep.t[f], rowsAfterStart: f - w.left, reward });
    } else {
      raw -= profile.fnWeight;
      fn++;
      windows.push({ window: w, firstDetection: -1, detectedAt: NaN, rowsAfterStart: NaN, reward: -profile.fnWeight });
    }
  }
  return { name: prep.name, raw, tp, fn, fp: falsePositives.length, detections, windows, falsePositives };
}

export function countedWindows(preps: readonly PreparedSeries[]): number {
  let c = 0;
  for (const p of preps) {
    for (const w of p.windows) {
      if (w.counted) {
        c++;
      }
    }
  }
  return c;
}

/** Raw score of the detector that never fires. */
export function nullScore(preps: readonly PreparedSeries[], profile: NabProfile): number {
  return -profile.fnWeight * countedWindows(preps);
}

/** Raw score of a detector that fires exactly on the first row of every window. */
export function perfectScore(preps: readonly PreparedSeries[], profile: NabProfile): number {
  return profile.tpWeight * countedWindows(preps);
}

/** 100 * (raw - null) / (perfect - null); NaN when there is nothing to find (perfect = null). */
export function normaliseScore(raw: number, nul: number, perfect: number): number {
  if (perfect === nul) {
    return NaN;
  }
  return (100 * (raw - nul)) / (perfect - nul);
}

export interface ThresholdPoint {
  threshold: number;
  raw: number;
}

/**
 * Corpus-wide sweep: raw score for every threshold that changes the detections (each distinct score
 * value, highest first, plus +Infinity = never fire). Returns the points in descending threshold.
 */
export function sweepThresholds(
  preps: readonly PreparedSeries[],
  scores: ReadonlyArray<ArrayLike<number>>,
  profile: NabProfile
): ThresholdPoint[] {
  if (preps.length !== scores.length) {
    throw new Error('one score array per series expected');
  }
  // Global window ids.
  const offsets: number[] = [];
  let nWin = 0;
  let total = 0;
  for (const p of preps) {
    offsets.push(nWin);
    nWin += p.windows.length;
    total += p.n - p.probation;
  }
  const best = new Float64Array(nWin).fill(-Infinity);
  const rowScore = new Float64Array(total);
  const rowUnit = new Float64Array(total);
  const rowWin = new Int32Array(total);
  let k = 0;
  for (let s = 0; s < preps.length; s++) {
    const p = preps[s];
    const sc = scores[s];
    if (sc.length !== p.n) {
      throw new Error(`${p.name}: ${sc.length} scores for ${p.n} rows`);
    }
    for (let i = p.probation; i < p.n; i++) {
      const v = sc[i];
      rowScore[k] = Number.isNaN(v) ? -Infinity : v;
      rowUnit[k] = p.unit[i];
      rowWin[k] = p.windowOf[i] >= 0 ? offsets[s] + p.windowOf[i] : -1;
      k++;
    }
  }
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) {
    order[i] = i;
  }
  order.sort((a, b) => rowScore[b] - rowScore[a]);

  let raw = nullScore(preps, profile);
  const points: ThresholdPoint[] = [{ threshold: Infinity, raw }];
  let j = 0;
  while (j < total) {
    const th = rowScore[order[j]];
    if (th === -Infinity) {
      break; // NaN scores never detect
    }
    while (j < total && rowScore[order[j]] === th) {
      const r = order[j];
      const w = rowWin[r];
      if (w < 0) {
        raw += rowUnit[r] * profile.fpWeight;
      } else {
        const u = rowUnit[r];
        if (u > best[w]) {
          // First time: replace the FN penalty; later: improve the reward.
          raw += best[w] === -Infinity ? u * profile.tpWeight + profile.fnWeight : (u - best[w]) * profile.tpWeight;
          best[w] = u;
        }
      }
      j++;
    }
    points.push({ threshold: th, raw });
  }
  return points;
}

/** The threshold with the highest raw score (ties: the highest threshold). */
export function optimiseThreshold(
  preps: readonly PreparedSeries[],
  scores: ReadonlyArray<ArrayLike<number>>,
  profile: NabProfile
): ThresholdPoint {
  let bestPoint: ThresholdPoint = { threshold: Infinity, raw: -Infinity };
  for (const pt of sweepThresholds(preps, scores, profile)) {
    if (pt.raw > bestPoint.raw + 1e-12) {
      bestPoint = pt;
    }
  }
  return bestPoint;
}

export interface CorpusSeries {
  name: string;
  t: Float64Array;
  scores: ArrayLike<number>;
  windows: readonly TimeWindow[];
}

export interface ProfileResult {
  profile: NabProfile;
  threshold: number;
  raw: number;
  null: number;
  perfect: number;
  /** Normalised score: 0 = never fires, 100 = perfect. */
  score: number;
  perSeries: SeriesResult[];
}

export interface CorpusOptions extends PrepareOptions {
  /** Fixed threshold per profile instead of optimising it. */
  thresholds?: Partial<Record<string, number>>;
}

/** Scores a corpus under each profile with the corpus-optimal (or a given) threshold. */
export function evaluateCorpus<P extends string>(
  series: readonly CorpusSeries[],
  profiles: Readonly<Record<P, NabProfile>>,
  options: CorpusOptions = {}
): Record<P, ProfileResult> {
  const preps = series.map((s) => prepareSeries(s.name, s.t, s.windows, options));
  const scores = series.map((s) => s.scores);
  const out = {} as Record<P, ProfileResult>;
  for (const name of Object.keys(profiles) as P[]) {
    const profile = profiles[name];
    const fixed = options.thresholds?.[name];
    const threshold = fixed ?? optimiseThreshold(preps, scores, profile).threshold;
    const perSeries = preps.map((p, i) => scoreSeries(p, scores[i], threshold, profile));
    const raw = perSeries.reduce((a, r) => a + r.raw, 0);
    const nul = nullScore(preps, profile);
    const perfect = perfectScore(preps, profile);
    out[name] = { profile, threshold, raw, null: nul, perfect, score: normaliseScore(raw, nul, perfect), perSeries };
  }
  return out;
}

/** Normalised score of a subset of series (e.g. one category) at the given profile result's threshold. */
export function subsetScore(result: ProfileResult, names: ReadonlySet<string>): number {
  let raw = 0;
  let windows = 0;
  for (const r of result.perSeries) {
    if (names.has(r.name)) {
      raw += r.raw;
      windows += r.windows.length;
    }
  }
  const nul = -result.profile.fnWeight * windows;
  const perfect = result.profile.tpWeight * windows;
  return normaliseScore(raw, nul, perfect);
}
