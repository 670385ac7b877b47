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
import { planGroundTruth } from '../../demo/generator/schedule';
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

  it('keeps incidents inside the range, 20–120 min long, step-aligned and spaced per entity', () => {
    for (const x of truth.incidents) {
      expect(x.start).toBeGreaterThanOrEqual(truth.start + opts.quietMs);
      expect(x.end).toBeLessThanOrEqual(truth.end);
      expect(x.end - x.start).toBeGreaterThanOrEqual(20 * MINUTE_MS);
      expect(x.end - x.start).toBeLessThanOrEqual(120 * MINUTE_MS);
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

  it.each(data.truth.incidents.map((x) => [x.id, x.kind, x] as const))(
    '%s (%s) is clearly visible but not huge',
    (_id, kind, x) => {
      const sel = entitySelector(x.entity);
      const k0 = at(x.start) - 1;
      const k1 = at(x.end) - 1;
      const r0 = k0 - day;
      const r1 = k1 - day;
      switch (kind) {
        case 'input_drift': {
          for (const f of ['amount', 'merchant_risk', 'tenure_days', 'sessions_7d', 'query_length', 'ctr_7d']) {
            const h = bucketSeries(data, 'model_feature_value_bucket', `${sel},feature="${f}"`);
            if (h.idx.length === 0) {
              continue;
            }
            const value = psi(binCounts(data, h.idx, r0, r1), binCounts(data, h.idx, k0, k1));
            if (f === x.params!.feature) {
              expect(value).toBeGreaterThan(0.15);
              expect(value).toBeLessThan(0.7);
            } else {
              expect(value).toBeLessThan(0.06);
            }
          }
          break;
        }
        case 'prediction_shift': {
          const h = bucketSeries(data, 'model_prediction_score_bucket', sel);
          const value = psi(binCounts(data, h.idx, r0, r1), binCounts(data, h.idx, k0, k1));
          expect(value).toBeGreaterThan(0.15);
          expect(value).toBeLessThan(0.7);
          break;
        }
        case 'latency_spike': {
          const h = bucketSeries(data, 'model_latency_seconds_bucket', sel);
          const before = quantileFromBins(0.95, binCounts(data, h.idx, r0, r1), h.le);
          const inside = quantileFromBins(0.95, binCounts(data, h.idx, k0, k1), h.le);
          expect(inside / before).toBeGreaterThan(2.5);
          expect(inside / before).toBeLessThan(7);
          break;
        }
        case 'error_burst': {
          const base = ratio(sel, r0 - day / 2, r1);
          const inside = ratio(sel, k0, k1);
          expect(inside / base).toBeGreaterThan(4);
          expect(inside).toBeLessThan(0.2);
          break;
        }
        case 'calibration_gap': {
          const gap = (a: number, b: number) => {
            const conf =
              (valueAt(data, idx('model_confidence_sum', sel), b) -
                valueAt(data, idx('model_confidence_sum', sel), a)) /
              (valueAt(data, idx('model_confidence_count', sel), b) -
                valueAt(data, idx('model_confidence_count', sel), a));
            const acc =
              (valueAt(data, idx('model_confidence_correct_count', sel), b) -
                valueAt(data, idx('model_confidence_correct_count', sel), a)) /
              (valueAt(data, idx('model_confidence_count', sel), b) -
                valueAt(data, idx('model_confidence_count', sel), a));
            return conf - acc;
          };
          expect(gap(k0, k1)).toBeGreaterThan(0.09);
          expect(gap(r0, r1)).toBeLessThan(0.04);
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
          break;
        }
      }
    }
  );

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
        expect(valueAt(data, idx('model_deployments_total', sel), k1)).toBe(2);
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
