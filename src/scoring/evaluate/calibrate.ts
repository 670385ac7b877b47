/**
 * Calibration that keeps what matters: search per-signal sensitivity (the rarity target, or the
 * ramp's warn), signal weights and tier cut points that improve an objective on the first part of a
 * time range WITHOUT losing recall, and report the result on the held-out rest (before vs after),
 * honestly: when the proposal does not beat the current spec on held-out data the result says so,
 * and when no change keeps recall it proposes nothing and says which incidents would be lost.
 *
 * Scored ONCE. Per-signal severities are cached (the frames' `severity:<id>` fields); a candidate
 * only transforms the severities of the signals whose sensitivity it changes (severityShift.ts),
 * then re-runs the composite (`combine`, composite.ts) and the tier machine (tiers.ts) with the
 * entity's context (multiplier, floor, suppression).
 *
 * Sensitivity: one knob per signal, read from its resolved severity (resolveSeverity):
 * - rarity (the default for statistical kinds): `rarity` × f, f in {1/3, 1, 3, 10}. Severity is a
 *   smoothstep over the decades of rarity L around L50 = log10(rarity / block) ± 1.5, so
 *   s' = smoothstep(u(s) − log10(f) / 3), u the inverse smoothstep. An ESTIMATE: exact for 0 < s < 1
 *   while the detector's history is unchanged; s = 1 and s = 0 stay as they are (only a bound on L is
 *   known there); and the detector's history treats alarm blocks apart (held back while an alarm
 *   lasts), so a changed severity also changes what enters the history and when — second order
 *   (severityShift.ts says which way each part errs).
 *   Rarity changes are marked as estimates; `npm run backtest:demo` rescores the data source with
 *   the final proposal to measure the difference.
 * - ramp (severity: ramp, or warn/max set): warn raised to warn + q·(max − warn), q in
 *   {0, 0.25, 0.5, 0.75}, max kept: EXACT (the statistic is recovered from 0 < s < 1; s = 0 and
 *   s = 1 stay). A ramp is never made more sensitive: below warn the cached severity is 0 whatever
 *   the statistic was.
 * - threshold (absolute): no knob; its weight only.
 *
 * Search (deterministic): coordinate descent from the current spec. Each round tries, per signal in
 * spec order, every value of its sensitivity knob and every weight of the grid, then every cut of
 * the alert tier, keeping a move when it is strictly better; it stops after a round without
 * improvement (or maxRounds). A weight goes to 0 (removing the signal) only with
 * `allowRemovingSignals` (default off), and one signal always keeps a positive weight. Changing the
 * alert tier's cut moves the other cuts by the same factor in evidence space
 * (E = −ln(1 − score/100)), so the tiers keep their relative spacing.
 *
 * Constraint: recall >= floor, and, when `maxTtdIncreaseMs` is set, median time to detect <= its
 * value for the current spec + that bound (without a bound TTD is only reported). The floor is
 * `no_loss` (default: the current spec's recall on the same part) or an absolute number such as 0.9.
 * - On the fit part it ranks first: a candidate meeting it beats every candidate missing it; two
 *   missing it compare by recall, then by TTD excess, then by the objective (so the search walks
 *   back towards the constraint instead of away from it).
 * - On the held-out part it is a guard. The moves the search kept form a path of ever better
 *   candidates on the fit part; the proposal is the last candidate on that path that meets the
 *   constraint on both parts. Held-out data decides pass/fail only, never the ranking.
 * - When no candidate on the path meets it but some candidate would improve the objective at the
 *   cost of recall (or TTD), nothing is proposed and the statement says so: "No change keeps
 *   held-out recall >= X; the best candidate (its changes) would lose Y incidents: …". When a
 *   proposal exists and a better-scoring candidate was refused, the statement names it too.
 *
 * Objectives (unchanged):
 * - `recall_at_precision`: maximise recall subject to precision >= minPrecision; ties by median
 *   time to detect, then precision. A candidate below minPrecision only beats another one below it
 *   with higher precision (so the search first walks towards feasibility).
 * - `nab`: the NAB-style normalised score (backtest.ts) at the alert tier; ties by median TTD.
 *
 * Also here: the spec versions file (a ScoreSpec has no changelog): append a version with
 * who/when/why and its backtest, and restore any earlier version (as a new version).
 */
import { clampSeverity, combine, scoreFromEvidence } from '../composite';
import { contextSeries, planContext, type ContextSeries } from '../context';
import { resolveSeverity } from '../signals/registry';
import { tierConfigOf, validateSpec, type ScoreSpec, type SignalSpec, type SpecError } from '../spec';
import { TierMachine, type TierCuts } from '../tiers';
import { TIERS, type Tier } from '../types';
import { msToDuration } from '../util/duration';
import { roundSignificant } from './attribution';
import {
  evaluateTier,
  prepareBacktest,
  tierFigures,
  type BacktestOptions,
  type PreparedBacktest,
  type ScoredSeries,
  type TierReport,
} from './backtest';
import type { GroundTruth, Labels } from './groundTruth';
import { rampSeverityWithWarn, raritySeverityWithFactor } from './severityShift';

/** A scored entity plus the per-signal severities it was scored from. */
export interface CachedEntity extends ScoredSeries {
  t: Float64Array;
  /** severity[signalId][i] in [0, 1]; NaN = not judged (missing / warming up). */
  severities: Record<string, Float64Array>;
}

export type Objective = { kind: 'recall_at_precision'; minPrecision: number } | { kind: 'nab' };

/** `no_loss`: at least the current spec's recall on the same part; a number: an absolute recall. */
export type RecallFloor = 'no_loss' | number;

/** Weights tried; 0 (removing the signal) only with allowRemovingSignals. */
export const DEFAULT_WEIGHT_GRID = [0, 0.25, 0.5, 1, 1.5, 2];
export const DEFAULT_CUT_GRID = [30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85];
/** Multipliers of a rarity signal's `rarity` (1 = as in the spec). */
export const DEFAULT_RARITY_FACTORS = [1 / 3, 1, 3, 10];
/** Positions q of a ramp signal's new warn on its ramp, warn + q·(max − warn) (0 = as in the spec). */
export const DEFAULT_WARN_POSITIONS = [0, 0.25, 0.5, 0.75];

export interface CalibrateOptions {
  objective?: Objective;
  /** Tier whose onset counts as an alert (default review). */
  alertTier?: Exclude<Tier, 'ok'>;
  /** Fraction of [from, to) used for fitting (default 0.6); the rest is held out. */
  split?: number;
  /** Recall the proposal must keep on both parts (default `no_loss`). */
  recallFloor?: RecallFloor;
  /** Let a weight go to 0, removing the signal (default false). */
  allowRemovingSignals?: boolean;
  /** Refuse a proposal whose median time to detect grows by more than this (default: no bound). */
  maxTtdIncreaseMs?: number;
  /** Tune the signals' sensitivity (default true; false = weights and cuts only). */
  tuneSensitivity?: boolean;
  rarityFactors?: number[];
  warnPositions?: number[];
  weightGrid?: number[];
  /** Candidate cut points of the alert tier. */
  cutGrid?: number[];
  maxRounds?: number;
  /** Only these signals' sensitivity and weights are searched (default all). */
  signals?: string[];
  /** Backtest options (grace, step, links, from/to of the whole range). */
  backtest?: BacktestOptions;
}

