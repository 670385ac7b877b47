/**
 * Causal building blocks for streaming anomaly scores and the alert-onset transform.
 * Small pure functions over Float64Array; every output at row i depends only on rows <= i, so a
 * live stream scores exactly like a backtest. NaN in = "no information" (never treated as 0).
 */

/** Sorted multiset over a sliding window (insertion/removal by binary search). */
export class SortedWindow {
  private readonly buf: Float64Array;
  private size = 0;

  constructor(capacity: number) {
    this.buf = new Float64Array(Math.max(1, capacity));
  }

  get length(): number {
    return this.size;
  }

  private search(x: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.buf[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  insert(x: number): void {
    const k = this.search(x);
    this.buf.copyWithin(k + 1, k, this.size);
    this.buf[k] = x;
    this.size++;
  }

  remove(x: number): void {
    const k = this.search(x);
    if (k < this.size && this.buf[k] === x) {
      this.buf.copyWithin(k, k + 1, this.size);
      this.size--;
    }
  }

  /** Quantile by linear interpolation, q in [0, 1]. */
  quantile(q: number): number {
    if (this.size === 0) {
      return NaN;
    }
    const pos = q * (this.size - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(this.size - 1, lo + 1);
    return this.buf[lo] + (this.buf[hi] - this.buf[lo]) * (pos - lo);
  }

  /** Median of |x - center| over the window. */
  mad(center: number): number {
    // Two-pointer merge from the median outwards: O(size).
    const n = this.size;
    if (n === 0) {
      return NaN;
    }
    const target = Math.floor((n - 1) / 2);
    let r = this.search(center);
    let l = r - 1;
    let d = 0;
    for (let k = 0; k <= target; k++) {
      const dl = l >= 0 ? center - this.buf[l] : Infinity;
      const dr = r < n ? this.buf[r] - center : Infinity;
      if (dl <= dr) {
        d = dl;
        l--;
      } else {
        d = dr;
        r++;
      }
    }
    return d;
  }
}

export interface RobustZOptions {
  /** Trailing window length in rows (the current row is not part of its own baseline). */
  window: number;
  /** Rows needed before a z is emitted (NaN before). */
  minPoints?: number;
  /** Floor on the scale, relative to |median| (stops z exploding on flat series). */
  relativeFloor?: number;
  /** Absolute floor on the scale. */
  absoluteFloor?: number;
}

/**
 * Robust z of each value against the median / MAD of the previous `window` finite values:
 * z = (x - median) / (1.4826 * MAD), the MAD floored so a flat baseline does not make every
 * wiggle infinite. NaN while warming up or when x is NaN.
 */
export function rollingRobustZ(x: Float64Array, options: RobustZOptions): Float64Array {
  const { window } = options;
  const minPoints = options.minPoints ?? Math.min(window, 20);
  const relFloor = options.relativeFloor ?? 1e-3;
  const absFloor = options.absoluteFloor ?? 1e-9;
  const out = new Float64Array(x.length).fill(NaN);
  const win = new SortedWindow(window);
  const ring = new Float64Array(window);
  let head = 0;
  let count = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (count >= minPoints && Number.isFinite(v)) {
      const med = win.quantile(0.5);
      const scale = Math.max(1.4826 * win.mad(med), relFloor * Math.abs(med), absFloor);
      out[i] = (v - med) / scale;
    }
    if (Number.isFinite(v)) {
      if (count === window) {
        win.remove(ring[head]);
      } else {
        count++;
      }
      ring[head] = v;
      win.insert(v);
      head = (head + 1) % window;
    }
  }
  return out;
}

/** First difference x[i] - x[i-1] (NaN at 0 or when either side is NaN). */
export function diff(x: Float64Array, lag = 1): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  for (let i = lag; i < x.length; i++) {
    out[i] = x[i] - x[i - lag];
  }
  return out;
}

/** Trailing mean over `k` rows (NaNs skipped; NaN when the window holds none). */
export function trailingMean(x: Float64Array, k: number): Float64Array {
  const out = new Float64Array(x.length);
  let sum = 0;
  let cnt = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i])) {
      sum += x[i];
      cnt++;
    }
    if (i >= k && Number.isFinite(x[i - k])) {
      sum -= x[i - k];
      cnt--;
    }
    out[i] = cnt > 0 ? sum / cnt : NaN;
  }
  return out;
}

