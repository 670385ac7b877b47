/**
 * Compile a ScoreSpec into Prometheus recording and alerting rules (rulefmt: they load unchanged
 * into Prometheus, Mimir, Cortex and Thanos rulers) plus Loki ruler rules for log signals.
 *
 * Series written (every one carries `spec="<spec id>"` and the spec's entity labels; per-signal
 * series also `signal="<id>"`):
 *
 *   anomaly:input:{value,numerator,denominator,bucket,correct}   the signal's queries, per step
 *   anomaly:signal:*                                             detector helpers (median, scale …)
 *   anomaly:signal:statistic                                     the detector's raw statistic
 *   anomaly:signal:severity                                      severity s in [0, 1]
 *   anomaly:signal:evidence                                      e = −w ln(1 − s)
 *   anomaly:evidence                                             E (after context multipliers)
 *   anomaly:score                                                100 (1 − e^−E)
 *   anomaly:contribution                                         score · e_i / Σe, sums to the score
 *   anomaly:tier                                                 0 ok … 3 critical
 *
 * Window semantics follow the engine exactly where PromQL allows: a window of W points ending just
 * before the current one is `x[W·step − step/2] offset step` over the recorded input (so it holds
 * exactly W samples whatever the group's evaluation phase), the current window of W points is
 * `x[W·step − step/2]`, and a baseline of B points before it is `x[B·step − step/2] offset W·step`.
 * What is approximated, and why, is returned in `approximations` and written into the YAML.
 */
import { type ScoreSpec, type SignalSpec, validateSpec, formatSpecErrors, tierConfigOf } from '../spec';
import type { Direction, SignalKind, Tier } from '../types';
import { type DriftMetric } from '../signals/histogramDrift';
import { binMidpoints } from '../signals/calibration';
import { MAD_TO_SIGMA, MEAN_ABS_DEV_TO_SIGMA } from '../signals/common';
import { toNumber, toPoints, toSeconds, type ParamValue } from '../signals/params';
import { resolveSeverity } from '../signals/registry';
import { MAX_SEVERITY } from '../composite';
import { tryDurationToMs } from '../util/duration';
import { dur, leRegex, matcher, num, offset, quote, ramp, selector, vmax, vmin } from './promql';
import {
  compileRaritySeverity,
  holdSeverityExpr,
  rarityPlan,
  wilsonHilfertyExpr,
  QUADRATURE_NODES,
  RARITY_SERIES,
  TIE_LEVELS,
  type IdealModel,
} from './rarity';

// ---------------------------------------------------------------------------------------------
// Output types
// ---------------------------------------------------------------------------------------------

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  interval: string;
  rules: Rule[];
}

export interface UnsupportedSignal {
  signal: string;
  kind: SignalKind;
  reason: string;
}

export interface UnsupportedContext {
  rule: string;
  reason: string;
}

export interface CompiledRules {
  specId: string;
  /** The validated spec with defaults (playbook, cuts, hysteresis) the alerts were built from. */
  spec: ScoreSpec;
  /** Evaluation interval of every group (the spec's step). */
  interval: string;
  stepMs: number;
  entity: string[];
  /** Rule groups for a Prometheus-compatible ruler (recording rules, then alerts, one group). */
  prometheus: RuleGroup[];
  /** Rule groups for the Loki ruler (log signals' inputs); empty when no signal reads Loki. */
  loki: RuleGroup[];
  /** Signals compiled into rules, and which of them read their input from Loki. */
  compiled: string[];
  logSignals: string[];
  /** Signals left out, each with the reason: never dropped silently. */
  unsupported: UnsupportedSignal[];
  /** Context rules (or parts) PromQL cannot express. */
  unsupportedContext: UnsupportedContext[];
  /** Where the compiled form differs from the in-browser engine, one line each. */
  approximations: string[];
  /** Names of the tier alerts, by tier. */
  alerts: Record<Exclude<Tier, 'ok'>, string>;
}

export interface CompileOptions {
  /** Evaluation interval; default the spec's `step`, else 1m. */
  step?: string;
  /**
   * `le` upper bounds of the histograms of histogram_drift and calibration signals, by signal id
   * (numbers, or strings such as "+Inf"). PromQL cannot difference adjacent buckets without them.
   */
  buckets?: Record<string, ReadonlyArray<number | string>>;
  /** Prefix of alert names (default `AnomalyScore`: AnomalyScoreWatch, …). */
  alertPrefix?: string;
  /** Adds `keep_firing_for` to the tier alerts (Prometheus >= 2.42, Mimir, Thanos). */
  keepFiringFor?: string;
  /** Also emit the per-(entity, signal) AnomalyScoreContributor alerts (default true). */
  contributorAlerts?: boolean;
}

