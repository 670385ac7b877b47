/**
 * What Prometheus does to a metric between the process and the query result, re-implemented so the
 * synthetic series carry its artefacts.
 *
 * histogramQuantile(q, le, cumulative) — PromQL `histogram_quantile` (promql/quantile.go,
 * bucketQuantile): cumulative counts made monotone (a bucket below its predecessor is raised to
 * it), N = count of the +Inf bucket, rank = q·N, b = first bucket with cumulative ≥ rank;
 *   b is the +Inf bucket → the upper bound of the last finite bucket;
 *   otherwise lo + (hi − lo)·(rank − C_{b−1}) / (C_b − C_{b−1}), lo = 0 for the first bucket
 *   (linear interpolation inside the bucket: the result sits on a bucket edge or on a line between
 *   edges, not on the true quantile). NaN when N = 0 or the last bound is not +Inf.
 *
 * extrapolatedDelta(samples, evalT, range, isRate) — PromQL `increase` / `rate` (promql/functions.go,
 * extrapolatedRate) over the samples in (evalT − range, evalT]: fewer than 2 → no result (NaN);
 *   Δ = last − first, plus the value before every drop (a counter reset);
 *   dStart = first.t − (evalT − range), dEnd = evalT − last.t, avg = (last.t − first.t)/(k − 1);
 *   a gap to a boundary ≥ 1.1·avg is extrapolated by avg/2 only; dStart is also capped by the
 *   time the counter would need to reach 0 at the sampled slope (counters are not negative);
 *   increase = Δ·(sampled + dStart + dEnd)/sampled;  rate = increase / range (per second).
 * The residual artefacts a reset leaves are therefore realistic: increments between the last scrape
 * before a restart and the restart are never seen, the restart's downtime has no samples (windows
 * with < 2 samples give no value), and extrapolation makes counts non-integer.
 *
 * simulateCounters — K counters incremented by a caller's event model and scraped every `scrapeMs`
 * (± jitter) by a process that restarts at exponentially distributed times (mean `restartMeanMs`):
 * at a restart every counter returns to 0, the increments since the last scrape are lost, and the
 * target is down (no scrapes, no events) for a uniform `downtimeMs` range.
 */
import { Rng } from '../../util/prng';

export function histogramQuantile(q: number, le: ArrayLike<number>, cumulative: ArrayLike<number>): number {
  const k = le.length;
  if (k < 2 || le[k - 1] !== Infinity || !(q >= 0 && q <= 1)) {
    return NaN;
  }
  const mono = new Float64Array(k);
  let running = 0;
  for (let j = 0; j < k; j++) {
    const c = cumulative[j];
    running = c > running ? c : running;
    mono[j] = running;
  }
  const total = mono[k - 1];
  if (!(total > 0)) {
    return NaN;
  }
  const rank = q * total;
  let b = 0;
  while (b < k - 1 && mono[b] < rank) {
    b++;
  }
  if (b === k - 1) {
    return le[k - 2];
  }
  if (b === 0 && le[0] <= 0) {
    return le[0];
  }
  const lo = b === 0 ? 0 : le[b - 1];
  const below = b === 0 ? 0 : mono[b - 1];
  const inBucket = mono[b] - below;
  return lo + (le[b] - lo) * ((rank - below) / inBucket);
}

/**
 * PromQL increase/rate of one counter at evalT over `rangeMs`, from samples t (ms, ascending) and
 * v; `from`..`to` (exclusive) are the indices of the samples in (evalT − range, evalT].
 */
