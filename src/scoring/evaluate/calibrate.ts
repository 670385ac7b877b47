/**
 * Calibration: search signal weights and tier cut points that maximise an objective on the first
 * part of a time range, and report the result on the held-out rest (before vs after), honestly:
 * when the proposal does not beat the current spec on held-out data the result says so.
 *
 * Fast because the signals are scored ONCE: per-signal severities do not depend on weights or
 * cuts, so a candidate only re-runs the composite (`combine`, composite.ts) and the tier machine
 * (tiers.ts) on the cached severities, with the entity's context (multiplier, floor, suppression).
 *
 * Search (deterministic): coordinate descent from the current spec. Each round tries every weight
 * of the grid for each signal in spec order, keeping the best strictly better one, then every cut
 * of the alert tier; it stops after a round without improvement (or maxRounds). Changing the alert
 * tier's cut moves the other cuts by the same factor in evidence space (E = -ln(1 - score/100)),
 * so the tiers keep their relative spacing. A weight of 0 removes the signal from the proposal
 * (specs require weights > 0); at least one signal keeps a positive weight.
 *
 * Objectives:
 * - `recall_at_precision`: maximise recall subject to precision >= minPrecision; ties by median
 *   time to detect, then precision. A candidate below minPrecision only beats another one below it
 *   with higher precision (so the search first walks towards feasibility).
 * - `nab`: the NAB-style normalised score (backtest.ts) at the alert tier; ties by median TTD.
 *
 * Also here: the spec versions file (a ScoreSpec has no changelog): append a version with
 * who/when/why and its backtest, and restore any earlier version (as a new version).
 */
import { combine } from '../composite';
import { contextSeries, planContext, type ContextSeries } from '../context';
import { tierConfigOf, validateSpec, type ScoreSpec, type SpecError } from '../spec';
import { TierMachine, type TierCuts } from '../tiers';
import { TIERS, type Tier } from '../types';
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

/** A scored entity plus the per-signal severities it was scored from. */
export interface CachedEntity extends ScoredSeries {
  t: Float64Array;
  /** severity[signalId][i] in [0, 1]; NaN = not judged (missing / warming up). */
  severities: Record<string, Float64Array>;
}

export type Objective = { kind: 'recall_at_precision'; minPrecision: number } | { kind: 'nab' };

export const DEFAULT_WEIGHT_GRID = [0, 0.25, 0.5, 1, 1.5, 2];
export const DEFAULT_CUT_GRID = [30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85];

export interface CalibrateOptions {
  objective?: Objective;
  /** Tier whose onset counts as an alert (default review). */
  alertTier?: Exclude<Tier, 'ok'>;
  /** Fraction of [from, to) used for fitting (default 0.6); the rest is held out. */
  split?: number;
  weightGrid?: number[];
  /** Candidate cut points of the alert tier. */
  cutGrid?: number[];
  maxRounds?: number;
  /** Only these signals' weights are searched (default all). */
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
  what: string;
  from: number | string;
  to: number | string;
}

