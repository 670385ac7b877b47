/**
 * The univariate detector the NAB run uses, a thin shell around the engine. Per series:
 *
 *   z_s(i)   = |robust z| of signal s: the engine's robust_z detector (median / MAD of the previous
 *              `window` rows) on a derived input (the value, its first difference, value minus the
 *              value a day earlier, a trailing mean), see signalStatistic
 *   e_s(i)   = record-anchored rarity evidence of z_s against the series' own history of block
 *              maxima, decades beyond the `anchor`-th most extreme block (nabRarity.ts; the tail is
 *              the engine's GPD fit)
 *   E(i)     = Σ over inputs g of max over the signals s of g of e_s(i)     (combine: by_input)
 *   alert(i) = suppressAfter(E, refractory)(i)   (one alert per incident onset, see onset.ts)
 *   score(i) = alert(i) / (1 + alert(i))          in [0, 1), monotone in the evidence
 *
 * Signals on one input at several baselines see the same deviation, so within an input only the
 * strongest counts; different inputs (value, step, daily shape, slow level) are different lines of
 * evidence and add, as independent evidence does (the engine's composite adds −ln(1 − s) the same
 * way). Configured by one global spec (nab/spec.yaml); nothing here reads labels. Causal: row i's
 * score uses rows <= i only.
 */
import { runDetector } from '../signals/registry';
import { DEFAULT_BLOCK } from '../signals/rarity';
import { durationToMs } from '../util/duration';
import { recordEvidence, RecordRarityConfig } from './nabRarity';
import { diff, lagByTime, subtract, suppressAfter, trailingMean } from './onset';

export type NabSignalInput = 'value' | 'diff' | 'seasonal';

export interface NabSignalSpec {
  id: string;
  /** What the robust z is computed on. */
  input: NabSignalInput;
  /** Trailing baseline length in rows for the robust z (median / MAD). */
  window: number;
  /** Trailing mean over this many rows before the z (1 = none). */
  smooth: number;
  /** For `seasonal`: the lag (ms) and the tolerance (ms) for finding the row one period earlier. */
  period?: number;
  tolerance?: number;
}

export interface NabOnsetSpec {
  /**
   * Rows after an alert during which the combined evidence is silenced unless it exceeds that
   * alert's (0 = off). NAB rewards one early detection per window and charges every extra one.
   */
  refractory: number;
}

/** How the per-signal evidence becomes one number per row. */
export type NabCombine = 'by_input' | 'sum' | 'max';
export const NAB_COMBINE: readonly NabCombine[] = ['by_input', 'sum', 'max'];

export interface NabSpec {
  id: string;
  signals: NabSignalSpec[];
  /** Block, history and anchor of the record-anchored rarity (nabRarity.ts). */
  rarity: RecordRarityConfig;
  /** by_input (default): max within an input, summed over inputs; sum: over all; max: over all. */
  combine: NabCombine;
  onset: NabOnsetSpec;
}

/** The engine's rarity block (DEFAULT_BLOCK, 5 min). */
const DEFAULT_BLOCK_MS = durationToMs(DEFAULT_BLOCK);
/** Defaults when the spec leaves them out (nab/spec.yaml sets them explicitly). */
const DEFAULT_HISTORY_MS = 35 * 86_400_000;
const DEFAULT_ANCHOR = 30;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 };

/** Parses "30m", "1d", "7d", "500ms" (or a number of ms). */
export function parseDuration(v: unknown, path: string): number {
  if (typeof v === 'number' && v > 0) {
    return v;
  }
  const m = typeof v === 'string' ? DURATION.exec(v.trim()) : null;
  if (!m) {
    throw new Error(`${path}: expected a duration like "30m" or "1d", got ${JSON.stringify(v)}`);
  }
  return Number(m[1]) * UNIT_MS[m[2]];
}

