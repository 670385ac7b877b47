import { DataQuery, DataSourceJsonData } from '@grafana/schema';
import type { ContextRule, ScoreSpecInput } from '../scoring/spec';

/** A reference to an upstream data source by uid (template variables allowed) and/or type. */
export interface UpstreamRef {
  uid?: string;
  type?: string;
}

export type QueryFormat = 'timeseries' | 'triage' | 'annotations';

/**
 * The query is the spec as code: the same ScoreSpec format the engine and the rule compiler use
 * (exportable as YAML / JSON). Tiers and context left out of the query come from the data source's
 * settings.
 */
export interface AnomalyQuery extends DataQuery {
  spec: ScoreSpecInput;
  format: QueryFormat;
  /** Extra history fetched before the dashboard's range so detectors are past warm-up (e.g. '6h'). */
  history?: string;
  /** Annotations: emit regions while an entity is at or above this tier. */
  annotationTier?: 'watch' | 'review' | 'critical';
  /** Variable queries: how many entities (worst first) and which label gives the variable's value. */
  variable?: { limit: number; label?: string };
}

export const DEFAULT_QUERY: Partial<AnomalyQuery> = {
  format: 'timeseries',
  history: '6h',
  spec: { id: 'model-health', entity: ['model', 'version'], signals: [] },
};

export interface AnomalyDataSourceOptions extends DataSourceJsonData {
  /** Default upstream for metric signals. */
  prometheus?: UpstreamRef;
  /** Default upstream for log signals (a signal whose datasource has type `loki` and no uid). */
  loki?: UpstreamRef;
  /** Default tiers (cut points, hysteresis, minimum duration, playbook) for every query. */
  tiers?: ScoreSpecInput['tiers'];
  /** Default context rules for every query. */
  context?: ContextRule[];
}
