/** @jest-environment jsdom */
// The query editor's dry run (issue 11 item 5) on real upstream data: the demo week in a real
// Prometheus, the REAL Anomaly Score data source with a Prometheus upstream that speaks its HTTP API,
// and the dry-run plan and figures exactly as the editor computes them. jsdom because @grafana/data
// needs a window; the demo week is generated in a child process (much faster outside jest's VM).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastValueFrom, tap } from 'rxjs';
import type { DataFrame, DataQueryRequest, DataQueryResponse, DataSourceInstanceSettings } from '@grafana/data';

import { defaultOptions, MINUTE_MS, type GroundTruth } from '../../demo/generator/types';
import { PrometheusHttpDataSource } from '../../demo/eval/upstreams';
import { DataSource } from '../../src/datasource/datasource';
import { effectiveSpec } from '../../src/datasource/pipeline/score';
import type { AnomalyDataSourceOptions, AnomalyQuery } from '../../src/datasource/types';
import { planDryRun, runDryRun, type DryRunDataSource } from '../../src/datasource/components/QueryEditor/DryRun/dryRunQuery';
import type { DryRunStats } from '../../src/datasource/components/QueryEditor/DryRun/dryRunStats';
import type { ScoreSpec } from '../../src/scoring';
import { tmpRoot, writeOpenMetricsOutOfBand } from './generated';
import { MAX_POINTS_PER_SERIES, prometheusAvailable, startPrometheus, type RunningPrometheus } from './prometheus';

const describeProm = prometheusAvailable() || process.env.CI ? describe : describe.skip;
if (!prometheusAvailable()) {
  console.warn('prometheus/promtool not on PATH: skipping (apt-get install prometheus)');
}

const BY = 'model, version, region';
/** Labels normally arrive every few minutes; during a labelling delay they stop for 20 min or more. */
const LABEL_LAG_LIMIT_S = 600;

/**
 * A spec as a user would write it in the editor, on the demo's metrics (docs/instrumentation.md):
 * - label_lag: a hard limit on the labelling lag (absolute, so its expected share follows from the
 *   ground truth alone);
 * - errors: the error ratio with the kind's default params (self-calibrating severity);
 * - latency: mean latency, robust z with default params (warms up at the start of the data).
 */
const QUERY: AnomalyQuery = {
  refId: 'A',
  format: 'timeseries',
  history: '6h',
  spec: {
    id: 'dry-run-demo',
    entity: ['model', 'version', 'region'],
    step: '1m',
    signals: [
      {
        id: 'label_lag',
        name: 'labelling lag',
        kind: 'threshold',
        params: { above: LABEL_LAG_LIMIT_S },
        source: { queries: { value: `time() - max by (${BY}) (model_last_label_timestamp_seconds)` } },
      },
      {
        id: 'errors',
        name: 'error ratio',
        kind: 'ratio',
        direction: 'up',
        source: {
          queries: {
            numerator: `sum by (${BY}) (increase(model_errors_total[5m]))`,
            denominator: `sum by (${BY}) (increase(model_requests_total[5m]))`,
          },
        },
      },
      {
        id: 'latency',
        name: 'mean latency',
        kind: 'robust_z',
        direction: 'up',
        source: {
          queries: {
            value: `sum by (${BY}) (rate(model_latency_seconds_sum[5m])) / sum by (${BY}) (rate(model_latency_seconds_count[5m]))`,
          },
        },
      },
    ],
  },
};

/** The Prometheus upstream, recording what it was asked (to check the points-per-series limit). */
class RecordingPrometheus extends PrometheusHttpDataSource {
  readonly requests: DataQueryRequest[] = [];
  query(request: DataQueryRequest) {
    this.requests.push(request);
    return super.query(request);
  }
}

function anomalyDataSource(upstream: RecordingPrometheus): DataSource {
  const settings = {
    id: 1,
    uid: 'anomalyscore',
    name: 'Anomaly Score',
    type: 'opsml-anomalyscore-datasource',
    meta: {},
    jsonData: { prometheus: { uid: 'prometheus', type: 'prometheus' } },
    readOnly: true,
    access: 'proxy',
  } as unknown as DataSourceInstanceSettings<AnomalyDataSourceOptions>;
  return new DataSource(settings, { getDataSource: async () => upstream, interpolate: (text) => text });
}

function values(frame: DataFrame, name: string): unknown[] {
  const field = frame.fields.find((f) => f.name === name);
  if (!field) {
    throw new Error(`no field ${name} in frame ${frame.name}`);
  }
  return field.values;
}