/** Per-entity context series, computed once. */
interface EntityContext {
  entity: CachedEntity;
  ctx: ContextSeries;
  missing: Float64Array;
}

export interface Candidate {
  weights: Record<string, number>;
  cuts: TierCuts;
  /** Per signal with a sensitivity knob: the knob's value (rarity in ms, or warn); absent = as in the spec. */
  sensitivity: Record<string, number>;
}

/**
 * The sensitivity of one signal: `rarity` (ms) of a rarity signal, or `warn` of a ramp signal (in
 * the detector's units: seconds for staleness), with the values the search tries.
 */
export interface SensitivityKnob {
  signal: string;
  param: 'rarity' | 'warn';
  /** Spec path of the value, e.g. `signals.score_level.params.rarity`. */
  path: string;
  current: number;
  /** The ramp's max (warn knobs; kept). */
  max?: number;
  /** Values tried, ascending; includes `current`. */
  grid: number[];
  /** Written as a duration in the spec (rarity; staleness warn). */
  duration: boolean;
  /** Rescoring from cached severities is exact (warn) or an estimate (rarity). */
  exact: boolean;
}

export interface ObjectiveScore {
  objective: Objective;
  /** Scalar for display: recall when feasible, else precision - minPrecision (< 0); NAB score for nab. */
  value: number;
  feasible: boolean;
  /** Lexicographic key, compared element by element (higher is better). */
  key: number[];
}

export interface CalibrationChange {
  /** Spec path, e.g. `signals.score_level.params.rarity`, `signals.latency.weight`, `tiers.cuts.review`. */
  what: string;
  from: number | string;
  to: number | string;
  /** True when the figures of the change are estimated (rarity), false when exact. */
  estimate: boolean;
}

/** How a candidate stands against the constraint on one part. */
export interface ConstraintCheck {
  recall: number;
  floor: number;
  recallOk: boolean;
  /** Median time to detect in minutes, the candidate's and the current spec's (NaN: nothing detected). */
  ttdMinutes: number;
  ttdBeforeMinutes: number;
  ttdOk: boolean;
  ok: boolean;
}

export interface LostIncident {
  id: string;
  kind: string;
  entity: Labels;
  part: 'fit' | 'held-out';
}

/** The best candidate the constraint refused. */
export interface RefusedCandidate {
  candidate: Candidate;
  changes: CalibrationChange[];
  fit: TierReport;
  heldout: TierReport;
  fitScore: ObjectiveScore;
  fitCheck: ConstraintCheck;
  heldoutCheck: ConstraintCheck;
  /** Incidents the current spec detects and this candidate misses. */
  lost: LostIncident[];
  /** Why it was refused, in words. */
  reasons: string[];
}

export type CalibrationOutcome = 'improved' | 'not_improved' | 'unchanged' | 'impossible';

export interface CalibrationResult {
  objective: Objective;
  alertTier: Tier;
  range: { from: number; split: number; to: number };
  original: Candidate;
  proposal: Candidate;
  /** Every knob of the spec (searched or not). */
  knobs: SensitivityKnob[];
  /** The grids searched. */
  searched: { signals: string[]; rarityFactors: number[]; warnPositions: number[]; weights: number[]; cuts: number[] };
  changes: CalibrationChange[];
  fit: { before: TierReport; after: TierReport; beforeScore: ObjectiveScore; afterScore: ObjectiveScore };
  heldout: { before: TierReport; after: TierReport; beforeScore: ObjectiveScore; afterScore: ObjectiveScore };
  constraint: {
    recallFloor: RecallFloor;
    allowRemovingSignals: boolean;
    maxTtdIncreaseMs?: number;
    /** The proposal against the constraint (the current spec when nothing is proposed). */
    fit: ConstraintCheck;
    heldout: ConstraintCheck;
  };
  refused?: RefusedCandidate;
  outcome: CalibrationOutcome;
  /** True only when the proposal beats the current spec on the held-out part. */
  improved: boolean;
  /** True when some change is an estimate (rarity). */
  estimated: boolean;
  /** One paragraph saying what was measured. */
  statement: string;
  /** The spec to apply (version + 1); undefined when nothing changed. */
  proposedSpec?: ScoreSpec;
  proposedSpecErrors: SpecError[];
  evaluations: number;
  elapsedMs: number;
}

// ---------------------------------------------------------------------------------------------
// Sensitivity knobs
// ---------------------------------------------------------------------------------------------

const sortedUnique = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);

/** The signal's sensitivity knob, or undefined (threshold, or a ramp without room). */
export function sensitivityKnobOf(
  signal: Pick<SignalSpec, 'id' | 'kind' | 'params'>,
  grids: { rarityFactors?: readonly number[]; warnPositions?: readonly number[] } = {}
): SensitivityKnob | undefined {
  const resolved = resolveSeverity(signal.kind, signal.params);
  if (resolved.mode === 'rarity' && resolved.rarityMs > 0) {
    const current = resolved.rarityMs;
    const values = (grids.rarityFactors ?? DEFAULT_RARITY_FACTORS)
      .filter((f) => f > 0)
      // Whole seconds, as the spec writes it; the factor rescored is the rounded value / current.
      .map((f) => (f === 1 ? current : Math.round((current * f) / 1000) * 1000))
      .filter((v) => v > 0);
    return {
      signal: signal.id,
      param: 'rarity',
      path: `signals.${signal.id}.params.rarity`,
      current,
      grid: sortedUnique([current, ...values]),
      duration: true,
      exact: false,
    };
  }
  if (resolved.mode === 'ramp' && resolved.max > resolved.warn && Number.isFinite(resolved.warn)) {
    const { warn, max } = resolved;
    const seconds = signal.kind === 'staleness';
    const values = (grids.warnPositions ?? DEFAULT_WARN_POSITIONS)
      .filter((q) => q >= 0 && q < 1)
      .map((q) => {
        if (q === 0) {
          return warn;
        }
        const x = warn + q * (max - warn);
        return seconds ? Math.ceil(x - 1e-9) : roundSignificant(x, true);
      })
      .filter((v) => v >= warn && v < max);
    return {
      signal: signal.id,
      param: 'warn',
      path: `signals.${signal.id}.params.warn`,
      current: warn,
      max,
      grid: sortedUnique([warn, ...values]),
      duration: seconds,
      exact: true,
    };
  }
  return undefined;
}

/** The knobs of every signal that has one, by signal id. */
export function knobsOf(
  spec: ScoreSpec,
  grids: Parameters<typeof sensitivityKnobOf>[1] = {}
): Map<string, SensitivityKnob> {
  const out = new Map<string, SensitivityKnob>();
  for (const s of spec.signals) {
    const knob = sensitivityKnobOf(s, grids);
    if (knob) {
      out.set(s.id, knob);
    }
  }
  return out;
}

/** A cached severity with the knob moved from its current value to `value` (severityShift.ts). */
export function severityWithSensitivity(knob: SensitivityKnob, value: number, s: number): number {
  if (value === knob.current) {
    return s;
  }
  return knob.param === 'rarity'
    ? raritySeverityWithFactor(s, value / knob.current)
    : rampSeverityWithWarn(s, knob.current, knob.max!, value);
}

/** The knob's value as the spec writes it: `90d` for durations, a number otherwise. */
export function knobValueText(knob: SensitivityKnob, value: number): number | string {
  if (!knob.duration) {
    return value;
  }
  return msToDuration(knob.param === 'rarity' ? value : value * 1000);
}

