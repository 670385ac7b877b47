/**
 * How a dry run is asked for: an ordinary query of this data source (its own `query()`, so the same
 * upstream fan-out, alignment and engine as the panel) for the spec being edited, over the last 7
 * days or the dashboard's range, at a step coarse enough for Prometheus to answer it.
 */
import { defer, map, type Observable } from 'rxjs';
import { dateTime, type DataFrame, type DataQueryRequest, type DataQueryResponse, type TimeRange } from '@grafana/data';
import type { ScoreSpec } from '../../../../scoring';
import { historyMs, stepFor } from '../../../pipeline/score';
import type { AnomalyDataSourceOptions, AnomalyQuery } from '../../../types';
import { dryRunStats, type DryRunStats } from './dryRunStats';

export type DryRunRangeMode = 'last7d' | 'dashboard';

export const DRY_RUN_SPAN_MS = 7 * 86_400_000;

/**
 * Points per upstream series we stay under. Prometheus refuses range queries of more than 11,000
 * points per series; the pipeline also fetches the query's history before the range and Grafana's
 * Prometheus data source may round the step, so keep a margin.
 */
export const MAX_DRY_RUN_POINTS = 10_000;

/** What the dry run needs of the data source: its settings and its query entry point. */
export interface DryRunDataSource {
  options?: AnomalyDataSourceOptions;
  query(request: DataQueryRequest<AnomalyQuery>): Observable<DataQueryResponse>;
}

export interface DryRunWindow {
  fromMs: number;
  toMs: number;
}

export interface DryRunPlan {
  request: DataQueryRequest<AnomalyQuery>;
  window: DryRunWindow;
  stepMs: number;
  /** The step the spec (or the pipeline's default) would use; below stepMs when coarsened. */
  specStepMs: number;
  coarsened: boolean;
}

/** The last 7 days up to now, or the dashboard's range when chosen and known. */
export function dryRunWindow(mode: DryRunRangeMode, nowMs: number, range?: TimeRange): DryRunWindow {
  if (mode === 'dashboard' && range) {
    return { fromMs: range.from.valueOf(), toMs: range.to.valueOf() };
  }
  return { fromMs: nowMs - DRY_RUN_SPAN_MS, toMs: nowMs };
}

/**
 * The spec's step, or a coarser whole number of seconds when the fetched span (range plus history)
 * would exceed MAX_DRY_RUN_POINTS at the spec's step.
 */
export function dryRunStepMs(specStepMs: number, spanMs: number): number {
  const coarsest = Math.ceil(spanMs / MAX_DRY_RUN_POINTS / 1000) * 1000;
  return Math.max(specStepMs, coarsest);
}

/** The data source request of a dry run of `query` (whose effective spec is `spec`) over `window`. */
export function planDryRun(
  query: AnomalyQuery,
  spec: ScoreSpec,
  window: DryRunWindow,
  requestId: string,
  nowMs: number
): DryRunPlan {
  // Without a step in the spec the pipeline falls back to the request's interval (60 s when none).
  const specStepMs = stepFor(spec, undefined);
  const stepMs = dryRunStepMs(specStepMs, window.toMs - window.fromMs + historyMs(query));
  const coarsened = stepMs > specStepMs;
  // A step written in the spec wins over the request's interval in the pipeline, so a coarser step
  // has to be written into the spec of the dry-run query itself.
  const targetSpec = coarsened && spec.step !== undefined ? { ...query.spec, step: `${stepMs / 1000}s` } : query.spec;
  const from = dateTime(window.fromMs);
  const to = dateTime(window.toMs);
  const request: DataQueryRequest<AnomalyQuery> = {
    requestId,
    app: 'anomalyscore-dry-run',
    range: { from, to, raw: { from, to } },
    interval: `${stepMs / 1000}s`,
    intervalMs: stepMs,
    maxDataPoints: Math.ceil((window.toMs - window.fromMs) / stepMs) + 1,
    scopedVars: {},
    timezone: 'browser',
    startTime: nowMs,
    // An editing aid, not the panel's data: keep it out of the query inspector.
    hideFromInspector: true,
    targets: [{ ...query, hide: false, format: 'timeseries', spec: targetSpec }],
  };
  return { request, window, stepMs, specStepMs, coarsened };
}

/**
 * Runs the plan through the data source and turns every response into dry-run figures. Nothing is
 * sent until subscribed; unsubscribing cancels the upstream requests (the pipeline propagates it).
 */
export function runDryRun(datasource: DryRunDataSource, plan: DryRunPlan, spec: ScoreSpec): Observable<DryRunStats> {
  return defer(() => datasource.query(plan.request)).pipe(
    map((response) => dryRunStats(spec, response.data as DataFrame[], response.errors ?? []))
  );
}
