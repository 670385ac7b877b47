import { Observable, forkJoin, map, of } from 'rxjs';
import {
  DataQueryError,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  dateTime,
  LoadingState,
  ScopedVars,
} from '@grafana/data';
import { getDataSourceSrv, getTemplateSrv } from '@grafana/runtime';
import { checkUpstreams, HealthResult } from './health';
import { effectiveSpec, historyMs, scoreUpstream, stepFor } from './pipeline/score';
import { fetchUpstreams, planQueries, type UpstreamResult } from './pipeline/upstream';
import { AnomalyDataSourceOptions, AnomalyQuery, DEFAULT_QUERY, UpstreamRef } from './types';
import { EntityVariableSupport } from './variables';
import { VariableQueryEditor } from './components/VariableQueryEditor/VariableQueryEditor';

/** How the data source reaches Grafana's services; tests and the preview page inject their own. */
export interface DataSourceServices {
  getDataSource(ref: UpstreamRef): Promise<DataSourceApi>;
  interpolate(text: string, scopedVars?: ScopedVars): string;
}

function grafanaServices(): DataSourceServices {
  return {
    // getDataSourceSrv is deprecated in 13.1 in favour of @grafana/runtime/unstable, which Grafana
    // 12 does not provide; we support both, so we keep the API every supported version has.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    getDataSource: (ref) => getDataSourceSrv().get({ uid: ref.uid, type: ref.type }),
    interpolate: (text, scopedVars) => getTemplateSrv().replace(text, scopedVars),
  };
}

export class DataSource extends DataSourceApi<AnomalyQuery, AnomalyDataSourceOptions> {
  readonly options: AnomalyDataSourceOptions;
  private readonly services: DataSourceServices;

  constructor(instanceSettings: DataSourceInstanceSettings<AnomalyDataSourceOptions>, services?: DataSourceServices) {
    super(instanceSettings);
    this.options = instanceSettings.jsonData ?? {};
    this.services = services ?? grafanaServices();
    // Tier regions as annotations: the annotation editor reuses the query editor; the query runs
    // with the annotations format so any dashboard can overlay them.
    this.annotations = {
      prepareQuery: (anno) => (anno.target ? { ...anno.target, format: 'annotations' } : undefined),
    };
    // Dashboard variables: the top entities by current score (see variables.ts).
    this.variables = new EntityVariableSupport(this, VariableQueryEditor);
  }

  getDefaultQuery(): Partial<AnomalyQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: AnomalyQuery): boolean {
    return !query.hide;
  }

  query(request: DataQueryRequest<AnomalyQuery>): Observable<DataQueryResponse> {
    const targets = request.targets.filter((q) => !q.hide);
    if (targets.length === 0) {
      return of({ data: [], key: request.requestId, state: LoadingState.Done });
    }
    return forkJoin(targets.map((q) => this.runQuery(request, q))).pipe(
      map((parts) => {
        const errors = parts.flatMap((p) => p.errors);
        return {
          key: request.requestId,
          state: LoadingState.Done,
          data: parts.flatMap((p) => p.data),
          ...(errors.length > 0 ? { errors } : {}),
        };
      })
    );
  }

  /** One query: plan upstream queries, fetch them (with history before the range), score. */
  private runQuery(
    request: DataQueryRequest<AnomalyQuery>,
    query: AnomalyQuery
  ): Observable<{ data: DataQueryResponse['data']; errors: DataQueryError[] }> {
    const { spec, error } = effectiveSpec(query, this.options);
    if (!spec) {
      return of({ data: [], errors: [{ refId: query.refId, message: error ?? 'invalid query' }] });
    }
    const interpolate = (s: string) => this.services.interpolate(s, request.scopedVars);
    const planned = planQueries(spec, this.options, interpolate);
    const stepMs = stepFor(spec, request.intervalMs);
    const fromMs = request.range.from.valueOf();
    const toMs = request.range.to.valueOf();
    const fetchFromMs = fromMs - historyMs(query);
    const upstreamRequest: DataQueryRequest = {
      ...request,
      range: { ...request.range, from: dateTime(fetchFromMs), raw: { ...request.range.raw, from: dateTime(fetchFromMs) } },
      intervalMs: stepMs,
      interval: `${Math.round(stepMs / 1000)}s`,
      targets: [],
    };
    return fetchUpstreams(upstreamRequest, planned.queries, (ref) => this.services.getDataSource(ref)).pipe(
      map((upstream: UpstreamResult) => {
        planned.failures.forEach((reason, signalId) => upstream.failures.set(signalId, reason));
        const scored = scoreUpstream(query, spec, upstream, { fetchFromMs, fromMs, toMs }, stepMs);
        return { data: scored.frames, errors: scored.errors };
      })
    );
  }

  async testDatasource(): Promise<HealthResult> {
    // Each upstream runs its own health check (Prometheus and Loki both run a tiny query there), so
    // a data source that exists but cannot answer is named with its reason.
    return checkUpstreams(this.options, async (ref: UpstreamRef) => {
      const ds = await this.services.getDataSource(ref);
      const health = await ds.testDatasource();
      if (health?.status && health.status !== 'success') {
        throw new Error(`"${ds.name}": ${health.message || health.status}`);
      }
      return `"${ds.name}"`;
    });
  }
}