/** The severities of one signal per entity, with a knob moved; cached per (signal, value). */
class SeverityBank {
  private readonly shifted = new Map<string, Array<Float64Array | undefined>>();

  constructor(
    private readonly entities: readonly CachedEntity[],
    private readonly knobs: ReadonlyMap<string, SensitivityKnob>
  ) {}

  get(entityIndex: number, signalId: string, value: number | undefined): Float64Array | undefined {
    const base = this.entities[entityIndex].severities[signalId];
    const knob = this.knobs.get(signalId);
    if (!base || !knob || value === undefined || value === knob.current) {
      return base;
    }
    const key = `${signalId}=${value}`;
    let all = this.shifted.get(key);
    if (!all) {
      all = this.entities.map((e) => {
        const sev = e.severities[signalId];
        if (!sev) {
          return undefined;
        }
        const out = new Float64Array(sev.length);
        for (let i = 0; i < sev.length; i++) {
          out[i] = severityWithSensitivity(knob, value, sev[i]);
        }
        return out;
      });
      this.shifted.set(key, all);
    }
    return all[entityIndex];
  }
}

/**
 * Composite scores of candidates, from the bank. For the evidence composite (the default) it keeps,
 * per (signal, knob value), the column ln(1 − s) with s clamped as composite.ts clamps it (NaN =
 * missing), so a candidate costs one multiply-add per signal and point instead of a logarithm:
 * score = 100·(1 − e^(−m·Σ_k (−w_k)·ln(1 − s_k))), summed in composite.ts's order (signals sorted by
 * id, missing and non-positive weights adding 0), which makes it bit-identical to `combine` (the
 * test compares them). Other composite methods go through `combine`.
 */
export class CachedScorer {
  private readonly contexts: EntityContext[];
  private readonly bank: SeverityBank;
  /** Spec signals sorted by id, as combine sorts them. */
  private readonly sorted: SignalSpec[];
  private readonly logSurvival = new Map<string, Array<Float64Array | undefined>>();

  constructor(
    private readonly spec: ScoreSpec,
    entities: readonly CachedEntity[],
    knobs: ReadonlyMap<string, SensitivityKnob> = knobsOf(spec)
  ) {
    this.contexts = contextsOf(spec, entities);
    this.bank = new SeverityBank(entities, knobs);
    this.sorted = [...spec.signals].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  get entityContexts(): readonly EntityContext[] {
    return this.contexts;
  }

  /** Score per entity for the candidate's weights and sensitivities. */
  scores(c: Pick<Candidate, 'weights'> & Partial<Pick<Candidate, 'sensitivity'>>): Float64Array[] {
    const sensitivity = c.sensitivity ?? {};
    if (this.spec.composite.method !== 'evidence') {
      return this.contexts.map((ec, i) => compositeScore(this.spec, ec, i, this.bank, c.weights, sensitivity));
    }
    const negWeights = this.sorted.map((s) => {
      const w = c.weights[s.id] ?? s.weight;
      return w > 0 && Number.isFinite(w) ? -w : 0;
    });
    return this.contexts.map((ec, e) => {
      const columns = this.sorted.map((s) => this.column(e, s.id, sensitivity[s.id]));
      const n = columns.reduce((len, col) => Math.min(len, col ? col.length : 0), columns.length ? Infinity : 0);
      const length = Number.isFinite(n) ? n : 0;
      const out = new Float64Array(length);
      const multiplier = ec.ctx.multiplier;
      for (let i = 0; i < length; i++) {
        let total = 0;
        for (let k = 0; k < columns.length; k++) {
          const l = columns[k]![i];
          // evidenceOf: missing (NaN) or a non-positive weight adds 0.
          total += l === l && negWeights[k] !== 0 ? negWeights[k] * l : 0;
        }
        const m = multiplier[i];
        out[i] = scoreFromEvidence((m >= 0 && Number.isFinite(m) ? m : 1) * total);
      }
      return out;
    });
  }

  /** ln(1 − clamp(s)) of one signal of entity e (its missing column when it has no severities). */
  private column(e: number, id: string, value: number | undefined): Float64Array | undefined {
    const key = `${id}=${value ?? ''}`;
    let all = this.logSurvival.get(key);
    if (!all) {
      all = this.contexts.map((ec, i) => {
        const sev = this.bank.get(i, id, value) ?? ec.missing;
        const out = new Float64Array(sev.length);
        for (let j = 0; j < sev.length; j++) {
          const s = clampSeverity(sev[j]);
          out[j] = s === s ? Math.log1p(-s) : NaN;
        }
        return out;
      });
      this.logSurvival.set(key, all);
    }
    return all[e];
  }
}

// ---------------------------------------------------------------------------------------------
// Rescoring from cached severities
// ---------------------------------------------------------------------------------------------

function contextsOf(spec: ScoreSpec, entities: readonly CachedEntity[]): EntityContext[] {
  return entities.map((entity) => ({
    entity,
    ctx: contextSeries(planContext(spec.context ?? [], entity.labels), entity.t),
    missing: new Float64Array(entity.t.length).fill(NaN),
  }));
}

function compositeScore(
  spec: ScoreSpec,
  ec: EntityContext,
  entityIndex: number,
  bank: SeverityBank,
  weights: Record<string, number>,
  sensitivity: Record<string, number>
): Float64Array {
  return combine(
    spec.signals.map((s) => ({
      id: s.id,
      weight: weights[s.id] ?? s.weight,
      severity: bank.get(entityIndex, s.id, sensitivity[s.id]) ?? ec.missing,
    })),
    { method: spec.composite.method, multiplier: ec.ctx.multiplier, scoreOnly: true }
  ).score;
}

function tiersOf(spec: ScoreSpec, ec: EntityContext, score: Float64Array, cuts: TierCuts): Uint8Array {
  const config = { ...tierConfigOf(spec), cuts };
  return new TierMachine(config).run(ec.entity.t, score, { floor: ec.ctx.floor, suppressed: ec.ctx.suppressed }).tier;
}

/**
 * Re-run composite + tiers on cached severities with other weights / cuts / sensitivities (default:
 * the spec's). With the spec's own values this reproduces the engine's score and tiers.
 */
export function rescore(
  spec: ScoreSpec,
  entities: readonly CachedEntity[],
  candidate?: Partial<Candidate>
): ScoredSeries[] {
  const weights = candidate?.weights ?? weightsOf(spec);
  const cuts = candidate?.cuts ?? spec.tiers.cuts;
  const sensitivity = candidate?.sensitivity ?? {};
  const bank = new SeverityBank(entities, knobsOf(spec));
  return contextsOf(spec, entities).map((ec, i) => {
    const score = compositeScore(spec, ec, i, bank, weights, sensitivity);
    return {
      key: ec.entity.key,
      labels: ec.entity.labels,
      t: ec.entity.t,
      score,
      tier: tiersOf(spec, ec, score, cuts),
    };
  });
}

export function weightsOf(spec: ScoreSpec): Record<string, number> {
  return Object.fromEntries(spec.signals.map((s) => [s.id, s.weight]));
}

const evidence = (score: number) => -Math.log1p(-Math.min(score, 99.999) / 100);
const fromEvidence = (e: number) => -100 * Math.expm1(-e);

/** Cuts with the alert tier's cut at `cut`, the others scaled by the same factor in evidence space. */
export function cutsWithAlertCut(base: TierCuts, alertTier: Exclude<Tier, 'ok'>, cut: number): TierCuts {
  const ratio = evidence(cut) / evidence(base[alertTier]);
  const scale = (x: number) => Math.round(fromEvidence(evidence(x) * ratio) * 10) / 10;
  const out: TierCuts = { watch: scale(base.watch), review: scale(base.review), critical: scale(base.critical) };
  out[alertTier] = cut;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Objectives and the constraint
// ---------------------------------------------------------------------------------------------

export function scoreObjective(objective: Objective, r: TierReport): ObjectiveScore {
  const ttd = Number.isNaN(r.median_ttd_steps) ? 1e9 : r.median_ttd_steps;
  if (objective.kind === 'nab') {
    const nab = Number.isNaN(r.nab.score) ? -1e9 : r.nab.score;
    return { objective, value: nab, feasible: true, key: [nab, -ttd] };
  }
  const precision = Number.isNaN(r.precision) ? 0 : r.precision;
  const recall = Number.isNaN(r.recall) ? 0 : r.recall;
  const feasible = r.alerts > 0 && precision >= objective.minPrecision - 1e-12;
  return feasible
    ? { objective, value: recall, feasible, key: [1, recall, -ttd, precision] }
    : { objective, value: precision - objective.minPrecision, feasible, key: [0, precision, recall, -ttd] };
}

/** > 0 when key a is better than b, < 0 when worse, 0 when tied (lexicographic, higher is better). */
export function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (Math.abs(d) > 1e-9) {
      return d;
    }
  }
  return 0;
}

