/**
 * Frames shaped exactly like Grafana's Prometheus and Loki data sources return for range queries
 * (see pkg/promlib/converter/testdata/prom-query-range-frame.jsonc and
 * pkg/tsdb/loki/testdata/matrix_simple.golden.jsonc in grafana/grafana), built through
 * dataFrameFromJSON as the real data sources' responses are. Used by tests and the preview page.
 */
import { DataFrame, DataFrameJSON, dataFrameFromJSON, DataTopic, FieldType } from '@grafana/data';

export interface SeriesSpec {
  labels: Record<string, string>;
  t: number[];
  v: number[];
}

/** One Prometheus matrix series -> one `timeseries-multi` frame (executedQueryString on the first only). */
export function prometheusFrames(refId: string, expr: string, stepMs: number, series: SeriesSpec[]): DataFrame[] {
  return series.map((s, i) => frame(refId, expr, stepMs, s, i === 0));
}

/** Loki metric query frames: same shape, executedQueryString on every frame. */
export function lokiFrames(refId: string, expr: string, stepMs: number, series: SeriesSpec[]): DataFrame[] {
  return series.map((s) => frame(refId, expr, stepMs, s, true));
}

/** The progress frame Loki's query splitting adds to partial responses (annotations topic). */
export function lokiProgressFrame(refId: string): DataFrame {
  return dataFrameFromJSON({
    schema: {
      refId,
      meta: { dataTopic: DataTopic.Annotations },
      fields: [
        { name: 'time', type: FieldType.time },
        { name: 'text', type: FieldType.string },
      ],
    },
    data: { values: [[Date.now()], ['Streaming']] },
  } as DataFrameJSON);
}

function frame(refId: string, expr: string, stepMs: number, s: SeriesSpec, withQuery: boolean): DataFrame {
  const name = s.labels.__name__;
  const json = {
    schema: {
      refId,
      meta: {
        type: 'timeseries-multi',
        typeVersion: [0, 1],
        custom: { resultType: 'matrix' },
        ...(withQuery ? { executedQueryString: `Expr: ${expr}\nStep: ${stepMs / 1000}s` } : {}),
      },
      fields: [
        { name: 'Time', type: 'time', typeInfo: { frame: 'time.Time' }, config: { interval: stepMs } },
        {
          name: 'Value',
          type: 'number',
          typeInfo: { frame: 'float64' },
          labels: Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== '__name__')),
          config: { displayNameFromDS: name ? `${name}{${formatLabels(s.labels)}}` : `{${formatLabels(s.labels)}}` },
        },
      ],
    },
    data: { values: [s.t, s.v] },
  };
  return dataFrameFromJSON(json as unknown as DataFrameJSON);
}

function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
}
