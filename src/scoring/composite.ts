/**
 * Layer 1: per-signal severities -> one bounded 0..100 score with exact per-signal contributions.
 *
 * Works column-wise on typed arrays (one Float64Array of severities per signal) so that long series
 * score without per-point allocation. Missing severities (NaN) contribute nothing and are counted as
 * missing per point: a missing signal is never silently read as "zero risk".
 *
 * Every method returns contributions that sum to the score (to floating-point rounding) and is
 * independent of the order in which signals are passed: signals are sorted by id first, so the
 * floating-point summation order is fixed too.
 */
import type { CompositeMethod } from './types';

/** Largest severity used in the evidence transform, so that -ln(1 - s) stays finite. */
export const MAX_SEVERITY = 1 - 1e-12;

export interface CompositeSignal {
  id: string;
  /** > 0. Non-positive or non-finite weights are treated as 0 (the signal counts as absent). */
  weight: number;
  /** Per point, in [0, 1]; NaN = missing. Values outside [0, 1] are clamped. */
  severity: Float64Array;
}

export interface CompositeOptions {
  method?: CompositeMethod;
  /**
   * Context evidence multiplier (layer 3), a constant or one value per point (>= 0). It scales the
   * total evidence E, so the score stays in [0, 100]: score = 100 (1 - e^(-m E)). For the
   * weighted-mean and max methods the base score is mapped to evidence first, E = -ln(1 - score/100).
   */
  multiplier?: number | Float64Array;
  /** Skip the per-signal contributions (they are still computed, but not kept) when only scores are needed. */
  scoreOnly?: boolean;
}

export interface CompositeResult {
  method: CompositeMethod;
  /** Signal ids in the (sorted) order used internally. */
  ids: string[];
  score: Float64Array;
  /**
   * Total evidence after the multiplier, E' = -ln(1 - score/100) for every method (for 'evidence'
   * it is computed directly, not through the score). Used to explain "what would change the tier".
   */
  evidence: Float64Array;
  /** contrib[id][i]: the share of score[i] owed to that signal; sums to score[i]. */
  contrib: Record<string, Float64Array>;
  /** Number of signals with a missing severity at each point. */
  missingCount: Uint16Array;
}

/** Severity in [0, MAX_SEVERITY], or NaN when missing. */
export function clampSeverity(s: number): number {
  if (Number.isNaN(s)) {
    return NaN;
  }
  if (s <= 0) {
    return 0;
  }
  return s >= MAX_SEVERITY ? MAX_SEVERITY : s;
}

/** The evidence one signal adds: e = -w ln(1 - s). Missing (NaN) adds nothing. */
export function evidenceOf(severity: number, weight: number): number {
  const s = clampSeverity(severity);
  if (Number.isNaN(s) || !(weight > 0)) {
    return 0;
  }
  return -weight * Math.log1p(-s);
}

/** score = 100 (1 - e^(-E)), the inverse of evidenceFromScore. */
export function scoreFromEvidence(evidence: number): number {
  return evidence > 0 ? -100 * Math.expm1(-evidence) : 0;
}

/** E = -ln(1 - score/100); Infinity at 100. */
export function evidenceFromScore(score: number): number {
  return score > 0 ? -Math.log1p(-Math.min(score, 100) / 100) : 0;
}

/** Apply an evidence multiplier to a score: 100 (1 - (1 - score/100)^m), computed in evidence space. */
export function scaleScore(score: number, multiplier: number): number {
  if (multiplier === 1) {
    return score;
  }
  if (score >= 100) {
    return multiplier > 0 ? 100 : 0;
  }
  return scoreFromEvidence(multiplier * evidenceFromScore(score));
}

function multiplierAt(multiplier: number | Float64Array | undefined, i: number): number {
  const m = multiplier === undefined ? 1 : typeof multiplier === 'number' ? multiplier : multiplier[i];
  return m >= 0 && Number.isFinite(m) ? m : 1;
}

