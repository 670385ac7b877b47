/**
 * Alert time traced to signals: which signals carried the minutes a score spent at or above an
 * alert tier, inside and outside labelled incidents, which signal is noisy, and what to change.
 *
 * Definitions:
 * - An alert step is a point of an entity whose tier is at or above the alert tier. It lasts one
 *   step (`minutes` = step / 60 s). The backtest (backtest.ts) calls it a false-alarm step when it
 *   lies outside [start, end + grace) of every incident of its entity (the windows the backtest
 *   detects incidents in), a true-alert step otherwise. Score health (scoreHealth.ts) has no labels:
 *   every alert step counts, in one class.
 * - Attribution of a step: each signal j gets the share c_j / Σ c of the step, where c_j is its
 *   contribution `contrib:<id>` at that step (the contributions sum to the score, DESIGN §4) and Σ
 *   runs over the finite, positive contributions (a NaN contribution is a missing signal: it
 *   carries nothing). The shares of a step sum to 1, so attributed minutes sum to the alert time.
 * - A step goes whole to the `context floor` bucket when a context rule's tier floor (`floor`, a
 *   tier index per point, when the caller knows it) is at or above the alert tier — the floor alone
 *   holds the tier, so no signal change removes that minute — or when no contribution is positive
 *   (score 0 at an alert tier: only a floor does that). A series without per-signal fields goes to
 *   the `no per-signal fields` bucket.
 * - Per signal: false-alarm minutes, their share of all false-alarm minutes, true-alert minutes and
 *   their share, and own-false share = false-alarm minutes / (false-alarm + true-alert minutes) of
 *   that signal: how much of the alert time it carried was false.
 * - Noisy: a signal (or the context floor) is noisy when it carries >= 25 % of the false-alarm
 *   minutes AND more than half of its own alert time is false AND at least 5 steps of false-alarm
 *   time. Why 25 %: fixing that one signal alone then removes at least a quarter of the false-alarm
 *   time (the smallest change worth a spec edit on its own), it is well above a fair share in a spec
 *   of several signals (1/11 = 9 % in the demo spec), and at most four signals can be flagged at
 *   once, so the flag stays pointed. Why own-false > 50 %: a signal whose alert time is mostly
 *   during incidents is doing its job even when it also carries false alarms; there the tier cut,
 *   not the signal, is the fix. Why 5 steps: fewer is one short blip, not worth a config change.
 *
 * The fix of a noisy signal depends on its kind and severity mode, read generically from its params
 * (`severity`, `warn`, `max`, `rarity`, `above`, `below`, `soft`):
 * - ramp (severity: ramp, or warn/max set): remove warn/max (or set severity: rarity) so it
 *   calibrates to its own history; or raise warn to the value at which its severity would have been
 *   0 on the false-alarm steps carrying 90 % (75 %, 50 %) of its false-alarm minutes (a weighted
 *   quantile of its severity on those steps, mapped back through the ramp, rounded up to 3 digits).
 *   When warn/max are unset (an explicit ramp on the kind's legacy values) or every false alarm is
 *   at full severity, the alternative is halving its weight. The ramp is
 *   s = smoothstep((x - warn) / (max - warn)), so the directed statistic x is recovered exactly from
 *   the cached severity where 0 < s < 1 (x <= warn at s = 0, x >= max at s = 1) whatever the kind;
 *   with a new warn below max the new severity is exact for every step.
 * - rarity (the default for statistical kinds): raise `rarity` (×3, e.g. 30d -> 90d), or lower its
 *   weight. Rarity severity is a smoothstep over log10-rarity L in [H - 1.5, H + 1.5] decades,
 *   H = log10(rarity / block) (signals/rarity.ts), so multiplying rarity by f shifts the ramp by
 *   log10 f decades: s' = smoothstep(u(s) - log10(f) / 3) with u the inverse smoothstep. Exact for
 *   0 < s < 1; a step at s = 1 is kept at 1 (its L is only known to be >= H + 1.5), and the
 *   history, which leaves out points at severity >= 0.5, would shift too: an estimate.
 * - threshold: raise the limit `above` (or lower `below`) to the value the statistic (`signal:<id>`,
 *   the observed value) stayed within on 90 % (75 %, 50 %) of its false-alarm minutes, or halve
 *   its weight.
 * - context floor: narrow the rule's match or lower its floor.
 * The candidates are computed here from the backtest's own steps; attributionFixes.ts measures them
 * by rescoring the cached severities (false-alarm minutes and detected incidents, before/after).
 *
 * Pure: plain arrays in, plain objects out; no Grafana, React or spec import.
 */
