import { Observable, of } from 'rxjs';
import { DataQueryRequest, DataQueryResponse, DataSourceApi, DataSourceInstanceSettings } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { checkUpstreams, HealthResult } from './health';
import { AnomalyDataSourceOptions, AnomalyQuery, DEFAULT_QUERY, UpstreamRef } from './types';

export class DataSource extends DataSourceApi<AnomalyQuery, AnomalyDataSourceOptions> {
  readonly options: AnomalyDataSourceOptions;

  constructor(instanceSettings: DataSourceInstanceSettings<AnomalyDataSourceOptions>) {
    super(instanceSettings);
    this.options = instanceSettings.jsonData ?? {};
  }

  getDefaultQuery(): Partial<AnomalyQuery> {
    return DEFAULT_QUERY;
  }

  query(request: DataQueryRequest<AnomalyQuery>): Observable<DataQueryResponse> {
    // The scoring pipeline fans out to the upstream data sources per signal; a query with no
    // signals yet has nothing to score, which is an empty result rather than an error.
    return of({ data: [], key: request.requestId });
  }

  async testDatasource(): Promise<HealthResult> {
    return checkUpstreams(this.options, async (ref: UpstreamRef) => {
      // getDataSourceSrv is deprecated in 13.1 in favour of @grafana/runtime/unstable, which Grafana
      // 12 does not provide; we support both, so we keep the API every supported version has.
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      const ds = await getDataSourceSrv().get({ uid: ref.uid, type: ref.type });
      return ds.name;
    });
  }
}