export function extrapolatedDelta(
  t: ArrayLike<number>,
  v: ArrayLike<number>,
  from: number,
  to: number,
  evalT: number,
  rangeMs: number,
  isRate: boolean
): number {
  const count = to - from;
  if (count < 2) {
    return NaN;
  }
  const first = from;
  const last = to - 1;
  let delta = v[last] - v[first];
  let previous = v[first];
  for (let i = first + 1; i <= last; i++) {
    if (v[i] < previous) {
      delta += previous;
    }
    previous = v[i];
  }
  const sampled = (t[last] - t[first]) / 1000;
  const avg = sampled / (count - 1);
  const threshold = avg * 1.1;
  let toStart = (t[first] - (evalT - rangeMs)) / 1000;
  let toEnd = (evalT - t[last]) / 1000;
  if (toStart >= threshold) {
    toStart = avg / 2;
  }
  if (delta > 0 && v[first] >= 0) {
    const toZero = sampled * (v[first] / delta);
    if (toZero < toStart) {
      toStart = toZero;
    }
  }
  if (toEnd >= threshold) {
    toEnd = avg / 2;
  }
  const factor = (sampled + toStart + toEnd) / sampled;
  return isRate ? (delta * factor) / (rangeMs / 1000) : delta * factor;
}

/** increase (or rate) of one counter at each evaluation time (ascending), like a range query. */
export function rangeDelta(
  t: Float64Array,
  v: Float64Array,
  evalTimes: ArrayLike<number>,
  rangeMs: number,
  isRate: boolean
): Float64Array {
  const out = new Float64Array(evalTimes.length);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < evalTimes.length; i++) {
    const e = evalTimes[i];
    while (hi < t.length && t[hi] <= e) {
      hi++;
    }
    while (lo < hi && t[lo] <= e - rangeMs) {
      lo++;
    }
    out[i] = extrapolatedDelta(t, v, lo, hi, e, rangeMs, isRate);
  }
  return out;
}

export interface CounterOptions {
  startMs: number;
  endMs: number;
  counters: number;
  scrapeMs: number;
  jitterMs: number;
  restartMeanMs: number;
  downtimeMs: readonly [number, number];
  rng: Rng;
  /**
   * Adds the increments of every counter for the events in [fromMs, toMs) to `out` (which the
   * simulator zeroes before each call).
   */
  increments(fromMs: number, toMs: number, out: Float64Array): void;
}

export interface CounterScrapes {
  t: Float64Array;
  /** values[c][k]: counter c at scrape k. */
  values: Float64Array[];
  /** Restart times (ms), for tests and explanations. */
  restarts: number[];
}

export const COUNTER_DEFAULTS = {
  scrapeMs: 15_000,
  jitterMs: 500,
  restartMeanMs: 12 * 3_600_000,
  downtimeMs: [20_000, 60_000] as const,
};

export function simulateCounters(o: CounterOptions): CounterScrapes {
  const { rng, counters } = o;
  const times: number[] = [];
  const values: number[][] = Array.from({ length: counters }, () => []);
  const restarts: number[] = [];
  const current = new Float64Array(counters);
  const delta = new Float64Array(counters);
  let nextRestart = o.startMs + o.restartMeanMs * rng.exponential();
  let upFrom = o.startMs; // the process counts events from here
  let counted = o.startMs; // events before this are already in `current`
  for (let k = 0; ; k++) {
    const s = o.startMs + k * o.scrapeMs + rng.uniform(-o.jitterMs, o.jitterMs);
    if (s >= o.endMs) {
      break;
    }
    while (nextRestart <= s) {
      // Events from `counted` to the restart happened but are never scraped; the counter restarts.
      restarts.push(nextRestart);
      current.fill(0);
      upFrom = nextRestart + rng.uniform(o.downtimeMs[0], o.downtimeMs[1]);
      counted = upFrom;
      nextRestart = upFrom + o.restartMeanMs * rng.exponential();
    }
    if (s < upFrom) {
      continue; // target down: no sample
    }
    delta.fill(0);
    if (s > counted) {
      o.increments(counted, s, delta);
    }
    counted = s;
    times.push(s);
    for (let c = 0; c < counters; c++) {
      current[c] += delta[c];
      values[c].push(current[c]);
    }
  }
  return { t: Float64Array.from(times), values: values.map((v) => Float64Array.from(v)), restarts };
}