import { rampSeverity } from '../signals';
import { resolveSeverity } from '../signals/registry';
import { SIGNAL_KINDS, type SignalKind } from '../types';
import { msToDuration, tryDurationToMs } from '../util/duration';
import { inverseSmoothstep } from '../util/smoothstep';
import { RARITY_RAMP_DECADES, rampSeverityWithWarn, raritySeverityWithFactor } from './severityShift';

/** Bucket of steps held at the tier by a context floor (or with no positive contribution). */
export const CONTEXT_FLOOR = '(context floor)';
/** Bucket of steps of series that carry no per-signal contributions. */
export const NO_SIGNAL_FIELDS = '(no per-signal fields)';

const BUCKET_NAMES: Record<string, string> = {
  [CONTEXT_FLOOR]: 'context floor',
  [NO_SIGNAL_FIELDS]: 'no per-signal fields',
};

/** Per-signal fields of a scored series (frame fields `contrib:`, `severity:`, `signal:`). */
export interface SignalFields {
  /** contrib:<id> per point; sums to the score. */
  contributions?: Readonly<Record<string, ArrayLike<number>>>;
  /** severity:<id> per point, in [0, 1] (NaN = not judged). */
  severities?: Readonly<Record<string, ArrayLike<number>>>;
  /** signal:<id> per point: the detector's raw statistic. */
  statistics?: Readonly<Record<string, ArrayLike<number>>>;
  /** Tier index a context rule floors the point at (0 = none). */
  floor?: ArrayLike<number>;
}

/** What attribution reads of a spec's signal (a ScoreSpec's SignalSpec fits). */
export interface SignalInfo {
  id: string;
  name?: string;
  kind: string;
  weight: number;
  params: Readonly<Record<string, unknown>>;
}

export interface AttributionOptions {
  /** The spec's signals: names, kinds and params for the table and the fixes. */
  signals?: readonly SignalInfo[];
  /** Share of false-alarm minutes at or above which a signal can be noisy (default 0.25). */
  noisyShare?: number;
  /** Own-false share above which a signal can be noisy (default 0.5). */
  noisyOwnFalse?: number;
  /** False-alarm minutes a noisy signal must carry at least (default 5 steps). */
  minFalseAlarmMinutes?: number;
}

export const DEFAULT_NOISY_SHARE = 0.25;
export const DEFAULT_NOISY_OWN_FALSE = 0.5;
export const DEFAULT_MIN_FALSE_ALARM_STEPS = 5;
/** Share of a signal's false-alarm minutes a raised warn / limit should zero, strongest first. */
export const FIX_SHARES = [0.9, 0.75, 0.5] as const;
/** Rarity factors tried for a rarity signal, strongest first (the unmeasured text uses ×3). */
export const RARITY_FACTORS = [10, 3] as const;
export { RARITY_RAMP_DECADES };

export interface SignalAttribution {
  /** Signal id, or CONTEXT_FLOOR / NO_SIGNAL_FIELDS. */
  signal: string;
  name: string;
  kind: string;
  false_alarm_minutes: number;
  /** Of all false-alarm minutes of the tier (NaN without false alarms). */
  false_alarm_share: number;
  true_alert_minutes: number;
  /** Of all true-alert minutes of the tier (NaN without them). */
  true_alert_share: number;
  /** false / (false + true) of this signal's own alert time (NaN when it carried none). */
  own_false_share: number;
  noisy: boolean;
}

export type SeverityMode = 'ramp' | 'rarity' | 'threshold' | 'context' | 'other';

export type FixKind =
  'use_rarity' | 'raise_warn' | 'raise_rarity' | 'lower_weight' | 'raise_limit' | 'lower_limit' | 'narrow_floor';

/** One candidate value of a suggestion (what attributionFixes.ts measures). */
export interface FixCandidate {
  /** The value as the spec would hold it (number, or a duration string when the param is one). */
  to: number | string;
  /** The same in the units the severity is computed in (seconds for durations, ms for rarity). */
  value: number;
  /** Share of the signal's false-alarm minutes on which its severity would have been 0. */
  zeroed_share?: number;
  /** Rarity multiplier. */
  factor?: number;
}