/** Standard normal upper tail Q(z) = P(Z > z) (Abramowitz–Stegun 7.1.26 on erfc, |err| < 1.5e-7). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return z >= 0 ? 0.5 * y : 1 - 0.5 * y;
}

/** Two-sided severity of a z: 1 - 2 Q(|z|) in [0, 1); NaN stays NaN. */
export function zSeverity(z: Float64Array): Float64Array {
  const out = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const v = z[i];
    out[i] = Number.isNaN(v) ? NaN : 1 - 2 * normalTail(Math.abs(v));
  }
  return out;
}

/** Element-wise max over arrays, ignoring NaN (NaN only when all are NaN). */
export function maxOf(...xs: Float64Array[]): Float64Array {
  const n = xs[0].length;
  const out = new Float64Array(n).fill(NaN);
  for (const x of xs) {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (!Number.isNaN(v) && !(v <= out[i])) {
        out[i] = v;
      }
    }
  }
  return out;
}

export interface LikelihoodOptions {
  /** Short averaging window (rows). */
  short: number;
  /** Long history window for the reference distribution (rows). */
  long: number;
  /** Rows of history needed before emitting (NaN before). */
  minPoints?: number;
  /** Floor on the reference standard deviation. */
  minStd?: number;
}

/**
 * Anomaly likelihood (in the spirit of Numenta's): how unusual is the recent short-window mean of a
 * raw anomaly score compared with the distribution of that score over a long trailing history?
 * Returns 1 - Q((shortMean - longMean) / longStd) in [0, 1).
 */
export function anomalyLikelihood(raw: Float64Array, options: LikelihoodOptions): Float64Array {
  const { short, long } = options;
  const minPoints = options.minPoints ?? Math.min(long, 100);
  const minStd = options.minStd ?? 1e-4;
  const n = raw.length;
  const out = new Float64Array(n).fill(NaN);
  const shortMean = trailingMean(raw, short);
  let sum = 0;
  let sum2 = 0;
  let cnt = 0;
  for (let i = 0; i < n; i++) {
    if (cnt >= minPoints && Number.isFinite(shortMean[i])) {
      const mean = sum / cnt;
      const std = Math.max(minStd, Math.sqrt(Math.max(0, sum2 / cnt - mean * mean)));
      out[i] = 1 - normalTail((shortMean[i] - mean) / std);
    }
    const v = raw[i];
    if (Number.isFinite(v)) {
      sum += v;
      sum2 += v * v;
      cnt++;
    }
    const j = i - long;
    if (j >= 0 && Number.isFinite(raw[j])) {
      sum -= raw[j];
      sum2 -= raw[j] * raw[j];
      cnt--;
    }
  }
  return out;
}

/**
 * Alert onset: keeps a severity only where it rises above everything seen in the previous
 * `refractory` rows (a new peak); 0 elsewhere. For ANY alert threshold θ, the rows where the output
 * is >= θ are exactly the rows where the severity first enters [θ, 1] after `refractory` rows below
 * it — "alert when the tier is entered, do not re-fire while it persists" — plus escalations to a
 * higher level than any in the last `refractory` rows.
 */
export function onsetPeaks(severity: Float64Array, refractory: number): Float64Array {
  const n = severity.length;
  const out = new Float64Array(n);
  // Monotone deque of indices with decreasing severity over the trailing window.
  const dq = new Int32Array(n);
  let h = 0;
  let tl = 0;
  for (let i = 0; i < n; i++) {
    while (h < tl && dq[h] < i - refractory) {
      h++;
    }
    const s = severity[i];
    const prevMax = h < tl ? severity[dq[h]] : -Infinity;
    out[i] = Number.isFinite(s) && s > prevMax ? s : 0;
    if (Number.isFinite(s)) {
      while (h < tl && severity[dq[tl - 1]] <= s) {
        tl--;
      }
      dq[tl++] = i;
    }
  }
  return out;
}

/**
 * Threshold-free refractory suppression: after a row whose output is v, the next `refractory` rows
 * are silenced unless they exceed v. Equivalent for every threshold θ to "fire on the first row at
 * or above θ, then stay quiet for `refractory` rows" only approximately; see onsetPeaks for the
 * exact peak form.
 */
export function suppressAfter(severity: Float64Array, refractory: number, floor = 0): Float64Array {
  const n = severity.length;
  const out = new Float64Array(n);
  let level = -Infinity;
  let until = -1;
  for (let i = 0; i < n; i++) {
    const s = severity[i];
    if (!Number.isFinite(s) || s <= floor) {
      continue;
    }
    if (i > until || s > level) {
      out[i] = s;
      level = s;
      until = i + refractory;
    }
  }
  return out;
}

