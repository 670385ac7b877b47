import { lastValueFrom, Observable, of } from 'rxjs';
import {
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  dateTime,
  LoadingState,
} from '@grafana/data';
import { DataSource } from '../../../datasource';
import { prometheusFrames } from '../../../testing/upstreamFrames';
import type { AnomalyDataSourceOptions, AnomalyQuery } from '../../../types';
import { effectiveSpec } from '../../../pipeline/score';
import { DRY_RUN_SPAN_MS, dryRunStepMs, dryRunWindow, MAX_DRY_RUN_POINTS, planDryRun, runDryRun } from './dryRunQuery';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.UTC(2026, 0, 12, 12, 0, 0);
const PROMETHEUS_MAX_POINTS = 11_000;

function query(spec: Partial<AnomalyQuery['spec']> = {}, history = '6h'): AnomalyQuery {
  return {
    refId: 'A',
    format: 'triage',
    history,
    spec: {
      id: 'dry',
      entity: ['model'],
      signals: [{ id: 'lat', kind: 'threshold', params: { above: 10 }, source: { queries: { value: 'lat_p99' } } }],
      ...spec,
    },
  };
}

function specOf(q: AnomalyQuery) {
  const { spec, error } = effectiveSpec(q, {});
  if (!spec) {
    throw new Error(error);
  }
  return spec;
}

describe('dryRunStepMs', () => {
  it('keeps the spec step while the span fits, and coarsens to whole seconds when it does not', () => {
    expect(dryRunStepMs(MINUTE, 6 * HOUR)).toBe(MINUTE);
    // 7 days plus 6 h of history at 60 s is 10,440 points: too many; 626,400 s / 10,000 -> 63 s.
    expect(dryRunStepMs(MINUTE, DRY_RUN_SPAN_MS + 6 * HOUR)).toBe(63_000);
    expect(dryRunStepMs(30_000, DRY_RUN_SPAN_MS)).toBe(61_000);
  });
});

describe('dryRunWindow', () => {
  const range = { from: dateTime(NOW - 3 * HOUR), to: dateTime(NOW - HOUR), raw: { from: 'now-3h', to: 'now-1h' } };
  it('is the last 7 days by default and the dashboard range when chosen', () => {
    expect(dryRunWindow('last7d', NOW, range)).toEqual({ fromMs: NOW - DRY_RUN_SPAN_MS, toMs: NOW });
    expect(dryRunWindow('dashboard', NOW, range)).toEqual({ fromMs: NOW - 3 * HOUR, toMs: NOW - HOUR });
    expect(dryRunWindow('dashboard', NOW, undefined)).toEqual({ fromMs: NOW - DRY_RUN_SPAN_MS, toMs: NOW });
  });
});

describe('planDryRun', () => {
  const week = { fromMs: NOW - DRY_RUN_SPAN_MS, toMs: NOW };

  it('writes a coarser step into the dry-run spec when the spec step would exceed the point limit', () => {
    const q = query({ step: '30s' });
    const plan = planDryRun(q, specOf(q), week, 'dry-1', NOW);
    expect(plan).toMatchObject({ stepMs: 63_000, specStepMs: 30_000, coarsened: true });
    const target = plan.request.targets[0];
    expect(target.spec.step).toBe('63s');
    // Everything else is the query being edited, as an ordinary time-series query.
    expect({ ...target.spec, step: q.spec.step }).toEqual(q.spec);
    expect(target).toMatchObject({ refId: 'A', format: 'timeseries', hide: false, history: '6h' });
    expect(q.spec.step).toBe('30s'); // the edited query itself is untouched
    expect(plan.request).toMatchObject({ intervalMs: 63_000, interval: '63s', requestId: 'dry-1', hideFromInspector: true });
    expect(plan.request.range.from.valueOf()).toBe(week.fromMs);
    expect(plan.request.range.to.valueOf()).toBe(week.toMs);
    // What the pipeline will fetch (history included) stays within Prometheus' limit.
    const fetched = (week.toMs - week.fromMs + 6 * HOUR) / plan.stepMs;
    expect(fetched).toBeLessThanOrEqual(MAX_DRY_RUN_POINTS);
    expect(fetched).toBeLessThan(PROMETHEUS_MAX_POINTS);
  });

  it('leaves a spec without a step alone and sets the interval the pipeline falls back to', () => {
    const q = query();
    const plan = planDryRun(q, specOf(q), week, 'dry-2', NOW);
    expect(plan.request.targets[0].spec).toBe(q.spec);
    expect(plan.request.intervalMs).toBe(63_000);
  });

  it('keeps the spec step over a short range', () => {
    const q = query({ step: '1m' });
    const window = { fromMs: NOW - 6 * HOUR, toMs: NOW };
    const plan = planDryRun(q, specOf(q), window, 'dry-3', NOW);
    expect(plan).toMatchObject({ stepMs: MINUTE, coarsened: false, window });
    expect(plan.request.targets[0].spec).toBe(q.spec);
  });
});

