/** @jest-environment node */
// Unit tests of the demo generator (demo/generator); they live here because the default jest
// roots only cover src/. One test runs promtool, the rest are pure.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { renderExposition } from '../../demo/generator/exposition';
import { FAMILIES, Simulation } from '../../demo/generator/model';
import { lokiPushBody } from '../../demo/generator/openmetrics';
import { parseGeneratorArgs, parseIncidentMix } from '../../demo/generator/options';
import {
  CALIBRATION_RAMP_MS,
  DRIFT_RAMP_MS,
  INCIDENT_MAX_MS,
  INCIDENT_MIN_MS,
  RAMP_HOLD_MS,
  STRENGTH,
  planGroundTruth,
} from '../../demo/generator/schedule';
import {
  DAY_MS,
  GeneratorOptions,
  HOUR_MS,
  INCIDENT_KINDS,
  MINUTE_MS,
  defaultOptions,
  entityKey,
} from '../../demo/generator/types';
import { bucketSeries, binCounts, entitySelector, psi, quantileFromBins, seriesIndex, valueAt } from './demoData';
import { generateOutOfBand, hashOutOfBand, writeOpenMetricsOutOfBand } from './generated';
import { backfill, prometheusAvailable } from './prometheus';

/** 1 day, 4 entities, one incident of each kind: small enough to generate in well under a second. */
function smallOptions(seed = 7): GeneratorOptions {
  return defaultOptions({
    seed,
    end: defaultOptions().start + DAY_MS,
    models: ['fraud', 'churn'],
    versions: ['v1'],
    regions: ['eu', 'us'],
    incidents: parseIncidentMix('6'),
    surges: 1,
    deploys: 1,
    quietMs: 2 * HOUR_MS,
  });
}

describe('demo generator: determinism and options', () => {
  // Hashes of the outputs are computed in a child process (see generateChild.ts).
  it('produces identical files for the same seed and different ones for another seed', () => {
    const a = hashOutOfBand(smallOptions(7));
    const b = hashOutOfBand(smallOptions(7));
    const c = hashOutOfBand(smallOptions(8));
    expect(a).toEqual(b);
    expect(a.om).not.toBe(c.om);
    expect(a.loki).not.toBe(c.loki);
    expect(a.truth).not.toBe(c.truth);
  });

  it('does not change the metrics when logs are turned off', () => {
    expect(hashOutOfBand(smallOptions(7), false).om).toBe(hashOutOfBand(smallOptions(7), true).om);
  });

  it('parses CLI flags and incident mixes, rejecting typos', () => {
    const { opts, out, logs } = parseGeneratorArgs(
      [
        '--seed',
        '5',
        '--days',
        '2',
        '--models',
        'a,b',
        '--versions',
        '3',
        '--regions=eu',
        '--incidents',
        'error_burst=2,latency_spike=1',
        '--out',
        '/x',
        '--no-logs',
      ],
      '/default'
    );
    expect(opts.seed).toBe(5);
    expect(opts.end - opts.start).toBe(2 * DAY_MS);
    expect(opts.models).toEqual(['a', 'b']);
    expect(opts.versions).toEqual(['v1', 'v2', 'v3']);
    expect(opts.regions).toEqual(['eu']);
    expect(opts.incidents.error_burst).toBe(2);
    expect(opts.incidents.latency_spike).toBe(1);
    expect(opts.incidents.input_drift).toBe(0);
    expect(out).toBe('/x');
    expect(logs).toBe(false);
    expect(Object.values(parseIncidentMix('14')).reduce((x, y) => x + y, 0)).toBe(14);
    expect(() => parseIncidentMix('errors=2')).toThrow(/kind=n/);
    expect(() => parseGeneratorArgs(['--sed', '1'], '')).toThrow(/unknown option --sed/);
  });

  it('fails with a clear message when the events cannot fit', () => {
    const opts = smallOptions();
    opts.incidents = parseIncidentMix('40');
    expect(() => planGroundTruth(opts)).toThrow(/cannot place .* use more days or entities/);
  });
});

