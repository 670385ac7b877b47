/**
 * The univariate detector the NAB run uses, a thin shell around the engine: per series, the engine's
 * robust_z detector (src/scoring/signals) at several time scales on a few derived inputs, each |z|
 * turned into an alert-onset score (fadingRecordMargin), combined by max, then a short refractory
 * period (suppressAfter) so one incident alerts once. Configured by one global spec (nab/spec.yaml);
 * nothing here reads labels.
 */
import { runDetector } from '../signals/registry';
import { diff, fadingRecordMargin, lagByTime, maxOf, subtract, suppressAfter, trailingMean } from './onset';

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
  /** `fading_record` (the only method): margin over a fading maximum with `halfLife` in rows. */
  method: 'fading_record';
  halfLife: number;
  /**
   * Rows after an alert during which the combined score is silenced unless it exceeds that alert's
   * score (0 = off). NAB rewards one early detection per window and charges every extra one.
   */
  refractory: number;
}

export interface NabSpec {
  id: string;
  signals: NabSignalSpec[];
  onset: NabOnsetSpec;
}

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
  const on = (r.onset ?? {}) as Record<string, unknown>;
  const method = on.method ?? 'fading_record';
  if (method !== 'fading_record') {
    throw new Error(`onset.method: expected fading_record, got ${JSON.stringify(method)}`);
  }
  const halfLife = positiveInt(on.half_life ?? on.halfLife, 'onset.half_life', 5000);
  const refractory = on.refractory === 0 ? 0 : positiveInt(on.refractory, 'onset.refractory', 0);
  return { id, signals, onset: { method, halfLife, refractory } };
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

/** Anomaly score in [0, 1] per row (0 while warming up). Causal: row i uses rows <= i only. */
export function scoreNabSeries(t: Float64Array, value: Float64Array, spec: NabSpec): Float64Array {
  const parts = spec.signals.map((s) => fadingRecordMargin(signalStatistic(t, value, s), spec.onset.halfLife));
  const combined = maxOf(...parts);
  const out = spec.onset.refractory > 0 ? suppressAfter(combined, spec.onset.refractory) : combined;
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    out[i] = Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
  }
  return out;
}