class FakePrometheus extends DataSourceApi {
  readonly calls: DataQueryRequest[] = [];
  constructor(private readonly respond: (request: DataQueryRequest) => Observable<DataQueryResponse>) {
    super({ name: 'Prom', uid: 'prom', type: 'prometheus', id: 1, meta: {} } as unknown as DataSourceInstanceSettings);
  }
  query(request: DataQueryRequest): Observable<DataQueryResponse> {
    this.calls.push(request);
    return this.respond(request);
  }
  async testDatasource() {
    return { status: 'success', message: '' };
  }
}

function anomalyDataSource(upstream: DataSourceApi): DataSource {
  const settings = {
    id: 2,
    uid: 'score',
    name: 'Anomaly Score',
    type: 'opsml-anomalyscore-datasource',
    meta: {},
    jsonData: { prometheus: { uid: 'prom', type: 'prometheus' } },
    readOnly: false,
    access: 'proxy',
  } as unknown as DataSourceInstanceSettings<AnomalyDataSourceOptions>;
  return new DataSource(settings, { getDataSource: async () => upstream, interpolate: (text) => text });
}

describe('runDryRun through the real data source pipeline', () => {
  it('asks the upstream for the window plus history at the dry-run step, and counts what comes back', async () => {
    // Model b's latency is above the limit on the last 10 of the 100 steps in the window.
    const window = { fromMs: NOW - 99 * MINUTE, toMs: NOW };
    const prom = new FakePrometheus((request) => {
      const step = request.intervalMs;
      const t: number[] = [];
      for (let x = request.range.from.valueOf(); x <= request.range.to.valueOf(); x += step) {
        t.push(x);
      }
      const v = (model: string) => t.map((x) => (model === 'b' && x > NOW - 10 * MINUTE ? 20 : 5));
      return of({
        data: prometheusFrames(request.targets[0].refId, 'lat_p99', step, [
          { labels: { model: 'a' }, t, v: v('a') },
          { labels: { model: 'b' }, t, v: v('b') },
        ]),
        state: LoadingState.Done,
      });
    });
    const q = query({ step: '1m' }, '1h');
    const spec = specOf(q);
    const plan = planDryRun(q, spec, window, 'dry-4', NOW);
    const stats = await lastValueFrom(runDryRun(anomalyDataSource(prom), plan, spec));

    expect(prom.calls).toHaveLength(1);
    expect(prom.calls[0].range.from.valueOf()).toBe(window.fromMs - HOUR);
    expect(prom.calls[0].intervalMs).toBe(MINUTE);
    expect(prom.calls[0].targets).toEqual([expect.objectContaining({ expr: 'lat_p99' })]);
    expect(stats.entities).toBe(2);
    expect(stats.signals[0]).toMatchObject({ id: 'lat', steps: 200, judged: 200, atWatch: 10, atReview: 10, errors: [] });
    expect(stats.combined).toMatchObject({ judged: 200, atReview: 10 });
  });

  it('reports an upstream failure under its signal', async () => {
    const prom = new FakePrometheus(() => new Observable<DataQueryResponse>((s) => s.error(new Error('connection refused'))));
    const q = query({ step: '1m' });
    const spec = specOf(q);
    const plan = planDryRun(q, spec, { fromMs: NOW - HOUR, toMs: NOW }, 'dry-5', NOW);
    const stats = await lastValueFrom(runDryRun(anomalyDataSource(prom), plan, spec));
    expect(stats.signals[0].errors).toEqual(['data source "Prom": connection refused']);
    expect(stats.errors).toEqual([]);
  });

  it('sends nothing until subscribed and cancels the upstream request on unsubscribe', async () => {
    const teardown = jest.fn();
    const prom = new FakePrometheus(() => new Observable<DataQueryResponse>(() => teardown));
    const q = query({ step: '1m' });
    const spec = specOf(q);
    const run = runDryRun(anomalyDataSource(prom), planDryRun(q, spec, { fromMs: NOW - HOUR, toMs: NOW }, 'dry-6', NOW), spec);
    await Promise.resolve();
    expect(prom.calls).toHaveLength(0);
    const subscription = run.subscribe();
    // The pipeline looks the upstream up asynchronously before querying it.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(prom.calls).toHaveLength(1);
    expect(teardown).not.toHaveBeenCalled();
    subscription.unsubscribe();
    expect(teardown).toHaveBeenCalledTimes(1);
  });
});
