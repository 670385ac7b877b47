import { DataFrame, DataQueryError } from '@grafana/data';
import { scoreEntities, type EntityScore } from '../../scoring/engine';
import { formatSpecErrors, stepMsOf, validateSpec, type ScoreSpec } from '../../scoring/spec';
import { parseDuration } from '../../scoring/spec';
import type { AnomalyDataSourceOptions, AnomalyQuery } from '../types';
import { assembleEntities, type SignalSeries } from './entities';
import { annotationFrame, entityFrame, triageFrame } from '../../frames/contract';
import { seriesFromFrames, timeGrid } from './series';
import type { UpstreamResult } from './upstream';
import { refIdOf } from './upstream';
import { QUERY_ROLES, kindInfo } from '../../scoring/spec';
import { effectiveInput } from '../querySpec';

export const MIN_STEP_MS = 1000;
export const DEFAULT_HISTORY = '6h';

/** The query's spec with the data source's default tiers and context filled in, validated. */
export function effectiveSpec(query: AnomalyQuery, settings: AnomalyDataSourceOptions): { spec?: ScoreSpec; error?: string } {
  const result = validateSpec(effectiveInput(query.spec, query.refId, settings));
  if (!result.ok || !result.spec) {
    return { error: `query ${query.refId}: invalid spec: ${formatSpecErrors(result.errors)}` };
  }
  if (result.spec.signals.length === 0) {
    return { error: `query ${query.refId}: add at least one signal` };
  }
  return { spec: result.spec };
}

/** Scoring step: the spec's step, else the panel's interval (never below 1 s). */
export function stepFor(spec: ScoreSpec, intervalMs: number | undefined): number {
  return Math.max(MIN_STEP_MS, stepMsOf(spec) ?? (intervalMs && intervalMs > 0 ? intervalMs : 60_000));
}

export function historyMs(query: AnomalyQuery): number {
  const ms = parseDuration(query.history ?? DEFAULT_HISTORY);
  return Number.isNaN(ms) ? 0 : ms;
}

export interface ScoredQuery {
  frames: DataFrame[];
  errors: DataQueryError[];
  scores: EntityScore[];
}

/** First index with t >= fromMs. */
function firstAtOrAfter(t: Float64Array, fromMs: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] < fromMs) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

function sliceTyped<T extends { subarray(a: number): T }>(a: T, start: number): T {
  return a.subarray(start);
}

/** The part of an entity's score from `start` on (history before the dashboard range is dropped). */
export function sliceScore(es: EntityScore, start: number): EntityScore {
  if (start <= 0) {
    return es;
  }
  const signals: EntityScore['signals'] = {};
  for (const [id, o] of Object.entries(es.signals)) {
    const r = o.result;
    signals[id] = {
      ...o,
      result: {
        t: sliceTyped(r.t, start),
        statistic: sliceTyped(r.statistic, start),
        severity: sliceTyped(r.severity, start),
        expected: sliceTyped(r.expected, start),
        lower: sliceTyped(r.lower, start),
        upper: sliceTyped(r.upper, start),
        support: sliceTyped(r.support, start),
        status: sliceTyped(r.status, start),
      },
      observed: sliceTyped(o.observed, start),
      severityLower: sliceTyped(o.severityLower, start),
      severityUpper: sliceTyped(o.severityUpper, start),
    };
  }
  const contrib: EntityScore['contrib'] = {};
  for (const [id, c] of Object.entries(es.contrib)) {
    contrib[id] = sliceTyped(c, start);
  }
  const t0 = es.t[start] ?? Infinity;
  return {
    ...es,
    t: sliceTyped(es.t, start),
    score: sliceTyped(es.score, start),
    scoreLower: sliceTyped(es.scoreLower, start),
    scoreUpper: sliceTyped(es.scoreUpper, start),
    evidence: sliceTyped(es.evidence, start),
    tier: sliceTyped(es.tier, start),
    baseTier: sliceTyped(es.baseTier, start),
    suppressed: sliceTyped(es.suppressed, start),
    multiplier: sliceTyped(es.multiplier, start),
    floor: sliceTyped(es.floor, start),
    missingCount: sliceTyped(es.missingCount, start),
    contrib,
    signals,
    events: es.events.filter((e) => e.end === null || e.end >= t0),
  };
}

/**
 * Upstream frames -> per-entity inputs on a common grid -> engine -> frames of the contract.
 * `fetchFromMs` is where the upstream data starts (the range minus history); frames start at `fromMs`.
 */
export function scoreUpstream(
  query: AnomalyQuery,
  spec: ScoreSpec,
  upstream: UpstreamResult,
  range: { fetchFromMs: number; fromMs: number; toMs: number },
  stepMs: number
): ScoredQuery {
  const errors: DataQueryError[] = [];
  const signals: SignalSeries[] = spec.signals
    .filter((s) => !upstream.failures.has(s.id))
    .map((signal) => {
      const roles = QUERY_ROLES[kindInfo(signal.kind)?.inputType ?? 'value'];
      const byRole: SignalSeries['byRole'] = {};
      for (const role of roles) {
        byRole[role] = seriesFromFrames(upstream.frames.get(refIdOf(signal.id, role)) ?? []);
      }
      return { signal, byRole };
    });
  for (const [signalId, reason] of upstream.failures) {
    errors.push({ refId: query.refId, message: `signal ${signalId}: ${reason}` });
  }
  for (const s of signals) {
    if (Object.values(s.byRole).every((series) => series.length === 0)) {
      // Not fatal (the other signals still score), but worth saying: usually a typo or a label
      // that is aggregated away.
      errors.push({ refId: query.refId, message: `signal ${s.signal.id}: the upstream query returned no series` });
    }
  }

  const grid = timeGrid(range.fetchFromMs, range.toMs, stepMs);
  const assembly = assembleEntities(spec, signals, grid, stepMs);
  for (const p of assembly.problems) {
    errors.push({ refId: query.refId, message: p });
  }

  const full = scoreEntities(spec, assembly.entities, { stepMs });
  const scores = full.map((es) => {
    // Mark signals whose upstream failed: the engine saw them as missing; say why.
    for (const [signalId, reason] of upstream.failures) {
      const o = es.signals[signalId];
      if (o) {
        o.state = 'error';
        o.message = reason;
      }
    }
    return sliceScore(es, firstAtOrAfter(es.t, range.fromMs));
  });

  const frames =
    query.format === 'triage'
      ? [triageFrame(scores, spec, query.refId)]
      : query.format === 'annotations'
        ? [annotationFrame(scores, query.annotationTier ?? 'review', query.refId)]
        : scores.map((es) => entityFrame(es, spec, query.refId, stepMs));
  return { frames, errors, scores };
}
