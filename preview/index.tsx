/**
 * Preview page: the REAL panel (plugin.panel from src/panel/module.ts) inside @grafana/ui's
 * ThemeContext and PanelChrome, fed by the REAL data source (src/datasource/datasource.ts) whose
 * upstream is a real Prometheus (through the server's /prom proxy) or deterministic fixture frames.
 *
 * URL parameters: ?theme=light|dark, ?entities=N&points=N (fixture size), ?fixtures=1 (force
 * fixtures), ?prometheus=URL (upstream base URL), ?from=&to= (epoch ms or ISO), ?sortBy=peak.
 *
 * For tests and benchmarks: window.__annotations (what feedback wrote), window.__clipboard,
 * window.__preview (state, marks, entity oracle), performance marks `preview:*`.
 */
import React, { useCallback, useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { lastValueFrom, Observable } from 'rxjs';
import {
  AbsoluteTimeRange,
  applyFieldOverrides,
  createTheme,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  dateTime,
  EventBusSrv,
  FieldConfigSource,
  FieldType,
  getPanelOptionsWithDefaults,
  LoadingState,
  PanelData,
  TimeRange,
  toDataFrame,
} from '@grafana/data';
import { getAppEvents, RefreshEvent } from '@grafana/runtime';
import { GlobalStyles, PanelChrome, PortalContainer, ThemeContext } from '@grafana/ui';

import { plugin } from '../src/panel/module';
import type { PanelOptions } from '../src/panel/types';
import { DataSource } from '../src/datasource/datasource';
import type { AnomalyDataSourceOptions, AnomalyQuery, UpstreamRef } from '../src/datasource/types';
import type { ScoreSpecInput } from '../src/scoring/spec';
import { FIXTURE_END, FIXTURE_QUERY, FixturePrometheus, fixtureProfiles, STEP_MS } from './fixtures';
import { PrometheusUpstream } from './promUpstream';
import { setupRuntime } from './runtime';

/** Injected by the preview server into index.html. */
export interface PreviewConfig {
  /** Upstream Prometheus base URL ('/prom' = the server's proxy); absent = fixture frames. */
  prometheus?: string;
  spec?: ScoreSpecInput;
  specSource?: string;
  history?: string;
  from?: number;
  to?: number;
  note?: string;
}

export interface EntityOracle {
  labels: Record<string, string>;
  current: number;
  peak: number;
  tier: string | undefined;
}

export interface PreviewState {
  state: 'loading' | 'ready' | 'error';
  mode: 'fixtures' | 'prometheus';
  theme: 'dark' | 'light';
  marks: Record<string, number>;
  errors: string[];
  /** Per entity, read straight from the data source's frames (independent of the panel). */
  entities: EntityOracle[];
  range?: { from: number; to: number };
  specId?: string;
  specVersion?: string | number;
  /** Re-runs the query and the annotation query, like the dashboard's refresh button. */
  refresh: () => void;
}

declare global {
  interface Window {
    __PREVIEW_CONFIG__?: PreviewConfig;
    __preview: PreviewState;
  }
}

const params = new URLSearchParams(window.location.search);
const cfg: PreviewConfig = window.__PREVIEW_CONFIG__ ?? {};
const themeMode = params.get('theme') === 'light' ? 'light' : 'dark';
const theme = createTheme({ colors: { mode: themeMode } });
const prometheusUrl = params.get('fixtures') === '1' ? undefined : (params.get('prometheus') ?? cfg.prometheus);
const entityCount = Number(params.get('entities') ?? 5);
const points = Number(params.get('points') ?? 360);

function mark(name: string): void {
  performance.mark(`preview:${name}`);
  window.__preview.marks[name] = performance.now();
}

function timeParam(name: string): number | undefined {
  const v = params.get(name);
  if (v === null || v === '') {
    return undefined;
  }
  return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
}

window.__preview = {
  state: 'loading',
  mode: prometheusUrl ? 'prometheus' : 'fixtures',
  theme: themeMode,
  marks: {},
  errors: [],
  entities: [],
  refresh: () => undefined,
};
mark('start');

// The first triage row in the DOM, whoever renders it: time to first render for the benchmark.
new MutationObserver((_records, observer) => {
  if (document.querySelector('[data-testid="anomalyscore-entity"]')) {
    mark('first-row');
    observer.disconnect();
  }
}).observe(document.body, { childList: true, subtree: true });

// --- data sources -------------------------------------------------------------------------------

const upstream: DataSourceApi = prometheusUrl
  ? new PrometheusUpstream(prometheusUrl.replace(/\/+$/, ''))
  : new FixturePrometheus(fixtureProfiles(entityCount));

const settings = {
  id: 1,
  uid: 'anomalyscore',
  name: 'Anomaly Score',
  type: 'opsml-anomalyscore-datasource',
  meta: { id: 'opsml-anomalyscore-datasource', name: 'Anomaly Score' },
  // No Loki runs here: log signals fail with a message naming it (as an unreachable Loki would).
  jsonData: { prometheus: { uid: 'prometheus', type: 'prometheus' }, loki: { uid: 'loki', type: 'loki' } },
  readOnly: true,
  access: 'proxy',
} as unknown as DataSourceInstanceSettings<AnomalyDataSourceOptions>;

const anomalyDs = new DataSource(settings, {
  getDataSource: async (ref: UpstreamRef) => {
    if (ref.uid === 'prometheus' || (!ref.uid && ref.type === 'prometheus')) {
      return upstream;
    }
    throw new Error(`data source ${ref.uid ?? ref.type} is not available in the preview (only Prometheus is)`);
  },
  interpolate: (text) => text,
});

setupRuntime(theme, [anomalyDs as unknown as DataSourceApi, upstream]);

const query: AnomalyQuery = prometheusUrl
  ? {
      refId: 'A',
      format: 'timeseries',
      history: cfg.history ?? '1d',
      spec: cfg.spec ?? FIXTURE_QUERY.spec,
    }
  : FIXTURE_QUERY;

function initialRange(): TimeRange {
  const to = timeParam('to') ?? (prometheusUrl ? (cfg.to ?? Date.now()) : FIXTURE_END);
  const from = timeParam('from') ?? (prometheusUrl ? (cfg.from ?? to - 6 * 3600_000) : to - (points - 1) * STEP_MS);
  return makeRange(from, to);
}

function makeRange(from: number, to: number): TimeRange {
  const f = dateTime(from);
  const t = dateTime(to);
  return { from: f, to: t, raw: { from: f, to: t } };
}

function oracle(data: PanelData): EntityOracle[] {
  const out: EntityOracle[] = [];
  for (const frame of data.series) {
    const score = frame.fields.find((f) => f.name === 'score' && f.type === FieldType.number);
    if (!score) {
      continue;
    }
    const tier = frame.fields.find((f) => f.name === 'tier');
    const values = score.values as Array<number | null>;
    let current = NaN;
    let peak = NaN;
    for (let i = values.length - 1; i >= 0; i--) {
      const v = values[i];
      if (typeof v === 'number' && Number.isFinite(v)) {
        if (Number.isNaN(current)) {
          current = v;
        }
        peak = Number.isNaN(peak) || v > peak ? v : peak;
      }
    }
    out.push({
      labels: { ...(score.labels ?? {}) },
      current,
      peak,
      tier: tier ? String(tier.values[tier.values.length - 1]) : undefined,
    });
  }
  return out;
}

/**
 * Grafana's built-in "Annotations & Alerts" query: the annotations stored through the (fake)
 * backend that overlap the range, as the annotation frame a dashboard passes in `data.annotations`.
 */
function annotationFrames(range: TimeRange) {
  const from = range.from.valueOf();
  const to = range.to.valueOf();
  const rows = window.__annotations.filter((a) => (a.time ?? 0) <= to && (a.timeEnd ?? a.time ?? 0) >= from);
  return [
    toDataFrame({
      name: 'annotations',
      fields: [
        { name: 'time', type: FieldType.time, values: rows.map((a) => a.time ?? 0) },
        { name: 'timeEnd', type: FieldType.time, values: rows.map((a) => a.timeEnd ?? a.time ?? 0) },
        { name: 'text', type: FieldType.string, values: rows.map((a) => a.text ?? '') },
        { name: 'tags', type: FieldType.other, values: rows.map((a) => a.tags ?? []) },
        { name: 'id', type: FieldType.number, values: rows.map((a) => a.id) },
        { name: 'dashboardUID', type: FieldType.string, values: rows.map((a) => a.dashboardUID ?? '') },
        { name: 'panelId', type: FieldType.number, values: rows.map((a) => a.panelId ?? 0) },
        { name: 'login', type: FieldType.string, values: rows.map(() => 'preview') },
        { name: 'isRegion', type: FieldType.boolean, values: rows.map((a) => (a.timeEnd ?? 0) > (a.time ?? 0)) },
        { name: 'color', type: FieldType.string, values: rows.map(() => theme.visualization.getColorByName('blue')) },
      ],
    }),
  ];
}

async function runQuery(range: TimeRange, panelWidth: number): Promise<PanelData> {
  const request = {
    requestId: `preview-${Date.now()}`,
    interval: '1m',
    intervalMs: STEP_MS,
    maxDataPoints: panelWidth,
    range,
    rangeRaw: range.raw,
    scopedVars: {},
    targets: [query],
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
    panelId: 1,
    dashboardUID: 'anomalyscore-preview',
  } as unknown as DataQueryRequest<AnomalyQuery>;
  const response = await lastValueFrom(anomalyDs.query(request) as Observable<DataQueryResponse>);
  return {
    state: response.errors?.length ? LoadingState.Error : LoadingState.Done,
    series: response.data,
    annotations: annotationFrames(range),
    errors: response.errors,
    timeRange: range,
    request,
  };
}

// --- page ---------------------------------------------------------------------------------------

const { options: defaultOptions, fieldConfig: defaultFieldConfig } = getPanelOptionsWithDefaults({
  plugin,
  currentOptions: {},
  currentFieldConfig: { defaults: {}, overrides: [] },
  isAfterPluginChange: false,
});
if (params.get('sortBy')) {
  (defaultOptions as Record<string, unknown>).sortBy = params.get('sortBy');
}

const eventBus = new EventBusSrv();
const replaceVariables = (text: string) => text;

/** What Grafana's PanelQueryRunner does with `withFieldConfig: true`: field config applied to the frames. */
function withFieldConfig(data: PanelData, fieldConfig: FieldConfigSource): PanelData {
  const started = performance.now();
  const series = applyFieldOverrides({
    data: data.series,
    fieldConfig,
    fieldConfigRegistry: plugin.fieldConfigRegistry,
    replaceVariables,
    theme,
    timeZone: 'utc',
  });
  window.__preview.marks['field-overrides-ms'] = performance.now() - started;
  return { ...data, series };
}

function usePanelSize(): { width: number; height: number } {
  const get = () => ({ width: Math.max(300, window.innerWidth - 16), height: Math.max(300, window.innerHeight - 48) });
  const [size, setSize] = useState(get);
  useEffect(() => {
    const onResize = () => setSize(get());
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return size;
}

function Preview() {
  const [timeRange, setTimeRange] = useState<TimeRange>(initialRange);
  // Grafana applies the field config (display processors, thresholds, mappings) before the panel sees frames.
  const [panelData, setPanelData] = useState<PanelData | undefined>();
  const raw = useRef<PanelData | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>();
  const [options, setOptions] = useState(defaultOptions as unknown as PanelOptions);
  const [fieldConfig, setFieldConfig] = useState(defaultFieldConfig);
  const fieldConfigRef = useRef(defaultFieldConfig);
  const [refreshes, setRefreshes] = useState(0);
  const renderCounter = useRef(0);
  const { width, height } = usePanelSize();

  // The dashboard refresh: window.__preview.refresh() or a RefreshEvent on the app events.
  useEffect(() => {
    const refresh = () => setRefreshes((n) => n + 1);
    window.__preview.refresh = refresh;
    const sub = getAppEvents().subscribe(RefreshEvent, refresh);
    return () => sub.unsubscribe();
  }, []);

  useEffect(() => {
    let cancelled = false;
    window.__preview.state = 'loading';
    mark('query-start');
    runQuery(timeRange, width).then(
      (result) => {
        if (cancelled) {
          return;
        }
        mark('query-done');
        if (upstream instanceof FixturePrometheus) {
          window.__preview.marks['fixture-build-ms'] = upstream.lastBuildMs;
        }
        window.__preview.entities = oracle(result);
        window.__preview.errors = (result.errors ?? []).map((e) => e.message ?? String(e));
        window.__preview.range = { from: timeRange.from.valueOf(), to: timeRange.to.valueOf() };
        const meta = result.series[0]?.meta?.custom as { specId?: string; specVersion?: string | number } | undefined;
        window.__preview.specId = meta?.specId ?? query.spec.id;
        window.__preview.specVersion = meta?.specVersion ?? query.spec.version;
        raw.current = result;
        setPanelData(withFieldConfig(result, fieldConfigRef.current));
      },
      (e: Error) => {
        if (!cancelled) {
          window.__preview.state = 'error';
          window.__preview.errors = [e.message];
          setFailure(e.message);
        }
      }
    );
    return () => {
      cancelled = true;
    };
    // The query runs for a new time range or a refresh (like a dashboard), not on resize.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [timeRange, refreshes]);

  const onFieldConfigChange = useCallback((config: FieldConfigSource) => {
    fieldConfigRef.current = config;
    setFieldConfig(config);
    if (raw.current) {
      setPanelData(withFieldConfig(raw.current, config));
    }
  }, []);

  useEffect(() => {
    if (panelData) {
      renderCounter.current++;
      mark('rendered');
      window.__preview.state = 'ready';
      document.body.dataset.previewState = 'ready';
    }
  }, [panelData]);

  const onChangeTimeRange = useCallback((r: AbsoluteTimeRange) => setTimeRange(makeRange(r.from, r.to)), []);
  const Panel = plugin.panel!;
  const statusMessage =
    failure ?? (panelData?.errors?.length ? panelData.errors.map((e) => e.message).join('\n') : undefined);

  return (
    <div style={{ padding: 8 }}>
      <div style={{ height: 32, display: 'flex', gap: 16, alignItems: 'center', color: theme.colors.text.secondary }}>
        <strong style={{ color: theme.colors.text.primary }}>Anomaly Score preview</strong>
        <span data-testid="preview-source">
          {prometheusUrl ? `Prometheus ${prometheusUrl}` : `fixture frames, ${entityCount} entities × ${points} points`}
        </span>
        <span>
          {timeRange.from.toISOString()} – {timeRange.to.toISOString()}
        </span>
        {cfg.note ? <span>{cfg.note}</span> : null}
      </div>
      <div data-testid="preview-panel" style={{ width, height }}>
        <PanelChrome
          width={width}
          height={height}
          title={query.spec.title ?? 'Anomaly Score'}
          loadingState={panelData ? panelData.state : LoadingState.Loading}
          statusMessage={statusMessage}
        >
          {(innerWidth, innerHeight) =>
            panelData ? (
              <Panel
                id={1}
                data={panelData}
                timeRange={panelData.timeRange}
                timeZone="utc"
                options={options}
                fieldConfig={fieldConfig}
                transparent={false}
                width={innerWidth}
                height={innerHeight}
                renderCounter={renderCounter.current}
                title={query.spec.title ?? 'Anomaly Score'}
                eventBus={eventBus}
                onOptionsChange={setOptions}
                onFieldConfigChange={onFieldConfigChange}
                replaceVariables={replaceVariables}
                onChangeTimeRange={onChangeTimeRange}
              />
            ) : null
          }
        </PanelChrome>
      </div>
    </div>
  );
}

document.body.style.margin = '0';
createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    <PortalContainer />
    <Preview />
  </ThemeContext.Provider>
);