describe('demo generator: ground truth with the default mix (7 days, 3 models × 2 versions × 2 regions)', () => {
  const opts = defaultOptions();
  const truth = planGroundTruth(opts);

  it('has 12 entities, every incident kind, and both benign kinds', () => {
    expect(truth.entities).toHaveLength(12);
    for (const kind of INCIDENT_KINDS) {
      expect(truth.incidents.filter((x) => x.kind === kind).length).toBe(3);
    }
    expect(truth.benign.filter((x) => x.kind === 'traffic_surge').length).toBe(4);
    expect(truth.benign.filter((x) => x.kind === 'deploy').length).toBe(4);
    expect(new Set([...truth.incidents, ...truth.benign].map((x) => x.id)).size).toBe(26);
    expect(truth).toMatchObject({ seed: 42, start: opts.start, end: opts.end, stepMs: 60_000 });
  });

  it('keeps incidents inside the range, step-aligned, spaced per entity and as long as their kind', () => {
    for (const x of truth.incidents) {
      expect(x.start).toBeGreaterThanOrEqual(truth.start + opts.quietMs);
      expect(x.end).toBeLessThanOrEqual(truth.end);
      const ramp = x.kind === 'input_drift' ? DRIFT_RAMP_MS : x.kind === 'calibration_gap' ? CALIBRATION_RAMP_MS : null;
      if (ramp) {
        // Ramp, then hold: the incident is both, from the moment the change begins.
        const rampMs = Number(x.params!.rampMin) * MINUTE_MS;
        expect(rampMs).toBeGreaterThanOrEqual(ramp[0]);
        expect(rampMs).toBeLessThanOrEqual(ramp[1]);
        expect(x.end - x.start - rampMs).toBeGreaterThanOrEqual(RAMP_HOLD_MS[0]);
        expect(x.end - x.start - rampMs).toBeLessThanOrEqual(RAMP_HOLD_MS[1]);
      } else {
        expect(x.params!.rampMin).toBeUndefined();
        expect(x.end - x.start).toBeGreaterThanOrEqual(INCIDENT_MIN_MS);
        expect(x.end - x.start).toBeLessThanOrEqual(INCIDENT_MAX_MS);
      }
      expect(x.start % truth.stepMs).toBe(0);
      expect(Object.keys(x.entity).sort()).toEqual(['model', 'region', 'version']);
    }
    const perEntity = new Map<string, Array<{ start: number; end: number }>>();
    for (const x of [...truth.incidents, ...truth.benign]) {
      const list = perEntity.get(entityKey(x.entity)) ?? [];
      list.push(x);
      perEntity.set(entityKey(x.entity), list);
    }
    for (const list of perEntity.values()) {
      expect(list.length).toBeLessThanOrEqual(4);
      list.sort((a, b) => a.start - b.start);
      for (let i = 1; i < list.length; i++) {
        expect(list[i].start - list[i - 1].end).toBeGreaterThanOrEqual(opts.minGapMs);
      }
    }
  });

  it('draws every strength inside its documented range', () => {
    const inRange = (v: unknown, [lo, hi]: readonly [number, number]) => {
      expect(Math.abs(Number(v))).toBeGreaterThanOrEqual(lo);
      expect(Math.abs(Number(v))).toBeLessThanOrEqual(hi);
    };
    for (const x of truth.incidents) {
      const p = x.params!;
      switch (x.kind) {
        case 'input_drift':
          inRange(p.shiftSd, STRENGTH.driftShiftSd);
          break;
        case 'prediction_shift':
          inRange(p.shiftSd, STRENGTH.predictionShiftSd);
          break;
        case 'latency_spike':
          inRange(p.slowFraction, STRENGTH.latencySlowFraction);
          inRange(p.factor, STRENGTH.latencySlowFactor);
          break;
        case 'calibration_gap':
          inRange(p.gap, STRENGTH.calibrationGap);
          break;
        case 'error_burst':
          inRange(p.factor, STRENGTH.errorFactor);
          break;
        case 'labelling_delay':
          expect(p).toEqual({});
          break;
      }
    }
    // Both signs of prediction shift occur over a few seeds (the shift is not always upwards).
    const signs = new Set(
      [1, 2, 3, 4, 5].flatMap((seed) =>
        planGroundTruth(defaultOptions({ seed }))
          .incidents.filter((x) => x.kind === 'prediction_shift')
          .map((x) => Math.sign(Number(x.params!.shiftSd)))
      )
    );
    expect([...signs].sort()).toEqual([-1, 1]);
  });
});

