/**
 * The engine: one entity's signal inputs -> detectors -> composite score (layer 1) -> tiers (layer 2)
 * with context (layer 3), plus a confidence interval for the score.
 *
 * Alignment. Every signal runs its detector on its own points; results are then placed on a common
 * time axis, the union of all signals' timestamps. A signal with no point at t is missing there.
 *
 * Incremental scoring. `createEntityScorer(...).append(chunk)` scores only the points after the last
 * time already scored (the watermark); points at or before it are dropped and counted. Detectors,
 * the tier machine and the interval statistics all carry state between calls, and `scoreEntity` is
 * itself one append on a fresh scorer, so appending a series in time-ordered chunks gives exactly the
 * numbers of one call over the whole series. (With no `step` in the spec or options, the step is
 * inferred from the first chunk with two or more timestamps: give the step when the first chunk may
 * hold a single point.)
 *
 * Score interval (scoreLower / scoreUpper). A heuristic, documented here so it can be judged:
 * - Observed signal: its severity s is treated like a proportion estimated from `support`
 *   observations (the points its baseline rests on), and the 95 % Wilson score interval is used:
 *   bounded in [0, 1], always contains s, narrows as 1/sqrt(support), and is tightest near 0 and 1.
 *   Support NaN means "not reported": no widening. Support <= 0: [0, 1].
 * - Missing or warming-up signal (or one whose detector failed): severity in [0, typical], where
 *   typical is the 90th percentile of that signal's severities observed so far for this entity
 *   (causal, 100 bins, upper bin edge, so incremental == batch); 1 if never observed.
 * - The composite is monotone in each severity, so scoring all lower ends and all upper ends gives
 *   the interval's ends (with the context multiplier applied to both). The interval is widened if
 *   needed to contain the point score (weighted_mean excludes missing signals from the point score
 *   but includes them, at [0, typical], in the bounds).
 */
import {
  POINT_MISSING,
  POINT_OK,
  POINT_WARMING_UP,
  type CompositeMethod,
  type Detector,
  type DetectorResult,
  type Direction,
  type SignalInput,
  type SignalKind,
  type SignalState,
  type Tier,
} from './types';
import { combine, type CompositeSignal } from './composite';
import { contextSeries, planContext, type ContextPlan, type Labels } from './context';
import { kindInfo, stepMsOf, tierConfigOf, type ScoreSpec, type SignalSpec } from './spec';
import { TierEventTracker, TierMachine, tierName, tierNames, tierSince, type TierEvent } from './tiers';
import { createDetector } from './signals/registry';

export const DEFAULT_STEP_MS = 60_000;
const WILSON_Z = 1.96;
const TYPICAL_QUANTILE = 0.9;
const TYPICAL_BINS = 100;

// ---------------------------------------------------------------------------------------------
// Input normalisation
// ---------------------------------------------------------------------------------------------

export interface NormalizationReport {
  /** Points received. */
  received: number;
  /** Points kept (after dropping bad timestamps and merging duplicates). */
  kept: number;
  /** True when the input was not in ascending time order (it was sorted, stably). */
  reordered: boolean;
  /** Points dropped because another point had the same timestamp (the last one is kept). */
  duplicates: number;
  /** Points dropped because their timestamp was not a finite number. */
  badTimestamps: number;
  /** Kept points with at least one NaN/±Inf value, now marked missing (NaN). */
  nonFinite: number;
  /** Incremental scoring: points at or before the last scored time, dropped. */
  late: number;
}

export interface NormalizedInput {
  /** Undefined when the input could not be read at all (see error). */
  input?: SignalInput;
  report: NormalizationReport;
  error?: string;
}

function emptyReport(received = 0): NormalizationReport {
  return { received, kept: 0, reordered: false, duplicates: 0, badTimestamps: 0, nonFinite: 0, late: 0 };
}

function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return (
    Array.isArray(x) ||
    (ArrayBuffer.isView(x) && !(x instanceof DataView)) ||
    (typeof x === 'object' && x !== null && typeof (x as { length?: unknown }).length === 'number')
  );
}

/**
 * Numbers only: null, strings and other junk become NaN (Float64Array.from would turn null into 0).
 * A Float64Array is used as is (never written to), so clean inputs are not copied.
 */
function toFloat64(x: ArrayLike<unknown>): Float64Array {
  if (x instanceof Float64Array) {
    return x;
  }
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = typeof v === 'number' ? v : NaN;
  }
  return out;
}

interface Columns {
  t: Float64Array;
  /** Value columns, all of t's length. */
  columns: Float64Array[];
  rebuild(t: Float64Array, columns: Float64Array[]): SignalInput;
}