/** > 0 when a is better than b, < 0 when worse, 0 when tied. */
export function compareObjective(a: ObjectiveScore, b: ObjectiveScore): number {
  return compareKeys(a.key, b.key);
}

export function describeObjective(o: Objective): string {
  return o.kind === 'nab' ? 'NAB score' : `recall at precision >= ${o.minPrecision}`;
}

/** The recall a part must keep: the current spec's recall there (`no_loss`) or the absolute floor. */
export function recallFloorValue(floor: RecallFloor, currentRecall: number): number {
  return floor === 'no_loss' ? currentRecall : floor;
}

/**
 * A candidate's report against the constraint: recall >= floor (always met when the part has no
 * incidents), and median TTD (minutes) <= the current spec's + maxTtdIncreaseMs when that is set.
 */
export function checkConstraint(
  r: TierReport,
  floor: number,
  ttdBeforeMinutes: number,
  maxTtdIncreaseMs?: number
): ConstraintCheck {
  const recall = r.recall;
  const recallOk = !(floor > 0) || r.incidents === 0 || recall >= floor - 1e-9;
  const ttdMinutes = r.ttd_minutes.median;
  const ttdOk =
    maxTtdIncreaseMs === undefined ||
    !Number.isFinite(ttdBeforeMinutes) ||
    (Number.isFinite(ttdMinutes) && ttdMinutes - ttdBeforeMinutes <= maxTtdIncreaseMs / 60_000 + 1e-9);
  return { recall, floor, recallOk, ttdMinutes, ttdBeforeMinutes, ttdOk, ok: recallOk && ttdOk };
}

/** Ranking on the fit part: constraint met first; then recall, TTD excess; then the objective. */
function constrainedKey(score: ObjectiveScore, check: ConstraintCheck, maxTtdIncreaseMs?: number): number[] {
  if (check.ok) {
    return [1, ...score.key];
  }
  const bound = (maxTtdIncreaseMs ?? Infinity) / 60_000;
  const excess = Number.isFinite(check.ttdMinutes)
    ? Math.max(0, check.ttdMinutes - check.ttdBeforeMinutes - bound)
    : 1e9;
  return [0, Number.isNaN(check.recall) ? 0 : check.recall, -excess, ...score.key];
}

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

function sameCandidate(a: Candidate, b: Candidate): boolean {
  return (
    Object.keys(a.weights).every((k) => a.weights[k] === b.weights[k]) &&
    Object.keys({ ...a.sensitivity, ...b.sensitivity }).every((k) => a.sensitivity[k] === b.sensitivity[k]) &&
    a.cuts.watch === b.cuts.watch &&
    a.cuts.review === b.cuts.review &&
    a.cuts.critical === b.cuts.critical
  );
}

function fmtScore(s: ObjectiveScore): string {
  if (s.objective.kind === 'nab') {
    return `NAB ${s.value.toFixed(1)}`;
  }
  const precision = s.value + s.objective.minPrecision;
  // Feasible keys are [1, recall, −TTD, precision]: the precision breaks ties, so it is shown.
  return s.feasible
    ? `recall ${s.value.toFixed(3)} at precision ${(s.key[3] ?? NaN).toFixed(3)} (precision target met)`
    : `precision ${precision.toFixed(3)} < ${s.objective.minPrecision} (target not met)`;
}

const fixed3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const minutes = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 10) / 10} min` : '–');

/** `signals.score_level.params.rarity: 90d → 270d`. */
export function changeText(c: CalibrationChange): string {
  return `${c.what}: ${c.from} → ${c.to}${c.estimate ? ' (estimated)' : ''}`;
}

/** `no recall loss (>= 0.900)` or `>= 0.900`. */
export function recallFloorText(option: RecallFloor, value: number): string {
  return option === 'no_loss' ? `no recall loss (>= ${fixed3(value)})` : `>= ${fixed3(value)}`;
}

function incidentText(i: LostIncident): string {
  const labels = Object.entries(i.entity)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${i.id} (${i.kind}${labels ? `, ${labels}` : ''})`;
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** At most 10 incidents by name, then how many more. */
function listText(lost: readonly LostIncident[]): string {
  const shown = lost.slice(0, 10).map(incidentText).join(', ');
  return lost.length > 10 ? `${shown} and ${lost.length - 10} more` : shown;
}

function lostIncidents(before: TierReport, after: TierReport, part: LostIncident['part']): LostIncident[] {
  const detected = new Set(before.incidentList.filter((i) => i.detected).map((i) => i.id));
  return after.incidentList
    .filter((i) => !i.detected && detected.has(i.id))
    .map((i) => ({ id: i.id, kind: i.kind, entity: i.entity, part }));
}

function refusalReasons(fit: ConstraintCheck, held: ConstraintCheck, maxTtdIncreaseMs?: number): string[] {
  const out: string[] = [];
  if (!held.recallOk) {
    out.push(`held-out recall ${fixed3(held.recall)} < ${fixed3(held.floor)}`);
  }
  if (!fit.recallOk) {
    out.push(`fit recall ${fixed3(fit.recall)} < ${fixed3(fit.floor)}`);
  }
  for (const [part, c] of [
    ['held-out', held],
    ['fit', fit],
  ] as const) {
    if (!c.ttdOk) {
      out.push(
        `${part} median time to detect ${minutes(c.ttdBeforeMinutes)} → ${minutes(c.ttdMinutes)}, more than +${minutes((maxTtdIncreaseMs ?? 0) / 60_000)}`
      );
    }
  }
  return out;
}