export interface CalibrationResult {
  objective: Objective;
  alertTier: Tier;
  range: { from: number; split: number; to: number };
  original: Candidate;
  proposal: Candidate;
  changes: CalibrationChange[];
  fit: { before: TierReport; after: TierReport; beforeScore: ObjectiveScore; afterScore: ObjectiveScore };
  heldout: { before: TierReport; after: TierReport; beforeScore: ObjectiveScore; afterScore: ObjectiveScore };
  /** True only when the proposal beats the current spec on the held-out part. */
  improved: boolean;
  /** One sentence saying what was measured: improvement or "could not improve". */
  statement: string;
  /** The spec to apply (version + 1); undefined when nothing changed. */
  proposedSpec?: ScoreSpec;
  proposedSpecErrors: SpecError[];
  evaluations: number;
  elapsedMs: number;
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

function compositeScore(spec: ScoreSpec, ec: EntityContext, weights: Record<string, number>): Float64Array {
  return combine(
    spec.signals.map((s) => ({
      id: s.id,
      weight: weights[s.id] ?? s.weight,
      severity: ec.entity.severities[s.id] ?? ec.missing,
    })),
    { method: spec.composite.method, multiplier: ec.ctx.multiplier, scoreOnly: true }
  ).score;
}

function tiersOf(spec: ScoreSpec, ec: EntityContext, score: Float64Array, cuts: TierCuts): Uint8Array {
  const config = { ...tierConfigOf(spec), cuts };
  return new TierMachine(config).run(ec.entity.t, score, { floor: ec.ctx.floor, suppressed: ec.ctx.suppressed }).tier;
}

/**
 * Re-run composite + tiers on cached severities with other weights / cuts (default: the spec's).
 * With the spec's own weights and cuts this reproduces the engine's score and tiers.
 */
export function rescore(
  spec: ScoreSpec,
  entities: readonly CachedEntity[],
  candidate?: Partial<Candidate>
): ScoredSeries[] {
  const weights = candidate?.weights ?? weightsOf(spec);
  const cuts = candidate?.cuts ?? spec.tiers.cuts;
  return contextsOf(spec, entities).map((ec) => {
    const score = compositeScore(spec, ec, weights);
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
// Objectives
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

/** > 0 when a is better than b, < 0 when worse, 0 when tied. */
export function compareObjective(a: ObjectiveScore, b: ObjectiveScore): number {
  for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) {
    const d = (a.key[i] ?? 0) - (b.key[i] ?? 0);
    if (Math.abs(d) > 1e-9) {
      return d;
    }
  }
  return 0;
}

export function describeObjective(o: Objective): string {
  return o.kind === 'nab' ? 'NAB score' : `recall at precision >= ${o.minPrecision}`;
}

// ---------------------------------------------------------------------------------------------
// The search
// ---------------------------------------------------------------------------------------------

function sameCandidate(a: Candidate, b: Candidate): boolean {
  return (
    Object.keys(a.weights).every((k) => a.weights[k] === b.weights[k]) &&
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
  return s.feasible
    ? `recall ${s.value.toFixed(3)} (precision target met)`
    : `precision ${precision.toFixed(3)} < ${s.objective.minPrecision} (target not met)`;
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
  const weightGrid = options.weightGrid ?? DEFAULT_WEIGHT_GRID;
  const cutGrid = options.cutGrid ?? DEFAULT_CUT_GRID;
  const maxRounds = options.maxRounds ?? 3;
  const searched = new Set(options.signals ?? spec.signals.map((s) => s.id));

  // Whole range and split (aligned to the step).
  const whole = prepareBacktest(entities, truth, options.backtest);
  const split =
    whole.from + Math.round(((whole.to - whole.from) * (options.split ?? 0.6)) / whole.stepMs) * whole.stepMs;
  const btFit = prepareBacktest(entities, truth, { ...options.backtest, from: whole.from, to: split });
  const btHeld = prepareBacktest(entities, truth, { ...options.backtest, from: split, to: whole.to });
  const contexts = contextsOf(spec, entities);

  const scoreCache = new Map<string, Float64Array[]>();
  const scoresFor = (weights: Record<string, number>) => {
    const key = JSON.stringify(spec.signals.map((s) => weights[s.id]));
    let scores = scoreCache.get(key);
    if (!scores) {
      scores = contexts.map((ec) => compositeScore(spec, ec, weights));
      if (scoreCache.size > 64) {
        scoreCache.clear();
      }
      scoreCache.set(key, scores);
    }
    return scores;
  };
  const tiersFor = (c: Candidate) => {
    const scores = scoresFor(c.weights);
    return contexts.map((ec, i) => tiersOf(spec, ec, scores[i], c.cuts));
  };
  let evaluations = 0;
  const evaluate = (prep: PreparedBacktest, c: Candidate, light: boolean) => {
    evaluations++;
    const report = evaluateTier(prep, k, tiersFor(c), light);
    return { report, score: scoreObjective(objective, report) };
  };

  const original: Candidate = { weights: weightsOf(spec), cuts: { ...spec.tiers.cuts } };
  let best = original;
  let bestScore = evaluate(btFit, best, true).score;
  for (let round = 0; round < maxRounds; round++) {
    let changed = false;
    for (const s of spec.signals) {
      if (!searched.has(s.id)) {
        continue;
      }
      for (const w of weightGrid) {
        if (w === best.weights[s.id] || w < 0) {
          continue;
        }
        const weights = { ...best.weights, [s.id]: w };
        if (!Object.values(weights).some((x) => x > 0)) {
          continue;
        }
        const cand = { weights, cuts: best.cuts };
        const r = evaluate(btFit, cand, true).score;
        if (compareObjective(r, bestScore) > 0) {
          best = cand;
          bestScore = r;
          changed = true;
        }
      }
    }
    for (const cut of cutGrid) {
      const cuts = cutsWithAlertCut(original.cuts, alertTier, cut);
      if (
        cuts[alertTier] === best.cuts[alertTier] ||
        !(cuts.watch < cuts.review && cuts.review < cuts.critical && cuts.critical <= 100)
      ) {
        continue;
      }
      const cand = { weights: best.weights, cuts };
      const r = evaluate(btFit, cand, true).score;
      if (compareObjective(r, bestScore) > 0) {
        best = cand;
        bestScore = r;
        changed = true;
      }
    }
    if (!changed) {
      break;
    }
  }

  const fitBefore = evaluate(btFit, original, false);
  const fitAfter = evaluate(btFit, best, false);
  const heldBefore = evaluate(btHeld, original, false);
  const heldAfter = evaluate(btHeld, best, false);
  const unchanged = sameCandidate(best, original);
  const cmp = compareObjective(heldAfter.score, heldBefore.score);
  const improved = !unchanged && cmp > 0;
  const name = describeObjective(objective);
  let statement: string;
  if (unchanged) {
    statement = `No improvement: the search found no weights or cuts that improve ${name} on the fit part; the current spec stays (held-out ${fmtScore(heldBefore.score)}).`;
  } else if (improved) {
    statement = `Improved on the held-out part: ${name} ${fmtScore(heldBefore.score)} -> ${fmtScore(heldAfter.score)} (fit part: ${fmtScore(fitBefore.score)} -> ${fmtScore(fitAfter.score)}).`;
  } else {
    statement =
      `No improvement: calibration could not improve ${name} on the held-out part (${fmtScore(heldBefore.score)} -> ${fmtScore(heldAfter.score)}), ` +
      `although the fit part went ${fmtScore(fitBefore.score)} -> ${fmtScore(fitAfter.score)}; keep the current spec.`;
  }

  const changes: CalibrationChange[] = [];
  for (const s of spec.signals) {
    if (best.weights[s.id] !== original.weights[s.id]) {
      changes.push({
        what: `signals.${s.id}.weight`,
        from: original.weights[s.id],
        to: best.weights[s.id] > 0 ? best.weights[s.id] : 'removed (weight 0)',
      });
    }
  }
  for (const t of ['watch', 'review', 'critical'] as const) {
    if (best.cuts[t] !== original.cuts[t]) {
      changes.push({ what: `tiers.cuts.${t}`, from: original.cuts[t], to: best.cuts[t] });
    }
  }
  let proposedSpec: ScoreSpec | undefined;
  let proposedSpecErrors: SpecError[] = [];
  if (!unchanged) {
    const candidate = applyCandidate(spec, best);
    const check = validateSpec(candidate);
    proposedSpec = check.ok ? check.spec : candidate;
    proposedSpecErrors = check.errors;
  }
  return {
    objective,
    alertTier,
    range: { from: whole.from, split, to: whole.to },
    original,
    proposal: best,
    changes,
    fit: { before: fitBefore.report, after: fitAfter.report, beforeScore: fitBefore.score, afterScore: fitAfter.score },
    heldout: {
      before: heldBefore.report,
      after: heldAfter.report,
      beforeScore: heldBefore.score,
      afterScore: heldAfter.score,
    },
    improved,
    statement,
    proposedSpec,
    proposedSpecErrors,
    evaluations,
    elapsedMs: Date.now() - started,
  };
}

/** The spec with the candidate's weights (weight 0 removes a signal) and cuts, version + 1. */
export function applyCandidate(spec: ScoreSpec, c: Candidate): ScoreSpec {
  const next = JSON.parse(JSON.stringify(spec)) as ScoreSpec;
  next.signals = next.signals
    .filter((s) => (c.weights[s.id] ?? s.weight) > 0)
    .map((s) => ({ ...s, weight: c.weights[s.id] ?? s.weight }));
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

/** Markdown summary of a calibration (before/after on the fit and held-out parts). */
export function calibrationToMarkdown(r: CalibrationResult): string {
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const row = (label: string, x: TierReport) => {
    const f = tierFigures(x);
    return `| ${label} | ${f.alerts} | ${f.precision ?? '-'} | ${f.recall ?? '-'} | ${f.f1 ?? '-'} | ${f.median_ttd_steps ?? '-'} | ${f.false_alarms} | ${f.benign_escalations} | ${f.nab ?? '-'} |`;
  };
  const lines = [
    `## Calibration (${describeObjective(r.objective)}, alert tier ≥ ${r.alertTier})`,
    '',
    `Fit on ${iso(r.range.from)} .. ${iso(r.range.split)}, held out ${iso(r.range.split)} .. ${iso(r.range.to)}; ${r.evaluations} candidates in ${r.elapsedMs} ms.`,
    '',
    '| part | alerts | precision | recall | F1 | median TTD (steps) | false alarms | benign escalations | NAB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    row('fit, before', r.fit.before),
    row('fit, after', r.fit.after),
    row('held-out, before', r.heldout.before),
    row('held-out, after', r.heldout.after),
    '',
    r.changes.length
      ? `Proposed changes: ${r.changes.map((c) => `${c.what} ${c.from} -> ${c.to}`).join('; ')}.`
      : 'Proposed changes: none.',
    '',
    `**${r.statement}**`,
  ];
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
    `calibration (${describeObjective(result.objective)}): ${result.changes.map((c) => `${c.what} ${c.from} -> ${c.to}`).join('; ')}. ${result.statement}`;
  return appendVersion(file, result.proposedSpec, {
    ...meta,
    reason,
    backtest: {
      objective: result.objective,
      range: result.range,
      heldout: { before: tierFigures(result.heldout.before), after: tierFigures(result.heldout.after) },
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