describe('demo generator: series invariants', () => {
  const data = generateOutOfBand(
    defaultOptions({
      seed: 3,
      end: defaultOptions().start + 2 * DAY_MS,
      models: ['fraud', 'churn', 'ranker'],
      versions: ['v1'],
      regions: ['eu', 'us'],
      incidents: parseIncidentMix('6'),
      surges: 2,
      deploys: 2,
      quietMs: 4 * HOUR_MS,
    }),
    true
  );
  const n = data.times.length;

  it('samples every step from start to end', () => {
    expect(n).toBe(2 * 1440);
    expect(data.times[0]).toBe(data.truth.start);
    expect(data.times[1] - data.times[0]).toBe(60_000);
  });

  it('keeps counters, buckets and _count monotone (cumulative, as scraped)', () => {
    let checked = 0;
    data.layout.forEach((s, j) => {
      const type = FAMILIES[s.family].type;
      const cumulative = type === 'counter' || s.sample.endsWith('_bucket') || s.sample.endsWith('_count');
      const positiveSum = s.sample.endsWith('_sum') && s.sample !== 'model_feature_value_sum';
      if (!cumulative && !positiveSum) {
        return;
      }
      checked++;
      for (let k = 1; k < n; k++) {
        if (valueAt(data, j, k) < valueAt(data, j, k - 1)) {
          throw new Error(`${s.sample}{${s.labels}} decreases at step ${k}`);
        }
      }
    });
    // per entity: 67 series minus 3 gauges and 2 feature _sum (features may be negative)
    expect(checked).toBe(data.truth.entities.length * 62);
  });

  it('keeps histogram buckets cumulative per le with +Inf equal to _count', () => {
    const idx = seriesIndex(data);
    let histograms = 0;
    const groups = new Map<string, number[]>();
    data.layout.forEach((s, j) => {
      if (s.sample.endsWith('_bucket')) {
        const key = `${s.sample}|${s.labels.replace(/,le="[^"]+"$/, '')}`;
        groups.set(key, [...(groups.get(key) ?? []), j]);
      }
    });
    for (const [key, buckets] of groups) {
      histograms++;
      const [sample, labels] = key.split('|');
      const count = idx(sample.replace(/_bucket$/, '_count'), labels);
      expect(data.layout[buckets[buckets.length - 1]].labels.endsWith('le="+Inf"')).toBe(true);
      expect(buckets.length).toBeGreaterThanOrEqual(6);
      expect(buckets.length).toBeLessThanOrEqual(10);
      // Plain checks in the hot loop: one jest expect per sample would take seconds.
      for (let k = 0; k < n; k++) {
        for (let b = 1; b < buckets.length; b++) {
          if (valueAt(data, buckets[b], k) < valueAt(data, buckets[b - 1], k)) {
            throw new Error(`${key}: bucket ${b} below bucket ${b - 1} at step ${k}`);
          }
        }
        if (valueAt(data, buckets[buckets.length - 1], k) !== valueAt(data, count, k)) {
          throw new Error(`${key}: +Inf bucket differs from _count at step ${k}`);
        }
      }
    }
    // per entity: latency, score, confidence, confidence_correct and 2 features
    expect(histograms).toBe(data.truth.entities.length * 6);
  });

  it('counts correct outcomes within labelled outcomes, bucket by bucket', () => {
    for (const e of data.truth.entities) {
      const all = bucketSeries(data, 'model_confidence_bucket', entitySelector(e)).idx;
      const ok = bucketSeries(data, 'model_confidence_correct_bucket', entitySelector(e)).idx;
      for (let b = 0; b < all.length; b++) {
        expect(valueAt(data, ok[b], n - 1)).toBeLessThanOrEqual(valueAt(data, all[b], n - 1));
      }
    }
  });

  it('writes one error log line per counted error, in time order, with the stream labels', () => {
    const idx = seriesIndex(data);
    const body = lokiPushBody(data);
    for (const stream of body.streams) {
      expect(Object.keys(stream.stream).sort()).toEqual(['app', 'level', 'model', 'region', 'version']);
      expect(stream.stream.app).toBe('model-service');
      expect(stream.stream.level).toBe('error');
      const e = data.truth.entities.find(
        (x) =>
          x.model === stream.stream.model && x.version === stream.stream.version && x.region === stream.stream.region
      )!;
      expect(stream.values.length).toBe(valueAt(data, idx('model_errors_total', entitySelector(e)), n - 1));
      const bad = stream.values.findIndex(
        ([ns], i) => !/^\d{19}$/.test(ns) || (i > 0 && BigInt(ns) < BigInt(stream.values[i - 1][0]))
      );
      expect(bad).toBe(-1);
      expect(JSON.parse(stream.values[0][1])).toMatchObject({
        level: 'error',
        msg: expect.any(String),
        error: expect.any(String),
      });
    }
  });
});