/** "would lose 2 held-out incidents: a (kind, labels), b (…) (and 1 on the fit part)", then other reasons. */
function refusalText(r: RefusedCandidate): string {
  const held = r.lost.filter((i) => i.part === 'held-out');
  const fit = r.lost.filter((i) => i.part === 'fit');
  const parts: string[] = [];
  if (held.length) {
    parts.push(`would lose ${plural(held.length, 'held-out incident')}: ${listText(held)}`);
    if (fit.length) {
      parts.push(`(and ${fit.length} on the fit part)`);
    }
  } else if (fit.length) {
    parts.push(`would lose ${plural(fit.length, 'incident')} on the fit part: ${listText(fit)}`);
  }
  // Recall reasons are the lost incidents when there are any; TTD reasons always stand.
  const others = r.reasons.filter((x) => !r.lost.length || !/recall/.test(x));
  if (others.length) {
    parts.push(`${r.lost.length ? 'and would give' : 'would give'} ${others.join('; ')}`);
  }
  return parts.join(' ');
}

function refusedWhere(r: RefusedCandidate, maxTtdIncreaseMs?: number): string {
  if (!r.fitCheck.recallOk && r.heldoutCheck.recallOk) {
    return `recall >= ${fixed3(r.fitCheck.floor)} on the fit part`;
  }
  if (r.fitCheck.recallOk && r.heldoutCheck.recallOk && maxTtdIncreaseMs !== undefined) {
    return `median time to detect within +${minutes(maxTtdIncreaseMs / 60_000)}`;
  }
  return `held-out recall >= ${fixed3(r.heldoutCheck.floor)}`;
}

// ---------------------------------------------------------------------------------------------
// The search
// ---------------------------------------------------------------------------------------------

interface Judged {
  candidate: Candidate;
  report: TierReport;
  score: ObjectiveScore;
  check: ConstraintCheck;
  key: number[];
}

/**
 * Calibrate `spec` on cached severities. `entities` must cover the whole range; the fit and the
 * held-out evaluation both use tiers computed over the whole series (state carries over the split),
 * counting alerts and incidents inside their own part only.
 */
