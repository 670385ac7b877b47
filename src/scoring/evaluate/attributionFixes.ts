/**
 * The fixes of noisy signals, measured: each candidate change of a noisy signal (attribution.ts)
 * is applied to the cached severities, the composite and the tiers are re-run (calibrate.ts
 * `rescore`, with the entity's context), and the backtest counts, at the tier the signal was
 * flagged at, the false-alarm minutes and the detected incidents before and after. "Before" is the
 * rescored current spec too, so the two sides differ only by the change.
 *
 * Per suggestion, with its candidates strongest first, the one kept is the strongest candidate
 * that keeps every incident the current spec detects; when none does, the mildest, with its cost
 * in detected incidents. New severities per candidate kind:
 * - raise warn (ramp): rampSeverityWithWarn, exact;
 * - raise rarity: raritySeverityWithFactor, an estimate (attribution.ts explains why);
 * - move a threshold's limit: recomputed from the statistic (`signal:<id>` = the observed value)
 *   as threshold.ts does: 0 within the limit, ramp(excess, 0, soft) beyond it (1 when soft = 0);
 * - lower weight: the composite with the new weight, exact.
 * Switching a ramp to rarity cannot be rescored from cached severities (it needs the statistic's
 * history): that suggestion stays unmeasured, and says so by carrying no effect.
 *
 * Also here: reading the per-signal fields of the data source's frames onto cached entities, and the
 * context floors (context.ts) so attribution can credit the floor.
 */
import { rampSeverity } from '../signals';
import { contextSeries, planContext } from '../context';
import type { ScoreSpec } from '../spec';
import { TIERS } from '../types';
import {
  describeNoisy,
  rampSeverityWithWarn,
  raritySeverityWithFactor,
  type FixCandidate,
  type FixEffect,
  type FixSuggestion,
} from './attribution';
import { backtest, evaluateTier, prepareBacktest, type BacktestOptions, type BacktestReport } from './backtest';
import { rescore, weightsOf, type CachedEntity, type ScoreFrameLike } from './calibrate';
import type { GroundTruth, Labels } from './groundTruth';
import { tryDurationToMs } from '../util/duration';

/** The key cachedEntitiesFromFrames gives a frame's entity. */
function frameKey(f: ScoreFrameLike): string {
  const score = f.fields.find((x) => x.name === 'score');
  const labels = (f.meta?.custom?.entity as Labels | undefined) ?? score?.labels ?? {};
  return f.name ?? (f.meta?.custom?.entityKey as string | undefined) ?? JSON.stringify(labels);
}

function numbers(values: ArrayLike<unknown>): Float64Array {
  return Float64Array.from(values as ArrayLike<number>, (v) => (v === null || v === undefined ? NaN : Number(v)));
}

/**
 * Cached entities with the frames' `contrib:<id>` and `signal:<id>` fields, and the tier floors of
 * the spec's context rules (only when a rule has a floor). Entities are matched to frames by key.
 */
export function withSignalFields(
  spec: ScoreSpec | undefined,
  entities: readonly CachedEntity[],
  frames: readonly ScoreFrameLike[]
): CachedEntity[] {
  const byKey = new Map<string, ScoreFrameLike[]>();
  for (const f of frames) {
    if (!f.fields.some((x) => x.name === 'score')) {
      continue;
    }
    const k = frameKey(f);
    byKey.set(k, [...(byKey.get(k) ?? []), f]);
  }
  const floors = (spec?.context ?? []).some((r) => r.floor !== undefined);
  return entities.map((e) => {
    const f = byKey.get(e.key)?.shift();
    const contributions: Record<string, Float64Array> = {};
    const statistics: Record<string, Float64Array> = {};
    for (const x of f?.fields ?? []) {
      if (x.name.startsWith('contrib:')) {
        contributions[x.name.slice('contrib:'.length)] = numbers(x.values);
      } else if (x.name.startsWith('signal:')) {
        statistics[x.name.slice('signal:'.length)] = numbers(x.values);
      }
    }
    const out: CachedEntity = { ...e };
    if (f && Object.keys(contributions).length) {
      out.contributions = contributions;
      out.statistics = statistics;
    }
    if (spec && floors) {
      out.floor = contextSeries(planContext(spec.context, e.labels), e.t).floor;
    }
    return out;
  });
}

type SeverityMap = (severity: number, statistic: number) => number;

/** What one candidate changes: a signal's severities, or a weight. */
interface Change {
  signal: string;
  severity?: SeverityMap;
  weight?: number;
}