describe('demo generator: incident effects (default week, in memory)', () => {
  const data = generateOutOfBand(defaultOptions(), false);
  const idx = seriesIndex(data);
  const step = data.truth.stepMs;
  const day = DAY_MS / step;
  const at = (t: number) => Math.round((t - data.truth.start) / step);
  const ratio = (sel: string, k0: number, k1: number) => {
    const err = idx('model_errors_total', sel);
    const req = idx('model_requests_total', sel);
    return (
      (valueAt(data, err, k1) - valueAt(data, err, k0)) / Math.max(1, valueAt(data, req, k1) - valueAt(data, req, k0))
    );
  };

  /** Mean confidence minus accuracy of the predictions labelled between steps a and b. */
  const calibrationGap = (sel: string, a: number, b: number) => {
    const inc = (name: string) => valueAt(data, idx(name, sel), b) - valueAt(data, idx(name, sel), a);
    const n = inc('model_confidence_count');
    return (inc('model_confidence_sum') - inc('model_confidence_correct_count')) / n;
  };
  const quantileRatio = (q: number, sel: string, k0: number, k1: number, r0: number, r1: number) => {
    const h = bucketSeries(data, 'model_latency_seconds_bucket', sel);
    return quantileFromBins(q, binCounts(data, h.idx, k0, k1), h.le) / quantileFromBins(q, binCounts(data, h.idx, r0, r1), h.le);
  };
  const meanLatency = (sel: string, a: number, b: number) =>
    (valueAt(data, idx('model_latency_seconds_sum', sel), b) - valueAt(data, idx('model_latency_seconds_sum', sel), a)) /
    (valueAt(data, idx('model_latency_seconds_count', sel), b) - valueAt(data, idx('model_latency_seconds_count', sel), a));

  it.each(data.truth.incidents.map((x) => [x.id, x.kind, x] as const))(
    '%s (%s) has its documented shape and size',
    (_id, kind, x) => {
      const sel = entitySelector(x.entity);
      const k0 = at(x.start) - 1;
      const k1 = at(x.end) - 1;
      const r0 = k0 - day;
      const r1 = k1 - day;
      // Ramped kinds: the ramp ends rampMin after the start; the hold lasts until the end.
      const kRampEnd = x.params!.rampMin === undefined ? k0 : k0 + Number(x.params!.rampMin);
      switch (kind) {
        case 'input_drift': {
          for (const f of ['amount', 'merchant_risk', 'tenure_days', 'sessions_7d', 'query_length', 'ctr_7d']) {
            const h = bucketSeries(data, 'model_feature_value_bucket', `${sel},feature="${f}"`);
            if (h.idx.length === 0) {
              continue;
            }
            const drift = (a: number, b: number) => psi(binCounts(data, h.idx, a - day, b - day), binCounts(data, h.idx, a, b));
            if (f === x.params!.feature) {
              // Fully shifted during the hold; the first fifth of the ramp has a fifth of the shift
              // (PSI ∝ shift², so about 1/25 of it): a ramp, not a step.
              const hold = drift(kRampEnd, k1);
              const early = drift(k0, k0 + Math.round(Number(x.params!.rampMin) / 5));
              expect(hold).toBeGreaterThan(0.1);
              expect(hold).toBeLessThan(0.7);
              expect(early).toBeLessThan(hold / 5);
            } else {
              expect(drift(k0, k1)).toBeLessThan(0.06);
            }
          }
          break;
        }
        case 'prediction_shift': {
          const h = bucketSeries(data, 'model_prediction_score_bucket', sel);
          const value = psi(binCounts(data, h.idx, r0, r1), binCounts(data, h.idx, k0, k1));
          expect(value).toBeGreaterThan(0.05);
          expect(value).toBeLessThan(0.45);
          break;
        }
        case 'latency_spike': {
          // A fraction of the requests is several times slower: the tail moves a lot, the median
          // little, the mean in between.
          const p99 = quantileRatio(0.99, sel, k0, k1, r0, r1);
          const p50 = quantileRatio(0.5, sel, k0, k1, r0, r1);
          const mean = meanLatency(sel, k0, k1) / meanLatency(sel, r0, r1);
          expect(p99).toBeGreaterThan(1.8);
          expect(p99).toBeLessThan(8);
          expect(p50).toBeLessThan(1.5);
          expect(mean).toBeGreaterThan(1.15);
          expect(mean).toBeLessThan(p99);
          break;
        }
        case 'error_burst': {
          // The day before (and half a day more when there is one) sets the usual ratio.
          const base = ratio(sel, Math.max(0, r0 - day / 2), r1);
          const inside = ratio(sel, k0, k1);
          expect(inside / base).toBeGreaterThan(3);
          expect(inside).toBeLessThan(0.1);
          break;
        }
        case 'calibration_gap': {
          // Grows from nothing over the ramp: the first tenth of it is far below the hold.
          const hold = calibrationGap(sel, kRampEnd, k1);
          const early = calibrationGap(sel, k0, k0 + Math.round(Number(x.params!.rampMin) / 10));
          expect(hold).toBeGreaterThan(0.09);
          expect(early).toBeLessThan(hold / 2);
          expect(calibrationGap(sel, r0, r1)).toBeLessThan(0.04);
          break;
        }
        case 'labelling_delay': {
          const g = idx('model_last_label_timestamp_seconds', sel);
          const stalenessAtEnd = data.times[k1] / 1000 - valueAt(data, g, k1);
          expect(stalenessAtEnd).toBeGreaterThanOrEqual((x.end - x.start) / 1000 - 120);
          let maxBefore = 0;
          for (let k = r0; k <= r1; k++) {
            maxBefore = Math.max(maxBefore, data.times[k] / 1000 - valueAt(data, g, k));
          }
          expect(maxBefore).toBeLessThanOrEqual(180);
          // No label is ingested while the job is stalled; the backlog arrives with the next run.
          const labelled = (a: number, b: number) =>
            valueAt(data, idx('model_confidence_count', sel), b) - valueAt(data, idx('model_confidence_count', sel), a);
          expect(labelled(k0 + 1, k1)).toBe(0);
          const perMinuteBefore = labelled(r0, r1) / (r1 - r0);
          expect(labelled(k1, k1 + 5)).toBeGreaterThan(((k1 - k0) / 2) * perMinuteBefore);
          break;
        }
      }
    }
  );

  it('ingests labels in batches of a minute with the occasional late run (a healthy lag of 0–3 min)', () => {
    for (const e of data.truth.entities.slice(0, 4)) {
      const g = idx('model_last_label_timestamp_seconds', entitySelector(e));
      const lags = new Map<number, number>();
      // Day 1 has no event: its lags are the healthy ones.
      for (let k = 0; k < day; k++) {
        const lag = data.times[k] / 1000 - valueAt(data, g, k);
        lags.set(lag, (lags.get(lag) ?? 0) + 1);
      }
      expect([...lags.keys()].every((lag) => lag % 60 === 0 && lag >= 0 && lag <= 180)).toBe(true);
      // Mostly fresh; a late run (lag 60 s) several times a day, as LABEL_RUN_SKIP_PROB says.
      expect(lags.get(0)! / day).toBeGreaterThan(0.9);
      expect(lags.get(60) ?? 0).toBeGreaterThan(10);
    }
  });

  it.each(data.truth.benign.map((x) => [x.id, x.kind, x] as const))(
    'benign %s (%s) changes only what it should',
    (_id, kind, x) => {
      const sel = entitySelector(x.entity);
      const k0 = at(x.start) - 1;
      const k1 = at(x.end) - 1;
      const req = idx('model_requests_total', sel);
      if (kind === 'traffic_surge') {
        // Against the 75 minutes on either side (the day before may be a weekday vs a weekend day).
        const perStep = (a: number, b: number) => (valueAt(data, req, b) - valueAt(data, req, a)) / (b - a);
        const inside = perStep(k0 + 10, k1 - 10);
        const around = (perStep(k0 - 90, k0 - 15) + perStep(k1 + 15, k1 + 90)) / 2;
        expect(inside / around).toBeGreaterThan(1.5);
        expect(inside / around).toBeLessThan(3.8);
        const base = ratio(sel, k0 - day, k1);
        expect(ratio(sel, k0, k1)).toBeLessThan(Math.max(3 * base, 0.012));
      } else {
        const dep = idx('model_deploy_timestamp_seconds', sel);
        expect(valueAt(data, dep, k1)).toBe(x.start / 1000);
        // The initial deploy plus every deploy of this entity so far (an entity may get two).
        const deploysSoFar = data.truth.benign.filter(
          (b) => b.kind === 'deploy' && entitySelector(b.entity) === sel && b.start <= x.start
        ).length;
        expect(valueAt(data, idx('model_deployments_total', sel), k1)).toBe(1 + deploysSoFar);
        const h = bucketSeries(data, 'model_latency_seconds_bucket', sel);
        const warm = quantileFromBins(0.95, binCounts(data, h.idx, k0, k0 + 5), h.le);
        const before = quantileFromBins(0.95, binCounts(data, h.idx, k0 - day, k1 - day), h.le);
        expect(warm / before).toBeLessThan(1.8);
      }
    }
  );

  it('keeps normal day-to-day variation small (PSI of scores day 3 vs day 2 per entity)', () => {
    for (const e of data.truth.entities) {
      const h = bucketSeries(data, 'model_prediction_score_bucket', entitySelector(e));
      expect(psi(binCounts(data, h.idx, day, 2 * day - 1), binCounts(data, h.idx, 2 * day, 3 * day - 1))).toBeLessThan(
        0.02
      );
    }
  });
});

