/**
 * Causal building blocks of the NAB run around the engine's robust_z detector: the derived inputs
 * (diff, lagByTime + subtract, trailingMean) and the alert-onset transform (fadingRecordMargin,
 * maxOf, suppressAfter). Small pure functions over Float64Array; every output at row i depends only
 * on rows <= i, so a live stream scores exactly like a backtest. NaN in = "no information" (never
 * treated as 0).
 */

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

/**
 * Threshold-free refractory suppression: after a row whose output is v, the next `refractory` rows
 * are silenced unless they exceed v (which starts a new refractory period). For any alert threshold
 * θ this approximates "fire on the first row at or above θ, then stay quiet for `refractory` rows".
 * Rows at or below `floor` (and NaN rows) output 0 and neither fire nor extend the silence.
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