function changeFor(spec: ScoreSpec, s: FixSuggestion, c: FixCandidate, signalId: string): Change | undefined {
  const signal = spec.signals.find((x) => x.id === signalId);
  if (!signal) {
    return undefined;
  }
  const p = signal.params;
  switch (s.kind) {
    case 'raise_warn': {
      const warn = rampNumber(p.warn);
      const max = rampNumber(p.max);
      return warn !== undefined && max !== undefined
        ? { signal: signalId, severity: (sev) => rampSeverityWithWarn(sev, warn, max, c.value) }
        : undefined;
    }
    case 'raise_rarity':
      return c.factor ? { signal: signalId, severity: (sev) => raritySeverityWithFactor(sev, c.factor!) } : undefined;
    case 'lower_weight':
      return { signal: signalId, weight: c.value };
    case 'raise_limit':
    case 'lower_limit': {
      const limit = s.kind === 'raise_limit' ? p.above : p.below;
      if (typeof limit !== 'number') {
        return undefined;
      }
      const soft = typeof p.soft === 'number' && p.soft > 0 ? p.soft : 0;
      const beyond = (excess: number) => (soft > 0 ? rampSeverity(excess, 0, soft) : 1);
      return {
        signal: signalId,
        severity:
          s.kind === 'raise_limit'
            ? (sev, x) => (x > limit ? (x > c.value ? beyond(x - c.value) : 0) : sev)
            : (sev, x) => (x < limit ? (x < c.value ? beyond(c.value - x) : 0) : sev),
      };
    }
    default:
      return undefined;
  }
}

function rampNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) {
    return v;
  }
  const ms = tryDurationToMs(v);
  return ms === undefined ? undefined : ms / 1000;
}

function applyChange(
  spec: ScoreSpec,
  entities: readonly CachedEntity[],
  change: Change | undefined
): Array<ArrayLike<number>> {
  if (!change) {
    return rescore(spec, entities).map((s) => s.tier);
  }
  if (change.weight !== undefined) {
    return rescore(spec, entities, { weights: { ...weightsOf(spec), [change.signal]: change.weight } }).map(
      (s) => s.tier
    );
  }
  const map = change.severity!;
  const changed = entities.map((e) => {
    const sev = e.severities[change.signal];
    if (!sev) {
      return e;
    }
    const stat = e.statistics?.[change.signal];
    const next = Float64Array.from(sev, (s, i) => map(s, stat ? stat[i] : NaN));
    return { ...e, severities: { ...e.severities, [change.signal]: next } };
  });
  return rescore(spec, changed).map((s) => s.tier);
}

/**
 * The report with every noisy signal's suggestions measured (effect, chosen candidate, texts).
 * `entities` must be the ones the report was computed from (with severities; statistics for
 * thresholds) and `options` the report's backtest options. The input report is not changed.
 */
export function measureFixes(
  report: BacktestReport,
  spec: ScoreSpec,
  entities: readonly CachedEntity[],
  truth: GroundTruth,
  options: BacktestOptions = {}
): BacktestReport {
  if (!report.tiers.some((r) => r.noisy.length) || entities.every((e) => Object.keys(e.severities).length === 0)) {
    return report;
  }
  const prep = prepareBacktest(entities, truth, options);
  const cache = new Map<string, Array<ArrayLike<number>>>();
  const tiersOf = (key: string, change: Change | undefined) => {
    let t = cache.get(key);
    if (!t) {
      t = applyChange(spec, entities, change);
      cache.set(key, t);
    }
    return t;
  };
  const base = tiersOf('', undefined);
  const tiers = report.tiers.map((r) => {
    if (!r.noisy.length) {
      return r;
    }
    const k = TIERS.indexOf(r.tier);
    const before = evaluateTier(prep, k, base, true);
    const effectOf = (t: Array<ArrayLike<number>>, estimate: boolean): FixEffect => {
      const after = evaluateTier(prep, k, t, true);
      return {
        false_alarm_minutes_before: before.false_alarm_minutes,
        false_alarm_minutes_after: after.false_alarm_minutes,
        detected_before: before.detected,
        detected_after: after.detected,
        incidents: before.incidents,
        estimate,
      };
    };
    const noisy = r.noisy.map((n) => {
      const suggestions = n.suggestions.map((s): FixSuggestion => {
        const measured = (s.candidates ?? []).flatMap((c) => {
          const change = changeFor(spec, s, c, n.signal);
          return change
            ? [{ c, effect: effectOf(tiersOf(`${n.signal}:${s.kind}:${c.value}`, change), s.kind === 'raise_rarity') }]
            : [];
        });
        if (!measured.length) {
          return { ...s };
        }
        const keeps = measured.find((m) => m.effect.detected_after >= m.effect.detected_before);
        const chosen = keeps ?? measured[measured.length - 1];
        return {
          ...s,
          to: chosen.c.to,
          ...(chosen.c.zeroed_share !== undefined ? { zeroed_share: chosen.c.zeroed_share } : {}),
          effect: chosen.effect,
        };
      });
      return describeNoisy({ ...n, suggestions });
    });
    return { ...r, noisy };
  });
  return { ...report, tiers };
}

/**
 * The whole chain for a caller holding the data source's frames: per-signal fields onto the cached
 * entities, the backtest with the spec's signals, and the noisy signals' fixes measured.
 */
export function attributedBacktest(
  spec: ScoreSpec,
  cached: readonly CachedEntity[],
  frames: readonly ScoreFrameLike[],
  truth: GroundTruth,
  options: BacktestOptions = {}
): { report: BacktestReport; entities: CachedEntity[] } {
  const entities = withSignalFields(spec, cached, frames);
  const withSignals = { ...options, signals: options.signals ?? spec.signals };
  const report = measureFixes(backtest(entities, truth, withSignals), spec, entities, truth, withSignals);
  return { report, entities };
}
