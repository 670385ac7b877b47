import { Observable, catchError, defer, forkJoin, from, map, mergeMap, of, reduce } from 'rxjs';
import { DataFrame, DataQueryRequest, DataQueryResponse, DataSourceApi } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import { QUERY_ROLES, kindInfo, type ScoreSpec, type SignalSpec } from '../../scoring/spec';
import type { UpstreamRef } from '../types';

/** One query sent upstream: one role (value, numerator, buckets ...) of one signal. */
export interface UpstreamQuery {
  refId: string;
  signalId: string;
  role: string;
  datasource: UpstreamRef;
  expr: string;
}

export interface UpstreamDefaults {
  prometheus?: UpstreamRef;
  loki?: UpstreamRef;
}

export interface PlannedQueries {
  queries: UpstreamQuery[];
  /** Signals that cannot be queried at all (no expression, no data source), with the reason. */
  failures: Map<string, string>;
}

export const refIdOf = (signalId: string, role: string) => `${signalId}/${role}`;

function resolveRef(signal: SignalSpec, defaults: UpstreamDefaults, interpolate: (s: string) => string): UpstreamRef | undefined {
  const own = signal.source?.datasource;
  if (own?.uid) {
    return { uid: interpolate(own.uid), ...(own.type ? { type: own.type } : {}) };
  }
  const fallback = own?.type === 'loki' ? defaults.loki : defaults.prometheus;
  return fallback?.uid ? { uid: interpolate(fallback.uid), ...(fallback.type ? { type: fallback.type } : {}) } : undefined;
}

/** Plans the upstream queries of a spec: one per signal and query role, template variables applied. */
export function planQueries(spec: ScoreSpec, defaults: UpstreamDefaults, interpolate: (s: string) => string): PlannedQueries {
  const queries: UpstreamQuery[] = [];
  const failures = new Map<string, string>();
  for (const signal of spec.signals) {
    const info = kindInfo(signal.kind);
    const roles = info ? QUERY_ROLES[info.inputType] : [];
    const ref = resolveRef(signal, defaults, interpolate);
    if (!ref) {
      failures.set(signal.id, 'no data source: set one on the signal or a default in the data source settings');
      continue;
    }
    const missingRoles = roles.filter((r) => !signal.source?.queries?.[r]?.trim());
    if (missingRoles.length > 0) {
      failures.set(signal.id, `no query for ${missingRoles.join(', ')}`);
      continue;
    }
    for (const role of roles) {
      queries.push({ refId: refIdOf(signal.id, role), signalId: signal.id, role, datasource: ref, expr: interpolate(signal.source!.queries[role]) });
    }
  }
  return { queries, failures };
}

export interface UpstreamResult {
  /** Latest frames per upstream refId. */
  frames: Map<string, DataFrame[]>;
  /** Signal id -> why its data could not be fetched (names the data source). */
  failures: Map<string, string>;
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    return e.message;
  }
  if (typeof e === 'object' && e !== null) {
    const o = e as { message?: unknown; data?: { message?: unknown }; statusText?: unknown };
    const m = o.data?.message ?? o.message ?? o.statusText;
    if (typeof m === 'string' && m) {
      return m;
    }
  }
  return String(e);
}

/**
 * Fans out to the upstream data sources, one request per data source (as Grafana's Mixed data source
 * does), and folds every emission of each: Loki splits long ranges and emits cumulative partial
 * results, so the latest frames per refId win. A failing data source fails only its own signals; the
 * failure names the data source. Unsubscribing cancels every upstream request.
 */
export function fetchUpstreams(
  request: DataQueryRequest,
  queries: readonly UpstreamQuery[],
  getDataSource: (ref: UpstreamRef) => Promise<DataSourceApi>
): Observable<UpstreamResult> {
  const groups = new Map<string, UpstreamQuery[]>();
  for (const q of queries) {
    const key = q.datasource.uid ?? '';
    groups.set(key, [...(groups.get(key) ?? []), q]);
  }
  if (groups.size === 0) {
    return of({ frames: new Map(), failures: new Map() });
  }

  const perGroup = [...groups.values()].map((group) => {
    const ref = group[0].datasource;
    let dsName = ref.uid ?? '?';
    const targets: DataQuery[] = group.map((q) => ({
      refId: q.refId,
      datasource: { uid: ref.uid, ...(ref.type ? { type: ref.type } : {}) },
      expr: q.expr,
      range: true,
      instant: false,
      queryType: 'range',
    }) as DataQuery);
    const failAll = (reason: string): UpstreamResult => ({
      frames: new Map(),
      failures: new Map(group.map((q) => [q.signalId, `data source ${dsName}: ${reason}`])),
    });
    return defer(() => from(getDataSource(ref))).pipe(
      mergeMap((ds) => {
        dsName = `"${ds.name}"`;
        const out = ds.query({ ...request, targets, requestId: `${request.requestId}-${ref.uid}` });
        return (out instanceof Observable ? out : from(out as Promise<DataQueryResponse>)) as Observable<DataQueryResponse>;
      }),
      reduce<DataQueryResponse, UpstreamResult>(
        (acc, response) => {
          const byRef = new Map<string, DataFrame[]>();
          for (const frame of response.data as DataFrame[]) {
            const id = frame.refId ?? '';
            byRef.set(id, [...(byRef.get(id) ?? []), frame]);
          }
          for (const [id, frames] of byRef) {
            acc.frames.set(id, frames);
          }
          const errors = response.errors ?? [];
          for (const err of errors) {
            const hit = err.refId ? group.filter((q) => q.refId === err.refId) : group;
            for (const q of hit) {
              acc.failures.set(q.signalId, `data source ${dsName}: ${err.message ?? 'query failed'}`);
            }
          }
          return acc;
        },
        { frames: new Map(), failures: new Map() }
      ),
      catchError((e) => of(failAll(errorMessage(e))))
    );
  });

  return forkJoin(perGroup).pipe(
    map((results) => {
      const merged: UpstreamResult = { frames: new Map(), failures: new Map() };
      for (const r of results) {
        r.frames.forEach((v, k) => merged.frames.set(k, v));
        r.failures.forEach((v, k) => merged.failures.set(k, v));
      }
      return merged;
    })
  );
}