/** Read the input's columns, or say what is wrong with its shape. */
function readColumns(raw: unknown): Columns | string {
  if (typeof raw !== 'object' || raw === null) {
    return `input must be an object, got ${raw === null ? 'null' : typeof raw}`;
  }
  const input = raw as Record<string, unknown>;
  if (!isArrayLike(input.t)) {
    return 'input.t must be an array of epoch-millisecond timestamps';
  }
  const t = toFloat64(input.t);
  const column = (name: string): Float64Array | string => {
    const c = input[name];
    if (!isArrayLike(c)) {
      return `input.${name} must be an array of numbers`;
    }
    if (c.length !== t.length) {
      return `input.${name} has ${c.length} points but input.t has ${t.length}`;
    }
    return toFloat64(c);
  };
  const matrix = (name: string, le: Float64Array): Float64Array[] | string => {
    const m = input[name];
    if (!Array.isArray(m) || m.length !== le.length) {
      return `input.${name} must be a list with one array per le bound (${le.length})`;
    }
    const out: Float64Array[] = [];
    for (let j = 0; j < m.length; j++) {
      if (!isArrayLike(m[j]) || (m[j] as ArrayLike<unknown>).length !== t.length) {
        return `input.${name}[${j}] must be an array of ${t.length} numbers`;
      }
      out.push(toFloat64(m[j] as ArrayLike<unknown>));
    }
    return out;
  };
  const readLe = (): Float64Array | string => {
    if (!isArrayLike(input.le)) {
      return 'input.le must be an array of bucket upper bounds';
    }
    const le = toFloat64(input.le);
    for (let j = 0; j < le.length; j++) {
      if (Number.isNaN(le[j]) || le[j] === -Infinity || (j > 0 && !(le[j] > le[j - 1]))) {
        return 'input.le must be strictly ascending numbers (the last may be +Inf)';
      }
    }
    return le.length > 0 ? le : 'input.le must not be empty';
  };

  switch (input.type) {
    case 'value': {
      const value = column('value');
      return typeof value === 'string'
        ? value
        : { t, columns: [value], rebuild: (tt, [v]) => ({ type: 'value', t: tt, value: v }) };
    }
    case 'ratio': {
      const num = column('num');
      const den = column('den');
      if (typeof num === 'string' || typeof den === 'string') {
        return typeof num === 'string' ? num : (den as string);
      }
      return { t, columns: [num, den], rebuild: (tt, [a, b]) => ({ type: 'ratio', t: tt, num: a, den: b }) };
    }
    case 'buckets': {
      const le = readLe();
      if (typeof le === 'string') {
        return le;
      }
      const cumulative = matrix('cumulative', le);
      if (typeof cumulative === 'string') {
        return cumulative;
      }
      return { t, columns: cumulative, rebuild: (tt, cols) => ({ type: 'buckets', t: tt, le, cumulative: cols }) };
    }
    case 'calibration': {
      const le = readLe();
      if (typeof le === 'string') {
        return le;
      }
      const total = matrix('total', le);
      const correct = matrix('correct', le);
      if (typeof total === 'string' || typeof correct === 'string') {
        return typeof total === 'string' ? total : (correct as string);
      }
      const k = le.length;
      return {
        t,
        columns: [...total, ...correct],
        rebuild: (tt, cols) => ({ type: 'calibration', t: tt, le, total: cols.slice(0, k), correct: cols.slice(k) }),
      };
    }
    default:
      return `input.type must be value, ratio, buckets or calibration, got ${JSON.stringify(input.type) ?? 'nothing'}`;
  }
}

/**
 * Clean one input: sort by time (stable), merge duplicate timestamps keeping the last, drop points
 * whose time is not finite, mark NaN/±Inf values as missing (NaN). Never throws; a malformed input
 * gives `error` and no `input`.
 */