export interface CompileResult {
  ok: boolean;
  rules?: CompiledRules;
  errors: string[];
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

export const INPUT = {
  value: 'anomaly:input:value',
  numerator: 'anomaly:input:numerator',
  denominator: 'anomaly:input:denominator',
  buckets: 'anomaly:input:bucket',
  correct: 'anomaly:input:correct',
} as const;

export const SERIES = {
  statistic: 'anomaly:signal:statistic',
  severity: 'anomaly:signal:severity',
  signalEvidence: 'anomaly:signal:evidence',
  part: 'anomaly:signal:part',
  evidenceRaw: 'anomaly:evidence:raw',
  evidence: 'anomaly:evidence',
  score: 'anomaly:score',
  contribution: 'anomaly:contribution',
  tierRaw: 'anomaly:tier:raw',
  tier: 'anomaly:tier',
  suppressed: 'anomaly:suppressed',
} as const;

const TIER_NAMES: ReadonlyArray<Exclude<Tier, 'ok'>> = ['watch', 'review', 'critical'];

// ---------------------------------------------------------------------------------------------
// Compiler
// ---------------------------------------------------------------------------------------------

class Unsupported extends Error {}

interface SignalCtx {
  s: SignalSpec;
  /** `spec="…",signal="…"` matchers. */
  m: string[];
  labels: Record<string, string>;
  stepMs: number;
  /** Range that holds exactly n recorded samples ending at the evaluation time. */
  range(n: number): string;
  sel(name: string, extra?: string[]): string;
  rules: RecordingRule[];
  record(name: string, expr: string, extraLabels?: Record<string, string>): string;
  /** Rules of the rarity history group (every block; the step group's list when block = step). */
  historyRules: RecordingRule[];
  by: string;
  notes: string[];
}

function isLoki(s: SignalSpec): boolean {
  return (s.source?.datasource?.type ?? '').toLowerCase() === 'loki';
}

function byClause(labels: readonly string[]): string {
  return `by (${labels.join(', ')})`;
}

/** Compile a spec (validated here) into rule groups. Never throws: problems come back in `errors`. */
export function compileRules(input: unknown, options: CompileOptions = {}): CompileResult {
  const v = validateSpec(input);
  if (!v.ok || !v.spec) {
    return { ok: false, errors: formatSpecErrors(v.errors).split('\n') };
  }
  const spec = v.spec;
  const errors = checkOptions(spec, options);
  if (errors.length > 0) {
    return { ok: false, errors };
  }
  try {
    return { ok: true, rules: compileValid(spec, options), errors: [] };
  } catch (e) {
    return { ok: false, errors: [`cannot compile: ${e instanceof Error ? e.message : String(e)}`] };
  }
}

function checkOptions(spec: ScoreSpec, options: CompileOptions): string[] {
  const errors: string[] = [];
  const step = options.step ?? spec.step ?? '1m';
  const ms = tryDurationToMs(step);
  if (ms === undefined || !(ms >= 1000)) {
    errors.push(`step: must be a duration of at least 1s like 1m, got ${JSON.stringify(step)}`);
  }
  if (options.keepFiringFor !== undefined && tryDurationToMs(options.keepFiringFor) === undefined) {
    errors.push(`keepFiringFor: must be a duration like 5m, got ${JSON.stringify(options.keepFiringFor)}`);
  }
  if (options.alertPrefix !== undefined && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(options.alertPrefix)) {
    errors.push(`alertPrefix: must be a Prometheus metric-name-like word, got ${JSON.stringify(options.alertPrefix)}`);
  }
  for (const [id, les] of Object.entries(options.buckets ?? {})) {
    const signal = spec.signals.find((s) => s.id === id);
    if (!signal) {
      errors.push(`buckets.${id}: no signal with that id in spec ${spec.id}`);
      continue;
    }
    if (signal.kind !== 'histogram_drift' && signal.kind !== 'calibration') {
      errors.push(
        `buckets.${id}: only histogram_drift and calibration signals take bucket bounds (${id} is ${signal.kind})`
      );
      continue;
    }
    const parsed = parseLes(les);
    if (typeof parsed === 'string') {
      errors.push(`buckets.${id}: ${parsed}`);
    }
  }
  return errors;
}

/** Bucket bounds -> ascending numbers, or what is wrong with them. */
export function parseLes(les: ReadonlyArray<number | string> | unknown): number[] | string {
  if (!Array.isArray(les) || les.length === 0) {
    return 'must be a non-empty list of le bounds';
  }
  const out: number[] = [];
  for (const raw of les) {
    const n =
      typeof raw === 'number'
        ? raw
        : typeof raw === 'string' && /^\+?inf$/i.test(raw.trim())
          ? Infinity
          : typeof raw === 'string' && raw.trim() !== ''
            ? Number(raw)
            : NaN;
    if (Number.isNaN(n) || n === -Infinity) {
      return `${JSON.stringify(raw)} is not a bucket bound`;
    }
    if (out.length > 0 && !(n > out[out.length - 1])) {
      return 'bounds must be strictly ascending';
    }
    out.push(n);
  }
  return out;
}

function compileValid(spec: ScoreSpec, options: CompileOptions): CompiledRules {
  const stepText = options.step ?? spec.step ?? '1m';
  const stepMs = tryDurationToMs(stepText)!;
  const interval = dur(stepMs);
  const entity = [...spec.entity];
  const specM = `spec=${quote(spec.id)}`;
  const bySig = byClause(['spec', 'signal', ...entity]);
  const byEnt = byClause(['spec', ...entity]);
  const prefix = options.alertPrefix ?? 'AnomalyScore';

  const out: CompiledRules = {
    specId: spec.id,
    spec,
    interval,
    stepMs,
    entity,
    prometheus: [],
    loki: [],
    compiled: [],
    logSignals: [],
    unsupported: [],
    unsupportedContext: [],
    approximations: [],
    alerts: { watch: `${prefix}Watch`, review: `${prefix}Review`, critical: `${prefix}Critical` },
  };
  const promInputs: RecordingRule[] = [];
  const lokiInputs: RecordingRule[] = [];
  const detectorRules: RecordingRule[] = [];
  const historyRules: RecordingRule[] = [];
  const notes = new Set<string>();

  for (const s of spec.signals) {
    const labels = { spec: spec.id, signal: s.id };
    const m = [specM, `signal=${quote(s.id)}`];
    const rules: RecordingRule[] = [];
    const signalHistory: RecordingRule[] = [];
    const ctx: SignalCtx = {
      s,
      m,
      labels,
      stepMs,
      range: (n) => dur(n * stepMs - stepMs / 2),
      sel: (name, extra = []) => selector(name, [...m, ...extra]),
      rules,
      record(name, expr, extraLabels) {
        rules.push({ record: name, expr, labels: { ...labels, ...(extraLabels ?? {}) } });
        return selector(name, [...m, ...Object.entries(extraLabels ?? {}).map(([k, val]) => `${k}=${quote(val)}`)]);
      },
      historyRules: signalHistory,
      by: bySig,
      notes: [],
    };
    try {
      const inputs = inputRules(spec, s, entity);
      compileSignal(ctx, options, entity);
      (isLoki(s) ? lokiInputs : promInputs).push(...inputs.map((r) => ({ ...r, labels: { ...labels } })));
      // Evidence (or the part used by the other composite methods).
      const sev = ctx.sel(SERIES.severity);
      if (spec.composite.method === 'evidence') {
        ctx.record(SERIES.signalEvidence, `-${num(s.weight)} * ln(1 - clamp(${sev}, 0, ${num(MAX_SEVERITY)}))`);
      } else if (spec.composite.method === 'weighted_mean') {
        ctx.record(SERIES.part, `${num(s.weight)} * clamp(${sev}, 0, 1)`);
        ctx.record('anomaly:signal:weight', `0 * ${sev} + ${num(s.weight)}`);
      } else {
        ctx.record(SERIES.part, `clamp(${sev}, 0, 1)`);
      }
      detectorRules.push(...rules);
      historyRules.push(...signalHistory);
      out.compiled.push(s.id);
      if (isLoki(s)) {
        out.logSignals.push(s.id);
      }
      ctx.notes.forEach((n) => notes.add(n));
    } catch (e) {
      if (e instanceof Unsupported) {
        out.unsupported.push({ signal: s.id, kind: s.kind, reason: e.message });
      } else {
        throw e;
      }
    }
  }

  const compositeRules: RecordingRule[] = [];
  const alertRules: AlertingRule[] = [];
  if (out.compiled.length > 0) {
    composite(spec, out, compositeRules, { specM, byEnt, entity }, notes);
    alerts(
      spec,
      out,
      alertRules,
      { specM, entity, keepFiringFor: options.keepFiringFor, contributors: options.contributorAlerts ?? true },
      notes
    );
  }
  out.approximations = [...notes];

  const groupName = `anomaly-score:${spec.id}`;
  out.prometheus.push({
    name: groupName,
    interval,
    rules: [...promInputs, ...detectorRules, ...compositeRules, ...alertRules],
  });
  if (historyRules.length > 0) {
    // The rarity history and tail fit change only when a block closes: evaluated once a block
    // (DESIGN §5, rule groups by cost), read by the step group with last_over_time.
    out.prometheus.push({ name: `${groupName}:rarity`, interval: dur(rarityBlockMs(stepMs)), rules: historyRules });
  }
  if (lokiInputs.length > 0) {
    out.loki.push({ name: `${groupName}:loki`, interval, rules: lokiInputs });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

const ROLE_RECORD: Record<string, string> = {
  value: INPUT.value,
  numerator: INPUT.numerator,
  denominator: INPUT.denominator,
  buckets: INPUT.buckets,
  correct: INPUT.correct,
};

function inputRules(spec: ScoreSpec, s: SignalSpec, entity: string[]): RecordingRule[] {
  const type = (s.source?.datasource?.type ?? 'prometheus').toLowerCase();
  if (type !== 'prometheus' && type !== 'loki') {
    throw new Unsupported(
      `its queries run on a "${s.source?.datasource?.type}" data source: only PromQL (prometheus) and LogQL (loki) queries can be recorded by a ruler`
    );
  }
  const queries = s.source?.queries;
  if (!queries || Object.keys(queries).length === 0) {
    throw new Unsupported(
      'no source.queries: the signal has no query to record (the engine can be fed directly, a ruler cannot)'
    );
  }
  return Object.entries(queries).map(([role, q]) => {
    const keepLe = role === 'buckets' || role === 'correct';
    const labels = keepLe ? [...entity, 'le'] : entity;
    const agg = labels.length > 0 ? `sum ${byClause(labels)}` : 'sum';
    // NaN and ±Inf (0/0 of a rate ratio, histogram_quantile without data) are missing points in the
    // engine; PromQL would carry them as values, so the recorded input keeps finite values only.
    // (LogQL metric queries never yield them.)
    const finite = type === 'prometheus' ? ' > -Inf < Inf' : '';
    return { record: ROLE_RECORD[role] ?? `anomaly:input:${role}`, expr: `${agg} (\n  ${q.trim()}\n)${finite}` };
  });
}

// ---------------------------------------------------------------------------------------------
// Detectors
// ---------------------------------------------------------------------------------------------

function directed(x: string, d: Direction): string {
  return d === 'up' ? x : d === 'down' ? `-(${x})` : `abs(${x})`;
}

function pointsOf(p: ParamValue, stepMs: number, name: string, min = 1): number {
  return toPoints(p, stepMs, name, min);
}

function compileSignal(ctx: SignalCtx, options: CompileOptions, entity: string[]): void {
  const { s } = ctx;
  switch (s.kind) {
    case 'robust_z':
      return robustZ(ctx);
    case 'seasonal':
      return seasonal(ctx);
    case 'threshold':
      return threshold(ctx);
    case 'staleness':
      return staleness(ctx);
    case 'ratio':
      return ratio(ctx);
    case 'histogram_drift':
      return histogramDrift(ctx, bucketsFor(s, options));
    case 'calibration':
      return calibration(ctx, bucketsFor(s, options), entity);
    case 'level_shift':
      throw new Unsupported(
        'level_shift is a CUSUM: S_t = min(cap, max(0, S_{t-1} + z_t - k)) depends on its own previous value at ' +
          'every step since the series began, so a rule reading its own last sample would depend on when the ruler ' +
          'started and on every missed evaluation; not approximated, so that a different detector is never ' +
          'presented under its name. Use robust_z over a longer window, or keep level_shift in the in-browser ' +
          'score only.'
      );
    default:
      throw new Unsupported(`no PromQL form for kind ${String(s.kind)}`);
  }
}

/** The block of the rarity history at this step (the engine's max(5 min, step)). */
function rarityBlockMs(stepMs: number): number {
  return rarityPlan(stepMs, 0, 0, 0).blockMs;
}

/**
 * How a statistical kind turns its directed statistic into `anomaly:signal:severity`:
 * - ramp: `rampSeverity()` (the kind's own ramp expression, which may differ from a ramp on the
 *   directed statistic, e.g. ratio's two sides);
 * - rarity: `anomaly:signal:directed` = `directed`, then the rarity rules (rarity.ts) with the
 *   kind's ideal model, given the recorded directed statistic.
 * Either way the engine's hold (the highest severity of the last `hold`) applies when set.
 */
interface SeverityPlan {
  rampSeverity: (warn: number, max: number) => string;
  directed: string;
  ideal: (directed: string) => IdealModel;
}

function judge(ctx: SignalCtx, plan: SeverityPlan): void {
  const { s, stepMs } = ctx;
  const sev = resolveSeverity(s.kind, s.params);
  if (sev.mode === 'ramp') {
    const expr = plan.rampSeverity(sev.warn, sev.max);
    if (Math.ceil(sev.holdMs / stepMs) > 1) {
      const raw = ctx.record(RARITY_SERIES.severityRaw, expr);
      ctx.record(SERIES.severity, holdSeverityExpr(raw, sev.holdMs, stepMs));
    } else {
      ctx.record(SERIES.severity, expr);
    }
    return;
  }
  if (sev.mode !== 'rarity') {
    throw new Error(`${s.kind}: severity ${sev.mode} is not a statistical severity`);
  }
  const rp = rarityPlan(stepMs, sev.rarityMs, sev.rarityWindowMs, sev.holdMs);
  const separate = rp.blockMs > stepMs;
  const x = ctx.record(RARITY_SERIES.directed, plan.directed);
  const raw = compileRaritySeverity(
    {
      record: (name, expr) => ctx.record(name, expr),
      recordHistory: (name, expr) => {
        if (!separate) {
          return ctx.record(name, expr);
        }
        ctx.historyRules.push({ record: name, expr, labels: { ...ctx.labels } });
        return ctx.sel(name);
      },
      sel: (name) => ctx.sel(name),
    },
    rp,
    x,
    plan.ideal(x)
  );
  ctx.record(SERIES.severity, holdSeverityExpr(raw, rp.holdMs, stepMs));
  ctx.notes.push(RARITY_NOTE);
  if (rp.observedCapped) {
    ctx.notes.push(
      `rarity (${s.id}): its target is so close to the history's size that more than ${rp.observedLevels} top values ` +
        'could reach the severity onset; the observed-frequency bound covers the top ' +
        `${rp.observedLevels}, below them it is approximate.`
    );
  }
}

const RARITY_NOTE =
  'rarity: the history is the block maxima of the directed statistic over the last rarityWindow (a plain range; the ' +
  "engine's ring of learned blocks holds the same blocks unless blocks without any judged point lie in it), the fit " +
  'frozen while an alarm episode goes on, as the engine learns nothing then. Exact: the threshold (the order statistic, ' +
  'pinned with `@ end()`), exceedances, mean excess, clamps, the cap, the observed-frequency bound (over the top ' +
  'values that can reach the severity onset). Approximated, measured in docs/alerting.md: "PWM by quadrature" (the ' +
  `GPD shape's rank-weighted moment a1 from ${QUADRATURE_NODES} quantiles of the exceedances) and "ties lowered ` +
  `${TIE_LEVELS} values deep" (the engine lowers the threshold past ties until 10 blocks exceed it; the rules stop ` +
  `after ${TIE_LEVELS} distinct values). The history group reads the severities the step group wrote (the engine's ` +
  'recursion), so it needs a ruler evaluating in time order (or instant queries block by block, as ' +
  '`npm run rules:parity` does), not range-query backfills; a ruler runs the two groups concurrently, so at a block ' +
  "boundary the step group may still read the previous block's fit.";

function bucketsFor(s: SignalSpec, options: CompileOptions): number[] {
  const les = options.buckets?.[s.id];
  if (les === undefined) {
    throw new Unsupported(
      `${s.kind} needs the histogram's le bounds to difference adjacent buckets in PromQL ` +
        `(compile option buckets.${s.id}, CLI --buckets ${s.id}=0.1,0.5,1,+Inf)`
    );
  }
  const parsed = parseLes(les);
  if (typeof parsed === 'string') {
    throw new Unsupported(`buckets.${s.id}: ${parsed}`);
  }
  return parsed;
}

/** Valid points of the trailing window before the current point, at least `min`. */
function warmupFilter(count: string, min: number): string {
  return `(${count} >= ${num(Math.max(1, min))})`;
}

function robustZ(ctx: SignalCtx): void {
  const { s, stepMs } = ctx;
  const p = s.params as Record<string, ParamValue>;
  const W = pointsOf(p.window, stepMs, 'window');
  const warm = Math.min(pointsOf(p.warmup, stepMs, 'warmup', 0), W);
  const x = ctx.sel(INPUT.value);
  const win = `${x}[${ctx.range(W)}] offset ${dur(stepMs)}`;
  const med = ctx.record('anomaly:signal:median', `quantile_over_time(0.5, ${win})`);
  // |x_j − median_t| for the W points before t: the centre is pinned at the evaluation time with
  // `@ end()` (an instant query's end is its evaluation time), the current point is excluded by
  // time. Exact under a ruler; see the approximations note for range queries.
  const dev = `(abs(${x} - ${med} @ end()) and (timestamp(${med} @ end()) > time()))[${dur(W * stepMs)}:${dur(stepMs)}]`;
  const mad = `${num(MAD_TO_SIGMA)} * quantile_over_time(0.5, ${dev})`;
  const mean = `${num(MEAN_ABS_DEV_TO_SIGMA)} * avg_over_time(${dev})`;
  const floor = `(${num(toNumber(p.minScaleRel))} * abs(${med}) + ${num(toNumber(p.minScale))})`;
  const scale = ctx.record('anomaly:signal:scale', vmax(`(${mad}) > 0 or (${mean})`, floor));
  const stat = ctx.record(
    SERIES.statistic,
    `((${x} - ${med}) / ${scale}) and ${warmupFilter(`count_over_time(${win})`, warm)}`
  );
  judge(ctx, zSeverity(directed(stat, s.direction), s.direction));
  ctx.notes.push(
    'robust_z: the MAD pins the median at the evaluation time with `@ end()`; a ruler evaluates instant queries, ' +
      "so this is the engine's statistic. Evaluated as a range query (Explore, promtool create-blocks-from rules) " +
      '`end()` is the end of the range instead: evaluate these rules with a ruler or instant queries.'
  );
}

function seasonal(ctx: SignalCtx): void {
  const { s, stepMs } = ctx;
  const p = s.params as Record<string, ParamValue>;
  const P = pointsOf(p.season, stepMs, 'season');
  const k = toNumber(p.seasons);
  const tol = pointsOf(p.tolerance, stepMs, 'tolerance', 0);
  const Wr = pointsOf(p.window, stepMs, 'window');
  const warm = Math.min(pointsOf(p.warmup, stepMs, 'warmup', 0), Wr);
  const minSeasons = toNumber(p.minSeasons);
  const x = ctx.sel(INPUT.value);
  const copies: string[] = [];
  for (let j = 1; j <= k; j++) {
    for (let d = -tol; d <= tol; d++) {
      const back = (j * P - d) * stepMs;
      // The sample exactly `back` ago (a half-step range, so the lookback cannot pick an older one).
      const v = `last_over_time(${x}[${dur(stepMs / 2)}]${offset(back)})`;
      copies.push(`label_replace(label_replace(${v}, "season", "${j}", "", ""), "phase", "${d}", "", "")`);
    }
  }
  const vals = ctx.record('anomaly:signal:season_values', copies.join('\n  or '));
  const seasonsWithData = `count without (season) (count without (phase) (${vals}))`;
  const expected = ctx.record(
    'anomaly:signal:expected',
    `quantile without (season, phase) (0.5, ${vals}) and (${seasonsWithData} >= ${num(minSeasons)})`
  );
  const res = ctx.record('anomaly:signal:residual', `abs(${x} - ${expected})`);
  const win = `${res}[${ctx.range(Wr)}] offset ${dur(stepMs)}`;
  const floor = `(${num(toNumber(p.minScaleRel))} * abs(${expected}) + ${num(toNumber(p.minScale))})`;
  const scale = ctx.record(
    'anomaly:signal:scale',
    vmax(
      `(${num(MAD_TO_SIGMA)} * quantile_over_time(0.5, ${win})) > 0 or (${num(MEAN_ABS_DEV_TO_SIGMA)} * avg_over_time(${win}))`,
      floor
    )
  );
  const stat = ctx.record(
    SERIES.statistic,
    `((${x} - ${expected}) / ${scale}) and ${warmupFilter(`count_over_time(${win})`, warm)}`
  );
  judge(ctx, zSeverity(directed(stat, s.direction), s.direction));
}

/** A z statistic: a ramp on the directed z, or rarity against N(0, 1) (two-sided for 'both'). */
function zSeverity(directedZ: string, direction: Direction): SeverityPlan {
  return {
    rampSeverity: (warn, max) => ramp(directedZ, warn, max),
    directed: directedZ,
    ideal: (x) => (direction === 'both' ? { type: 'two-sided-normal', z: x } : { type: 'normal', z: x }),
  };
}

function threshold(ctx: SignalCtx): void {
  const { s } = ctx;
  const p = s.params as Record<string, ParamValue>;
  const x = ctx.sel(INPUT.value);
  const above = p.above === null ? NaN : toNumber(p.above);
  const below = p.below === null ? NaN : toNumber(p.below);
  const soft = toNumber(p.soft);
  const parts: string[] = [];
  if (Number.isFinite(above)) {
    parts.push(`clamp_min(${x} - ${num(above)}, 0)`);
  }
  if (Number.isFinite(below)) {
    parts.push(`clamp_min(${num(below)} - ${x}, 0)`);
  }
  const stat = ctx.record(SERIES.statistic, x);
  const excess = ctx.record('anomaly:signal:excess', parts.join(' + '));
  ctx.record(SERIES.severity, soft > 0 ? ramp(excess, 0, soft) : `(${excess} > bool 0)`);
  void stat;
  if (toNumber(p.warmup) > 0) {
    ctx.notes.push(
      'threshold: warmup (points before judging, counted from the start of a query) has no meaning for a ruler and is ignored.'
    );
  }
}

function staleness(ctx: SignalCtx): void {
  const { s } = ctx;
  const p = s.params as Record<string, ParamValue>;
  const sev = resolveSeverity(s.kind, s.params);
  const missingAfter = toSeconds(p.missingAfter);
  // How far back the newest value is looked for: beyond the ramp's max (severity 1 anyway), or for
  // rarity a day (a lag longer than that is rarer than any healthy history of labelling delays).
  const reachS = sev.mode === 'ramp' ? sev.max : 86_400;
  const horizonS = Math.max(3600, missingAfter + reachS);
  const x = ctx.sel(INPUT.value);
  const lag = ctx.record(SERIES.statistic, `time() - last_over_time(${x}[${dur(horizonS * 1000)}])`);
  const minLag = toSeconds(p.minLag);
  judge(ctx, {
    rampSeverity: (warn, max) => ramp(lag, warn, max),
    directed: lag,
    ideal: () => ({ type: 'from', minimum: minLag }),
  });
  ctx.notes.push(
    `staleness: lag = time() − the newest value within ${dur(horizonS * 1000)} (max(1h, missingAfter + ${sev.mode === 'ramp' ? 'max' : '1d'})); while the ` +
      'gauge is missing for less than missingAfter the engine reports the signal missing, the rule keeps judging the ' +
      'last value; a series never seen is not judged (alert on absent() for that).'
  );
}

function ratio(ctx: SignalCtx): void {
  const { s, stepMs } = ctx;
  const p = s.params as Record<string, ParamValue>;
  const W = pointsOf(p.window, stepMs, 'window');
  const B = pointsOf(p.baseline, stepMs, 'baseline');
  const warm = Math.min(pointsOf(p.warmup, stepMs, 'warmup', 0), B);
  const rel = toNumber(p.minRelChange);
  const abs = toNumber(p.minAbsChange);
  const numS = ctx.sel(INPUT.numerator);
  const den = ctx.sel(INPUT.denominator);
  // A numerator that has no series (a counter that never incremented) counts as 0, as in the data source.
  const sum = (sel: string, range: string) => `sum_over_time(${sel}[${range}])`;
  const withZero = (a: string, b: string) => `(${a} or 0 * ${b})`;
  const curRange = ctx.range(W);
  const baseOff = ` offset ${dur(W * stepMs)}`;
  const x = ctx.record(
    'anomaly:signal:current_events',
    `${withZero(sum(numS, curRange), sum(den, curRange))} and ${den}`
  );
  const n = ctx.record('anomaly:signal:current_total', `${sum(den, curRange)} > 0 and ${den}`);
  const baseRange = ctx.range(B);
  const baseNum = withZero(
    `sum_over_time(${numS}[${baseRange}]${baseOff})`,
    `sum_over_time(${den}[${baseRange}]${baseOff})`
  );
  const baseDen = `sum_over_time(${den}[${baseRange}]${baseOff})`;
  const p0 = ctx.record(
    'anomaly:signal:baseline_rate',
    `(${baseNum} + 0.5) / (${baseDen} + 1) and (${baseDen} > 0) and ${warmupFilter(`count_over_time(${den}[${baseRange}]${baseOff})`, warm)}`
  );
  const phat = ctx.record(SERIES.statistic, `clamp(${x} / ${n}, 0, 1) and ${p0}`);
  // Signed root of the binomial deviance of x events in n against rate q (util/stats.ts).
  const root = (q: string) => {
    const a = `clamp_min(${phat}, 1e-300)`;
    const a1 = `clamp_min(1 - ${phat}, 1e-300)`;
    const kl = `clamp_min(${a} * ln(${a} / ${q}) + ${a1} * ln(${a1} / (1 - ${q})), 0)`;
    return `sgn(${phat} - ${q}) * sqrt(2 * ${n} * ${kl})`;
  };
  const sides: string[] = [];
  if (s.direction !== 'down') {
    const pu = ctx.record(
      'anomaly:signal:null_rate_up',
      `clamp(${vmax(`${p0} * ${num(1 + rel)}`, `${p0} + ${num(abs)}`)}, 1e-300, ${num(1 - 1e-15)})`
    );
    sides.push(ctx.record('anomaly:signal:z_up', root(pu)));
  }
  if (s.direction !== 'up') {
    const pd = ctx.record(
      'anomaly:signal:null_rate_down',
      `clamp(${vmin(`${p0} * ${num(1 - rel)}`, `${p0} - ${num(abs)}`)}, 1e-300, ${num(1 - 1e-15)})`
    );
    sides.push(ctx.record('anomaly:signal:z_down', `-(${root(pd)})`));
  }
  // The engine's z: the side that counts, 0 when the rate is inside the null rates.
  const positive = sides.map((z) => `clamp_min(${z}, 0)`);
  judge(ctx, {
    // At most one side is positive at a time, so the sum is the engine's max of the two.
    rampSeverity: (warn, max) => sides.map((z) => ramp(z, warn, max)).join(' + '),
    directed: positive.length === 1 ? positive[0] : vmax(positive[0], positive[1]),
    ideal: (z) => ({ type: 'normal', z }),
  });
  ctx.notes.push(
    'ratio: sums of the recorded per-step counts over the same windows as the engine, and its binomial deviance; ' +
      "the engine clamps each step's numerator to its denominator before summing, the rule does not (only matters " +
      'if errors > requests in a step). A null rate clamped at 1 (p0 ≥ 1/(1 + minRelChange)) is judged as 1 − 1e-15.'
  );
}

/** Per-bin masses (label `bin`) from window sums of cumulative buckets. */
function binMasses(cum: string, les: number[]): string {
  const edge = (i: number) => `sum without (le) (${cum.replace(/}$/, `,le=~${quote(leRegex(les[i]))}}`)})`;
  const terms = les.map((_, i) => {
    const mass = i === 0 ? edge(0) : `clamp_min(${edge(i)} - ${edge(i - 1)}, 0)`;
    return `label_replace(${mass}, "bin", "${i}", "", "")`;
  });
  return terms.join('\n  or ');
}

function histogramDrift(ctx: SignalCtx, les: number[]): void {
  const { s, stepMs } = ctx;
  const p = s.params as Record<string, ParamValue>;
  const W = pointsOf(p.window, stepMs, 'window');
  const R = pointsOf(p.reference, stepMs, 'reference');
  const warm = Math.min(pointsOf(p.warmup, stepMs, 'warmup', 0), R);
  const metric = p.metric as DriftMetric;
  const minCount = toNumber(p.minCount);
  const floor = toNumber(p.floor);
  const b = ctx.sel(INPUT.buckets);
  const last = ctx.sel(INPUT.buckets, [`le=~${quote(leRegex(les[les.length - 1]))}`]);
  const cur = ctx.record('anomaly:signal:current_bucket', `sum_over_time(${b}[${ctx.range(W)}])`);
  const ref = ctx.record(
    'anomaly:signal:reference_bucket',
    `sum_over_time(${b}[${ctx.range(R)}] offset ${dur(W * stepMs)})`
  );
  const cm = ctx.record('anomaly:signal:current_mass', binMasses(cur, les));
  const rm = ctx.record('anomaly:signal:reference_mass', binMasses(ref, les));
  const nCur = `sum without (bin) (${cm})`;
  const nRef = `sum without (bin) (${rm})`;
  const nonEmpty = `(${cm} + ${rm} > 0)`;
  const praw = ctx.record(
    'anomaly:signal:p_floored',
    `clamp_min(${cm} / ignoring (bin) group_left () ${nCur}, ${num(floor)}) and ${nonEmpty}`
  );
  const qraw = ctx.record(
    'anomaly:signal:q_floored',
    `clamp_min(${rm} / ignoring (bin) group_left () ${nRef}, ${num(floor)}) and ${nonEmpty}`
  );
  const P = ctx.record('anomaly:signal:p', `${praw} / ignoring (bin) group_left () sum without (bin) (${praw})`);
  const Q = ctx.record('anomaly:signal:q', `${qraw} / ignoring (bin) group_left () sum without (bin) (${qraw})`);
  let statExpr: string;
  if (metric === 'psi') {
    statExpr = `clamp_min(sum without (bin) ((${P} - ${Q}) * ln(${P} / ${Q})), 0)`;
  } else if (metric === 'js') {
    const M = `((${P} + ${Q}) / 2)`;
    statExpr = `clamp_min(sum without (bin) (0.5 * ${P} * log2(${P} / ${M}) + 0.5 * ${Q} * log2(${Q} / ${M})), 0)`;
  } else {
    statExpr = `sqrt(clamp_min(1 - sum without (bin) (sqrt(${P} * ${Q})), 0))`;
  }
  const judged =
    `(${nCur} >= ${num(minCount)}) and (${nRef} >= ${num(minCount)})` +
    ` and ${warmupFilter(`sum without (le) (count_over_time(${last}[${ctx.range(R)}] offset ${dur(W * stepMs)}))`, warm)}` +
    ` and sum without (le) (${last})`;
  const stat = ctx.record(SERIES.statistic, `${statExpr} and ${judged}`);
  const occupied = `count without (bin) ${nonEmpty}`;
  const c = `(1 / ${nCur} + 1 / ${nRef})`;
  const chi2 = `((${occupied} - 1) * ${c})`;
  const noise = metric === 'psi' ? chi2 : metric === 'js' ? `(${chi2} / ${num(8 * Math.LN2)})` : `sqrt(${chi2} / 8)`;
  const expected = ctx.record('anomaly:signal:expected', noise);
  const excess = `(${stat} - ${expected})`;
  judge(ctx, {
    rampSeverity: (warn, max) => ramp(excess, warn, max),
    directed: excess,
    ideal: () => {
      // The engine's ideal model: psi-equivalent / c ~ χ² with (occupied bins − 1) degrees of freedom.
      const psiEq =
        metric === 'psi' ? stat : metric === 'js' ? `(${num(8 * Math.LN2)} * ${stat})` : `(8 * ${stat} ^ 2)`;
      const z = ctx.record(
        RARITY_SERIES.idealZ,
        wilsonHilfertyExpr(`${psiEq} / ${c}`, `clamp_min(${occupied} - 1, 1)`)
      );
      return { type: 'normal', z };
    },
  });
  ctx.notes.push(
    'histogram_drift: bin masses are differences of the window sums of adjacent cumulative buckets; the engine ' +
      "differences each step first (and clamps negative masses per step): identical whenever every step's buckets are " +
      "monotone in le, as increase() of one histogram's buckets is."
  );
}

function calibration(ctx: SignalCtx, les: number[], entity: string[]): void {
  const { s, stepMs } = ctx;
  void entity;
  const p = s.params as Record<string, ParamValue>;
  const W = pointsOf(p.window, stepMs, 'window');
  const B = pointsOf(p.baseline, stepMs, 'baseline');
  const warm = Math.min(pointsOf(p.warmup, stepMs, 'warmup', 0), B);
  const minCount = toNumber(p.minCount);
  const mid = binMidpoints(les);
  const consts = (f: (m: number) => number) =>
    '(' + Array.from(mid, (m, i) => `label_replace(vector(${num(f(m))}), "bin", "${i}", "", "")`).join(' or ') + ')';
  const mids = consts((m) => m);
  const vars = consts((m) => (2 / Math.PI) * m * (1 - m));
  // Variance of the ECE of a calibrated model per prediction (calibrationNoiseVariance).
  const noiseVars = consts((m) => (1 - 2 / Math.PI) * m * (1 - m));
  const variance = (n: string) =>
    `sum without (bin) (${n} * on (bin) group_left () ${noiseVars}) / sum without (bin) (${n}) ^ 2`;
  let baseVariance = '';
  const tot = ctx.sel(INPUT.buckets);
  const cor = ctx.sel(INPUT.correct);
  const lastTot = ctx.sel(INPUT.buckets, [`le=~${quote(leRegex(les[les.length - 1]))}`]);
  const lastCor = ctx.sel(INPUT.correct, [`le=~${quote(leRegex(les[les.length - 1]))}`]);
  const windowOf = (name: string, sel: string, range: string, off: number) =>
    ctx.record(name, `sum_over_time(${sel}[${range}]${offset(off)})`);
  const ece = (n: string, c: string) => {
    const cc = vmin(`clamp_min(${c}, 0)`, n);
    return `sum without (bin) (abs(${cc} - ${n} * on (bin) group_left () ${mids})) / sum without (bin) (${n})`;
  };
  const cn = ctx.record(
    'anomaly:signal:current_mass',
    binMasses(windowOf('anomaly:signal:current_bucket', tot, ctx.range(W), 0), les)
  );
  const cc = ctx.record(
    'anomaly:signal:current_correct_mass',
    binMasses(windowOf('anomaly:signal:current_correct_bucket', cor, ctx.range(W), 0), les)
  );
  const nCur = `sum without (bin) (${cn})`;
  let expected = '0';
  let baseOk = '';
  if (p.reference === 'baseline') {
    const bn = ctx.record(
      'anomaly:signal:baseline_mass',
      binMasses(windowOf('anomaly:signal:baseline_bucket', tot, ctx.range(B), W * stepMs), les)
    );
    const bc = ctx.record(
      'anomaly:signal:baseline_correct_mass',
      binMasses(windowOf('anomaly:signal:baseline_correct_bucket', cor, ctx.range(B), W * stepMs), les)
    );
    baseOk =
      ` and (sum without (bin) (${bn}) >= ${num(minCount)})` +
      ` and ${warmupFilter(`sum without (le) (count_over_time(${lastTot}[${ctx.range(B)}] offset ${dur(W * stepMs)}))`, warm)}`;
    expected = ctx.record('anomaly:signal:expected', `${ece(bn, bc)}${baseOk}`);
    baseVariance = ` + ${variance(bn)}`;
  }
  const judged = `(${nCur} >= ${num(minCount)}) and sum without (le) (${lastTot}) and sum without (le) (${lastCor})`;
  const stat = ctx.record(SERIES.statistic, `${ece(cn, cc)} and ${judged}${baseOk}`);
  const noise = ctx.record(
    'anomaly:signal:noise',
    `sum without (bin) (sqrt(${cn} * on (bin) group_left () ${vars})) / ${nCur}`
  );
  const gap = expected === '0' ? stat : `(${stat} - ${expected})`;
  const excess = `(${directed(gap, s.direction)} - ${noise})`;
  judge(ctx, {
    rampSeverity: (warn, max) => ramp(excess, warn, max),
    directed: excess,
    ideal: (x) => {
      // The engine's ideal model: excess / sd ~ N(0, 1), sd from the current (and baseline) counts.
      const z = ctx.record(RARITY_SERIES.idealZ, `${x} / sqrt(${variance(cn)}${baseVariance})`);
      return { type: 'normal', z };
    },
  });
  ctx.notes.push(
    'calibration: ECE per bin from window sums of the total and correct buckets; the engine clamps correct ≤ total ' +
      'per step before summing, the rule clamps the window sums (identical when the correct histogram is a subset per step).'
  );
}

// ---------------------------------------------------------------------------------------------
// Composite, context, tiers
// ---------------------------------------------------------------------------------------------

interface CompositeCtx {
  specM: string;
  byEnt: string;
  entity: string[];
}

function composite(
  spec: ScoreSpec,
  out: CompiledRules,
  rules: RecordingRule[],
  c: CompositeCtx,
  notes: Set<string>
): void {
  const { specM, byEnt } = c;
  const sel = (name: string, extra: string[] = []) => selector(name, [specM, ...extra]);
  const labels = { spec: spec.id };
  const rec = (record: string, expr: string) => {
    rules.push({ record, expr, labels: { ...labels } });
    return sel(record);
  };
  // Entities with any input but no judged signal score 0 (as in the engine), not "no data".
  const present = `sum ${byEnt} (0 * {__name__=~"anomaly:input:(value|denominator|bucket)",${specM}})`;
  const method = spec.composite.method;
  let base: string;
  if (method === 'evidence') {
    base = rec(SERIES.evidenceRaw, `sum ${byEnt} (${sel(SERIES.signalEvidence)}) or ${present}`);
  } else if (method === 'weighted_mean') {
    const mean = `100 * sum ${byEnt} (${sel(SERIES.part)}) / sum ${byEnt} (${sel('anomaly:signal:weight')})`;
    base = rec(SERIES.evidenceRaw, `-ln(1 - clamp(${mean}, 0, ${num(100 * MAX_SEVERITY)}) / 100) or ${present}`);
  } else {
    base = rec(
      SERIES.evidenceRaw,
      `-ln(1 - clamp(max ${byEnt} (${sel(SERIES.part)}), 0, ${num(MAX_SEVERITY)})) or ${present}`
    );
  }
  // Context multipliers scale the evidence (score = 100 (1 − e^(−m E))).
  const factors: string[] = [];
  for (const r of spec.context) {
    const ms = Object.entries(r.match).map(([k, v]) => matcher(k, v));
    if (r.multiplier !== undefined && r.multiplier !== 1) {
      factors.push(`(0 * ${sel(SERIES.evidenceRaw, ms)} + ${num(r.multiplier)} or 0 * ${base} + 1)`);
    }
    if (r.modelAge) {
      if (r.modelAge.label !== undefined) {
        out.unsupportedContext.push({
          rule: r.id,
          reason: `modelAge.label: PromQL cannot read a number out of a label value ("${r.modelAge.label}"); use deployedAt, or a rule on time() - model_deploy_timestamp_seconds`,
        });
      } else {
        const from = parseTimeMs(r.modelAge.deployedAt);
        const to = from + (tryDurationToMs(r.modelAge.youngerThan) ?? 0);
        const when = `on () (vector(time()) >= ${num(from / 1000)}) and on () (vector(time()) < ${num(to / 1000)})`;
        factors.push(
          `((0 * ${sel(SERIES.evidenceRaw, ms)} + ${num(r.modelAge.multiplier)}) and ${when} or 0 * ${base} + 1)`
        );
      }
    }
  }
  const evidence = rec(SERIES.evidence, factors.length ? `${base} * ${factors.join('\n  * ')}` : base);
  const score = rec(SERIES.score, `100 * (1 - exp(-${evidence}))`);
  // Contributions: the score shared in proportion to each signal's part (sums to the score).
  const part = method === 'evidence' ? sel(SERIES.signalEvidence) : sel(SERIES.part);
  let partExpr = part;
  if (method === 'max') {
    partExpr = `((${part} == ignoring (signal) group_left () max ${byEnt} (${part})) > 0)`;
    notes.add(
      'composite max: on ties every tied signal gets an equal share (the engine gives the score to the first id).'
    );
  }
  const partTotal = `sum ${byEnt} (${partExpr})`;
  rules.push({
    record: SERIES.contribution,
    expr: `${partExpr} * ignoring (signal) group_left () (${score} / clamp_min(${partTotal}, 1e-300))`,
    labels: { ...labels },
  });

  // Tiers: the cut-based tier; floors raise it, suppression windows cap it at ok.
  const cuts = spec.tiers.cuts;
  const rawTier = `(${score} >= bool ${num(cuts.watch)}) + (${score} >= bool ${num(cuts.review)}) + (${score} >= bool ${num(cuts.critical)})`;
  const floors = spec.context.filter((r) => r.floor !== undefined && r.floor !== 'ok');
  const suppress = spec.context.filter((r) => (r.suppress ?? []).length > 0);
  if (floors.length === 0 && suppress.length === 0) {
    rec(SERIES.tier, rawTier);
  } else {
    const raw = rec(SERIES.tierRaw, rawTier);
    const terms = [raw];
    floors.forEach((r, i) => {
      const ms = Object.entries(r.match).map(([k, v]) => matcher(k, v));
      const k = ['ok', 'watch', 'review', 'critical'].indexOf(r.floor!);
      terms.push(`label_replace(clamp_min(${sel(SERIES.tierRaw, ms)}, ${k}), "context_rule", "${i}", "", "")`);
    });
    const floored = floors.length ? `max ${byEnt} (${terms.join(' or ')})` : raw;
    if (suppress.length === 0) {
      rec(SERIES.tier, floored);
    } else {
      const parts = suppress.map((r, i) => {
        const ms = Object.entries(r.match).map(([k, v]) => matcher(k, v));
        const windows = (r.suppress ?? []).map(
          (w) =>
            `(vector(time()) >= ${num(parseTimeMs(w.from) / 1000)} and on () vector(time()) <= ${num(parseTimeMs(w.to) / 1000)})`
        );
        return `label_replace(0 * ${sel(SERIES.tierRaw, ms)} + 1 and on () (${windows.join(' or on () ')}), "context_rule", "${i}", "", "")`;
      });
      const supp = rec(SERIES.suppressed, `max ${byEnt} (${parts.join(' or ')})`);
      rec(SERIES.tier, `(${floored} unless on (spec${c.entity.map((e) => `, ${e}`).join('')}) ${supp}) or 0 * ${raw}`);
    }
  }
  const cfg = tierConfigOf(spec);
  notes.add(
    `tiers: anomaly:tier is the cut-based tier of the current score. The engine's hysteresis (${cfg.hysteresis} points) ` +
      'and minimum durations are stateful: the alerts carry them instead (for: = minDuration; an alert that is firing ' +
      'keeps firing until the score drops below cut − hysteresis, through the ALERTS series).'
  );
}

function parseTimeMs(v: unknown): number {
  if (typeof v === 'number') {
    return v;
  }
  const text = String(v).trim();
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text);
}

// ---------------------------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------------------------

interface AlertCtx {
  specM: string;
  entity: string[];
  keepFiringFor?: string;
  contributors: boolean;
}

function entityText(entity: string[]): string {
  return entity.length > 0 ? entity.map((e) => `${e}={{ $labels.${e} }}`).join(', ') : 'spec {{ $labels.spec }}';
}

function alerts(spec: ScoreSpec, out: CompiledRules, rules: AlertingRule[], a: AlertCtx, notes: Set<string>): void {
  const cfg = tierConfigOf(spec);
  const on = `on (spec${a.entity.map((e) => `, ${e}`).join('')})`;
  const sel = (name: string, extra: string[] = []) => selector(name, [a.specM, ...extra]);
  const score = sel(SERIES.score);
  const tier = sel(SERIES.tier);
  const signals = spec.signals
    .filter((s) => out.compiled.includes(s.id))
    .map((s) => `${s.id} (${s.kind}, weight ${s.weight})`)
    .join(', ');
  const missing = out.unsupported.map((u) => u.signal);
  const hasSuppress = spec.context.some((r) => (r.suppress ?? []).length > 0);
  TIER_NAMES.forEach((t, i) => {
    const k = i + 1;
    const cut = spec.tiers.cuts[t];
    const name = out.alerts[t];
    const entry = spec.tiers.playbook[t];
    const exit = cut - spec.tiers.hysteresis;
    const firing = selector('ALERTS', [`alertname=${quote(name)}`, 'alertstate="firing"', a.specM]);
    let hold = `(${score} >= ${num(exit)}) and ${on} ${firing}`;
    if (hasSuppress) {
      hold = `(${hold}) unless ${on} ${sel(SERIES.suppressed)}`;
    }
    const expr =
      spec.tiers.hysteresis > 0
        ? `${score} and ${on} ((${tier} >= ${k}) or ${on} (${hold}))`
        : `${score} and ${on} (${tier} >= ${k})`;
    const forMs = cfg.minDurationMs[t];
    const annotations: Record<string, string> = {
      summary: `Anomaly score {{ $value | printf "%.1f" }} (${t}) for ${entityText(a.entity)}`,
      description:
        `The anomaly score of spec ${spec.id} is {{ $value | printf "%.1f" }}, at or above the ${t} cut (${cut})` +
        (spec.tiers.hysteresis > 0 ? `; it stays ${t} until the score drops below ${exit}` : '') +
        `. Compiled signals: ${signals}.` +
        (missing.length ? ` Not compiled (see the rule file): ${missing.join(', ')}.` : '') +
        (a.contributors
          ? ` The signals behind it arrive as ${out.alerts.watch.replace(/Watch$/, '')}Contributor alerts in the same ` +
            `notification (Alertmanager group_by the entity labels): each one names the signal ({{ $labels.signal }}) ` +
            `and its contribution in score points ({{ $value }}).`
          : ` Per-signal contributions: the anomaly:contribution series of this entity.`),
      recommended_action: entry.action,
    };
    if (entry.runbook) {
      annotations.runbook_url = entry.runbook;
    }
    if (entry.owner) {
      annotations.owner = entry.owner;
    }
    if (entry.escalation) {
      annotations.escalation = entry.escalation;
    }
    const rule: AlertingRule = {
      alert: name,
      expr,
      ...(forMs > 0 ? { for: dur(forMs) } : {}),
      ...(a.keepFiringFor ? { keep_firing_for: a.keepFiringFor } : {}),
      labels: { severity: t, tier: t, spec: spec.id },
      annotations,
    };
    rules.push(rule);
  });
  if (a.contributors) {
    const contrib = sel(SERIES.contribution);
    rules.push({
      alert: `${out.alerts.watch.replace(/Watch$/, '')}Contributor`,
      expr: `${contrib} >= 1 and ${on} (${tier} >= 1)`,
      ...(cfg.minDurationMs.watch > 0 ? { for: dur(cfg.minDurationMs.watch) } : {}),
      labels: { severity: 'info', spec: spec.id },
      annotations: {
        summary: `{{ $labels.signal }} contributes {{ $value | printf "%.1f" }} points to the anomaly score of ${entityText(a.entity)}`,
        description:
          `Signal {{ $labels.signal }} of spec ${spec.id} adds {{ $value | printf "%.1f" }} score points ` +
          '(contributions of all signals sum to the score). Fires while the entity is at least in the watch tier.',
      },
    });
  }
  notes.add(
    'alerts: one alert per tier fires when the entity is at least in that tier (route them with an Alertmanager ' +
      'inhibit rule so critical silences review and watch of the same entity); keep_firing_for is only added on request ' +
      '(compile option keepFiringFor), hysteresis is expressed on the score through ALERTS.'
  );
}
