import { lastValueFrom, Observable, of, throwError, Subject } from 'rxjs';
import {
  DataFrame,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  dateTime,
  FieldType,
  LoadingState,
} from '@grafana/data';
import { DataSource, DataSourceServices } from './datasource';
import { AnomalyDataSourceOptions, AnomalyQuery } from './types';
import { lokiFrames, lokiProgressFrame, prometheusFrames, SeriesSpec } from './testing/upstreamFrames';
import { ScoreFrameMeta } from '../frames/contract';

const STEP = 60_000;
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const N = 240; // 4 h of points; history of 2 h before the range

function times(n = N) {
  return Array.from({ length: n }, (_, i) => T0 + i * STEP);
}

/** Latency per entity: noisy around 100 ms; model "b" spikes at the end. */
function latencySeries(): SeriesSpec[] {
  const noise = (i: number) => 100 + 5 * Math.sin(i * 1.7) + 3 * Math.cos(i * 0.37);
  return [
    { labels: { __name__: 'lat', model: 'a', version: '1' }, t: times(), v: times().map((_, i) => noise(i)) },
    {
      labels: { __name__: 'lat', model: 'b', version: '1' },
      t: times(),
      v: times().map((_, i) => (i >= N - 10 ? 400 : noise(i))),
    },
  ];
}

class FakeUpstream extends DataSourceApi {
  calls: DataQueryRequest[] = [];
  constructor(
    name: string,
    private readonly respond: (req: DataQueryRequest) => Observable<DataQueryResponse>
  ) {
    super({ name, uid: name, type: 'prometheus', id: 1, meta: {} } as unknown as DataSourceInstanceSettings);
  }
  query(req: DataQueryRequest): Observable<DataQueryResponse> {
    this.calls.push(req);
    return this.respond(req);
  }
  async testDatasource() {
    return { status: 'success', message: '' };
  }
}

function makeDs(upstreams: Record<string, DataSourceApi>, jsonData: AnomalyDataSourceOptions = {}) {
  const services: DataSourceServices = {
    getDataSource: async (ref) => {
      const ds = upstreams[ref.uid ?? ''];
      if (!ds) {
        throw new Error(`Data source ${ref.uid} was not found`);
      }
      return ds;
    },
    interpolate: (text) => text.replace('$model', 'b'),
  };
  const settings = {
    id: 9,
    uid: 'score',
    name: 'Anomaly Score',
    type: 'opsml-anomalyscore-datasource',
    meta: {},
    jsonData: { prometheus: { uid: 'prom', type: 'prometheus' }, loki: { uid: 'loki', type: 'loki' }, ...jsonData },
    readOnly: false,
    access: 'proxy',
  } as unknown as DataSourceInstanceSettings<AnomalyDataSourceOptions>;
  return new DataSource(settings, services);
}

