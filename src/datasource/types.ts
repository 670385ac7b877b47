import { DataQuery, DataSourceJsonData } from '@grafana/schema';

/** A reference to an upstream data source (Prometheus or Loki) by uid; template variables allowed. */
export interface UpstreamRef {
  uid: string;
  type?: string;
}

export interface AnomalyQuery extends DataQuery {
  /** Labels that identify an entity (the join key across signals), e.g. ["model", "version"]. */
  entityLabels: string[];
  /** `timeseries`: one wide frame per entity; `triage`: one table row per entity. */
  format: 'timeseries' | 'triage';
}

export const DEFAULT_QUERY: Partial<AnomalyQuery> = {
  entityLabels: ['model', 'version'],
  format: 'timeseries',
};

export interface AnomalyDataSourceOptions extends DataSourceJsonData {
  /** Default upstream for metric signals. */
  prometheus?: UpstreamRef;
  /** Default upstream for log signals. */
  loki?: UpstreamRef;
}