export function calibrate(
  spec: ScoreSpec,
  entities: readonly CachedEntity[],
  truth: GroundTruth,
  options: CalibrateOptions = {}
): CalibrationResult {
  const started = Date.now();
  const objective: Objective = options.objective ?? { kind: 'recall_at_precision', minPrecision: 0.9 };
  const alertTier = options.alertTier ?? 'review';
  const k = TIERS.indexOf(alertTier);
  const recallFloor = options.recallFloor ?? 'no_loss';
  const allowRemoving = options.allowRemovingSignals ?? false;
  const maxTtd = options.maxTtdIncreaseMs;
  const weightGrid = (options.weightGrid ?? DEFAULT_WEIGHT_GRID).filter((w) => w > 0 || (w === 0 && allowRemoving));
  const cutGrid = options.cutGrid ?? DEFAULT_CUT_GRID;
  const maxRounds = options.maxRounds ?? 3;
  const searched = new Set(options.signals ?? spec.signals.map((s) => s.id));
  const knobs = knobsOf(spec, { rarityFactors: options.rarityFactors, warnPositions: options.warnPositions });
  const tuneSensitivity = options.tuneSensitivity ?? true;

  // Whole range and split (aligned to the step).
  const whole = prepareBacktest(entities, truth, options.backtest);
  const split =
    whole.from + Math.round(((whole.to - whole.from) * (options.split ?? 0.6)) / whole.stepMs) * whole.stepMs;
  const btFit = prepareBacktest(entities, truth, { ...options.backtest, from: whole.from, to: split });
  const btHeld = prepareBacktest(entities, truth, { ...options.backtest, from: split, to: whole.to });
  const scorer = new CachedScorer(spec, entities, knobs);
  const contexts = scorer.entityContexts;

  const scoreCache = new Map<string, Float64Array[]>();
  const scoresFor = (c: Candidate) => {
    const key = JSON.stringify(spec.signals.map((s) => [c.weights[s.id], c.sensitivity[s.id] ?? null]));
    let scores = scoreCache.get(key);
    if (!scores) {
      scores = scorer.scores(c);
      if (scoreCache.size > 64) {
        scoreCache.clear();
      }
      scoreCache.set(key, scores);
    }
    return scores;
  };
  const tiersFor = (c: Candidate) => {
    const scores = scoresFor(c);
    return contexts.map((ec, i) => tiersOf(spec, ec, scores[i], c.cuts));
  };
  let evaluations = 0;
  const report = (prep: PreparedBacktest, c: Candidate, light: boolean) => {
    evaluations++;
    return evaluateTier(prep, k, tiersFor(c), light);
  };

  const original: Candidate = {
    weights: weightsOf(spec),
    cuts: { ...spec.tiers.cuts },
    sensitivity: Object.fromEntries([...knobs.values()].map((x) => [x.signal, x.current])),
  };
  const fitBaseline = report(btFit, original, true);
  const fitFloor = recallFloorValue(recallFloor, fitBaseline.recall);
  const judgeFit = (candidate: Candidate, r: TierReport): Judged => {
    const score = scoreObjective(objective, r);
    const check = checkConstraint(r, fitFloor, fitBaseline.ttd_minutes.median, maxTtd);
    return { candidate, report: r, score, check, key: constrainedKey(score, check, maxTtd) };
  };
  const start = judgeFit(original, fitBaseline);
  let best = start;
  /** The moves kept, each strictly better than the one before on the fit part. */
  const path: Judged[] = [];
  /** The best objective among the candidates that miss the constraint on the fit part. */
  let bestMissing: Judged | undefined;
  const consider = (candidate: Candidate): boolean => {
    const judged = judgeFit(candidate, report(btFit, candidate, true));
    if (!judged.check.ok && compareKeys(judged.score.key, (bestMissing ?? start).score.key) > 0) {
      bestMissing = judged;
    }
    if (compareKeys(judged.key, best.key) > 0) {
      best = judged;
      path.push(judged);
      return true;
    }
    return false;
  };

  for (let round = 0; round < maxRounds; round++) {
    let changed = false;
    for (const s of spec.signals) {
      if (!searched.has(s.id)) {
        continue;
      }
      const knob = knobs.get(s.id);
      if (knob && tuneSensitivity && best.candidate.weights[s.id] > 0) {
        for (const v of knob.grid) {
          if (v !== best.candidate.sensitivity[s.id]) {
            const c = best.candidate;
            if (consider({ ...c, sensitivity: { ...c.sensitivity, [s.id]: v } })) {
              changed = true;
            }
          }
        }
      }
      for (const w of weightGrid) {
        const c = best.candidate;
        if (w === c.weights[s.id]) {
          continue;
        }
        const weights = { ...c.weights, [s.id]: w };
        if (!Object.values(weights).some((x) => x > 0)) {
          continue;
        }
        if (consider({ ...c, weights })) {
          changed = true;
        }
      }
    }
    for (const cut of cutGrid) {
      const cuts = cutsWithAlertCut(original.cuts, alertTier, cut);
      if (
        cuts[alertTier] === best.candidate.cuts[alertTier] ||
        !(cuts.watch < cuts.review && cuts.review < cuts.critical && cuts.critical <= 100)
      ) {
        continue;
      }
      if (consider({ ...best.candidate, cuts })) {
        changed = true;
      }
    }
    if (!changed) {
      break;
    }
  }

  // The held-out guard: the last candidate on the path that meets the constraint on both parts.
  const heldBaseline = report(btHeld, original, true);
  const heldFloor = recallFloorValue(recallFloor, heldBaseline.recall);
  const checkHeld = (r: TierReport) => checkConstraint(r, heldFloor, heldBaseline.ttd_minutes.median, maxTtd);
  let proposal = original;
  let proposalFitScore = start.score;
  let refusedOnPath: { judged: Judged; held: TierReport } | undefined;
  for (let i = path.length - 1; i >= 0; i--) {
    const held = report(btHeld, path[i].candidate, true);
    if (path[i].check.ok && checkHeld(held).ok) {
      proposal = path[i].candidate;
      proposalFitScore = path[i].score;
      break;
    }
    refusedOnPath ??= { judged: path[i], held };
  }
  const changesOf = (c: Candidate) => candidateChanges(spec, knobs, original, c);
  let refused: RefusedCandidate | undefined;
  const refusedSource =
    refusedOnPath ??
    (bestMissing && compareKeys(bestMissing.score.key, proposalFitScore.key) > 0
      ? { judged: bestMissing, held: report(btHeld, bestMissing.candidate, true) }
      : undefined);
  if (refusedSource) {
    const { judged, held } = refusedSource;
    const heldoutCheck = checkHeld(held);
    refused = {
      candidate: judged.candidate,
      changes: changesOf(judged.candidate),
      fit: judged.report,
      heldout: held,
      fitScore: judged.score,
      fitCheck: judged.check,
      heldoutCheck,
      lost: [...lostIncidents(heldBaseline, held, 'held-out'), ...lostIncidents(fitBaseline, judged.report, 'fit')],
      reasons: refusalReasons(judged.check, heldoutCheck, maxTtd),
    };
  }

  const evaluate = (prep: PreparedBacktest, c: Candidate) => {
    const r = report(prep, c, false);
    return { report: r, score: scoreObjective(objective, r) };
  };
  const fitBefore = evaluate(btFit, original);
  const fitAfter = evaluate(btFit, proposal);
  const heldBefore = evaluate(btHeld, original);
  const heldAfter = evaluate(btHeld, proposal);
  const unchanged = sameCandidate(proposal, original);
  const improved = !unchanged && compareObjective(heldAfter.score, heldBefore.score) > 0;
  const changes = changesOf(proposal);
  const constraint = {
    recallFloor,
    allowRemovingSignals: allowRemoving,
    ...(maxTtd !== undefined ? { maxTtdIncreaseMs: maxTtd } : {}),
    fit: checkConstraint(fitAfter.report, fitFloor, fitBefore.report.ttd_minutes.median, maxTtd),
    heldout: checkHeld(heldAfter.report),
  };
  // Nothing proposed is "impossible" when a better candidate was refused, or when the current spec
  // itself misses an absolute floor that no candidate reaches.
  const outcome: CalibrationOutcome = unchanged
    ? refused || !constraint.heldout.ok || !constraint.fit.ok
      ? 'impossible'
      : 'unchanged'
    : improved
      ? 'improved'
      : 'not_improved';

  const name = describeObjective(objective);
  const keeps =
    `Held-out recall ${fixed3(heldBefore.report.recall)} → ${fixed3(heldAfter.report.recall)} ` +
    `(floor: ${recallFloorText(recallFloor, heldFloor)}), median time to detect ` +
    `${minutes(heldBefore.report.ttd_minutes.median)} → ${minutes(heldAfter.report.ttd_minutes.median)}` +
    `${maxTtd !== undefined ? ` (bound +${minutes(maxTtd / 60_000)})` : ''}.`;
  const refusedSentence = refused
    ? ` Refused: ${refused.changes.map(changeText).join('; ')} would reach ${fmtScore(refused.fitScore)} on the fit part but ${refusalText(refused)}.`
    : '';
  let statement: string;
  if (outcome === 'impossible') {
    // An absolute floor the current spec already misses is "reached", not "kept".
    const verb = constraint.heldout.recallOk && constraint.fit.recallOk ? 'keeps' : 'reaches';
    const where = refused ? refusedWhere(refused, maxTtd) : `held-out recall >= ${fixed3(heldFloor)}`;
    const current = constraint.heldout.recallOk
      ? ''
      : ` (the current spec has held-out recall ${fixed3(heldBefore.report.recall)})`;
    const bestText = refused
      ? `the best candidate (${refused.changes.map(changeText).join('; ')}) ${refusalText(refused)}`
      : 'no candidate the search found reaches it';
    statement = `No change ${verb} ${where}${current}; ${bestText}. Nothing is proposed (held-out ${fmtScore(heldBefore.score)}).`;
  } else if (outcome === 'unchanged') {
    statement = `No improvement: the search found no sensitivity, weights or cuts that improve ${name} on the fit part without losing recall; the current spec stays (held-out ${fmtScore(heldBefore.score)}).`;
  } else if (outcome === 'improved') {
    statement =
      `Improved on the held-out part: ${name} ${fmtScore(heldBefore.score)} → ${fmtScore(heldAfter.score)} ` +
      `(fit part: ${fmtScore(fitBefore.score)} → ${fmtScore(fitAfter.score)}). ${keeps}${refusedSentence}`;
  } else {
    statement =
      `No improvement: calibration could not improve ${name} on the held-out part (${fmtScore(heldBefore.score)} → ${fmtScore(heldAfter.score)}), ` +
      `although the fit part went ${fmtScore(fitBefore.score)} → ${fmtScore(fitAfter.score)}; keep the current spec. ${keeps}${refusedSentence}`;
  }
  const estimated = changes.some((c) => c.estimate);
  if (estimated) {
    statement +=
      ' Rarity changes are estimated from the cached severities (the detectors were not re-run): rescore the proposal to confirm.';
  }

  let proposedSpec: ScoreSpec | undefined;
  let proposedSpecErrors: SpecError[] = [];
  if (!unchanged) {
    const candidate = applyCandidate(spec, proposal);
    const check = validateSpec(candidate);
    proposedSpec = check.ok ? check.spec : candidate;
    proposedSpecErrors = check.errors;
  }
  return {
    objective,
    alertTier,
    range: { from: whole.from, split, to: whole.to },
    original,
    proposal,
    knobs: [...knobs.values()],
    searched: {
      signals: [...searched],
      rarityFactors: tuneSensitivity ? [...(options.rarityFactors ?? DEFAULT_RARITY_FACTORS)] : [],
      warnPositions: tuneSensitivity ? [...(options.warnPositions ?? DEFAULT_WARN_POSITIONS)] : [],
      weights: weightGrid,
      cuts: cutGrid,
    },
    changes,
    fit: { before: fitBefore.report, after: fitAfter.report, beforeScore: fitBefore.score, afterScore: fitAfter.score },
    heldout: {
      before: heldBefore.report,
      after: heldAfter.report,
      beforeScore: heldBefore.score,
      afterScore: heldAfter.score,
    },
    constraint,
    ...(refused ? { refused } : {}),
    outcome,
    improved,
    estimated,
    statement,
    proposedSpec,
    proposedSpecErrors,
    evaluations,
    elapsedMs: Date.now() - started,
  };
}