describe('demo generator: output formats', () => {
  it('renders the live /metrics text format that promtool check metrics accepts', () => {
    const sim = new Simulation(smallOptions());
    sim.onLog = () => undefined;
    for (let i = 0; i < 5; i++) {
      sim.step();
    }
    const text = renderExposition(sim);
    expect(text).toContain('# TYPE model_requests_total counter');
    expect(text).toContain('# TYPE model_latency_seconds histogram');
    expect(text).toMatch(/^model_latency_seconds_bucket\{model="fraud",version="v1",region="eu",le="\+Inf"\} \d+$/m);
    if (prometheusAvailable()) {
      const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      // check metrics exits 1 on lint advice too; only a parse error is a failure here.
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/error while linting|parse error|text format parsing error/i);
    }
  });

  (prometheusAvailable() ? it : it.skip)('writes OpenMetrics (seconds, # EOF) that promtool backfills', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anomalyscore-om-'));
    try {
      const file = path.join(dir, 'metrics.om');
      const data = generateOutOfBand(smallOptions());
      writeOpenMetricsOutOfBand(smallOptions(), file);
      const text = fs.readFileSync(file, 'utf8');
      expect(text.endsWith('# EOF\n')).toBe(true);
      expect(text).toMatch(/^# TYPE model_requests counter\nmodel_requests_total\{[^}]+\} \d+ 1736121600\n/m);
      await backfill(file, path.join(dir, 'data'));
      const blocks = fs.readdirSync(path.join(dir, 'data')).filter((f) => /^[0-9A-Z]{26}$/.test(f));
      expect(blocks.length).toBeGreaterThanOrEqual(1);
      const meta = JSON.parse(fs.readFileSync(path.join(dir, 'data', blocks[0], 'meta.json'), 'utf8'));
      expect(meta.minTime).toBe(data.truth.start);
      expect(meta.stats.numSeries).toBe(data.layout.length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