/** What a change does at the tier, from rescoring the cached severities. */
export interface FixEffect {
  false_alarm_minutes_before: number;
  false_alarm_minutes_after: number;
  detected_before: number;
  detected_after: number;
  incidents: number;
  /** True when the rescoring is approximate (rarity), false when exact. */
  estimate: boolean;
}

export interface FixSuggestion {
  kind: FixKind;
  /** Path of the spec value it changes, e.g. `signals.score_level.params.warn`. */
  path?: string;
  from?: number | string;
  to?: number | string;
  zeroed_share?: number;
  /** Candidates strongest first (measured: the strongest that keeps every detected incident). */
  candidates?: FixCandidate[];
  effect?: FixEffect;
  text: string;
}

export interface NoisySignal {
  signal: string;
  name: string;
  kind: string;
  severity_mode: SeverityMode;
  false_alarm_minutes: number;
  false_alarm_share: number;
  own_false_share: number;
  suggestions: FixSuggestion[];
  /** The suggestions in one sentence. */
  fix: string;
}

export interface TierAttribution {
  false_alarm_minutes: number;
  true_alert_minutes: number;
  /** Per signal, most false-alarm minutes first (every spec signal, plus buckets with minutes). */
  attribution: SignalAttribution[];
  noisy: NoisySignal[];
}

// ---------------------------------------------------------------------------------------------
// Per step
// ---------------------------------------------------------------------------------------------

/** Splits the alert steps of one series over its signals (see the file comment). */
export class StepAttributor {
  private readonly ids: string[];
  private readonly columns: Array<ArrayLike<number>>;
  private readonly floor?: ArrayLike<number>;
  readonly hasFields: boolean;

  constructor(fields: SignalFields) {
    const contributions = fields.contributions;
    this.hasFields = contributions !== undefined;
    this.ids = contributions ? Object.keys(contributions).sort() : [];
    this.columns = this.ids.map((id) => contributions![id]);
    this.floor = fields.floor;
  }