describeProm('dry run through the real data source and a real Prometheus (demo week)', () => {
  let prom: RunningPrometheus;
  let truth: GroundTruth;
  let upstream: RecordingPrometheus;
  let spec: ScoreSpec;
  let stats: DryRunStats;
  let frames: DataFrame[];
  let stepMs: number;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(tmpRoot(), 'anomalyscore-dryrun-'));
    const file = path.join(dir, 'metrics.om');
    try {
      let t = Date.now();
      writeOpenMetricsOutOfBand(defaultOptions({ seed: 42 }), file);
      truth = JSON.parse(fs.readFileSync(file + '.truth.json', 'utf8'));
      timings.generateMs = Date.now() - t;
      prom = await startPrometheus({ openMetricsFile: file });
      timings.backfillMs = prom.timings.backfill;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    upstream = new RecordingPrometheus(prom.url);
    const datasource = anomalyDataSource(upstream);
    const prepared = effectiveSpec(QUERY, datasource.options);
    if (!prepared.spec) {
      throw new Error(prepared.error);
    }
    spec = prepared.spec;
    // The demo week is the "dashboard range" here (the last 7 days up to now hold no demo data).
    const window = { fromMs: truth.start, toMs: truth.end - truth.stepMs };
    const plan = planDryRun(QUERY, spec, window, 'dry-run-integration', Date.now());
    stepMs = plan.stepMs;
    // Watch the responses go by so the figures can be checked against the frames they came from.
    const responses: DataQueryResponse[] = [];
    const watched: DryRunDataSource = {
      options: datasource.options,
      query: (request) => datasource.query(request).pipe(tap((r) => responses.push(r))),
    };
    const t = Date.now();
    stats = await lastValueFrom(runDryRun(watched, plan, spec));
    timings.dryRunMs = Date.now() - t;
    frames = responses[responses.length - 1].data as DataFrame[];
    // The figures the editor would show, in the test log for the record.
    const figures = stats.signals.map((s) => ({ id: s.id, watch: s.watchShare, review: s.reviewShare, missing: s.missingShare }));
    console.log(`dry-run integration: step ${stepMs} ms, ${JSON.stringify({ timings, figures, combined: stats.combined })}`);
  });

  afterAll(async () => {
    await prom?.stop();
  });

  it('keeps every upstream request within Prometheus’ points-per-series limit', () => {
    expect(stepMs).toBeGreaterThan(MINUTE_MS); // a week plus history at 1 min would not fit
    expect(upstream.requests.length).toBeGreaterThan(0);
    for (const r of upstream.requests) {
      expect(r.intervalMs).toBe(stepMs);
      const points = Math.floor((r.range.to.valueOf() - r.range.from.valueOf()) / r.intervalMs) + 1;
      expect(points).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    }
  });

  it('scores every demo entity with every signal and no errors', () => {
    expect(stats.errors).toEqual([]);
    expect(stats.signals.map((s) => [s.id, s.errors])).toEqual([
      ['label_lag', []],
      ['errors', []],
      ['latency', []],
    ]);
    expect(stats.entities).toBe(12);
  });

  it('gives shares in [0, 1] whose counts add up over the frames', () => {
    const totalSteps = frames.reduce((n, f) => n + f.length, 0);
    expect(totalSteps).toBeGreaterThan(12 * 9000);
    for (const s of [...stats.signals, stats.combined]) {
      expect(s.steps).toBe(totalSteps);
      for (const x of [s.watchShare, s.reviewShare, s.missingShare]) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
      }
      expect(s.atReview).toBeLessThanOrEqual(s.atWatch);
      expect(s.missingShare).toBeCloseTo((s.steps - s.judged) / s.steps, 12);
    }
    // The robust z warms up on the first hours of data (there is none in the history before the week).
    expect(stats.signals.find((s) => s.id === 'latency')!.missingShare).toBeGreaterThan(0);
  });

  it('agrees with the frames: combined counts are the score field, and no signal alone exceeds the combined score', () => {
    let atWatch = 0;
    let atReview = 0;
    for (const f of frames) {
      const score = values(f, 'score') as number[];
      const judged = spec.signals.map((s) => values(f, `severity:${s.id}`) as Array<number | null>);
      score.forEach((x, i) => {
        if (judged.some((sev) => typeof sev[i] === 'number' && !Number.isNaN(sev[i]))) {
          atWatch += x >= stats.cuts.watch ? 1 : 0;
          atReview += x >= stats.cuts.review ? 1 : 0;
        }
      });
    }
    expect(stats.combined.atWatch).toBe(atWatch);
    expect(stats.combined.atReview).toBe(atReview);
    // Evidence only adds up (no context rules here): wherever one signal alone reaches a cut, the
    // combined score does too, so no signal's count can exceed the combined one.
    for (const s of stats.signals) {
      expect(s.atWatch).toBeLessThanOrEqual(stats.combined.atWatch);
      expect(s.atReview).toBeLessThanOrEqual(stats.combined.atReview);
    }
  });

  it('sees the labelling delays of the ground truth in the labelling-lag signal, and the error bursts in the error ratio', () => {
    const delays = truth.incidents.filter((x) => x.kind === 'labelling_delay');
    expect(delays.length).toBeGreaterThan(0);
    // Lag passes the limit about LABEL_LAG_LIMIT_S after labels stop and drops when they resume;
    // the last label before the stop may be a few minutes old, hence a tolerance per incident.
    const expected = delays.reduce((n, x) => n + Math.max(0, x.end - x.start - LABEL_LAG_LIMIT_S * 1000) / stepMs, 0);
    const lag = stats.signals.find((s) => s.id === 'label_lag')!;
    expect(lag.atReview).toBeGreaterThan(0);
    console.log(`labelling lag at review: ${lag.atReview} steps, expected about ${expected.toFixed(1)}`);
    expect(Math.abs(lag.atReview - expected)).toBeLessThanOrEqual(8 * delays.length);
    // Severity 1 beyond the limit: alone it is at review (and watch) on the same steps.
    expect(lag.atWatch).toBe(lag.atReview);

    expect(truth.incidents.some((x) => x.kind === 'error_burst')).toBe(true);
    expect(stats.signals.find((s) => s.id === 'errors')!.atWatch).toBeGreaterThan(0);
  });
});
