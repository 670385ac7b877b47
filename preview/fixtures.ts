/**
 * Deterministic synthetic upstream data for the preview page, served through a fake Prometheus
 * data source whose frames have exactly the shape Grafana's Prometheus data source returns
 * (src/datasource/testing/upstreamFrames.ts). The Anomaly Score data source scores them like any
 * real upstream, so the panel sees real score frames.
 *
 * Five hand-made entities land in different tiers (one of them has the label value
 * `<img src=x onerror=alert(1)>` to prove labels render as text); `?entities=N` adds generated ones
 * for the render benchmark.
 */
import { Observable, of } from 'rxjs';
import {
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  LoadingState,
  TestDataSourceResponse,
} from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

import { prometheusFrames, type SeriesSpec } from '../src/datasource/testing/upstreamFrames';
import type { AnomalyQuery } from '../src/datasource/types';

export const STEP_MS = 60_000;
/** Fixed end of the fixture data (all values are a function of minutes before it). */
export const FIXTURE_END = Date.UTC(2026, 0, 5, 12, 0, 0);
export const XSS_LABEL = '<img src=x onerror=alert(1)>';

const ENTITY = ['model', 'version', 'region'] as const;

const Q_LATENCY =
  'histogram_quantile(0.95, sum by (model, version, region, le) (rate(model_latency_seconds_bucket[5m])))';
const Q_ERRORS =
  'sum by (model, version, region) (increase(model_errors_total[5m])) / sum by (model, version, region) (increase(model_requests_total[5m]))';
const Q_FRESHNESS = 'max by (model, version, region) (model_last_label_timestamp_seconds)';

/** The spec the fixture page queries: three signals with predictable severities. */
export const FIXTURE_QUERY: AnomalyQuery = {
  refId: 'A',
  format: 'timeseries',
  history: '1h',
  spec: {
    id: 'preview-fixture',
    version: 3,
    title: 'Preview fixture: model health',
    entity: [...ENTITY],
    step: '1m',
    signals: [
      {
        id: 'latency',
        name: 'p95 latency',
        kind: 'threshold',
        params: { above: 0.25, soft: 0.5 },
        source: { queries: { value: Q_LATENCY } },
      },
      {
        id: 'errors',
        name: 'error ratio',
        kind: 'threshold',
        params: { above: 0.01, soft: 0.04 },
        source: { queries: { value: Q_ERRORS } },
      },
      {
        id: 'freshness',
        name: 'label freshness',
        kind: 'staleness',
        params: { warn: '10m', max: '1h' },
        source: { queries: { value: Q_FRESHNESS } },
      },
    ],
  },
};

interface Profile {
  labels: Record<string, string>;
  /** Values at `m` minutes before FIXTURE_END (m >= 0 inside the default range), with noise u in [0, 1). */
  latency(m: number, u: number): number;
  errors(m: number, u: number): number;
  /** Seconds since the last label batch. */
  lagSeconds(m: number, u: number): number;
}

const baseLatency = (u: number) => 0.12 + 0.02 * u;
const baseErrors = (u: number) => 0.003 + 0.002 * u;
const baseLag = (u: number) => 30 + 60 * u;

/** Hand-made entities, from most to least anomalous at the end of the range. */
export const HANDMADE: Profile[] = [
  {
    // critical: latency and errors up for the last hour, labels stalled for 30 minutes
    labels: { model: 'fraud', version: 'v2', region: 'eu' },
    latency: (m, u) => (m < 60 ? 0.55 + 0.01 * u : baseLatency(u)),
    errors: (m, u) => (m < 60 ? 0.03 + 0.001 * u : baseErrors(u)),
    lagSeconds: (m, u) => (m < 30 ? (30 - m) * 60 + baseLag(u) : baseLag(u)),
  },
  {
    // review: an error burst for the last 90 minutes
    labels: { model: 'ranker', version: 'v1', region: 'eu' },
    latency: (_m, u) => baseLatency(u),
    errors: (m, u) => (m < 90 ? 0.035 + 0.001 * u : baseErrors(u)),
    lagSeconds: (_m, u) => baseLag(u),
  },
  {
    // watch: moderate latency and errors for 45 minutes
    labels: { model: 'churn', version: 'v1', region: 'us' },
    latency: (m, u) => (m < 45 ? 0.4 + 0.005 * u : baseLatency(u)),
    errors: (m, u) => (m < 45 ? 0.02 + 0.0005 * u : baseErrors(u)),
    lagSeconds: (_m, u) => baseLag(u),
  },
  {
    // watch now, with an earlier spike (peak > current): the label value is an XSS probe
    labels: { model: XSS_LABEL, version: 'v1', region: 'us' },
    latency: (m, u) => (m < 30 ? 0.4 + 0.005 * u : m >= 150 && m < 170 ? 0.6 + 0.01 * u : baseLatency(u)),
    errors: (_m, u) => baseErrors(u),
    lagSeconds: (_m, u) => baseLag(u),
  },
  {
    // ok: healthy
    labels: { model: 'fraud', version: 'v1', region: 'us' },
    latency: (_m, u) => baseLatency(u),
    errors: (_m, u) => baseErrors(u),
    lagSeconds: (_m, u) => baseLag(u),
  },
];

