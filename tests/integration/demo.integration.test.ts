/** @jest-environment node */
// The demo week in a real Prometheus: generate (fixed seed), backfill with promtool, start
// Prometheus, and check that the ground truth is visible through PromQL and that queryRange
// returns frames in the shape Grafana's Prometheus data source does.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { DAY_MS, Entity, GroundTruth, HOUR_MS, MINUTE_MS, defaultOptions } from '../../demo/generator/types';
import { entitySelector, psi } from './demoData';
import { tmpRoot, writeOpenMetricsOutOfBand } from './generated';
import { RunningPrometheus, prometheusAvailable, queryRange, queryRangeRaw, startPrometheus } from './prometheus';
import { DataFrameJSONLike } from './promFrames';

const SEED = 42;
const STEP = 60_000;
const describeProm = prometheusAvailable() || process.env.CI ? describe : describe.skip;
if (!prometheusAvailable()) {
   
  console.warn('prometheus/promtool not on PATH: skipping (apt-get install prometheus)');
}

let prom: RunningPrometheus;
let truth: GroundTruth;
const timings: Record<string, number> = {};

/** Values of a single-series frame as [time, value] pairs. */
function points(frame: DataFrameJSONLike): Array<[number, number]> {
  const [t, v] = frame.data.values as [number[], Array<number | null>];
  return t.map((x, i) => [x, v[i] === null ? NaN : (v[i] as number)]);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const within = (pts: Array<[number, number]>, from: number, to: number) =>
  pts.filter(([t, v]) => t >= from && t < to && Number.isFinite(v)).map(([, v]) => v);

async function series(expr: string, from: number, to: number): Promise<Array<[number, number]>> {
  const frames = await queryRange(prom.url, expr, from, to, STEP);
  expect(frames.length).toBe(1);
  return points(frames[0]);
}

/** Bin counts of a histogram over [at - window, at] from an instant evaluation of increase(). */
async function bins(metric: string, sel: string, at: number, windowMs: number): Promise<number[]> {
  const result = await queryRangeRaw(
    prom.url,
    `sum by (le) (increase(${metric}{${sel}}[${windowMs / 1000}s]))`,
    at,
    at,
    STEP
  );
  const cum = result
    .map((r) => ({ le: r.metric.le === '+Inf' ? Infinity : Number(r.metric.le), v: Number(r.values[0][1]) }))
    .sort((a, b) => a.le - b.le);
  return cum.map((c, i) => c.v - (i > 0 ? cum[i - 1].v : 0));
}

describeProm('demo data in a real Prometheus', () => {
  beforeAll(async () => {
    // Generated in a child process: the simulator is much slower inside jest's VM.
    const dir = fs.mkdtempSync(path.join(tmpRoot(), 'anomalyscore-demo-'));
    const file = path.join(dir, 'metrics.om');
    try {
      const t = Date.now();
      const gen = writeOpenMetricsOutOfBand(defaultOptions({ seed: SEED }), file);
      Object.assign(timings, gen, { childTotalMs: Date.now() - t });
      truth = JSON.parse(fs.readFileSync(file + '.truth.json', 'utf8'));
      prom = await startPrometheus({ openMetricsFile: file });
      timings.backfillMs = prom.timings.backfill;
      timings.prometheusStartMs = prom.timings.start;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
     
    console.log(`demo integration timings: ${JSON.stringify(timings)}`);
  });

  afterAll(async () => {
    await prom?.stop();
  });

  it('returns data for every entity and every metric family', async () => {
    const last = truth.end - STEP;
    const samples = [
      'model_requests_total',
      'model_errors_total',
      'model_latency_seconds_bucket',
      'model_prediction_score_bucket',
      'model_feature_value_bucket',
      'model_confidence_bucket',
      'model_confidence_correct_bucket',
      'model_last_label_timestamp_seconds',
      'model_pipeline_runs_total',
      'model_pipeline_failures_total',
      'feature_store_last_update_timestamp_seconds',
      'model_deploy_timestamp_seconds',
      'model_deployments_total',
    ];
    for (const s of samples) {
      const frames = await queryRange(prom.url, `count by (model, version, region) (${s})`, last - HOUR_MS, last, STEP);
      expect([s, frames.length]).toEqual([s, 12]);
    }
    const rate = await queryRange(
      prom.url,
      'sum by (model, version, region) (rate(model_requests_total[5m]))',
      truth.start,
      truth.end - STEP,
      STEP
    );
    expect(rate).toHaveLength(12);
    for (const f of rate) {
      // A week at 60 s is 10,080 steps; the first 5 minutes have no rate yet.
      expect(f.data.values[0].length).toBeGreaterThan(10_000);
      expect(Math.min(...(f.data.values[1] as number[]).slice(10))).toBeGreaterThan(0);
    }
  });

  it('shows every error burst as a several times higher error ratio than the day before', async () => {
    const bursts = truth.incidents.filter((x) => x.kind === 'error_burst');
    expect(bursts.length).toBeGreaterThan(0);
    for (const x of bursts) {
      const sel = entitySelector(x.entity);
      const expr = `sum by (model, version, region) (increase(model_errors_total{${sel}}[5m])) / sum by (model, version, region) (increase(model_requests_total{${sel}}[5m]))`;
      const pts = await series(expr, x.start - DAY_MS, x.end);
      const before = mean(within(pts, x.start - DAY_MS, x.start - HOUR_MS));
      const inside = mean(within(pts, x.start + 5 * MINUTE_MS, x.end));
      expect({ id: x.id, ratio: inside / before > 3 }).toEqual({ id: x.id, ratio: true });
    }
  });

  it('shows every latency spike in the tail (p99 up), barely in the median (a fraction of requests slows)', async () => {
    const spikes = truth.incidents.filter((x) => x.kind === 'latency_spike');
    expect(spikes.length).toBeGreaterThan(0);
    for (const x of spikes) {
      const sel = entitySelector(x.entity);
      const ratioOf = async (q: number) => {
        const pts = await series(
          `histogram_quantile(${q}, sum by (le) (rate(model_latency_seconds_bucket{${sel}}[5m])))`,
          x.start - DAY_MS,
          x.end
        );
        return median(within(pts, x.start + 5 * MINUTE_MS, x.end)) / median(within(pts, x.start - DAY_MS, x.start - HOUR_MS));
      };
      const [p99, p50] = [await ratioOf(0.99), await ratioOf(0.5)];
      expect({ id: x.id, p99: p99 > 1.8, p50: p50 < 1.5 }).toEqual({ id: x.id, p99: true, p50: true });
    }
  });

  it('shows labelling delays as a stale last-label timestamp', async () => {
    for (const x of truth.incidents.filter((i) => i.kind === 'labelling_delay')) {
      const sel = entitySelector(x.entity);
      const pts = await series(`time() - model_last_label_timestamp_seconds{${sel}}`, x.start - DAY_MS, x.end);
      expect(Math.max(...within(pts, x.start - DAY_MS, x.start))).toBeLessThanOrEqual(180);
      expect(Math.max(...within(pts, x.start, x.end))).toBeGreaterThanOrEqual((x.end - x.start) / 1000 - 120);
    }
  });

  it('shows calibration decay as confidence above accuracy that grows over the ramp', async () => {
    for (const x of truth.incidents.filter((i) => i.kind === 'calibration_gap')) {
      const sel = entitySelector(x.entity);
      const w = '[10m]';
      const expr =
        `(sum(increase(model_confidence_sum{${sel}}${w})) - sum(increase(model_confidence_correct_count{${sel}}${w})))` +
        ` / sum(increase(model_confidence_count{${sel}}${w}))`;
      const pts = await series(expr, x.start - DAY_MS, x.end);
      const rampEnd = x.start + Number(x.params!.rampMin) * MINUTE_MS;
      expect(mean(within(pts, x.start - DAY_MS, x.start - HOUR_MS))).toBeLessThan(0.04);
      // Held at its full size after the ramp; small in the ramp's first 10 minutes.
      const hold = mean(within(pts, rampEnd + 10 * MINUTE_MS, x.end));
      expect(hold).toBeGreaterThan(0.08);
      expect(mean(within(pts, x.start + 10 * MINUTE_MS, x.start + 11 * MINUTE_MS))).toBeLessThan(hold / 2);
    }
  });

  it('shows input drift (after its ramp) and prediction shifts as PSI against the same window a day earlier', async () => {
    for (const x of truth.incidents.filter((i) => i.kind === 'input_drift' || i.kind === 'prediction_shift')) {
      const sel = entitySelector(x.entity);
      const at = x.end - STEP;
      // Input drift ramps for rampMin minutes, then holds: its full size is in the hold.
      const w = x.kind === 'input_drift' ? x.end - x.start - Number(x.params!.rampMin) * MINUTE_MS : x.end - x.start;
      const [metric, s] =
        x.kind === 'input_drift'
          ? ['model_feature_value_bucket', `${sel},feature="${x.params!.feature}"`]
          : ['model_prediction_score_bucket', sel];
      const value = psi(await bins(metric, s, at - DAY_MS, w), await bins(metric, s, at, w));
      const [lo, hi] = x.kind === 'input_drift' ? [0.1, 0.8] : [0.05, 0.45];
      expect({ id: x.id, psi: value > lo && value < hi }).toEqual({ id: x.id, psi: true });
    }
  });

  it('shows benign surges as more traffic with an unchanged error ratio', async () => {
    for (const x of truth.benign.filter((b) => b.kind === 'traffic_surge')) {
      const sel = entitySelector(x.entity);
      const req = await series(
        `sum(rate(model_requests_total{${sel}}[5m]))`,
        x.start - 2 * HOUR_MS,
        x.end + 2 * HOUR_MS
      );
      const inside = mean(within(req, x.start + 15 * MINUTE_MS, x.end - 5 * MINUTE_MS));
      // Baseline: the 75 minutes either side (the day before may be a weekday against a weekend day).
      const around =
        (mean(within(req, x.start - 90 * MINUTE_MS, x.start - 15 * MINUTE_MS)) +
          mean(within(req, x.end + 20 * MINUTE_MS, x.end + 95 * MINUTE_MS))) /
        2;
      expect(inside / around).toBeGreaterThan(1.5);
      const ratio = await series(
        `sum(increase(model_errors_total{${sel}}[1h])) / sum(increase(model_requests_total{${sel}}[1h]))`,
        x.start - DAY_MS,
        x.end
      );
      const base = mean(within(ratio, x.start - DAY_MS, x.start - HOUR_MS));
      const atEnd = within(ratio, x.end - STEP, x.end)[0];
      expect(atEnd / base).toBeGreaterThan(0.3);
      expect(atEnd / base).toBeLessThan(2.5);
    }
  });

  describe('queryRange frames have the shape of Grafana Prometheus frames', () => {
    const e = (): Entity => truth.entities[0];

    it('names the value field after __name__ and builds displayNameFromDS like Grafana', async () => {
      const from = truth.start + DAY_MS;
      const expr = `model_requests_total{${entitySelector(e())}}`;
      const frames = await queryRange(prom.url, expr, from, from + HOUR_MS, STEP);
      expect(frames).toHaveLength(1);
      const f = frames[0];
      expect(f.schema).toEqual({
        refId: 'A',
        meta: {
          type: 'timeseries-multi',
          typeVersion: [0, 1],
          custom: { calculatedMinStep: 60000, resultType: 'matrix' },
          executedQueryString: `Expr: ${expr}\nStep: 1m0s`,
        },
        fields: [
          { name: 'Time', type: 'time', typeInfo: { frame: 'time.Time' }, config: { interval: 60000 } },
          {
            name: 'model_requests_total',
            type: 'number',
            typeInfo: { frame: 'float64' },
            labels: { __name__: 'model_requests_total', model: e().model, region: e().region, version: e().version },
            config: {
              displayNameFromDS: `model_requests_total{model="${e().model}", region="${e().region}", version="${e().version}"}`,
            },
          },
        ],
      });
      expect(Object.keys(f.schema.fields[1].labels!)).toEqual(['__name__', 'model', 'region', 'version']);
      const [times, values] = f.data.values;
      expect(times).toHaveLength(61);
      expect(times[0]).toBe(from);
      expect(times[60]).toBe(from + HOUR_MS);
      expect(values.every((v) => typeof v === 'number')).toBe(true);
      expect(f.data.entities).toBeUndefined();
    });

    it('puts executedQueryString on the first frame only and names unnamed series Value', async () => {
      const from = truth.start + DAY_MS;
      const expr = 'sum by (model) (rate(model_requests_total[5m]))';
      const frames = await queryRange(prom.url, expr, from, from + HOUR_MS, STEP, { refId: 'B' });
      expect(frames).toHaveLength(3);
      frames.forEach((f, i) => {
        expect(f.schema.refId).toBe('B');
        expect(f.schema.meta.type).toBe('timeseries-multi');
        expect(f.schema.meta.typeVersion).toEqual([0, 1]);
        expect('executedQueryString' in f.schema.meta).toBe(i === 0);
        expect(f.schema.meta.custom).toEqual(
          i === 0 ? { calculatedMinStep: 60000, resultType: 'matrix' } : { resultType: 'matrix' }
        );
        expect(f.schema.fields[1].name).toBe('Value');
        expect(f.schema.fields[1].config).toEqual({
          displayNameFromDS: `{model="${f.schema.fields[1].labels!.model}"}`,
        });
      });
      const auto = await queryRange(prom.url, expr, from, from + HOUR_MS, STEP, { legendFormat: '__auto' });
      expect(auto[0].schema.fields[1].config).toBeUndefined();
      const legend = await queryRange(prom.url, expr, from, from + HOUR_MS, STEP, { legendFormat: 'rate {{model}}' });
      expect(legend[0].schema.fields[1].config!.displayNameFromDS).toMatch(/^rate [a-z]+$/);
    });

    it('splits ranges above 11,000 points per series and joins the pieces', async () => {
      const expr = `model_requests_total{${entitySelector(e())}}`;
      const frames = await queryRange(prom.url, expr, truth.start, truth.end - STEP, 30_000);
      expect(frames).toHaveLength(1);
      const times = frames[0].data.values[0] as number[];
      expect(times.length).toBe((truth.end - STEP - truth.start) / 30_000 + 1);
      expect(times.length).toBeGreaterThan(11_000);
      expect(times.every((t, i) => i === 0 || t - times[i - 1] === 30_000)).toBe(true);
      expect(frames[0].schema.meta.executedQueryString).toBe(`Expr: ${expr}\nStep: 30s`);
    });

    it('encodes NaN and ±Inf the way Grafana does (null + entities, JSON-safe)', async () => {
      const from = truth.start + DAY_MS;
      const sel = entitySelector(e());
      const expr = `(model_requests_total{${sel}} - model_requests_total{${sel}}) / 0`;
      const [nan] = await queryRange(prom.url, expr, from, from + 2 * STEP, STEP);
      expect(nan.data.values[1]).toEqual([null, null, null]);
      expect(nan.data.entities).toEqual([null, { NaN: [0, 1, 2] }]);
      const [inf] = await queryRange(prom.url, `model_requests_total{${sel}} / 0`, from, from + STEP, STEP);
      expect(inf.data.entities).toEqual([null, { Inf: [0, 1] }]);
      // JSON-safe: a JSON round trip keeps everything.
      expect(JSON.parse(JSON.stringify(nan))).toEqual(nan);
    });

    it('returns one field-less frame carrying the query string for an empty result', async () => {
      const expr = 'model_requests_total{model="no-such-model"}';
      const frames = await queryRange(prom.url, expr, truth.start, truth.start + HOUR_MS, STEP);
      expect(frames).toEqual([
        {
          schema: {
            refId: 'A',
            meta: { custom: { calculatedMinStep: 60000 }, executedQueryString: `Expr: ${expr}\nStep: 1m0s` },
            fields: [],
          },
          data: { values: [] },
        },
      ]);
    });
  });
});
