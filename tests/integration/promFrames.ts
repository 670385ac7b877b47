/**
 * Prometheus `query_range` matrix -> the data frames Grafana's Prometheus data source returns, in
 * DataFrameJSON form (`{schema, data}`), so tests can feed the data source pipeline exactly what
 * Grafana would (turn them into DataFrames with `dataFrameFromJSON` from @grafana/data).
 *
 * The shape follows Grafana's own golden files (grafana/grafana pkg/promlib/testdata/
 * range_simple.result.golden.jsonc, range_nan.result.golden.jsonc and the converter's
 * prom-query-range-frame.jsonc / prom-matrix-with-nans-frame.jsonc):
 * - one frame per series, `meta.type = "timeseries-multi"`, `meta.typeVersion = [0, 1]`,
 *   `meta.custom.resultType = "matrix"`;
 * - the FIRST frame only also has `meta.executedQueryString = "Expr: <expr>\nStep: <Go duration>"`
 *   and `meta.custom.calculatedMinStep = <step ms>` (current Grafana; used by incremental querying);
 * - field 0 `Time` (type time, typeInfo time.Time, `config.interval` = step ms);
 * - field 1 (type number, typeInfo float64, `labels` = the series labels) named after the
 *   `__name__` label when there is one (Grafana's dataplane naming, the only mode since the
 *   `prometheusDataplane` toggle was removed) and `Value` otherwise, with `config.displayNameFromDS`
 *   = the legend (Prometheus' `name{a="x", b="y"}` form unless a legend format is given);
 * - NaN / +Inf / -Inf samples are sent as `null` plus `data.entities[1] = {NaN: [i…], Inf: […],
 *   NegInf: […]}`, which `dataFrameFromJSON` decodes back into NaN / ±Infinity;
 * - an empty result is one frame without fields that still carries the executed query string.
 */
import type { DataFrameType, FieldType } from '@grafana/data';

// Type-only import: the values are the plain strings Grafana sends, typed so that the frames are
// assignable to @grafana/data's DataFrameJSON without casts at the call site.
const TIMESERIES_MULTI = 'timeseries-multi' as DataFrameType;
const TIME = 'time' as FieldType;
const NUMBER = 'number' as FieldType;

export interface PromMatrixResult {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

export interface PromQueryOptions {
  /** Grafana legend format: '' (default: the series name), '__auto', or e.g. '{{model}} {{region}}'. */
  legendFormat?: string;
  /** refId put on every frame's schema (Grafana's frontend sets it from the query); null omits it. */
  refId?: string | null;
  /**
   * 'entities' (default, Grafana's wire form, JSON-safe): special values as null + data.entities.
   * 'number': raw NaN / ±Infinity numbers in the values array (not JSON-safe).
   */
  specialValues?: 'entities' | 'number';
}

export interface FieldJSONLike {
  name: string;
  type: FieldType;
  typeInfo: { frame: string };
  labels?: Record<string, string>;
  config?: { interval?: number; displayNameFromDS?: string };
}

export interface FrameMetaLike {
  type?: DataFrameType;
  typeVersion?: [number, number];
  custom?: Record<string, unknown>;
  executedQueryString?: string;
}

export interface EntitiesLike {
  NaN?: number[];
  Inf?: number[];
  NegInf?: number[];
}

export interface DataFrameJSONLike {
  schema: { refId?: string; meta: FrameMetaLike; fields: FieldJSONLike[] };
  data: { values: Array<Array<number | null>>; entities?: Array<EntitiesLike | null> };
}

/** Go's time.Duration.String() for a whole number of milliseconds ("1m0s", "15s", "1h0m0s", "500ms"). */
export function goDuration(ms: number): string {
  if (ms === 0) {
    return '0s';
  }
  const neg = ms < 0;
  let rest = Math.abs(ms);
  if (rest < 1000) {
    return `${neg ? '-' : ''}${rest}ms`;
  }
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000; // may be fractional: Go prints e.g. 1.5s
  let out = '';
  if (h > 0) {
    out += `${h}h`;
  }
  if (h > 0 || m > 0) {
    out += `${m}m`;
  }
  out += `${Number(s.toFixed(3))}s`;
  return (neg ? '-' : '') + out;
}

/** Go's %q for the label values we meet (ASCII with quotes/backslashes/control characters). */
function goQuote(v: string): string {
  return JSON.stringify(v);
}

/** Prometheus' model.Metric.String(): `name{a="x", b="y"}` with sorted labels; `{}` when empty. */
export function metricNameFromLabels(labels: Record<string, string>): string {
  const name = labels.__name__;
  const rest = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .map((k) => `${k}=${goQuote(labels[k])}`)
    .sort();
  if (rest.length === 0) {
    return name !== undefined ? name : '{}';
  }
  return `${name ?? ''}{${rest.join(', ')}}`;
}

/** Grafana's legend logic (promlib getName): '' means the series name, '__auto' means none. */
export function legendName(labels: Record<string, string>, expr: string, legendFormat = ''): string {
  let legend = metricNameFromLabels(labels);
  if (legendFormat === '__auto') {
    if (Object.keys(labels).length > 0) {
      legend = '';
    }
  } else if (legendFormat !== '') {
    legend = legendFormat.replace(/\{\{\s*(.+?)\s*\}\}/g, (_, name: string) => labels[name.trim()] ?? '');
  }
  return legend === '{}' ? expr : legend;
}

function sortedLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) {
    out[k] = labels[k];
  }
  return out;
}

