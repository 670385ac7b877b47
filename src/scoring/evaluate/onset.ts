/**
 * Causal building blocks of the NAB run around the engine's robust_z detector: the derived inputs
 * (diff, lagByTime + subtract, trailingMean) and the alert-onset step (suppressAfter). Small pure
 * functions over Float64Array; every output at row i depends only on rows <= i, so a live stream
 * scores exactly like a backtest. NaN in = "no information" (never treated as 0).
 *
 * suppressAfter, threshold-free: after a row whose output is v, the next R rows output 0 unless
 * they exceed v (which fires and starts a new silence). For every alert threshold θ this is close
 * to "fire on the first row at or above θ, then stay quiet for R rows": a row silenced at θ has a
 * value <= the alert's, so it would have been silenced by the hard rule too; the difference is an
 * escalation above the alert, which fires here (it may be the first row at or above a higher θ).
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