/** 32-bit integer hash -> [0, 1): deterministic noise without state. */
function noise(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35) ^ Math.imul(c + 17, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

const REGIONS = ['eu', 'us', 'ap', 'sa'];

/** Generated entity k (k >= HANDMADE.length): a random mix of incidents of random length and strength. */
function generated(k: number): Profile {
  const r = (i: number) => noise(k, -1, i);
  const latLen = 10 + Math.floor(110 * r(1));
  const latTop = 0.12 + 0.5 * r(2) ** 2;
  const errLen = 10 + Math.floor(110 * r(3));
  const errTop = 0.004 + 0.04 * r(4) ** 3;
  const stall = r(5) < 0.1 ? Math.floor(60 * r(6)) : 0;
  return {
    labels: { model: `model-${String(k).padStart(4, '0')}`, version: `v${1 + (k % 3)}`, region: REGIONS[k % 4] },
    latency: (m, u) => (m < latLen ? latTop + 0.01 * u : baseLatency(u)),
    errors: (m, u) => (m < errLen ? errTop + 0.001 * u : baseErrors(u)),
    lagSeconds: (m, u) => (m < stall ? (stall - m) * 60 + baseLag(u) : baseLag(u)),
  };
}

export function fixtureProfiles(count: number): Profile[] {
  const n = Math.max(1, Math.floor(count));
  return Array.from({ length: n }, (_, k) => (k < HANDMADE.length ? HANDMADE[k] : generated(k)));
}

type Metric = 'latency' | 'errors' | 'freshness';
const METRIC_OF: Record<string, Metric> = { [Q_LATENCY]: 'latency', [Q_ERRORS]: 'errors', [Q_FRESHNESS]: 'freshness' };

function seriesFor(profiles: Profile[], metric: Metric, fromMs: number, toMs: number, stepMs: number): SeriesSpec[] {
  const first = Math.ceil(fromMs / stepMs) * stepMs;
  const n = Math.max(0, Math.floor((toMs - first) / stepMs) + 1);
  const t = Array.from({ length: n }, (_, i) => first + i * stepMs);
  const salt = metric === 'latency' ? 1 : metric === 'errors' ? 2 : 3;
  return profiles.map((p, k) => {
    const v = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const m = Math.round((FIXTURE_END - t[i]) / 60_000);
      const u = noise(k, m, salt);
      v[i] =
        metric === 'latency'
          ? p.latency(m, u)
          : metric === 'errors'
            ? p.errors(m, u)
            : t[i] / 1000 - p.lagSeconds(m, u);
    }
    return { labels: { ...p.labels }, t, v };
  });
}

/** A Prometheus data source that answers the fixture spec's queries with synthetic frames. */
export class FixturePrometheus extends DataSourceApi {
  /** Time spent building the last response's frames (the benchmark reports it apart from scoring). */
  lastBuildMs = 0;

  constructor(private readonly profiles: Profile[]) {
    super({
      id: 2,
      uid: 'prometheus',
      name: 'Prometheus (fixture)',
      type: 'prometheus',
      meta: { id: 'prometheus', name: 'Prometheus' },
      jsonData: {},
      readOnly: true,
      access: 'proxy',
    } as unknown as DataSourceInstanceSettings);
  }

  query(request: DataQueryRequest<DataQuery>): Observable<DataQueryResponse> {
    const from = request.range.from.valueOf();
    const to = request.range.to.valueOf();
    const step = request.intervalMs > 0 ? request.intervalMs : STEP_MS;
    const started = performance.now();
    const data = request.targets.flatMap((target) => {
      const expr = (target as DataQuery & { expr?: string }).expr ?? '';
      const metric = METRIC_OF[expr];
      if (!metric) {
        return [];
      }
      return prometheusFrames(target.refId, expr, step, seriesFor(this.profiles, metric, from, to, step));
    });
    this.lastBuildMs = performance.now() - started;
    return of({ data, state: LoadingState.Done, key: request.requestId });
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    return { status: 'success', message: `fixture data for ${this.profiles.length} entities` };
  }
}