/** What a candidate changes against `original`, in spec order: sensitivity, weight; then the cuts. */
function candidateChanges(
  spec: ScoreSpec,
  knobs: ReadonlyMap<string, SensitivityKnob>,
  original: Candidate,
  c: Candidate
): CalibrationChange[] {
  const out: CalibrationChange[] = [];
  for (const s of spec.signals) {
    const knob = knobs.get(s.id);
    const value = c.sensitivity[s.id];
    if (knob && value !== undefined && value !== knob.current && c.weights[s.id] > 0) {
      out.push({
        what: knob.path,
        from: knobValueText(knob, knob.current),
        to: knobValueText(knob, value),
        estimate: !knob.exact,
      });
    }
    if (c.weights[s.id] !== original.weights[s.id]) {
      out.push({
        what: `signals.${s.id}.weight`,
        from: original.weights[s.id],
        to: c.weights[s.id] > 0 ? c.weights[s.id] : 'removed (weight 0)',
        estimate: false,
      });
    }
  }
  for (const t of ['watch', 'review', 'critical'] as const) {
    if (c.cuts[t] !== original.cuts[t]) {
      out.push({ what: `tiers.cuts.${t}`, from: original.cuts[t], to: c.cuts[t], estimate: false });
    }
  }
  return out;
}

/**
 * The spec with the candidate applied, version + 1: weights (0 removes a signal), cuts, and each
 * changed sensitivity written into the signal's params (`rarity` as a duration; `warn`, with `max`
 * written out too when the spec left it to the kind's default, so the ramp stays where it was).
 */
export function applyCandidate(
  spec: ScoreSpec,
  c: Partial<Candidate> & Pick<Candidate, 'weights' | 'cuts'>
): ScoreSpec {
  const next = JSON.parse(JSON.stringify(spec)) as ScoreSpec;
  const knobs = knobsOf(spec);
  next.signals = next.signals
    .filter((s) => (c.weights[s.id] ?? s.weight) > 0)
    .map((s) => {
      const knob = knobs.get(s.id);
      const value = c.sensitivity?.[s.id];
      const params = { ...s.params };
      if (knob && value !== undefined && value !== knob.current) {
        params[knob.param] = knobValueText(knob, value);
        if (knob.param === 'warn' && (params.max === undefined || params.max === null)) {
          params.max = knobValueText(knob, knob.max!);
        }
      }
      return { ...s, weight: c.weights[s.id] ?? s.weight, params };
    });
  next.tiers.cuts = { ...c.cuts };
  next.version = nextVersion(spec.version);
  return next;
}

function nextVersion(v: number | string): number | string {
  if (typeof v === 'number') {
    return v + 1;
  }
  const n = Number(v);
  return Number.isInteger(n) ? n + 1 : `${v}+1`;
}

/** The held-out figures of other scored series (e.g. the proposal rescored by the data source). */
export function heldoutReport(
  result: Pick<CalibrationResult, 'range' | 'alertTier'>,
  series: readonly ScoredSeries[],
  truth: GroundTruth,
  backtest: BacktestOptions = {}
): TierReport {
  const prep = prepareBacktest(series, truth, { ...backtest, from: result.range.split, to: result.range.to });
  return evaluateTier(prep, TIERS.indexOf(result.alertTier), undefined, true);
}

const factorText = (f: number) => (f < 1 ? `1/${Math.round(1 / f)}` : String(Math.round(f * 100) / 100));

/** What the search tried, in words. */
export function searchedText(r: Pick<CalibrationResult, 'searched' | 'knobs' | 'constraint' | 'alertTier'>): string {
  const knobs = r.knobs.filter((x) => r.searched.signals.includes(x.signal));
  const rarity = knobs.filter((x) => x.param === 'rarity').length;
  const warn = knobs.length - rarity;
  const parts: string[] = [];
  if (rarity && r.searched.rarityFactors.length) {
    parts.push(
      `rarity × ${r.searched.rarityFactors.map(factorText).join(', ')} on ${rarity} rarity signal${rarity === 1 ? '' : 's'}`
    );
  }
  if (warn && r.searched.warnPositions.length) {
    parts.push(
      `warn moved up its ramp by ${r.searched.warnPositions.map((q) => `${Math.round(q * 100)} %`).join(', ')} on ${warn} ramp signal${warn === 1 ? '' : 's'}`
    );
  }
  parts.push(
    `weights ${r.searched.weights.join(', ')}${r.constraint.allowRemovingSignals ? ' (0 removes a signal)' : ' (never 0: removing signals is off)'}`,
    `the ${r.alertTier} cut`
  );
  return parts.join('; ');
}