export function normalizeInput(raw: unknown): NormalizedInput {
  try {
    const cols = readColumns(raw);
    if (typeof cols === 'string') {
      const received =
        typeof raw === 'object' && raw !== null && isArrayLike((raw as { t?: unknown }).t)
          ? (raw as { t: ArrayLike<unknown> }).t.length
          : 0;
      return { report: emptyReport(received), error: cols };
    }
    const { t, columns } = cols;
    const report = emptyReport(t.length);
    if (isStrictlyAscendingFinite(t)) {
      const marks: NonFiniteMarks = { n: t.length };
      const clean = columns.map((c) => finiteOrNaN(c, report, marks));
      report.kept = t.length;
      return { input: cols.rebuild(t, clean), report };
    }
    const order = sortedValidIndices(t, report);
    const keep = lastOfEachTimestamp(t, order, report);
    const tOut = new Float64Array(keep.length);
    const colsOut = columns.map(() => new Float64Array(keep.length));
    for (let i = 0; i < keep.length; i++) {
      const src = keep[i];
      tOut[i] = t[src];
      let bad = false;
      for (let c = 0; c < columns.length; c++) {
        const v = columns[c][src];
        if (Number.isFinite(v)) {
          colsOut[c][i] = v;
        } else {
          colsOut[c][i] = NaN;
          bad = true;
        }
      }
      if (bad) {
        report.nonFinite++;
      }
    }
    report.kept = keep.length;
    return { input: cols.rebuild(tOut, colsOut), report };
  } catch (e) {
    return { report: emptyReport(), error: `cannot read input: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function isStrictlyAscendingFinite(t: Float64Array): boolean {
  for (let i = 0; i < t.length; i++) {
    if (!Number.isFinite(t[i]) || (i > 0 && !(t[i] > t[i - 1]))) {
      return false;
    }
  }
  return true;
}

/**
 * Fast path of normalisation for already clean time axes: the column itself when every value is
 * finite or NaN, else a copy with ±Inf as NaN. Counts points with a non-finite value once per point.
 */
interface NonFiniteMarks {
  n: number;
  /** Points already counted as non-finite (allocated on the first one). */
  seen?: Uint8Array;
}

function finiteOrNaN(column: Float64Array, report: NormalizationReport, marks: NonFiniteMarks): Float64Array {
  let out = column;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (v - v !== 0) {
      if (v === v) {
        if (out === column) {
          out = Float64Array.from(column);
        }
        out[i] = NaN; // ±Inf
      }
      marks.seen ??= new Uint8Array(marks.n);
      if (!marks.seen[i]) {
        marks.seen[i] = 1;
        report.nonFinite++;
      }
    }
  }
  return out;
}

/** Indices of points with a finite time, in ascending time order (stable for equal times). */
function sortedValidIndices(t: Float64Array, report: NormalizationReport): number[] {
  const order: number[] = [];
  let sorted = true;
  for (let i = 0; i < t.length; i++) {
    if (!Number.isFinite(t[i])) {
      report.badTimestamps++;
      continue;
    }
    if (order.length > 0 && t[i] < t[order[order.length - 1]]) {
      sorted = false;
    }
    order.push(i);
  }
  if (!sorted) {
    report.reordered = true;
    order.sort((a, b) => t[a] - t[b] || a - b);
  }
  return order;
}

function lastOfEachTimestamp(t: Float64Array, order: number[], report: NormalizationReport): number[] {
  const keep: number[] = [];
  for (let k = 0; k < order.length; k++) {
    if (k + 1 < order.length && t[order[k + 1]] === t[order[k]]) {
      report.duplicates++;
      continue;
    }
    keep.push(order[k]);
  }
  return keep;
}

/** The part of an input strictly after `after` (inputs are sorted after normalisation). */
function sliceAfter(input: SignalInput, after: number): { input: SignalInput; dropped: number } {
  let start = 0;
  while (start < input.t.length && input.t[start] <= after) {
    start++;
  }
  if (start === 0) {
    return { input, dropped: 0 };
  }
  const cut = (a: Float64Array) => a.subarray(start);
  switch (input.type) {
    case 'value':
      return { input: { type: 'value', t: cut(input.t), value: cut(input.value) }, dropped: start };
    case 'ratio':
      return { input: { type: 'ratio', t: cut(input.t), num: cut(input.num), den: cut(input.den) }, dropped: start };
    case 'buckets':
      return {
        input: { type: 'buckets', t: cut(input.t), le: input.le, cumulative: input.cumulative.map(cut) },
        dropped: start,
      };
    case 'calibration':
      return {
        input: {
          type: 'calibration',
          t: cut(input.t),
          le: input.le,
          total: input.total.map(cut),
          correct: input.correct.map(cut),
        },
        dropped: start,
      };
  }
}

/**
 * What is shown as "observed" in explanations, in the same units as the detector's expected value
 * and band: the value, or the ratio num/den; for kinds whose expectation is about a derived
 * quantity (lag for staleness, PSI / ECE for histograms) that quantity, i.e. the statistic.
 */
function observedValues(input: SignalInput, kind: SignalKind, result: DetectorResult): Float64Array {
  if (kind === 'staleness' || input.type === 'buckets' || input.type === 'calibration') {
    return result.statistic;
  }
  if (input.type === 'value') {
    return input.value;
  }
  const out = new Float64Array(input.t.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = input.den[i] > 0 ? input.num[i] / input.den[i] : NaN;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Time axis
// ---------------------------------------------------------------------------------------------

function sameTimes(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

/** Sorted union of sorted, duplicate-free time arrays. */
export function unionTimes(axes: readonly Float64Array[]): Float64Array {
  if (axes.length === 0) {
    return new Float64Array(0);
  }
  if (axes.every((a) => sameTimes(a, axes[0]))) {
    return axes[0];
  }
  let total = 0;
  for (const a of axes) {
    total += a.length;
  }
  const all = new Float64Array(total);
  let o = 0;
  for (const a of axes) {
    all.set(a, o);
    o += a.length;
  }
  all.sort();
  let n = 0;
  for (let i = 0; i < all.length; i++) {
    if (n === 0 || all[i] !== all[n - 1]) {
      all[n++] = all[i];
    }
  }
  return all.slice(0, n);
}

/** Place a detector result (on its own times) onto the common axis; absent points are missing. */
function alignResult(result: DetectorResult, axis: Float64Array): DetectorResult {
  if (sameTimes(result.t, axis)) {
    return result;
  }
  const out = missingResult(axis);
  let j = 0;
  for (let i = 0; i < result.t.length; i++) {
    while (axis[j] < result.t[i]) {
      j++;
    }
    out.statistic[j] = result.statistic[i];
    out.severity[j] = result.severity[i];
    out.expected[j] = result.expected[i];
    out.lower[j] = result.lower[i];
    out.upper[j] = result.upper[i];
    out.support[j] = result.support[i];
    out.status[j] = result.status[i];
  }
  return out;
}

function alignValues(t: Float64Array, values: Float64Array, axis: Float64Array): Float64Array {
  if (sameTimes(t, axis)) {
    return values;
  }
  const out = new Float64Array(axis.length).fill(NaN);
  let j = 0;
  for (let i = 0; i < t.length; i++) {
    while (axis[j] < t[i]) {
      j++;
    }
    out[j] = values[i];
  }
  return out;
}

function missingResult(axis: Float64Array): DetectorResult {
  const n = axis.length;
  return {
    t: axis,
    statistic: new Float64Array(n).fill(NaN),
    severity: new Float64Array(n).fill(NaN),
    expected: new Float64Array(n).fill(NaN),
    lower: new Float64Array(n).fill(NaN),
    upper: new Float64Array(n).fill(NaN),
    support: new Float64Array(n),
    status: new Uint8Array(n).fill(POINT_MISSING),
  };
}

function checkResultShape(result: DetectorResult, input: SignalInput): string | undefined {
  const n = input.t.length;
  const arrays: Array<[string, ArrayLike<number> | undefined]> = [
    ['t', result?.t],
    ['statistic', result?.statistic],
    ['severity', result?.severity],
    ['expected', result?.expected],
    ['lower', result?.lower],
    ['upper', result?.upper],
    ['support', result?.support],
    ['status', result?.status],
  ];
  for (const [name, a] of arrays) {
    if (!a || a.length !== n) {
      return `detector returned ${name} with ${a ? a.length : 'no'} points for ${n} input points`;
    }
  }
  return sameTimes(result.t, input.t) ? undefined : 'detector returned different timestamps than it was given';
}

// ---------------------------------------------------------------------------------------------
// Severity interval
// ---------------------------------------------------------------------------------------------

/** 95 % Wilson score interval for a severity s estimated from n observations. */
export function severityInterval(s: number, support: number, z = WILSON_Z): [number, number] {
  if (Number.isNaN(support)) {
    return [s, s];
  }
  if (!(support > 0)) {
    return [0, 1];
  }
  const z2n = (z * z) / support;
  const denom = 1 + z2n;
  const centre = (s + z2n / 2) / denom;
  const half = (z / denom) * Math.sqrt((s * (1 - s)) / support + z2n / (4 * support));
  return [Math.max(0, Math.min(s, centre - half)), Math.min(1, Math.max(s, centre + half))];
}

/** Causal histogram of a signal's observed severities, for the "typical" upper end when it is missing. */
class SeverityHistogram {
  private readonly bins = new Float64Array(TYPICAL_BINS);
  private count = 0;

  add(s: number): void {
    const b = Math.min(TYPICAL_BINS - 1, Math.max(0, Math.floor(s * TYPICAL_BINS)));
    this.bins[b]++;
    this.count++;
  }

  /** Upper edge of the bin holding the q-quantile; 1 when nothing was observed yet. */
  quantile(q: number): number {
    if (this.count === 0) {
      return 1;
    }
    const target = q * this.count;
    let seen = 0;
    for (let b = 0; b < TYPICAL_BINS; b++) {
      seen += this.bins[b];
      if (seen >= target) {
        return (b + 1) / TYPICAL_BINS;
      }
    }
    return 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

export interface SignalOutcome {
  id: string;
  name?: string;
  kind: SignalKind;
  weight: number;
  direction: Direction;
  /** Over the points of this result: error > ok (some point judged) > warming_up > missing. */
  state: SignalState;
  message?: string;
  /** Detector output on the entity's common time axis (absent points: status missing). */
  result: DetectorResult;
  /** Observed value per point (value input: the value; ratio: num/den; histograms: NaN). */
  observed: Float64Array;
  /** Severity interval per point (see the module comment). */
  severityLower: Float64Array;
  severityUpper: Float64Array;
  /** What normalisation did to this signal's input (undefined when no input was given). */
  input?: NormalizationReport;
  counts: { ok: number; warmingUp: number; missing: number };
}

export interface EntityScore {
  specId: string;
  specVersion: number | string;
  labels: Labels;
  /** Canonical entity key, e.g. `{model="fraud", version="3"}`. */
  key: string;
  method: CompositeMethod;
  t: Float64Array;
  /** 0..100, never NaN. */
  score: Float64Array;
  scoreLower: Float64Array;
  scoreUpper: Float64Array;
  /** Total evidence after context, E = -ln(1 - score/100). */
  evidence: Float64Array;
  /** Effective tier, index into TIERS (see tierNames / tiersOf). */
  tier: Uint8Array;
  /** Tier from the score alone (state machine before floors and suppression). */
  baseTier: Uint8Array;
  /** 1 where a suppression window applied (tier capped at ok). */
  suppressed: Uint8Array;
  /** Context evidence multiplier per point. */
  multiplier: Float64Array;
  /** Context tier floor per point. */
  floor: Uint8Array;
  /** Signals without a judged severity at each point. */
  missingCount: Uint16Array;
  /** contrib[signalId][i]; the contributions at i sum to score[i]. */
  contrib: Record<string, Float64Array>;
  signals: Record<string, SignalOutcome>;
  /** Matched context rules, resolved (see context.ts effectsAt for the effects at a time). */
  context: ContextPlan;
  /** Runs of non-ok tiers overlapping these points (the last may be open: end null). */
  events: TierEvent[];
  /** Problems that did not stop scoring (bad inputs, detector failures, late points). */
  errors: string[];
}

export function tiersOf(score: Pick<EntityScore, 'tier'>): Tier[] {
  return tierNames(score.tier);
}

export interface ScoreOptions {
  /** Step in ms when the spec has none (else inferred from the data; default 60 s). */
  stepMs?: number;
  /** Detector factory; defaults to the registry. Tests inject their own. */
  createDetector?: (signal: SignalSpec, opts: { direction: Direction; stepMs: number }) => Detector;
}

export type SignalInputs = Record<string, SignalInput | undefined>;

/** Canonical key of an entity: the spec's entity labels in order (all labels, sorted, if none). */
export function entityKey(labels: Labels, entityLabels: readonly string[] = []): string {
  const names = entityLabels.length > 0 ? entityLabels : Object.keys(labels).sort();
  return `{${names.map((n) => `${n}=${JSON.stringify(labels[n] ?? '')}`).join(', ')}}`;
}

// ---------------------------------------------------------------------------------------------
// The incremental scorer
// ---------------------------------------------------------------------------------------------

interface SignalRuntime {
  spec: SignalSpec;
  detector?: Detector;
  /** Set once the detector failed; its state can no longer be trusted, so it stays failed. */
  failure?: string;
  typical: SeverityHistogram;
}

export interface EntityScorer {
  readonly spec: ScoreSpec;
  readonly labels: Labels;
  /** Score the points after the last scored time; never throws. */
  append(inputs: SignalInputs): EntityScore;
  /** Every tier event so far (the last may be open). */
  events(): TierEvent[];
  /** Last scored time (-Infinity before the first point). */
  lastTime(): number;
}

interface PreparedSignal {
  rt: SignalRuntime;
  input?: SignalInput;
  report?: NormalizationReport;
  error?: string;
}

class Scorer implements EntityScorer {
  private readonly runtimes: SignalRuntime[];
  private readonly plan: ContextPlan;
  private readonly tiers: TierMachine;
  private readonly tracker = new TierEventTracker();
  private watermark = -Infinity;
  private stepMs: number | undefined;
  private readonly makeDetector: NonNullable<ScoreOptions['createDetector']>;

  constructor(
    readonly spec: ScoreSpec,
    readonly labels: Labels,
    opts: ScoreOptions
  ) {
    this.runtimes = spec.signals.map((s) => ({ spec: s, typical: new SeverityHistogram() }));
    this.plan = planContext(spec.context ?? [], labels);
    this.tiers = new TierMachine(tierConfigOf(spec));
    this.stepMs = stepMsOf(spec) ?? (opts.stepMs !== undefined && opts.stepMs > 0 ? opts.stepMs : undefined);
    this.makeDetector = opts.createDetector ?? ((s, o) => createDetector(s.kind, s.params, o));
  }

  events(): TierEvent[] {
    return this.tracker.events();
  }

  lastTime(): number {
    return this.watermark;
  }

  append(inputs: SignalInputs): EntityScore {
    try {
      return this.appendUnsafe(inputs ?? {});
    } catch (e) {
      // Only a bug gets here; report it rather than throw into a panel or a data source.
      const out = this.emptyResult(new Float64Array(0));
      out.errors.push(`internal error while scoring: ${e instanceof Error ? e.message : String(e)}`);
      return out;
    }
  }

  private appendUnsafe(inputs: SignalInputs): EntityScore {
    const errors: string[] = [...this.plan.warnings];
    const prepared = this.runtimes.map((rt) => this.prepare(rt, inputs[rt.spec.id], errors));
    const axis = unionTimes(prepared.filter((p) => p.input).map((p) => p.input!.t));
    if (this.stepMs === undefined && axis.length >= 2) {
      this.stepMs = medianStep(axis);
    }
    const out = this.emptyResult(axis);
    out.errors.push(...errors);

    for (const p of prepared) {
      out.signals[p.rt.spec.id] = this.runSignal(p, axis);
    }
    this.scoreAxis(out);
    if (axis.length > 0) {
      this.watermark = axis[axis.length - 1];
      out.events = this.tracker.eventsBetween(axis[0], axis[axis.length - 1]);
    }
    return out;
  }

  /** Normalise, type-check and cut one signal's input at the watermark. */
  private prepare(rt: SignalRuntime, raw: SignalInput | undefined, errors: string[]): PreparedSignal {
    if (raw === undefined || raw === null) {
      return { rt };
    }
    const norm = normalizeInput(raw);
    const id = rt.spec.id;
    if (!norm.input) {
      errors.push(`signal ${id}: ${norm.error}`);
      return { rt, report: norm.report, error: norm.error };
    }
    const info = kindInfo(rt.spec.kind);
    if (info && info.inputType !== norm.input.type) {
      const error = `kind ${rt.spec.kind} needs a '${info.inputType}' input, got '${norm.input.type}'`;
      errors.push(`signal ${id}: ${error}`);
      return { rt, report: norm.report, error };
    }
    const { input, dropped } = sliceAfter(norm.input, this.watermark);
    norm.report.late = dropped;
    if (dropped > 0) {
      errors.push(`signal ${id}: ${dropped} point(s) at or before the last scored time were dropped`);
    }
    return { rt, input: input.t.length > 0 ? input : undefined, report: norm.report };
  }

  private detectorFor(rt: SignalRuntime): Detector | undefined {
    if (!rt.detector && !rt.failure) {
      try {
        rt.detector = this.makeDetector(rt.spec, {
          direction: rt.spec.direction,
          stepMs: this.stepMs ?? DEFAULT_STEP_MS,
        });
      } catch (e) {
        rt.failure = `cannot create the ${rt.spec.kind} detector: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    return rt.detector;
  }

  private runSignal(p: PreparedSignal, axis: Float64Array): SignalOutcome {
    const { rt } = p;
    let result: DetectorResult | undefined;
    let observed: Float64Array | undefined;
    let error = p.error;
    if (p.input && !error) {
      const detector = this.detectorFor(rt);
      if (detector) {
        try {
          const raw = detector.process(p.input);
          const shapeError = checkResultShape(raw, p.input);
          if (shapeError) {
            rt.failure = shapeError;
          } else {
            result = alignResult(raw, axis);
            observed = alignValues(p.input.t, observedValues(p.input, rt.spec.kind, raw), axis);
          }
        } catch (e) {
          rt.failure = `${rt.spec.kind} detector failed: ${e instanceof Error ? e.message : String(e)}`;
        }
      }
    }
    error = error ?? rt.failure;
    if (error || !result) {
      result = missingResult(axis);
    }
    return this.outcome(rt, p, result, observed ?? new Float64Array(axis.length).fill(NaN), error);
  }

  private outcome(
    rt: SignalRuntime,
    p: PreparedSignal,
    result: DetectorResult,
    observed: Float64Array,
    error?: string
  ): SignalOutcome {
    const n = result.t.length;
    const severityLower = new Float64Array(n);
    const severityUpper = new Float64Array(n);
    const counts = { ok: 0, warmingUp: 0, missing: 0 };
    for (let i = 0; i < n; i++) {
      const s = result.severity[i];
      if (result.status[i] === POINT_OK && !Number.isNaN(s)) {
        const clamped = Math.min(1, Math.max(0, s));
        const [lo, hi] = severityInterval(clamped, result.support[i]);
        severityLower[i] = lo;
        severityUpper[i] = hi;
        rt.typical.add(clamped);
        counts.ok++;
      } else {
        // Not judged here: severity NaN (never zero risk), interval [0, typical].
        result.severity[i] = NaN;
        if (result.status[i] === POINT_OK) {
          result.status[i] = POINT_MISSING;
        }
        severityLower[i] = 0;
        severityUpper[i] = rt.typical.quantile(TYPICAL_QUANTILE);
        if (result.status[i] === POINT_WARMING_UP) {
          counts.warmingUp++;
        } else {
          counts.missing++;
        }
      }
    }
    const state: SignalState = error ? 'error' : counts.ok > 0 ? 'ok' : counts.warmingUp > 0 ? 'warming_up' : 'missing';
    const message = error ?? stateMessage(state, p, counts);
    const out: SignalOutcome = {
      id: rt.spec.id,
      kind: rt.spec.kind,
      weight: rt.spec.weight,
      direction: rt.spec.direction,
      state,
      result,
      observed,
      severityLower,
      severityUpper,
      counts,
    };
    if (rt.spec.name !== undefined) {
      out.name = rt.spec.name;
    }
    if (message !== undefined) {
      out.message = message;
    }
    if (p.report) {
      out.input = p.report;
    }
    return out;
  }

  /** Layers 1-3 on the common axis: composite, interval, context, tiers, events. */
  private scoreAxis(out: EntityScore): void {
    const ctx = contextSeries(this.plan, out.t);
    const method = out.method;
    const asComposite = (pick: (o: SignalOutcome) => Float64Array): CompositeSignal[] =>
      this.runtimes.map((rt) => ({ id: rt.spec.id, weight: rt.spec.weight, severity: pick(out.signals[rt.spec.id]) }));

    const point = combine(
      asComposite((o) => o.result.severity),
      { method, multiplier: ctx.multiplier }
    );
    const lower = combine(
      asComposite((o) => o.severityLower),
      { method, multiplier: ctx.multiplier, scoreOnly: true }
    );
    const upper = combine(
      asComposite((o) => o.severityUpper),
      { method, multiplier: ctx.multiplier, scoreOnly: true }
    );
    for (let i = 0; i < out.t.length; i++) {
      lower.score[i] = Math.min(lower.score[i], point.score[i]);
      upper.score[i] = Math.max(upper.score[i], point.score[i]);
    }
    const tiers = this.tiers.run(out.t, point.score, { floor: ctx.floor, suppressed: ctx.suppressed });
    this.tracker.push(out.t, tiers.tier, point.score);

    out.score = point.score;
    out.evidence = point.evidence;
    out.contrib = point.contrib;
    out.missingCount = point.missingCount;
    out.scoreLower = lower.score;
    out.scoreUpper = upper.score;
    out.tier = tiers.tier;
    out.baseTier = tiers.baseTier;
    out.multiplier = ctx.multiplier;
    out.floor = ctx.floor;
    out.suppressed = ctx.suppressed;
  }

  private emptyResult(axis: Float64Array): EntityScore {
    const n = axis.length;
    const contrib: Record<string, Float64Array> = {};
    for (const rt of this.runtimes) {
      contrib[rt.spec.id] = new Float64Array(n);
    }
    return {
      specId: this.spec?.id,
      specVersion: this.spec?.version,
      labels: { ...this.labels },
      key: entityKey(this.labels ?? {}, this.spec?.entity ?? []),
      method: this.spec?.composite?.method ?? 'evidence',
      t: axis,
      score: new Float64Array(n),
      scoreLower: new Float64Array(n),
      scoreUpper: new Float64Array(n),
      evidence: new Float64Array(n),
      tier: new Uint8Array(n),
      baseTier: new Uint8Array(n),
      suppressed: new Uint8Array(n),
      multiplier: new Float64Array(n).fill(1),
      floor: new Uint8Array(n),
      missingCount: new Uint16Array(n),
      contrib,
      signals: {},
      context: this.plan ?? { rules: [], multiplier: 1, floor: 0, warnings: [] },
      events: [],
      errors: [],
    };
  }
}

function stateMessage(state: SignalState, p: PreparedSignal, counts: SignalOutcome['counts']): string | undefined {
  if (state === 'missing') {
    return p.report ? 'no usable points in this range' : 'no data for this signal';
  }
  if (state === 'warming_up') {
    return `warming up: the baseline does not have enough points yet (${counts.warmingUp} point(s) waiting)`;
  }
  return undefined;
}

/** Median spacing of a sorted time axis. */
function medianStep(axis: Float64Array): number {
  const diffs = new Float64Array(axis.length - 1);
  for (let i = 1; i < axis.length; i++) {
    diffs[i - 1] = axis[i] - axis[i - 1];
  }
  diffs.sort();
  const step = diffs[Math.floor((diffs.length - 1) / 2)];
  return step > 0 ? step : DEFAULT_STEP_MS;
}

/** A scorer that keeps detector, tier and interval state between calls. */
export function createEntityScorer(spec: ScoreSpec, labels: Labels, opts: ScoreOptions = {}): EntityScorer {
  return new Scorer(spec, labels, opts);
}

/**
 * Score one entity over whole series. Never throws: problems are reported in `errors` and in the
 * per-signal states. Identical to one `append` on a fresh scorer.
 */
export function scoreEntity(
  spec: ScoreSpec,
  labels: Labels,
  inputs: SignalInputs,
  opts: ScoreOptions = {}
): EntityScore {
  try {
    const scorer = new Scorer(spec, labels ?? {}, opts);
    const out = scorer.append(inputs);
    out.events = scorer.events();
    return out;
  } catch (e) {
    return failedScore(spec, labels, e);
  }
}

function failedScore(spec: ScoreSpec, labels: Labels, e: unknown): EntityScore {
  const n = 0;
  const safeLabels = typeof labels === 'object' && labels !== null ? { ...labels } : {};
  return {
    specId: typeof spec?.id === 'string' ? spec.id : '',
    specVersion: spec?.version ?? '',
    labels: safeLabels,
    key: entityKey(safeLabels),
    method: 'evidence',
    t: new Float64Array(n),
    score: new Float64Array(n),
    scoreLower: new Float64Array(n),
    scoreUpper: new Float64Array(n),
    evidence: new Float64Array(n),
    tier: new Uint8Array(n),
    baseTier: new Uint8Array(n),
    suppressed: new Uint8Array(n),
    multiplier: new Float64Array(n),
    floor: new Uint8Array(n),
    missingCount: new Uint16Array(n),
    contrib: {},
    signals: {},
    context: { rules: [], multiplier: 1, floor: 0, warnings: [] },
    events: [],
    errors: [`cannot score: ${e instanceof Error ? e.message : String(e)}`],
  };
}

export interface EntityInputs {
  labels: Labels;
  inputs: SignalInputs;
}

/** Score many entities with one spec. */
export function scoreEntities(
  spec: ScoreSpec,
  entities: readonly EntityInputs[],
  opts: ScoreOptions = {}
): EntityScore[] {
  return entities.map((e) => scoreEntity(spec, e.labels, e.inputs, opts));
}

// ---------------------------------------------------------------------------------------------
// Triage ranking
// ---------------------------------------------------------------------------------------------

export interface TriageRow {
  key: string;
  labels: Labels;
  /** Time of the latest point. */
  t: number;
  score: number;
  scoreLower: number;
  scoreUpper: number;
  tier: Tier;
  /** Start of the run of the current tier. */
  since: number;
  peakScore: number;
  peakTime: number;
  topContributor?: { id: string; contribution: number };
  suppressed: boolean;
  /** Signals not ok at the latest point (missing, warming up, error). */
  notOk: string[];
}

/** One triage row per entity (entities without points are left out). */
export function triageRow(es: EntityScore): TriageRow | undefined {
  const n = es.t.length;
  if (n === 0) {
    return undefined;
  }
  const last = n - 1;
  let peak = 0;
  for (let i = 1; i < n; i++) {
    if (es.score[i] > es.score[peak]) {
      peak = i;
    }
  }
  let top: TriageRow['topContributor'];
  for (const id of Object.keys(es.contrib).sort()) {
    const c = es.contrib[id][last];
    if (c > 0 && (!top || c > top.contribution)) {
      top = { id, contribution: c };
    }
  }
  const notOk = Object.values(es.signals)
    .filter((s) => s.state === 'error' || s.result.status[last] !== POINT_OK)
    .map((s) => s.id)
    .sort();
  return {
    key: es.key,
    labels: es.labels,
    t: es.t[last],
    score: es.score[last],
    scoreLower: es.scoreLower[last],
    scoreUpper: es.scoreUpper[last],
    tier: tierName(es.tier[last]),
    since: tierSince(es.t, es.tier, last),
    peakScore: es.score[peak],
    peakTime: es.t[peak],
    ...(top ? { topContributor: top } : {}),
    suppressed: es.suppressed[last] === 1,
    notOk,
  };
}

/** Entities that most need a human first: tier, then current score, then peak, then key. */
export function rankEntities(scores: readonly EntityScore[]): TriageRow[] {
  const rows = scores.map(triageRow).filter((r): r is TriageRow => r !== undefined);
  const rank = (t: Tier) => ['ok', 'watch', 'review', 'critical'].indexOf(t);
  return rows.sort(
    (a, b) =>
      rank(b.tier) - rank(a.tier) ||
      b.score - a.score ||
      b.peakScore - a.peakScore ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}