function positiveInt(v: unknown, path: string, dflt?: number): number {
  if (v === undefined && dflt !== undefined) {
    return dflt;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new Error(`${path}: expected a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Validates a parsed YAML/JSON object into a NabSpec; errors name the path and the reason. */
export function parseNabSpec(raw: unknown): NabSpec {
  if (!raw || typeof raw !== 'object') {
    throw new Error('spec: expected an object');
  }
  const r = raw as Record<string, unknown>;
  const id = typeof r.id === 'string' ? r.id : 'nab';
  if (!Array.isArray(r.signals) || r.signals.length === 0) {
    throw new Error('signals: expected a non-empty list');
  }
  const ids = new Set<string>();
  const signals = r.signals.map((s: unknown, i: number): NabSignalSpec => {
    const path = `signals[${i}]`;
    if (!s || typeof s !== 'object') {
      throw new Error(`${path}: expected an object`);
    }
    const o = s as Record<string, unknown>;
    const sid = typeof o.id === 'string' ? o.id : `s${i}`;
    if (ids.has(sid)) {
      throw new Error(`${path}.id: duplicate id "${sid}"`);
    }
    ids.add(sid);
    const input = o.input;
    if (input !== 'value' && input !== 'diff' && input !== 'seasonal') {
      throw new Error(`${path}.input: expected value, diff or seasonal, got ${JSON.stringify(input)}`);
    }
    const spec: NabSignalSpec = {
      id: sid,
      input,
      window: positiveInt(o.window, `${path}.window`),
      smooth: positiveInt(o.smooth, `${path}.smooth`, 1),
    };
    if (input === 'seasonal') {
      spec.period = parseDuration(o.period, `${path}.period`);
      spec.tolerance = o.tolerance === undefined ? spec.period / 48 : parseDuration(o.tolerance, `${path}.tolerance`);
    }
    return spec;
  });
  const ra = (r.rarity ?? {}) as Record<string, unknown>;
  const rarity: RecordRarityConfig = {
    blockMs: ra.block === undefined ? DEFAULT_BLOCK_MS : parseDuration(ra.block, 'rarity.block'),
    historyMs: ra.history === undefined ? DEFAULT_HISTORY_MS : parseDuration(ra.history, 'rarity.history'),
    anchor: positiveNumber(ra.anchor, 'rarity.anchor', DEFAULT_ANCHOR),
  };
  if (rarity.historyMs < rarity.blockMs) {
    throw new Error('rarity.history: must be at least one block');
  }
  const combine = r.combine ?? 'by_input';
  if (!NAB_COMBINE.includes(combine as NabCombine)) {
    throw new Error(`combine: expected ${NAB_COMBINE.join(', ')}, got ${JSON.stringify(combine)}`);
  }
  const on = (r.onset ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(on)) {
    if (k !== 'refractory') {
      throw new Error(`onset.${k}: unknown key (onset has only refractory)`);
    }
  }
  const refractory = on.refractory === 0 ? 0 : positiveInt(on.refractory, 'onset.refractory', 0);
  return { id, signals, rarity, combine: combine as NabCombine, onset: { refractory } };
}

function positiveNumber(v: unknown, path: string, dflt: number): number {
  if (v === undefined) {
    return dflt;
  }
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
    throw new Error(`${path}: expected a positive number, got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Params of the engine's robust_z detector for one signal: the window in rows (the engine takes a
 * whole number as points); warm-up (20 valid points, capped at the window) and the scale floors
 * (minScaleRel 0.01, minScale 1e-9; MAD 0 falls back to the mean absolute deviation) are the
 * engine's defaults.
 */
export function robustZParams(s: NabSignalSpec): { window: number; severity: 'ramp' } {
  // Only the statistic is used here; the ramp keeps it free of the rarity history's warm-up.
  return { window: s.window, severity: 'ramp' };
}

/** |robust z| of one configured signal. */
export function signalStatistic(t: Float64Array, value: Float64Array, s: NabSignalSpec): Float64Array {
  let x: Float64Array;
  if (s.input === 'value') {
    x = value;
  } else if (s.input === 'diff') {
    x = diff(value);
  } else {
    x = subtract(value, lagByTime(t, value, s.period!, s.tolerance!));
  }
  if (s.smooth > 1) {
    x = trailingMean(x, s.smooth);
  }
  const z = runDetector('robust_z', robustZParams(s), { direction: 'both' }, { type: 'value', t, value: x }).statistic;
  for (let i = 0; i < z.length; i++) {
    z[i] = Math.abs(z[i]);
  }
  return z;
}

/**
 * Signals that look at the same derived series (same input, smoothing and period) form one input
 * group: their evidence is the max over the group's baselines.
 */
export function inputGroup(s: NabSignalSpec): string {
  return s.input === 'seasonal' ? `${s.input}/${s.smooth}/${s.period}/${s.tolerance}` : `${s.input}/${s.smooth}`;
}

export interface NabEvidence {
  /** Evidence (decades) per signal, in spec order; NaN while warming up. */
  signals: Float64Array[];
  /** The combined evidence per row (0 where every signal is NaN), before the refractory period. */
  combined: Float64Array;
}

/** Per-signal and combined evidence of one series (see the file comment). Causal. */
export function nabEvidence(t: Float64Array, value: Float64Array, spec: NabSpec): NabEvidence {
  const signals = spec.signals.map((s) => recordEvidence(t, signalStatistic(t, value, s), spec.rarity));
  return { signals, combined: combineEvidence(signals, spec.signals.map(inputGroup), spec.combine) };
}

/**
 * One evidence per row from the signals' evidence (`groups[k]` = the input group of signal k):
 * by_input = Σ over groups of the group's max; sum = Σ over signals; max = max over signals. NaN
 * (warming up) adds nothing.
 */
export function combineEvidence(
  signals: readonly Float64Array[],
  groups: readonly string[],
  combine: NabCombine
): Float64Array {
  const names = [...new Set(groups)];
  const groupOf = groups.map((g) => names.indexOf(g));
  const n = signals.length ? signals[0].length : 0;
  const combined = new Float64Array(n);
  const best = new Float64Array(names.length);
  for (let i = 0; i < n; i++) {
    let total = 0;
    if (combine === 'by_input') {
      best.fill(0);
      for (let k = 0; k < signals.length; k++) {
        const e = signals[k][i];
        if (e > best[groupOf[k]]) {
          best[groupOf[k]] = e; // NaN never wins
        }
      }
      for (const b of best) {
        total += b;
      }
    } else {
      for (const e of signals) {
        const v = e[i];
        if (v > 0) {
          total = combine === 'sum' ? total + v : v > total ? v : total;
        }
      }
    }
    combined[i] = total;
  }
  return combined;
}

/** The refractory period on the combined evidence, then e / (1 + e): the NAB score in [0, 1]. */
export function alertScore(combined: Float64Array, refractory: number): Float64Array {
  const alerts = refractory > 0 ? suppressAfter(combined, refractory) : combined;
  const out = new Float64Array(alerts.length);
  for (let i = 0; i < out.length; i++) {
    const e = alerts[i];
    // Monotone, so NAB's threshold sweep sees the evidence's order unchanged. The evidence is
    // finite (the tail is capped); a non-finite one never survives suppressAfter.
    out[i] = e > 0 && e < Infinity ? e / (1 + e) : 0;
  }
  return out;
}

/** Anomaly score in [0, 1] per row (0 while warming up). Causal: row i uses rows <= i only. */
export function scoreNabSeries(t: Float64Array, value: Float64Array, spec: NabSpec): Float64Array {
  return alertScore(nabEvidence(t, value, spec).combined, spec.onset.refractory);
}