function request(targets: AnomalyQuery[]): DataQueryRequest<AnomalyQuery> {
  const from = dateTime(T0 + 120 * STEP);
  const to = dateTime(T0 + (N - 1) * STEP);
  return {
    requestId: 'r1',
    interval: '1m',
    intervalMs: STEP,
    range: { from, to, raw: { from, to } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
  } as DataQueryRequest<AnomalyQuery>;
}

const latencySignal = {
  id: 'latency',
  kind: 'robust_z' as const,
  direction: 'up' as const,
  params: { window: '1h', warmup: '10m' },
  source: { queries: { value: 'histogram_quantile(0.95, sum by (model, version, le) (rate(lat_bucket[5m])))' } },
};

const errorSignal = {
  id: 'errors',
  kind: 'ratio' as const,
  source: {
    datasource: { type: 'loki' },
    queries: {
      numerator: 'sum by (model, version) (count_over_time({app="svc"} |= "error" [1m]))',
      denominator: 'sum by (model, version) (count_over_time({app="svc"} [1m]))',
    },
  },
};

function query(signals: AnomalyQuery['spec']['signals'], extra: Partial<AnomalyQuery> = {}): AnomalyQuery {
  return {
    refId: 'A',
    format: 'timeseries',
    history: '2h',
    spec: { id: 'svc', entity: ['model', 'version'], signals },
    ...extra,
  };
}

async function run(ds: DataSource, req: DataQueryRequest<AnomalyQuery>): Promise<DataQueryResponse> {
  return new Promise((resolve, reject) => {
    let last: DataQueryResponse | undefined;
    (ds.query(req) as Observable<DataQueryResponse>).subscribe({
      next: (r) => (last = r),
      error: reject,
      complete: () => resolve(last!),
    });
  });
}

function field(frame: DataFrame, name: string) {
  const f = frame.fields.find((x) => x.name === name);
  if (!f) {
    throw new Error(`no field ${name} in ${frame.fields.map((x) => x.name).join(', ')}`);
  }
  return f;
}

describe('DataSource.query', () => {
  it('scores Prometheus-shaped frames into one contract frame per entity', async () => {
    const prom = new FakeUpstream('prom', (req) =>
      of({ data: prometheusFrames(req.targets[0].refId, 'x', STEP, latencySeries()), state: LoadingState.Done })
    );
    const res = await run(makeDs({ prom }), request([query([latencySignal])]));
    expect(res.errors).toBeUndefined();
    expect(res.data).toHaveLength(2);
    const [a, b] = res.data as DataFrame[];
    expect(a.name).toBe('{model="a", version="1"}');
    expect(a.meta?.type).toBe('timeseries-wide');
    expect(a.fields.map((f) => f.name).slice(0, 6)).toEqual(['Time', 'score', 'tier', 'contrib:latency', 'signal:latency', 'expected:latency']);
    const score = field(b, 'score');
    expect(score.labels).toEqual({ model: 'b', version: '1' });
    expect(score.config.min).toBe(0);
    expect(score.config.max).toBe(100);
    expect(score.config.thresholds?.steps.map((s) => s.value)).toEqual([-Infinity, 25, 50, 75]);
    // Frames start at the dashboard range (history dropped) on the step grid.
    const time = field(b, 'Time').values as number[];
    expect(time[0]).toBe(T0 + 120 * STEP);
    expect(time[time.length - 1]).toBe(T0 + (N - 1) * STEP);
    // The spike in model b is critical at the end; model a stays ok.
    const tierB = field(b, 'tier').values as string[];
    expect(tierB[tierB.length - 1]).toBe('critical');
    expect((field(a, 'tier').values as string[]).every((t) => t === 'ok')).toBe(true);
    // Contributions sum to the score and are hidden from the visualisation.
    const contrib = field(b, 'contrib:latency');
    expect(contrib.config.custom?.hideFrom?.viz).toBe(true);
    (score.values as number[]).forEach((s, i) => expect(contrib.values[i]).toBeCloseTo(s, 9));
    const meta = b.meta?.custom as ScoreFrameMeta;
    expect(meta.entity).toEqual({ model: 'b', version: '1' });
    expect(meta.signals).toEqual([expect.objectContaining({ id: 'latency', state: 'ok' })]);
    // The upstream was asked for the history too, with the step as interval.
    expect(prom.calls[0].range.from.valueOf()).toBe(T0);
    expect(prom.calls[0].intervalMs).toBe(STEP);
  });

  it('folds several Loki emissions, drops the progress frame, and keeps scoring when one upstream fails', async () => {
    const counts = (labels: Record<string, string>, errEvery: number): [SeriesSpec, SeriesSpec] => {
      const t = times();
      return [
        { labels, t, v: t.map((_, i) => (i % errEvery === 0 ? 1 : 0)) },
        { labels, t, v: t.map(() => 200) },
      ];
    };
    const [numA, denA] = counts({ model: 'a', version: '1' }, 50);
    const loki = new FakeUpstream('loki', (req) => {
      const [num, den] = req.targets;
      const half = (s: SeriesSpec) => ({ ...s, t: s.t.slice(0, N / 2), v: s.v.slice(0, N / 2) });
      return of(
        { data: [...lokiFrames(num.refId, 'n', STEP, [half(numA)]), lokiProgressFrame(num.refId)], state: LoadingState.Streaming },
        { data: [...lokiFrames(num.refId, 'n', STEP, [numA]), ...lokiFrames(den.refId, 'd', STEP, [denA])], state: LoadingState.Done }
      );
    });
    const prom = new FakeUpstream('prom', () => throwError(() => ({ status: 502, data: { message: 'bad gateway' } })));
    const res = await run(makeDs({ prom, loki }), request([query([latencySignal, errorSignal])]));
    expect(res.errors).toEqual([{ refId: 'A', message: 'signal latency: data source "prom": bad gateway' }]);
    expect(res.data).toHaveLength(1);
    const frame = res.data[0] as DataFrame;
    const meta = frame.meta?.custom as ScoreFrameMeta;
    expect(meta.signals.find((s) => s.id === 'latency')).toEqual(
      expect.objectContaining({ state: 'error', message: 'data source "prom": bad gateway' })
    );
    expect(meta.signals.find((s) => s.id === 'errors')?.state).toBe('ok');
    expect(field(frame, 'score').values.every((v: number) => Number.isFinite(v))).toBe(true);
  });

  it('names a data source that does not exist and a spec that is invalid', async () => {
    const bad = query([{ ...latencySignal, source: { datasource: { uid: 'nope' }, queries: latencySignal.source.queries } }]);
    const invalid: AnomalyQuery = { ...query([{ ...latencySignal, params: { window: 'soon' } }]), refId: 'B' };
    const res = await run(makeDs({}), request([bad, invalid]));
    expect(res.errors?.map((e) => e.message)).toEqual([
      'signal latency: data source nope: Data source nope was not found',
      expect.stringMatching(/^query B: invalid spec: signals\[0\]\.params\.window: /),
    ]);
  });

  it('returns a triage table when asked, most urgent first', async () => {
    const prom = new FakeUpstream('prom', (req) => of({ data: prometheusFrames(req.targets[0].refId, 'x', STEP, latencySeries()) }));
    const res = await run(makeDs({ prom }), request([query([latencySignal], { format: 'triage' })]));
    const table = res.data[0] as DataFrame;
    expect(table.name).toBe('triage');
    expect(field(table, 'entity').values).toEqual(['{model="b", version="1"}', '{model="a", version="1"}']);
    expect(field(table, 'tier').values[0]).toBe('critical');
    expect(field(table, 'top contributor').values[0]).toBe('latency');
    expect(field(table, 'since').type).toBe(FieldType.time);
  });

  it('interpolates template variables and unsubscribes from upstreams on cancel', () => {
    const subject = new Subject<DataQueryResponse>();
    let unsubscribed = false;
    const prom = new FakeUpstream(
      'prom',
      () =>
        new Observable<DataQueryResponse>((sub) => {
          const s = subject.subscribe(sub);
          return () => {
            unsubscribed = true;
            s.unsubscribe();
          };
        })
    );
    const sig = { ...latencySignal, source: { queries: { value: 'lat{model="$model"}' } } };
    const ds = makeDs({ prom });
    const sub = (ds.query(request([query([sig])])) as Observable<DataQueryResponse>).subscribe();
    return new Promise<void>((resolve) => {
      setTimeout(() => {
        expect((prom.calls[0].targets[0] as unknown as { expr: string }).expr).toBe('lat{model="b"}');
        sub.unsubscribe();
        expect(unsubscribed).toBe(true);
        resolve();
      }, 0);
    });
  });
});

describe('annotations', () => {
  it('emits one region per run at or above the chosen tier, with top contributors and labels as tags', async () => {
    const prom = new FakeUpstream('prom', (req) => of({ data: prometheusFrames(req.targets[0].refId, 'x', STEP, latencySeries()) }));
    const ds = makeDs({ prom });
    const target = ds.annotations!.prepareQuery!({ name: 'tiers', enable: true, iconColor: 'red', target: query([latencySignal], { annotationTier: 'review' }) } as never)!;
    expect(target.format).toBe('annotations');
    const res = await run(ds, request([target]));
    const frame = res.data[0] as DataFrame;
    expect(frame.length).toBe(1);
    expect(field(frame, 'title').values[0]).toMatch(/^\{model="b", version="1"\}: critical \(peak \d+\)$/);
    expect(field(frame, 'text').values[0]).toMatch(/^Top contributors at the peak: latency \d+\.\d$/);
    expect(field(frame, 'tags').values[0]).toEqual(['anomalyscore', 'tier:critical', 'model:b', 'version:1']);
    expect(field(frame, 'timeEnd').values[0]).toBe(T0 + (N - 1) * STEP);
    expect(field(frame, 'time').values[0]).toBeGreaterThanOrEqual(T0 + (N - 10) * STEP);
  });
});

describe('edge cases of upstream data', () => {
  it('resamples finer and coarser upstream steps onto the scoring step', async () => {
    const t30 = Array.from({ length: 2 * N }, (_, i) => T0 + i * 30_000);
    const t120 = Array.from({ length: N / 2 }, (_, i) => T0 + i * 120_000);
    const prom = new FakeUpstream('prom', (req) =>
      of({
        data: prometheusFrames(req.targets[0].refId, 'x', 30_000, [
          { labels: { model: 'fine', version: '1' }, t: t30, v: t30.map((_, i) => i) },
          { labels: { model: 'coarse', version: '1' }, t: t120, v: t120.map((_, i) => i) },
        ]),
      })
    );
    const res = await run(makeDs({ prom }), request([query([latencySignal])]));
    const frames = res.data as DataFrame[];
    const fine = frames.find((f) => f.name?.includes('fine'))!;
    const coarse = frames.find((f) => f.name?.includes('coarse'))!;
    const observed = (f: DataFrame) => field(f, 'observed:latency').values as number[];
    const time = field(fine, 'Time').values as number[];
    // Step 60 s: the fine series contributes its latest sample at each minute (index 2k).
    expect(time[1] - time[0]).toBe(STEP);
    expect(observed(fine)[0]).toBe((time[0] - T0) / 30_000);
    // The coarse series has a point every other minute: the others are missing (NaN), never 0.
    const c = observed(coarse);
    expect(c.filter((v) => Number.isNaN(v)).length).toBeGreaterThan(c.length / 2 - 2);
    expect(c.filter((v) => !Number.isNaN(v)).every((v, k, a) => k === 0 || v === a[k - 1] + 1)).toBe(true);
  });

  it('says which signal returned no series and still scores the others', async () => {
    const prom = new FakeUpstream('prom', (req) => of({ data: prometheusFrames(req.targets[0].refId, 'x', STEP, latencySeries()) }));
    const loki = new FakeUpstream('loki', () => of({ data: [] }));
    const res = await run(makeDs({ prom, loki }), request([query([latencySignal, errorSignal])]));
    expect(res.errors).toEqual([{ refId: 'A', message: 'signal errors: the upstream query returned no series' }]);
    expect(res.data).toHaveLength(2);
    const meta = (res.data[0] as DataFrame).meta?.custom as ScoreFrameMeta;
    expect(meta.signals.find((s) => s.id === 'errors')?.state).toBe('missing');
  });

  it('scores 10,000 series into 10,000 entity frames', async () => {
    const n = 10_000;
    const t = times(60);
    const series = Array.from({ length: n }, (_, k) => ({
      labels: { model: `m${k}`, version: '1' },
      t,
      v: t.map((_, i) => 100 + ((i * 7 + k) % 11) + (k === 4242 && i > 55 ? 500 : 0)),
    }));
    const prom = new FakeUpstream('prom', (req) => of({ data: prometheusFrames(req.targets[0].refId, 'x', STEP, series) }));
    const from = dateTime(T0 + 30 * STEP);
    const to = dateTime(T0 + 59 * STEP);
    const req = { ...request([query([{ ...latencySignal, params: { window: '20m', warmup: 5, severity: 'ramp' } }], { history: '30m' })]), range: { from, to, raw: { from, to } } };
    const res = await run(makeDs({ prom }), req as DataQueryRequest<AnomalyQuery>);
    expect(res.errors).toBeUndefined();
    expect(res.data).toHaveLength(n);
    const worst = (res.data as DataFrame[]).find((f) => f.name === '{model="m4242", version="1"}')!;
    const tiers = field(worst, 'tier').values as string[];
    expect(tiers[tiers.length - 1]).toBe('critical');
  }, 60_000);
});

describe('variables', () => {
  it('lists the worst entities first with a label as the value', async () => {
    const prom = new FakeUpstream('prom', (req) => of({ data: prometheusFrames(req.targets[0].refId, 'x', STEP, latencySeries()) }));
    const ds = makeDs({ prom });
    const variables = ds.variables as unknown as { query(r: DataQueryRequest<AnomalyQuery>): Observable<DataQueryResponse> };
    const res = await lastValueFrom(variables.query(request([query([latencySignal], { variable: { limit: 1, label: 'model' } })])));
    const frame = res.data[0] as DataFrame;
    expect(field(frame, 'value').values).toEqual(['b']);
    expect(field(frame, 'text').values).toEqual(['b']);
  });
});

describe('triage table columns', () => {
  it('names each column once (peak is not shown as a second "score")', async () => {
    const prom = new FakeUpstream('prom', (req) => of({ data: prometheusFrames(req.targets[0].refId, 'x', STEP, latencySeries()) }));
    const res = await run(makeDs({ prom }), request([query([latencySignal], { format: 'triage' })]));
    const names = (res.data[0] as DataFrame).fields.map((f) => f.config.displayName ?? f.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('health check', () => {
  it('runs each upstream health check and names a failing one with its reason', async () => {
    const prom = new FakeUpstream('prom', () => of({ data: [] }));
    const loki = new FakeUpstream('loki', () => of({ data: [] }));
    loki.testDatasource = async () => ({ status: 'error', message: 'Unable to connect with Loki' });
    const r = await makeDs({ prom, loki }).testDatasource();
    expect(r.status).toBe('error');
    expect(r.message).toBe('Prometheus: "prom" is healthy; Loki: loki failed: "loki": Unable to connect with Loki');
  });

  it('reports success when every upstream answers', async () => {
    const prom = new FakeUpstream('prom', () => of({ data: [] }));
    const loki = new FakeUpstream('loki', () => of({ data: [] }));
    const r = await makeDs({ prom, loki }).testDatasource();
    expect(r).toEqual({ status: 'success', message: 'Prometheus: "prom" is healthy; Loki: "loki" is healthy' });
  });
});