function sortedById(signals: readonly CompositeSignal[]): CompositeSignal[] {
  return [...signals].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function pointCount(signals: readonly CompositeSignal[]): number {
  let n = signals.length ? signals[0].severity.length : 0;
  for (const s of signals) {
    n = Math.min(n, s.severity.length);
  }
  return n;
}

/**
 * Combine the signals' severities into a score per point.
 * Arrays are read up to the shortest length.
 */
export function combine(signals: readonly CompositeSignal[], options: CompositeOptions = {}): CompositeResult {
  const method = options.method ?? 'evidence';
  const sorted = sortedById(signals);
  const n = pointCount(sorted);
  const result: CompositeResult = {
    method,
    ids: sorted.map((s) => s.id),
    score: new Float64Array(n),
    evidence: new Float64Array(n),
    contrib: {},
    missingCount: new Uint16Array(n),
  };
  // In scoreOnly mode one scratch column per signal stands in for the contribution arrays.
  const contribs = sorted.map((s) => {
    const c = new Float64Array(options.scoreOnly ? 1 : n);
    if (!options.scoreOnly) {
      result.contrib[s.id] = c;
    }
    return c;
  });
  const weights = sorted.map((s) => (s.weight > 0 && Number.isFinite(s.weight) ? s.weight : 0));
  const severities = sorted.map((s) => s.severity);
  const scratch = new Float64Array(sorted.length);

  for (let i = 0; i < n; i++) {
    let missing = 0;
    for (let k = 0; k < sorted.length; k++) {
      const s = clampSeverity(severities[k][i]);
      if (Number.isNaN(s)) {
        missing++;
      }
      scratch[k] = s;
    }
    result.missingCount[i] = missing;
    const m = multiplierAt(options.multiplier, i);
    const j = options.scoreOnly ? 0 : i;
    if (method === 'evidence') {
      combineEvidenceAt(i, j, scratch, weights, m, contribs, result);
    } else if (method === 'weighted_mean') {
      combineWeightedMeanAt(i, j, scratch, weights, m, contribs, result);
    } else {
      combineMaxAt(i, j, scratch, weights, m, contribs, result);
    }
  }
  return result;
}

/** Independent evidence: E = m * sum(-w ln(1 - s)), score = 100 (1 - e^-E), c_i = score e_i / sum e. */
function combineEvidenceAt(
  i: number,
  j: number,
  severity: Float64Array,
  weights: number[],
  multiplier: number,
  contribs: Float64Array[],
  out: CompositeResult
): void {
  let total = 0;
  for (let k = 0; k < weights.length; k++) {
    const e = evidenceOf(severity[k], weights[k]);
    contribs[k][j] = e; // temporarily the raw evidence, rescaled below
    total += e;
  }
  const evidence = multiplier * total;
  const score = scoreFromEvidence(evidence);
  out.evidence[i] = evidence;
  out.score[i] = score;
  distribute(j, contribs, total, score);
}

/** Weighted mean over present signals: score = 100 sum(w s) / sum(w), c_i = 100 w_i s_i / sum(w). */
function combineWeightedMeanAt(
  i: number,
  j: number,
  severity: Float64Array,
  weights: number[],
  multiplier: number,
  contribs: Float64Array[],
  out: CompositeResult
): void {
  let weightSum = 0;
  let weighted = 0;
  for (let k = 0; k < weights.length; k++) {
    const s = severity[k];
    const w = Number.isNaN(s) ? 0 : weights[k];
    contribs[k][j] = w * (Number.isNaN(s) ? 0 : s);
    weightSum += w;
    weighted += contribs[k][j];
  }
  const base = weightSum > 0 ? (100 * weighted) / weightSum : 0;
  finishScaled(i, j, base, multiplier, contribs, weighted, out);
}

/** Max: score = 100 max s; the whole score goes to the argmax (ties: first id in sorted order). */
function combineMaxAt(
  i: number,
  j: number,
  severity: Float64Array,
  weights: number[],
  multiplier: number,
  contribs: Float64Array[],
  out: CompositeResult
): void {
  let best = -1;
  let bestSeverity = -1;
  for (let k = 0; k < weights.length; k++) {
    contribs[k][j] = 0;
    const s = severity[k];
    // Strictly greater keeps the first id on ties; zero-weight signals do not take part.
    if (!Number.isNaN(s) && weights[k] > 0 && s > bestSeverity) {
      best = k;
      bestSeverity = s;
    }
  }
  if (best < 0 || bestSeverity <= 0) {
    out.score[i] = 0;
    out.evidence[i] = 0;
    return;
  }
  contribs[best][j] = 1;
  finishScaled(i, j, 100 * bestSeverity, multiplier, contribs, 1, out);
}

/** Apply the multiplier in evidence space to a base score; contributions proportional to `parts`. */
function finishScaled(
  i: number,
  j: number,
  baseScore: number,
  multiplier: number,
  contribs: Float64Array[],
  partsTotal: number,
  out: CompositeResult
): void {
  const score = scaleScore(baseScore, multiplier);
  out.score[i] = score;
  out.evidence[i] = evidenceFromScore(score);
  distribute(j, contribs, partsTotal, score);
}

/**
 * Turn the provisional parts in contribs[k][j] into shares of `score`. The last non-zero share is
 * the remainder, so the contributions add up to the score exactly in the summation order we use.
 */
function distribute(j: number, contribs: Float64Array[], partsTotal: number, score: number): void {
  if (!(partsTotal > 0) || score === 0) {
    for (const c of contribs) {
      c[j] = 0;
    }
    return;
  }
  let last = -1;
  let assigned = 0;
  for (let k = 0; k < contribs.length; k++) {
    const part = contribs[k][j];
    if (part > 0) {
      if (last >= 0) {
        assigned += contribs[last][j];
      }
      contribs[k][j] = (score * part) / partsTotal;
      last = k;
    } else {
      contribs[k][j] = 0;
    }
  }
  if (last >= 0) {
    contribs[last][j] = Math.max(0, score - assigned);
  }
}