/** Markdown summary of a calibration (changes, the constraint, before/after on both parts). */
export function calibrationToMarkdown(r: CalibrationResult): string {
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const row = (label: string, x: TierReport) => {
    const f = tierFigures(x);
    return `| ${label} | ${f.alerts} | ${f.precision ?? '-'} | ${f.recall ?? '-'} | ${f.f1 ?? '-'} | ${f.median_ttd_steps ?? '-'} | ${minutes(x.ttd_minutes.median)} | ${f.false_alarms} | ${f.benign_escalations} | ${f.nab ?? '-'} |`;
  };
  const heldFloor = r.constraint.heldout.floor;
  const lines = [
    `## Calibration (${describeObjective(r.objective)}, alert tier ≥ ${r.alertTier})`,
    '',
    `Fit on ${iso(r.range.from)} .. ${iso(r.range.split)}, held out ${iso(r.range.split)} .. ${iso(r.range.to)}; ${r.evaluations} candidates in ${r.elapsedMs} ms.`,
    `Searched: ${searchedText(r)}. ` +
      `Recall floor: ${recallFloorText(r.constraint.recallFloor, heldFloor)} on the held-out part (fit part ${fixed3(r.constraint.fit.floor)}); ` +
      `median TTD bound: ${r.constraint.maxTtdIncreaseMs !== undefined ? `+${minutes(r.constraint.maxTtdIncreaseMs / 60_000)}` : 'none (reported only)'}.`,
    '',
    '| part | alerts | precision | recall | F1 | median TTD (steps) | median TTD | false alarms | benign escalations | NAB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    row('fit, before', r.fit.before),
    row('fit, after', r.fit.after),
    row('held-out, before', r.heldout.before),
    row('held-out, after', r.heldout.after),
    '',
  ];
  if (r.changes.length) {
    lines.push(
      'Proposed changes:',
      '',
      '| setting | current | proposed | rescoring |',
      '|---|---:|---:|---|',
      ...r.changes.map((c) => `| ${c.what} | ${c.from} | ${c.to} | ${c.estimate ? 'estimate' : 'exact'} |`)
    );
  } else {
    lines.push('Proposed changes: none.');
  }
  if (r.refused) {
    lines.push(
      '',
      `Refused candidate: ${r.refused.changes.map(changeText).join('; ')} — ${r.refused.reasons.join('; ')}` +
        `${r.refused.lost.length ? `; would lose ${r.refused.lost.map(incidentText).join(', ')}` : ''}.`
    );
  }
  lines.push('', `**${r.statement}**`);
  if (r.proposedSpecErrors.length) {
    lines.push(
      '',
      `The proposed spec does not validate: ${r.proposedSpecErrors.map((e) => `${e.path}: ${e.message}`).join('; ')}`
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Versions file
// ---------------------------------------------------------------------------------------------

export interface SpecVersion {
  version: number;
  spec: ScoreSpec;
  author: string;
  /** ISO-8601 */
  at: string;
  reason: string;
  /** Figures that justified the change (e.g. the held-out before/after). */
  backtest?: unknown;
}

export interface SpecVersionsFile {
  specId: string;
  versions: SpecVersion[];
}

export interface VersionMeta {
  author: string;
  reason: string;
  /** Default: now. */
  at?: string | Date;
  backtest?: unknown;
}

function atOf(meta: VersionMeta): string {
  return meta.at === undefined
    ? new Date().toISOString()
    : typeof meta.at === 'string'
      ? meta.at
      : meta.at.toISOString();
}

export function createVersionsFile(spec: ScoreSpec, meta: VersionMeta): SpecVersionsFile {
  const v =
    typeof spec.version === 'number' ? spec.version : Number.isInteger(Number(spec.version)) ? Number(spec.version) : 1;
  return {
    specId: spec.id,
    versions: [
      {
        version: v,
        spec: { ...clone(spec), version: v },
        author: meta.author,
        at: atOf(meta),
        reason: meta.reason,
        ...(meta.backtest !== undefined ? { backtest: meta.backtest } : {}),
      },
    ],
  };
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

export function latestVersion(file: SpecVersionsFile): SpecVersion {
  if (file.versions.length === 0) {
    throw new Error(`versions file of ${file.specId} has no versions`);
  }
  return file.versions.reduce((a, b) => (b.version > a.version ? b : a));
}

/** Append `spec` as the next version (latest + 1); returns a new file (the input is not changed). */
export function appendVersion(
  file: SpecVersionsFile,
  spec: ScoreSpec,
  meta: VersionMeta
): { file: SpecVersionsFile; version: SpecVersion } {
  if (spec.id !== file.specId) {
    throw new Error(`spec ${spec.id} does not belong to the versions file of ${file.specId}`);
  }
  if (!meta.author || !meta.reason) {
    throw new Error('a version needs an author and a reason');
  }
  const check = validateSpec(spec);
  if (!check.ok) {
    throw new Error(`spec does not validate: ${check.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
  const number = file.versions.length ? latestVersion(file).version + 1 : 1;
  const version: SpecVersion = {
    version: number,
    spec: { ...clone(spec), version: number },
    author: meta.author,
    at: atOf(meta),
    reason: meta.reason,
    ...(meta.backtest !== undefined ? { backtest: clone(meta.backtest) } : {}),
  };
  return { file: { specId: file.specId, versions: [...file.versions, version] }, version };
}

export function getVersion(file: SpecVersionsFile, version: number): SpecVersion {
  const v = file.versions.find((x) => x.version === version);
  if (!v) {
    throw new Error(
      `${file.specId} has no version ${version} (versions: ${file.versions.map((x) => x.version).join(', ')})`
    );
  }
  return v;
}

/** Restore an earlier version: appended as a new version (history is never rewritten). */
export function restoreVersion(
  file: SpecVersionsFile,
  version: number,
  meta: Omit<VersionMeta, 'reason'> & { reason?: string }
): { file: SpecVersionsFile; version: SpecVersion } {
  const old = getVersion(file, version);
  return appendVersion(file, old.spec, { ...meta, reason: meta.reason ?? `restore version ${version}` });
}

/** Apply a calibration proposal as a new version (refuses when there is nothing to apply). */
export function applyProposal(
  file: SpecVersionsFile,
  result: CalibrationResult,
  meta: Omit<VersionMeta, 'reason' | 'backtest'> & { reason?: string }
) {
  if (!result.proposedSpec) {
    throw new Error('the calibration proposed no change');
  }
  if (result.proposedSpecErrors.length) {
    throw new Error('the proposed spec does not validate');
  }
  const reason =
    meta.reason ??
    `calibration (${describeObjective(result.objective)}): ${result.changes.map(changeText).join('; ')}. ${result.statement}`;
  return appendVersion(file, result.proposedSpec, {
    ...meta,
    reason,
    backtest: {
      objective: result.objective,
      range: result.range,
      heldout: { before: tierFigures(result.heldout.before), after: tierFigures(result.heldout.after) },
      recall_floor: result.constraint.recallFloor,
      changes: result.changes,
      improved: result.improved,
    },
  });
}

/** Parse and check a versions file (JSON text or object); every spec must validate. */
export function parseVersionsFile(input: string | unknown): SpecVersionsFile {
  const raw = typeof input === 'string' ? (JSON.parse(input) as unknown) : input;
  const obj = raw as Partial<SpecVersionsFile> | null;
  if (!obj || typeof obj !== 'object' || typeof obj.specId !== 'string' || !Array.isArray(obj.versions)) {
    throw new Error('versions file must be {"specId": string, "versions": [...]}');
  }
  const seen = new Set<number>();
  obj.versions.forEach((v, i) => {
    if (!v || typeof v.version !== 'number' || !Number.isInteger(v.version) || seen.has(v.version)) {
      throw new Error(`versions[${i}]: version must be a unique integer`);
    }
    seen.add(v.version);
    if (typeof v.author !== 'string' || typeof v.at !== 'string' || typeof v.reason !== 'string') {
      throw new Error(`versions[${i}] (version ${v.version}): author, at and reason must be strings`);
    }
    const check = validateSpec(v.spec);
    if (!check.ok) {
      throw new Error(
        `versions[${i}] (version ${v.version}): spec does not validate: ${check.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`
      );
    }
  });
  return obj as SpecVersionsFile;
}

export function stringifyVersionsFile(file: SpecVersionsFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// From the data source's frames
// ---------------------------------------------------------------------------------------------

/** The minimal shape of a wide score frame (DESIGN §4) that we read; Grafana's DataFrame fits it. */
export interface ScoreFrameLike {
  name?: string;
  fields: Array<{ name: string; values: ArrayLike<unknown>; labels?: Labels }>;
  meta?: { custom?: Record<string, unknown> };
}

/**
 * Score frames -> cached entities: score, tier and the per-signal `severity:<id>` fields, labels
 * from `meta.custom.entity` (or the score field's labels). Frames without a Time/score field
 * (e.g. the triage table) are skipped.
 */
export function cachedEntitiesFromFrames(frames: readonly ScoreFrameLike[]): CachedEntity[] {
  const out: CachedEntity[] = [];
  for (const f of frames) {
    const time = f.fields.find((x) => x.name === 'Time');
    const score = f.fields.find((x) => x.name === 'score');
    const tier = f.fields.find((x) => x.name === 'tier');
    if (!time || !score || !tier) {
      continue;
    }
    const labels = (f.meta?.custom?.entity as Labels | undefined) ?? score.labels ?? {};
    const severities: Record<string, Float64Array> = {};
    for (const x of f.fields) {
      if (x.name.startsWith('severity:')) {
        severities[x.name.slice('severity:'.length)] = Float64Array.from(x.values as ArrayLike<number>, (v) =>
          v === null || v === undefined ? NaN : Number(v)
        );
      }
    }
    out.push({
      key: f.name ?? (f.meta?.custom?.entityKey as string | undefined) ?? JSON.stringify(labels),
      labels: { ...labels },
      t: Float64Array.from(time.values as ArrayLike<number>),
      score: Float64Array.from(score.values as ArrayLike<number>),
      tier: Uint8Array.from(tier.values as ArrayLike<string>, (x) => Math.max(0, TIERS.indexOf(x as Tier))),
      severities,
    });
  }
  return out;
}