function parseSample(v: string): number {
  // Prometheus encodes sample values as strings, with "NaN", "+Inf" and "-Inf" for specials.
  if (v === 'NaN') {
    return NaN;
  }
  if (v === '+Inf' || v === 'Inf') {
    return Infinity;
  }
  if (v === '-Inf') {
    return -Infinity;
  }
  return Number(v);
}

export function matrixToFrames(
  result: PromMatrixResult[],
  opts: PromQueryOptions & { expr: string; stepMs: number }
): DataFrameJSONLike[] {
  const executedQueryString = `Expr: ${opts.expr}\nStep: ${goDuration(opts.stepMs)}`;
  const refId = opts.refId === undefined ? 'A' : opts.refId;
  const withRef = <T extends object>(schema: T): T & { refId?: string } =>
    refId === null ? schema : { refId, ...schema };

  if (result.length === 0) {
    return [
      {
        schema: withRef({
          meta: { custom: { calculatedMinStep: opts.stepMs }, executedQueryString },
          fields: [],
        }),
        data: { values: [] },
      },
    ];
  }

  return result.map((series, i) => {
    const labels = sortedLabels(series.metric);
    const times: number[] = [];
    const values: Array<number | null> = [];
    const entities: EntitiesLike = {};
    series.values.forEach(([t, raw], row) => {
      times.push(Math.round(t * 1000));
      const v = parseSample(raw);
      if (Number.isFinite(v) || opts.specialValues === 'number') {
        values.push(v);
        return;
      }
      values.push(null);
      const key = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Inf' : 'NegInf';
      (entities[key] ??= []).push(row);
    });
    const meta: FrameMetaLike = {
      type: TIMESERIES_MULTI,
      typeVersion: [0, 1],
      custom: i === 0 ? { calculatedMinStep: opts.stepMs, resultType: 'matrix' } : { resultType: 'matrix' },
    };
    if (i === 0) {
      meta.executedQueryString = executedQueryString;
    }
    const valueField: FieldJSONLike = {
      name: labels.__name__ ?? 'Value',
      type: NUMBER,
      typeInfo: { frame: 'float64' },
      labels,
    };
    const display = legendName(labels, opts.expr, opts.legendFormat ?? '');
    if (display !== '') {
      valueField.config = { displayNameFromDS: display };
    }
    const frame: DataFrameJSONLike = {
      schema: withRef({
        meta,
        fields: [
          { name: 'Time', type: TIME, typeInfo: { frame: 'time.Time' }, config: { interval: opts.stepMs } },
          valueField,
        ],
      }),
      data: { values: [times, values] },
    };
    if (Object.keys(entities).length > 0) {
      frame.data.entities = [null, entities];
    }
    return frame;
  });
}