/**
 * Rows since the last row at least as high: k[i] = i - max{ j < i : x[j] >= x[i] } (i + 1 when there
 * is none). A scale-free rarity: for exchangeable data P(k >= m) = 1 / (m + 1), so "k >= 2000" reads
 * "not seen in 2000 rows". Persisting or repeating levels give small k, so only the onset of a new
 * extreme scores high. NaN rows get 0 and do not block. O(n) with a monotone stack.
 */
export function rowsSinceAsHigh(x: Float64Array): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) {
      continue;
    }
    while (top > 0 && x[stack[top - 1]] < v) {
      top--;
    }
    out[i] = top > 0 ? i - stack[top - 1] : i + 1;
    stack[top++] = i;
  }
  return out;
}

/** rowsSinceAsHigh mapped to [0, 1]: min(k, horizon) / horizon. */
export function rarity(x: Float64Array, horizon: number): Float64Array {
  const k = rowsSinceAsHigh(x);
  for (let i = 0; i < k.length; i++) {
    k[i] = Math.min(k[i], horizon) / horizon;
  }
  return k;
}

/**
 * rowsSinceAsHigh relative to the history seen so far: k / (i + 1), capped by `horizon` rows when
 * given (k / min(i + 1, horizon)). 1 = the highest value of the whole (or horizon) history.
 */
export function relativeRarity(x: Float64Array, horizon = Infinity): Float64Array {
  const k = rowsSinceAsHigh(x);
  for (let i = 0; i < k.length; i++) {
    const h = Math.min(i + 1, horizon);
    k[i] = Math.min(k[i], h) / h;
  }
  return k;
}

/**
 * Record score of a non-negative statistic x (e.g. |z|): rows that beat every value of the trailing
 * `horizon` rows (all history by default) score 0.5 + 0.5 * (1 - prevMax / x) — the more the record
 * is broken by, the higher; other rows score 0.5 * k / min(i + 1, horizon) with k = rowsSinceAsHigh.
 * Scale-free, causal, and it fires on the onset of a new extreme, not while it persists.
 */
export function recordScore(x: Float64Array, horizon = Infinity): Float64Array {
  const n = x.length;
  const k = rowsSinceAsHigh(x);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) {
      continue;
    }
    const h = Math.min(i + 1, horizon);
    if (k[i] >= h && i > 0) {
      // Max over the previous h - 1 rows (k >= h guarantees all of them are < v).
      let prevMax = -Infinity;
      for (let j = Math.max(0, i - h + 1); j < i; j++) {
        if (x[j] > prevMax) {
          prevMax = x[j];
        }
      }
      out[i] = prevMax > 0 && Number.isFinite(prevMax) ? 0.5 + 0.5 * (1 - prevMax / v) : 0.5;
    } else {
      out[i] = (0.5 * Math.min(k[i], h)) / h;
    }
  }
  return out;
}

/**
 * Value of x at (about) time t[i] - lag: the row whose time is nearest to it, if within `tolerance`
 * ms; NaN otherwise. Causal (only earlier rows); irregular spacing handled. t ascending, ms.
 */
export function lagByTime(t: Float64Array, x: Float64Array, lag: number, tolerance: number): Float64Array {
  const n = t.length;
  const out = new Float64Array(n).fill(NaN);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const target = t[i] - lag;
    while (j + 1 < i && t[j + 1] <= target) {
      j++;
    }
    let best = -1;
    let bestD = Infinity;
    for (let c = j; c <= Math.min(j + 1, i - 1); c++) {
      const d = Math.abs(t[c] - target);
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    if (best >= 0 && bestD <= tolerance) {
      out[i] = x[best];
    }
  }
  return out;
}

/** Element-wise a - b. */
export function subtract(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    out[i] = a[i] - b[i];
  }
  return out;
}

/**
 * Margin over a fading record: m[i] = max over j < i of x[j] * 2^(-(i - j) / halfLife). A row scores
 * 1 - m / x when x beats that fading maximum, else 0. The onset of a new extreme scores high; a
 * condition that persists does not re-fire (it set the record itself); after a quiet spell of a few
 * half-lives an extreme as large as an old one fires again. O(1) per row and streaming-exact.
 */
export function fadingRecordMargin(x: Float64Array, halfLife: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  const decay = Math.pow(2, -1 / halfLife);
  let m = 0;
  let seen = false;
  for (let i = 0; i < n; i++) {
    m *= decay;
    const v = x[i];
    if (!Number.isFinite(v)) {
      continue;
    }
    if (seen && v > m) {
      out[i] = m > 0 ? 1 - m / v : 1;
    }
    if (v > m) {
      m = v;
    }
    seen = true;
  }
  return out;
}