  /** Calls `visit(bucket, share)` for step i at alert tier index k; the shares sum to 1. */
  attribute(i: number, tierIndex: number, visit: (bucket: string, share: number) => void): void {
    if (!this.hasFields) {
      visit(NO_SIGNAL_FIELDS, 1);
      return;
    }
    if (this.floor && this.floor[i] >= tierIndex) {
      visit(CONTEXT_FLOOR, 1);
      return;
    }
    let total = 0;
    for (const col of this.columns) {
      const c = col[i];
      if (c > 0 && c !== Infinity) {
        total += c;
      }
    }
    if (!(total > 0)) {
      visit(CONTEXT_FLOOR, 1);
      return;
    }
    for (let j = 0; j < this.columns.length; j++) {
      const c = this.columns[j][i];
      if (c > 0 && c !== Infinity) {
        visit(this.ids[j], c / total);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Tallies
// ---------------------------------------------------------------------------------------------

export type AlertClass = 'false_alarm' | 'true_alert';

/** Severities and statistics of one signal on the false-alarm steps it carried, with minutes. */
interface Samples {
  severity: number[];
  statistic: number[];
  minutes: number[];
}

/** Attributed minutes per bucket and class, plus the samples the fixes are computed from. */
export class AlertTimeTally {
  readonly falseMinutes = new Map<string, number>();
  readonly trueMinutes = new Map<string, number>();
  totalFalse = 0;
  totalTrue = 0;
  readonly samples = new Map<string, Samples>();

  constructor(private readonly collectSamples = true) {}

  /** Adds one alert step of a series. */
  add(
    attributor: StepAttributor,
    fields: SignalFields,
    i: number,
    tierIndex: number,
    minutes: number,
    cls: AlertClass
  ): void {
    const into = cls === 'false_alarm' ? this.falseMinutes : this.trueMinutes;
    if (cls === 'false_alarm') {
      this.totalFalse += minutes;
    } else {
      this.totalTrue += minutes;
    }
    attributor.attribute(i, tierIndex, (bucket, share) => {
      into.set(bucket, (into.get(bucket) ?? 0) + share * minutes);
      if (cls === 'false_alarm' && this.collectSamples && !(bucket in BUCKET_NAMES)) {
        let s = this.samples.get(bucket);
        if (!s) {
          s = { severity: [], statistic: [], minutes: [] };
          this.samples.set(bucket, s);
        }
        s.severity.push(fields.severities?.[bucket]?.[i] ?? NaN);
        s.statistic.push(fields.statistics?.[bucket]?.[i] ?? NaN);
        s.minutes.push(share * minutes);
      }
    });
  }
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);

function nameOf(id: string, signals: ReadonlyMap<string, SignalInfo>): string {
  return BUCKET_NAMES[id] ?? signals.get(id)?.name ?? id;
}

/** The per-signal rows, the noisy flags and their fixes of one tier. */
export function summariseTally(
  tally: AlertTimeTally,
  stepMinutes: number,
  options: AttributionOptions = {}
): TierAttribution {
  const signals = new Map((options.signals ?? []).map((s) => [s.id, s]));
  const ids = new Set<string>([...signals.keys(), ...tally.falseMinutes.keys(), ...tally.trueMinutes.keys()]);
  const noisyShare = options.noisyShare ?? DEFAULT_NOISY_SHARE;
  const noisyOwnFalse = options.noisyOwnFalse ?? DEFAULT_NOISY_OWN_FALSE;
  const minMinutes = options.minFalseAlarmMinutes ?? DEFAULT_MIN_FALSE_ALARM_STEPS * stepMinutes;
  const rows: SignalAttribution[] = [];
  for (const id of ids) {
    const fa = tally.falseMinutes.get(id) ?? 0;
    const ta = tally.trueMinutes.get(id) ?? 0;
    if (id in BUCKET_NAMES && fa + ta === 0) {
      continue;
    }
    const falseShare = ratio(fa, tally.totalFalse);
    const ownFalse = ratio(fa, fa + ta);
    rows.push({
      signal: id,
      name: nameOf(id, signals),
      kind: signals.get(id)?.kind ?? '',
      false_alarm_minutes: fa,
      false_alarm_share: falseShare,
      true_alert_minutes: ta,
      true_alert_share: ratio(ta, tally.totalTrue),
      own_false_share: ownFalse,
      noisy: id !== NO_SIGNAL_FIELDS && falseShare >= noisyShare && ownFalse > noisyOwnFalse && fa >= minMinutes - 1e-9,
    });
  }
  rows.sort(
    (a, b) =>
      b.false_alarm_minutes - a.false_alarm_minutes ||
      b.true_alert_minutes - a.true_alert_minutes ||
      (a.signal < b.signal ? -1 : a.signal > b.signal ? 1 : 0)
  );
  const noisy = rows
    .filter((r) => r.noisy)
    .map((r) => noisySignal(r, signals.get(r.signal), tally.samples.get(r.signal)));
  return { false_alarm_minutes: tally.totalFalse, true_alert_minutes: tally.totalTrue, attribution: rows, noisy };
}

// ---------------------------------------------------------------------------------------------
// Severity modes and parameter values
// ---------------------------------------------------------------------------------------------

/** ramp when asked for or implied by warn/max, rarity otherwise (statistical kinds; the registry's rule). */
export function severityModeOf(signal: Pick<SignalInfo, 'kind' | 'params'>): SeverityMode {
  if (!(SIGNAL_KINDS as readonly string[]).includes(signal.kind)) {
    return 'other';
  }
  const mode = resolveSeverity(signal.kind as SignalKind, signal.params).mode;
  return mode === 'absolute' ? 'threshold' : mode;
}

const isSet = (v: unknown) => v !== null && v !== undefined;

/** ms -> the shortest exact `1d2h3m4s` form (whole seconds). */
export const formatDurationMs = msToDuration;

/** A ramp value in the detector's units: numbers as they are, duration strings in seconds. */
interface RampValue {
  value: number;
  duration: boolean;
}

function rampValue(v: unknown): RampValue | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) {
    return { value: v, duration: false };
  }
  if (typeof v === 'string') {
    const ms = tryDurationToMs(v);
    return ms === undefined ? undefined : { value: ms / 1000, duration: true };
  }
  return undefined;
}

/** x rounded up (or down) to `digits` significant digits, without floating-point noise. */
export function roundSignificant(x: number, up: boolean, digits = 3): number {
  if (x === 0 || !Number.isFinite(x)) {
    return x;
  }
  const p = 10 ** (Math.floor(Math.log10(Math.abs(x))) - digits + 1);
  const r = (up ? Math.ceil(x / p - 1e-9) : Math.floor(x / p + 1e-9)) * p;
  return Number(r.toPrecision(digits + 1));
}

export { inverseSmoothstep };

// The severity transforms of a changed warn / rarity live in severityShift.ts (shared with the
// calibration); re-exported here for the attribution fixes and their callers.
export { rampSeverityWithWarn, raritySeverityWithFactor };

/** Smallest value v of `values` with weight(values <= v) >= q·total weight (NaN-free input). */
export function weightedQuantile(values: readonly number[], weights: readonly number[], q: number): number {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  let total = 0;
  for (const i of order) {
    total += weights[i];
  }
  if (!(total > 0)) {
    return NaN;
  }
  let acc = 0;
  for (const i of order) {
    acc += weights[i];
    if (acc >= q * total - 1e-12 * total) {
      return values[i];
    }
  }
  return values[order[order.length - 1]];
}

/** Weighted share of `values` with pred(value) true. */
function weightedShare(values: readonly number[], weights: readonly number[], pred: (v: number) => boolean): number {
  let hit = 0;
  let total = 0;
  values.forEach((v, i) => {
    total += weights[i];
    if (pred(v)) {
      hit += weights[i];
    }
  });
  return ratio(hit, total);
}

// ---------------------------------------------------------------------------------------------
// Fixes
// ---------------------------------------------------------------------------------------------

const paramPath = (id: string, param: string) => `signals.${id}.params.${param}`;

function display(v: number | string | undefined): string {
  return v === undefined ? '?' : typeof v === 'number' ? String(v) : v;
}

/** Candidates for raising warn: zero the severity on 90 / 75 / 50 % of its false-alarm minutes. */
function warnCandidates(samples: Samples | undefined, warn: RampValue, max: RampValue): FixCandidate[] {
  if (!samples) {
    return [];
  }
  const sev: number[] = [];
  const w: number[] = [];
  samples.severity.forEach((s, i) => {
    if (s === s) {
      sev.push(s);
      w.push(samples.minutes[i]);
    }
  });
  const out: FixCandidate[] = [];
  for (const q of FIX_SHARES) {
    const sq = weightedQuantile(sev, w, q);
    if (!(sq < 1)) {
      continue; // beyond max: no warn below max zeroes that share
    }
    const x = warn.value + (max.value - warn.value) * inverseSmoothstep(sq);
    const value = warn.duration ? Math.ceil(x - 1e-9) : roundSignificant(x, true);
    if (!(value > warn.value) || !(value < max.value) || out.some((c) => c.value === value)) {
      continue;
    }
    const zeroAt = rampSeverity(value, warn.value, max.value);
    out.push({
      to: warn.duration ? formatDurationMs(value * 1000) : value,
      value,
      zeroed_share: weightedShare(sev, w, (s) => s <= zeroAt),
    });
  }
  return out;
}

/** Candidates for moving a threshold's limit: the statistic's weighted quantiles on the violating side. */
function limitCandidates(samples: Samples | undefined, limit: number, side: 'above' | 'below'): FixCandidate[] {
  if (!samples) {
    return [];
  }
  const xs: number[] = [];
  const w: number[] = [];
  let total = 0;
  samples.statistic.forEach((x, i) => {
    total += samples.minutes[i];
    if (side === 'above' ? x > limit : x < limit) {
      xs.push(side === 'above' ? x : -x);
      w.push(samples.minutes[i]);
    }
  });
  const out: FixCandidate[] = [];
  for (const q of FIX_SHARES) {
    const xq = weightedQuantile(xs, w, q);
    if (xq !== xq) {
      continue;
    }
    const value = side === 'above' ? roundSignificant(xq, true) : -roundSignificant(xq, true);
    if (out.some((c) => c.value === value) || (side === 'above' ? !(value > limit) : !(value < limit))) {
      continue;
    }
    let zeroed = 0;
    xs.forEach((x, i) => {
      if (side === 'above' ? x <= value : -x >= value) {
        zeroed += w[i];
      }
    });
    out.push({ to: value, value, zeroed_share: ratio(zeroed, total) });
  }
  return out;
}

function weightSuggestion(id: string, weight: number): FixSuggestion {
  const to = Math.round((weight / 2) * 1000) / 1000;
  return {
    kind: 'lower_weight',
    path: `signals.${id}.weight`,
    from: weight,
    to,
    candidates: [{ to, value: to }],
    text: '',
  };
}

function suggestionsFor(
  row: SignalAttribution,
  signal: SignalInfo | undefined,
  samples: Samples | undefined
): FixSuggestion[] {
  if (row.signal === CONTEXT_FLOOR) {
    return [{ kind: 'narrow_floor', text: '' }];
  }
  if (!signal) {
    return [];
  }
  const mode = severityModeOf(signal);
  const p = signal.params;
  const id = signal.id;
  const out: FixSuggestion[] = [];
  if (mode === 'ramp') {
    // What makes it a ramp: warn/max set, an explicit severity: ramp, or both.
    const because = [p.severity === 'ramp' ? 'severity: ramp' : '', isSet(p.warn) || isSet(p.max) ? 'warn/max' : '']
      .filter(Boolean)
      .join(', ');
    out.push({ kind: 'use_rarity', path: paramPath(id, 'severity'), from: because, to: 'rarity', text: '' });
    // The ramp as the detector runs it: warn/max as set, or the kind's legacy values when unset.
    const resolved = resolveSeverity(signal.kind as SignalKind, p);
    const durationUnits = signal.kind === 'staleness';
    const warn =
      rampValue(p.warn) ?? (resolved.mode === 'ramp' ? { value: resolved.warn, duration: durationUnits } : undefined);
    const max =
      rampValue(p.max) ?? (resolved.mode === 'ramp' ? { value: resolved.max, duration: durationUnits } : undefined);
    const candidates = warn && max && max.value > warn.value ? warnCandidates(samples, warn, max) : [];
    if (candidates.length) {
      out.push({
        kind: 'raise_warn',
        path: paramPath(id, 'warn'),
        from:
          (p.warn as number | string | null | undefined) ??
          (warn!.duration ? formatDurationMs(warn!.value * 1000) : warn!.value),
        to: candidates[0].to,
        zeroed_share: candidates[0].zeroed_share,
        candidates,
        text: '',
      });
    } else {
      out.push(weightSuggestion(id, signal.weight));
    }
  } else if (mode === 'rarity') {
    const rarity = typeof p.rarity === 'string' ? tryDurationToMs(p.rarity) : undefined;
    if (rarity !== undefined) {
      const candidates = RARITY_FACTORS.map((factor) => ({
        to: formatDurationMs(rarity * factor),
        value: rarity * factor,
        factor,
      }));
      const mild = candidates[candidates.length - 1];
      out.push({
        kind: 'raise_rarity',
        path: paramPath(id, 'rarity'),
        from: p.rarity as string,
        to: mild.to,
        candidates,
        text: '',
      });
    } else {
      out.push({ kind: 'raise_rarity', path: paramPath(id, 'rarity'), to: '90d', text: '' });
    }
    out.push(weightSuggestion(id, signal.weight));
  } else if (mode === 'threshold') {
    const above = typeof p.above === 'number' ? p.above : undefined;
    const below = typeof p.below === 'number' ? p.below : undefined;
    const upWeight = samples
      ? weightedShare(samples.statistic, samples.minutes, (x) => above !== undefined && x > above)
      : NaN;
    const side: 'above' | 'below' | undefined =
      above !== undefined && (below === undefined || !(upWeight < 0.5))
        ? 'above'
        : below !== undefined
          ? 'below'
          : undefined;
    if (side) {
      const limit = side === 'above' ? above! : below!;
      const candidates = limitCandidates(samples, limit, side);
      out.push({
        kind: side === 'above' ? 'raise_limit' : 'lower_limit',
        path: paramPath(id, side),
        from: limit,
        ...(candidates.length ? { to: candidates[0].to, zeroed_share: candidates[0].zeroed_share, candidates } : {}),
        text: '',
      });
    }
    out.push(weightSuggestion(id, signal.weight));
  } else {
    out.push(weightSuggestion(id, signal.weight));
  }
  return out;
}

function noisySignal(
  row: SignalAttribution,
  signal: SignalInfo | undefined,
  samples: Samples | undefined
): NoisySignal {
  const n: NoisySignal = {
    signal: row.signal,
    name: row.name,
    kind: row.kind,
    severity_mode: row.signal === CONTEXT_FLOOR ? 'context' : signal ? severityModeOf(signal) : 'other',
    false_alarm_minutes: row.false_alarm_minutes,
    false_alarm_share: row.false_alarm_share,
    own_false_share: row.own_false_share,
    suggestions: suggestionsFor(row, signal, samples),
    fix: '',
  };
  return describeNoisy(n);
}

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

/** 71 % (one decimal below 10 %), '–' for NaN. */
export function shareText(x: number): string {
  if (!Number.isFinite(x)) {
    return '–';
  }
  const p = 100 * x;
  if (p > 0 && p < 0.05) {
    return '< 0.1 %';
  }
  return `${p > 0 && p < 9.95 ? p.toFixed(1) : Math.round(p).toString()} %`;
}

/** 1,234 (whole minutes, thousands separated); one decimal below 10, '< 0.1' for a sliver. */
export function minutesText(x: number): string {
  if (!Number.isFinite(x)) {
    return '–';
  }
  if (x > 0 && x < 0.05) {
    return '< 0.1';
  }
  if (x < 9.95 && !Number.isInteger(Math.round(x * 10) / 10)) {
    return x.toFixed(1);
  }
  return Math.round(x)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function effectText(e: FixEffect | undefined): string {
  if (!e) {
    return '';
  }
  const change = ratio(e.false_alarm_minutes_before - e.false_alarm_minutes_after, e.false_alarm_minutes_before);
  const removed = Number.isFinite(change) ? ` (${change >= 0 ? '−' : '+'}${shareText(Math.abs(change))})` : '';
  const cost =
    e.detected_after < e.detected_before
      ? `, costs ${e.detected_before - e.detected_after} detected incident${e.detected_before - e.detected_after === 1 ? '' : 's'}`
      : '';
  return (
    ` (${e.estimate ? 'estimated' : 'measured'} on the backtest: false-alarm minutes ${minutesText(e.false_alarm_minutes_before)} → ` +
    `${minutesText(e.false_alarm_minutes_after)}${removed}, incidents detected ${e.detected_before} → ${e.detected_after} of ${e.incidents}${cost})`
  );
}

/** One suggestion as text (effect included when measured). */
export function suggestionText(s: FixSuggestion): string {
  const effect = effectText(s.effect);
  switch (s.kind) {
    case 'use_rarity':
      return s.from === 'warn/max'
        ? 'remove warn/max (or set severity: rarity) so it calibrates to its own history'
        : s.from === 'severity: ramp'
          ? 'set severity: rarity (instead of the fixed ramp) so it calibrates to its own history'
          : 'set severity: rarity and remove warn/max so it calibrates to its own history';
    case 'raise_warn':
      return (
        `raise warn from ${display(s.from)} to ${display(s.to)}: its severity would have been 0 on the steps carrying ` +
        `${shareText(s.zeroed_share ?? NaN)} of its false-alarm minutes${effect}`
      );
    case 'raise_rarity':
      return `raise rarity${s.from !== undefined ? ` from ${display(s.from)}` : ''} to ${display(s.to)} (severity 0.5 = a value this extreme about once per ${display(s.to)} of its own history)${effect}`;
    case 'lower_weight':
      return `lower its weight from ${display(s.from)} to ${display(s.to)}${effect}`;
    case 'raise_limit':
    case 'lower_limit': {
      const verb = s.kind === 'raise_limit' ? 'raise the limit above' : 'lower the limit below';
      return s.to === undefined
        ? `${verb} (${display(s.from)}) past the values its false alarms reached`
        : `${verb} from ${display(s.from)} to ${display(s.to)}: the value stayed within it on the steps carrying ` +
            `${shareText(s.zeroed_share ?? NaN)} of its false-alarm minutes${effect}`;
    }
    case 'narrow_floor':
      return "a context rule's tier floor holds the tier on these entities with no signal carrying the score: narrow the rule's match or lower its floor";
  }
}

/** Fills in the texts of a noisy signal (after its suggestions changed). Returns it. */
export function describeNoisy(n: NoisySignal): NoisySignal {
  for (const s of n.suggestions) {
    s.text = suggestionText(s);
  }
  const parts = n.suggestions.map((s) => s.text);
  const sentence = parts.length ? parts.join('; or ') : 'lower its weight';
  n.fix = sentence.charAt(0).toUpperCase() + sentence.slice(1) + '.';
  return n;
}

/** "mean prediction score: 71 % of false-alarm minutes (90 % of its own alert time was false)". */
export function attributionLine(r: SignalAttribution): string {
  return (
    `${r.name}: ${shareText(r.false_alarm_share)} of false-alarm minutes (${minutesText(r.false_alarm_minutes)} min; ` +
    `${shareText(r.own_false_share)} of its own alert time was false; ${shareText(r.true_alert_share)} of in-incident alert minutes)`
  );
}
