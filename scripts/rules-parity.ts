/**
 * `npm run rules:parity`: the compiled recording rules against the in-browser engine, on the demo
 * data in a real Prometheus.
 *
 * 1. Generate the demo data (fixed seed) and backfill it (promtool create-blocks-from openmetrics).
 * 2. Compile the spec (demo/spec.yaml when it exists, else PARITY_SPEC below) to recording rules.
 * 3. Evaluate the rules the way a ruler does, layer by layer in dependency order: each layer's
 *    rules are evaluated over the whole range at the evaluation interval (range queries; rules that
 *    use `@ end()` as one instant query per step, which is what a ruler runs), the results are
 *    written as OpenMetrics, backfilled into the data directory and Prometheus is restarted so the
 *    next layer can read them. (`promtool tsdb create-blocks-from rules` does the same for one
 *    layer, but through range queries only, where `end()` is the end of the range.)
 * 4. Score every entity with `scoreEntity` (src/scoring/engine.ts) over the signals' inputs fetched
 *    with queryRange on the same grid, and compare the score and tier point by point.
 * Last line: JSON {"tier_agreement", "median_abs_diff", ...}.
 *
 * Options: --days N (default 3), --seed N (default 42), --concurrency N (default 8), --keep (keep
 * the temporary directory).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { DAY_MS, defaultOptions, type GroundTruth } from '../demo/generator/types';
import { CONFIDENCE_LE, SCORE_LE } from '../demo/generator/model';
import { backfill, findBinary, freePort, queryRange, queryRangeRaw } from '../tests/integration/prometheus';
import { tmpRoot, writeOpenMetricsOutOfBand } from '../tests/integration/generated';
import { parseSpec, validateSpec, type ScoreSpec, type ScoreSpecInput } from '../src/scoring/spec';
import { scoreEntity } from '../src/scoring/engine';
import { kindInfo } from '../src/scoring/spec';
import type { SignalInput } from '../src/scoring/types';
import { compileRules, type CompiledRules, type RecordingRule } from '../src/scoring/rules';

const ENTITY = ['model', 'version', 'region'];
const BY = 'model, version, region';

/**
 * The parity spec over the demo metric names (docs/instrumentation.md). Kinds whose compiled form is
 * exact: robust_z, ratio, histogram_drift, staleness, threshold, calibration (level_shift is listed
 * as unsupported by the compiler and is left out here). Hysteresis 0 and no minimum duration, so
 * the stateless `anomaly:tier` is the engine's tier; the engine's default hysteresis is reported
 * separately. Windows are kept short so that a few days of data are enough.
 */
export const PARITY_SPEC: ScoreSpecInput = {
  id: 'parity',
  version: 1,
  title: 'rules parity (demo)',
  entity: ENTITY,
  step: '1m',
  signals: [
    {
      id: 'latency_p95',
      kind: 'robust_z',
      weight: 1,
      direction: 'up',
      params: { window: '1h', warmup: 20, warn: 3, max: 8 },
      source: {
        queries: {
          value: `histogram_quantile(0.95, sum by (${BY}, le) (rate(model_latency_seconds_bucket[5m])))`,
        },
      },
    },
    {
      id: 'error_ratio',
      kind: 'ratio',
      weight: 1.5,
      params: { window: '10m', baseline: '2h', warn: 3, max: 8 },
      source: {
        queries: {
          numerator: `sum by (${BY}) (increase(model_errors_total[1m]))`,
          denominator: `sum by (${BY}) (increase(model_requests_total[1m]))`,
        },
      },
    },
    {
      id: 'score_drift',
      kind: 'histogram_drift',
      weight: 1,
      params: { window: '30m', reference: '2h', metric: 'psi', minCount: 200, severity: 'ramp' },
      source: {
        queries: { buckets: `sum by (${BY}, le) (increase(model_prediction_score_bucket[1m]))` },
      },
    },
    {
      id: 'label_lag',
      kind: 'staleness',
      weight: 1,
      params: { warn: '15m', max: '1h', missingAfter: '10m' },
      source: { queries: { value: `max by (${BY}) (model_last_label_timestamp_seconds)` } },
    },
    {
      id: 'latency_slo',
      kind: 'threshold',
      weight: 0.5,
      params: { above: 2, soft: 2 },
      source: {
        queries: {
          value: `histogram_quantile(0.99, sum by (${BY}, le) (rate(model_latency_seconds_bucket[5m])))`,
        },
      },
    },
    {
      id: 'calibration_gap',
      kind: 'calibration',
      weight: 1,
      params: { window: '1h', baseline: '3h', minCount: 100, severity: 'ramp' },
      source: {
        queries: {
          buckets: `sum by (${BY}, le) (increase(model_confidence_bucket[1m]))`,
          correct: `sum by (${BY}, le) (increase(model_confidence_correct_bucket[1m]))`,
        },
      },
    },
  ],
  tiers: { hysteresis: 0, minDuration: '0s' },
};

/** Bucket bounds of the demo histograms used by the parity spec. */
export const PARITY_BUCKETS: Record<string, Array<number | string>> = {
  score_drift: [...SCORE_LE, '+Inf'],
  calibration_gap: [...CONFIDENCE_LE, '+Inf'],
};

// ---------------------------------------------------------------------------------------------
// A restartable Prometheus over one data directory
// ---------------------------------------------------------------------------------------------

export class Prom {
  url = '';
  private child: ChildProcess | null = null;
  /**
   * `lookbackMs`: Prometheus' lookback for instant selectors. A ruler writes a staleness marker when
   * a rule stops returning a series, so an instant selector never reads a recorded series' older
   * sample; backfilled blocks carry no staleness markers, so the parity Prometheus looks back less
   * than one step instead, which gives the same "the sample at t or nothing" reading.
   */
  constructor(
    readonly dir: string,
    readonly dataDir: string,
    readonly lookbackMs = 30_000
  ) {}

  async start(): Promise<void> {
    const config = path.join(this.dir, 'prometheus.yml');
    fs.writeFileSync(config, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const child = spawn(
        findBinary('prometheus'),
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${this.dataDir}`,
          '--storage.tsdb.retention.time=3650d',
          `--web.listen-address=127.0.0.1:${port}`,
          '--query.max-samples=200000000',
          `--query.lookback-delta=${Math.max(1, Math.floor(this.lookbackMs / 1000))}s`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] }
      );
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && child.exitCode === null) {
        try {
          const r = await fetch(`${url}/-/ready`);
          if (r.status === 200) {
            this.child = child;
            this.url = url;
            return;
          }
        } catch {
          // not yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGKILL');
      if (!/address already in use/i.test(stderr)) {
        throw new Error(`prometheus did not start: ${stderr}`);
      }
    }
    throw new Error('prometheus did not start (ports)');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) {
      return;
    }
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** Backfill OpenMetrics text into the data directory (while stopped) via a separate block dir. */
  async addBlocks(openMetrics: string, tag: string): Promise<void> {
    const file = path.join(this.dir, `${tag}.om`);
    fs.writeFileSync(file, openMetrics);
    const out = path.join(this.dir, `blocks-${tag}`);
    await backfill(file, out);
    for (const b of fs.readdirSync(out)) {
      if (/^[0-9A-Z]{26}$/.test(b)) {
        fs.renameSync(path.join(out, b), path.join(this.dataDir, b));
      }
    }
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(file, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Layered rule evaluation
// ---------------------------------------------------------------------------------------------

/** Recording rules grouped so that each rule only reads records of earlier layers. */
export function layers(rules: RecordingRule[]): RecordingRule[][] {
  const names = new Set(rules.map((r) => r.record));
  const producers = new Map<string, number[]>();
  rules.forEach((r, i) => producers.set(r.record, [...(producers.get(r.record) ?? []), i]));
  const deps = rules.map((r) => {
    const out = new Set<number>();
    for (const tok of r.expr.match(/anomaly:[a-zA-Z0-9_:]*/g) ?? []) {
      for (const n of names) {
        if (n === tok || (tok.endsWith(':') && n.startsWith(tok))) {
          producers.get(n)!.forEach((j) => j !== rules.indexOf(r) && out.add(j));
        }
      }
    }
    return [...out];
  });
  const depth = new Array<number>(rules.length).fill(-1);
  const visit = (i: number, stack: Set<number>): number => {
    if (depth[i] >= 0) {
      return depth[i];
    }
    if (stack.has(i)) {
      throw new Error(`rule ${rules[i].record} depends on itself`);
    }
    stack.add(i);
    let d = 0;
    for (const j of deps[i]) {
      d = Math.max(d, visit(j, stack) + 1);
    }
    stack.delete(i);
    depth[i] = d;
    return d;
  };
  rules.forEach((_, i) => visit(i, new Set()));
  const out: RecordingRule[][] = [];
  rules.forEach((r, i) => (out[depth[i]] ??= []).push(r));
  return out;
}

export interface Sample {
  labels: Record<string, string>;
  t: number[];
  v: number[];
}

/**
 * Gathers the samples of one recording rule's query results into series keyed by their labels
 * (the rule's labels applied, `__name__` dropped), as a ruler would store them; `samples()` returns
 * each series in time order (instant queries may finish out of order).
 */
export class SampleCollector {
  private readonly series = new Map<string, Sample>();

  constructor(private readonly rule: RecordingRule) {}

  add(metric: Record<string, string>, values: Array<[number, string]>): void {
    const labels = { ...metric, ...(this.rule.labels ?? {}) };
    delete labels.__name__;
    const key = JSON.stringify(Object.entries(labels).sort());
    let s = this.series.get(key);
    if (!s) {
      s = { labels, t: [], v: [] };
      this.series.set(key, s);
    }
    for (const [ts, val] of values) {
      s.t.push(Math.round(ts * 1000));
      s.v.push(Number(val.replace(/^\+?Inf$/, 'Infinity').replace(/^-Inf$/, '-Infinity')));
    }
  }

  samples(): Sample[] {
    for (const s of this.series.values()) {
      const order = s.t.map((_, i) => i).sort((a, b) => s.t[a] - s.t[b]);
      s.t = order.map((i) => s.t[i]);
      s.v = order.map((i) => s.v[i]);
    }
    return [...this.series.values()];
  }
}

/** Runs `f` over `items` with at most `n` in flight. */
export async function pool<T>(items: T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        await f(items[next++]);
      }
    })
  );
}

/** Evaluate one rule as a ruler would, from start to end at the step. */
export async function evalRule(
  url: string,
  rule: RecordingRule,
  start: number,
  end: number,
  stepMs: number,
  concurrency: number
): Promise<Sample[]> {
  const collector = new SampleCollector(rule);
  const add = (metric: Record<string, string>, values: Array<[number, string]>) => collector.add(metric, values);
  if (/@\s*end\(\)/.test(rule.expr)) {
    // A ruler evaluates instant queries: end() is the evaluation time.
    const times: number[] = [];
    for (let t = start; t <= end; t += stepMs) {
      times.push(t);
    }
    const results = new Map<number, Awaited<ReturnType<typeof queryRangeRaw>>>();
    await pool(times, concurrency, async (t) => {
      results.set(t, await queryRangeRaw(url, rule.expr, t, t, stepMs));
    });
    for (const t of times) {
      for (const r of results.get(t)!) {
        add(r.metric, r.values);
      }
    }
  } else {
    const span = 10_000 * stepMs;
    for (let s = start; s <= end; s += span + stepMs) {
      for (const r of await queryRangeRaw(url, rule.expr, s, Math.min(end, s + span), stepMs)) {
        add(r.metric, r.values);
      }
    }
  }
  return collector.samples();
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function fmt(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);
}

/** OpenMetrics text of recorded series, grouped by metric family. */
export function toOpenMetrics(byName: Map<string, Sample[]>): string {
  const parts: string[] = [];
  for (const [name, list] of byName) {
    parts.push(`# TYPE ${name} gauge\n`);
    for (const s of list) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      const lines: string[] = [];
      for (let i = 0; i < s.t.length; i++) {
        lines.push(`${name}{${labels}} ${fmt(s.v[i])} ${s.t[i] / 1000}`);
      }
      parts.push(lines.join('\n') + '\n');
    }
  }
  parts.push('# EOF\n');
  return parts.join('');
}

export interface EvaluatedRules {
  /** record name -> series */
  series: Map<string, Sample[]>;
  layers: number;
  timings: Record<string, number>;
}

/** Evaluate every recording rule, materialising layer after layer into the running Prometheus. */
export async function evaluateLayers(
  prom: Prom,
  rules: RecordingRule[],
  start: number,
  end: number,
  stepMs: number,
  concurrency: number,
  log: (s: string) => void = () => undefined
): Promise<EvaluatedRules> {
  const all = new Map<string, Sample[]>();
  const ls = layers(rules);
  const timings: Record<string, number> = {};
  for (let i = 0; i < ls.length; i++) {
    const t0 = Date.now();
    const byName = new Map<string, Sample[]>();
    for (const rule of ls[i]) {
      const samples = await evalRule(prom.url, rule, start, end, stepMs, concurrency);
      byName.set(rule.record, [...(byName.get(rule.record) ?? []), ...samples]);
      all.set(rule.record, [...(all.get(rule.record) ?? []), ...samples]);
    }
    const t1 = Date.now();
    if (i < ls.length - 1) {
      await prom.stop();
      await prom.addBlocks(toOpenMetrics(byName), `layer${i}`);
      await prom.start();
    }
    timings[`layer${i}`] = Date.now() - t0;
    log(
      `layer ${i}: ${ls[i].length} rules (${ls[i].map((r) => r.record.replace('anomaly:', '')).join(', ')}) eval ${t1 - t0} ms, materialise ${Date.now() - t1} ms`
    );
  }
  return { series: all, layers: ls.length, timings };
}

// ---------------------------------------------------------------------------------------------
// Engine side
// ---------------------------------------------------------------------------------------------

const keyOf = (labels: Record<string, string>) => ENTITY.map((e) => labels[e] ?? '').join('/');

/** Inputs of one signal per entity from range queries of its queries (as the data source fetches them). */
async function engineInputs(
  url: string,
  spec: ScoreSpec,
  grid: Float64Array,
  stepMs: number
): Promise<Map<string, { labels: Record<string, string>; inputs: Record<string, SignalInput> }>> {
  const out = new Map<string, { labels: Record<string, string>; inputs: Record<string, SignalInput> }>();
  const start = grid[0];
  const end = grid[grid.length - 1];
  const col = (times: number[], values: Array<number | null>): Float64Array => {
    const a = new Float64Array(grid.length).fill(NaN);
    times.forEach((t, i) => {
      const k = Math.round((t - start) / stepMs);
      if (k >= 0 && k < grid.length) {
        a[k] = values[i] === null ? NaN : (values[i] as number);
      }
    });
    return a;
  };
  for (const s of spec.signals) {
    const byRole: Record<string, Map<string, Map<string, Float64Array>>> = {};
    for (const [role, q] of Object.entries(s.source?.queries ?? {})) {
      const frames = await queryRange(url, q, start, end, stepMs, { values: 'number' } as never);
      const m = new Map<string, Map<string, Float64Array>>();
      for (const f of frames) {
        const labels = (f.schema?.fields?.[1]?.labels ?? {}) as Record<string, string>;
        const [times, values] = f.data.values as [number[], Array<number | null>];
        const k = keyOf(labels);
        if (!out.has(k)) {
          out.set(k, { labels: Object.fromEntries(ENTITY.map((e) => [e, labels[e] ?? ''])), inputs: {} });
        }
        const per = m.get(k) ?? new Map<string, Float64Array>();
        per.set(labels.le ?? '', col(times, values));
        m.set(k, per);
      }
      byRole[role] = m;
    }
    const type = kindInfo(s.kind)?.inputType;
    for (const [k, ent] of out) {
      const t = grid;
      const single = (role: string) => byRole[role]?.get(k)?.get('');
      const buckets = (role: string) => {
        const per = byRole[role]?.get(k);
        if (!per) {
          return undefined;
        }
        const les = [...per.keys()]
          .map((le) => ({ le, n: /^\+?inf$/i.test(le) ? Infinity : Number(le) }))
          .sort((a, b) => a.n - b.n);
        return { le: Float64Array.from(les.map((x) => x.n)), cols: les.map((x) => per.get(x.le)!) };
      };
      if (type === 'value' && single('value')) {
        ent.inputs[s.id] = { type: 'value', t, value: single('value')! };
      } else if (type === 'ratio' && single('denominator')) {
        const den = single('denominator')!;
        const num = single('numerator') ?? new Float64Array(grid.length);
        for (let i = 0; i < num.length; i++) {
          if (Number.isNaN(num[i]) && Number.isFinite(den[i])) {
            num[i] = 0;
          }
        }
        ent.inputs[s.id] = { type: 'ratio', t, num, den };
      } else if (type === 'buckets' && buckets('buckets')) {
        const b = buckets('buckets')!;
        ent.inputs[s.id] = { type: 'buckets', t, le: b.le, cumulative: b.cols };
      } else if (type === 'calibration' && buckets('buckets')) {
        const b = buckets('buckets')!;
        const c = buckets('correct');
        ent.inputs[s.id] = {
          type: 'calibration',
          t,
          le: b.le,
          total: b.cols,
          correct: c ? c.cols : b.cols.map(() => new Float64Array(grid.length).fill(NaN)),
        };
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

export interface ParityFigures {
  tier_agreement: number;
  median_abs_diff: number;
  p99_abs_diff: number;
  max_abs_diff: number;
  /** Over points where either side scores > 1 (the points that matter for alerting). */
  active_points: number;
  active_median_abs_diff: number;
  active_tier_agreement: number;
  /** Tier agreement against the engine run without hysteresis (what the stateless anomaly:tier models). */
  tier_agreement_no_hysteresis: number;
  points: number;
  entities: number;
  /** Highest score on each side (shows the comparison is not between two flat zeros). */
  max_score_engine: number;
  max_score_compiled: number;
  /** Points in each tier (engine), ok..critical. */
  engine_tier_counts: number[];
  /** Engine points with no (or a non-finite) compiled score: counted as disagreement, |diff| 100. */
  missing_compiled: number;
  /** The first few of them, with the engine's and the compiled severities, to see which signal. */
  missing_examples: Array<Record<string, unknown>>;
  per_signal_median_abs_severity_diff: Record<string, number>;
  per_signal_p99_abs_severity_diff: Record<string, number>;
  signals: string[];
  unsupported: CompiledRules['unsupported'];
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) {
    return NaN;
  }
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
}

function seriesIndex(list: Sample[] | undefined, extraKey?: (l: Record<string, string>) => string) {
  const m = new Map<string, Map<number, number>>();
  for (const s of list ?? []) {
    const k = keyOf(s.labels) + (extraKey ? `#${extraKey(s.labels)}` : '');
    const tv = new Map<number, number>();
    s.t.forEach((t, i) => tv.set(t, s.v[i]));
    m.set(k, tv);
  }
  return m;
}

export function compare(
  spec: ScoreSpec,
  compiled: CompiledRules,
  evaluated: EvaluatedRules,
  entities: Map<string, { labels: Record<string, string>; inputs: Record<string, SignalInput> }>,
  grid: Float64Array,
  fromMs: number
): ParityFigures {
  const score = seriesIndex(evaluated.series.get('anomaly:score'));
  const tier = seriesIndex(evaluated.series.get('anomaly:tier'));
  const sev = seriesIndex(evaluated.series.get('anomaly:signal:severity'), (l) => l.signal);
  const hystSpec = validateSpec({ ...spec, tiers: { ...spec.tiers, hysteresis: 0 } }).spec!;
  const diffs: number[] = [];
  const activeDiffs: number[] = [];
  let agree = 0;
  let agreeH = 0;
  let activeAgree = 0;
  let n = 0;
  let missing = 0;
  let maxE = 0;
  let maxC = 0;
  const tierCounts = [0, 0, 0, 0];
  const examples: Array<Record<string, unknown>> = [];
  const sevDiffs: Record<string, number[]> = {};
  for (const [k, ent] of entities) {
    const es = scoreEntity(spec, ent.labels, ent.inputs, { stepMs: compiled.stepMs });
    const esH = scoreEntity(hystSpec, ent.labels, ent.inputs, { stepMs: compiled.stepMs });
    const sc = score.get(k);
    const tr = tier.get(k);
    for (let i = 0; i < es.t.length; i++) {
      const t = es.t[i];
      if (t < fromMs) {
        continue;
      }
      n++;
      const cs = sc?.get(t);
      const ct = tr?.get(t);
      if (cs === undefined || ct === undefined || !Number.isFinite(cs)) {
        // No (or a non-finite) compiled score where the engine has one: a full disagreement.
        missing++;
        if (examples.length < 5) {
          const sevs: Record<string, string> = {};
          for (const sg of spec.signals) {
            sevs[sg.id] = `${es.signals[sg.id].result.severity[i]} / ${sev.get(`${k}#${sg.id}`)?.get(t)}`;
          }
          examples.push({ entity: k, t: new Date(t).toISOString(), engine: es.score[i], compiled: cs, sevs });
        }
        diffs.push(Number.isFinite(cs ?? NaN) ? Math.abs(cs! - es.score[i]) : 100);
        continue;
      }
      const d = Math.abs(cs - es.score[i]);
      maxE = Math.max(maxE, es.score[i]);
      maxC = Math.max(maxC, cs);
      tierCounts[es.tier[i]]++;
      diffs.push(d);
      if (ct === es.tier[i]) {
        agree++;
      }
      if (ct === esH.tier[i]) {
        agreeH++;
      }
      if (cs > 1 || es.score[i] > 1) {
        activeDiffs.push(d);
        if (ct === es.tier[i]) {
          activeAgree++;
        }
      }
      for (const s of spec.signals) {
        const e = es.signals[s.id].result.severity[i];
        const c = sev.get(`${k}#${s.id}`)?.get(t);
        if (!Number.isNaN(e) || c !== undefined) {
          const d = Math.abs((Number.isNaN(e) ? 0 : e) - (c ?? 0));
          (sevDiffs[s.id] ??= []).push(Number.isNaN(d) ? 1 : d);
        }
      }
    }
  }
  const per: Record<string, number> = {};
  const per99: Record<string, number> = {};
  for (const [id, xs] of Object.entries(sevDiffs)) {
    per[id] = round(quantile(xs, 0.5));
    per99[id] = round(quantile(xs, 0.99));
  }
  void grid;
  return {
    tier_agreement: round(agree / Math.max(1, n)),
    median_abs_diff: round(quantile(diffs, 0.5)),
    p99_abs_diff: round(quantile(diffs, 0.99)),
    max_abs_diff: round(quantile(diffs, 1)),
    active_points: activeDiffs.length,
    active_median_abs_diff: round(quantile(activeDiffs, 0.5)),
    active_tier_agreement: round(activeAgree / Math.max(1, activeDiffs.length)),
    tier_agreement_no_hysteresis: round(agreeH / Math.max(1, n)),
    points: n,
    entities: entities.size,
    max_score_engine: round(maxE),
    max_score_compiled: round(maxC),
    engine_tier_counts: tierCounts,
    missing_compiled: missing,
    missing_examples: examples,
    per_signal_median_abs_severity_diff: per,
    per_signal_p99_abs_severity_diff: per99,
    signals: spec.signals.map((s) => s.id),
    unsupported: compiled.unsupported,
  };
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x;
}

// ---------------------------------------------------------------------------------------------
// The whole run
// ---------------------------------------------------------------------------------------------

export interface ParityOptions {
  days?: number;
  seed?: number;
  concurrency?: number;
  keep?: boolean;
  /** Spec text (YAML/JSON); default demo/spec.yaml if present, else PARITY_SPEC. */
  specText?: string;
  /** Use PARITY_SPEC even when demo/spec.yaml exists. */
  inlineSpec?: boolean;
  /** Demo fleet size (default 3 models x 2 versions x 2 regions). */
  models?: number;
  versions?: number;
  regions?: number;
  buckets?: Record<string, Array<number | string>>;
  log?: (s: string) => void;
}

export interface ParityResult {
  figures: ParityFigures;
  compiled: CompiledRules;
  timings: Record<string, number>;
  specSource: string;
}

function loadSpec(opts: ParityOptions): { spec: ScoreSpec; source: string } {
  const demoSpec = path.resolve(__dirname, '..', 'demo', 'spec.yaml');
  let text = opts.specText;
  let source = 'inline';
  if (text === undefined && !opts.inlineSpec && fs.existsSync(demoSpec)) {
    text = fs.readFileSync(demoSpec, 'utf8');
    source = 'demo/spec.yaml';
  }
  if (text !== undefined) {
    const r = parseSpec(text);
    if (!r.ok || !r.spec) {
      throw new Error(`invalid spec (${source}): ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    }
    return { spec: r.spec, source };
  }
  return { spec: validateSpec(PARITY_SPEC).spec!, source: 'scripts/rules-parity.ts PARITY_SPEC' };
}

export async function runParity(opts: ParityOptions = {}): Promise<ParityResult> {
  const log = opts.log ?? (() => undefined);
  const timings: Record<string, number> = {};
  const { spec: fullSpec, source } = loadSpec(opts);
  const buckets = opts.buckets ?? (source.startsWith('scripts') ? PARITY_BUCKETS : inferBuckets(fullSpec));
  const result = compileRules(fullSpec, { buckets });
  if (!result.ok || !result.rules) {
    throw new Error(`cannot compile: ${result.errors.join('; ')}`);
  }
  const compiled = result.rules;
  // The engine scores only what compiled (the unsupported signals are reported, not compared).
  const spec = validateSpec({
    ...fullSpec,
    signals: fullSpec.signals.filter((s) => compiled.compiled.includes(s.id) && !compiled.logSignals.includes(s.id)),
  }).spec!;
  const rules = compiled.prometheus[0].rules.filter((r): r is RecordingRule => 'record' in r);

  const days = opts.days ?? 3;
  const base = defaultOptions();
  const gen = defaultOptions({
    seed: opts.seed ?? 42,
    models: base.models.slice(0, opts.models ?? base.models.length),
    versions: base.versions.slice(0, opts.versions ?? base.versions.length),
    regions: base.regions.slice(0, opts.regions ?? base.regions.length),
  });
  gen.end = gen.start + days * DAY_MS;
  const fleet = gen.models.length * gen.versions.length * gen.regions.length;
  if (fleet < 12 || days < 7) {
    // Fewer entity-days than the default week of 12: one incident of each kind, fewer benign events.
    const one = Object.fromEntries(Object.keys(gen.incidents).map((k) => [k, 1])) as typeof gen.incidents;
    gen.incidents = fleet * days >= 24 ? gen.incidents : one;
    gen.surges = Math.min(gen.surges, Math.max(1, Math.floor(fleet / 2)));
    gen.deploys = Math.min(gen.deploys, Math.max(1, Math.floor(fleet / 2)));
  }
  gen.quietMs = Math.min(gen.quietMs, (days * DAY_MS) / 4);
  const dir = fs.mkdtempSync(path.join(tmpRoot(), 'anomalyscore-parity-'));
  const dataDir = path.join(dir, 'data');
  const prom = new Prom(dir, dataDir, compiled.stepMs / 2);
  try {
    let t = Date.now();
    const om = path.join(dir, 'metrics.om');
    writeOpenMetricsOutOfBand(gen, om);
    const truth = JSON.parse(fs.readFileSync(om + '.truth.json', 'utf8')) as GroundTruth;
    timings.generate = Date.now() - t;
    t = Date.now();
    await backfill(om, dataDir);
    fs.rmSync(om, { force: true });
    timings.backfill = Date.now() - t;
    await prom.start();
    const stepMs = compiled.stepMs;
    const start = Math.ceil(truth.start / stepMs) * stepMs;
    const end = truth.end - stepMs;
    log(
      `demo: ${days} days, ${truth.entities.length} entities; spec ${spec.id} from ${source}; ${rules.length} recording rules`
    );
    t = Date.now();
    const evaluated = await evaluateLayers(prom, rules, start, end, stepMs, opts.concurrency ?? 8, log);
    timings.rules = Date.now() - t;
    t = Date.now();
    const grid = new Float64Array(Math.floor((end - start) / stepMs) + 1).map((_, i) => start + i * stepMs);
    const entities = await engineInputs(prom.url, spec, grid, stepMs);
    timings.engineFetch = Date.now() - t;
    t = Date.now();
    // Compare from the second hour: the first points of the range have no 5m rate yet.
    const figures = compare(spec, compiled, evaluated, entities, grid, start + 3_600_000);
    timings.compare = Date.now() - t;
    return { figures, compiled, timings, specSource: source };
  } finally {
    await prom.stop();
    if (!opts.keep) {
      fs.rmSync(dir, { recursive: true, force: true });
    } else {
      log(`kept ${dir}`);
    }
  }
}

/** For a demo/spec.yaml: bucket bounds of the demo histograms its drift / calibration signals read. */
function inferBuckets(spec: ScoreSpec): Record<string, Array<number | string>> {
  const out: Record<string, Array<number | string>> = {};
  for (const s of spec.signals) {
    const q = Object.values(s.source?.queries ?? {}).join(' ');
    if (s.kind === 'calibration' || /model_confidence/.test(q)) {
      out[s.id] = [...CONFIDENCE_LE, '+Inf'];
    } else if (s.kind === 'histogram_drift' && /model_prediction_score/.test(q)) {
      out[s.id] = [...SCORE_LE, '+Inf'];
    }
  }
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const started = Date.now();
  const r = await runParity({
    days: opt('days') ? Number(opt('days')) : undefined,
    seed: opt('seed') ? Number(opt('seed')) : undefined,
    concurrency: opt('concurrency') ? Number(opt('concurrency')) : undefined,
    keep: argv.includes('--keep'),
    inlineSpec: argv.includes('--inline-spec'),
    models: opt('models') ? Number(opt('models')) : undefined,
    versions: opt('versions') ? Number(opt('versions')) : undefined,
    regions: opt('regions') ? Number(opt('regions')) : undefined,
    log: (s) => process.stdout.write(s + '\n'),
  });
  const f = r.figures;
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`spec: ${r.specSource}; compared signals: ${f.signals.join(', ')}`);
  for (const u of f.unsupported) {
    out(`not compiled: ${u.signal} (${u.kind}): ${u.reason}`);
  }
  out(`points: ${f.points} over ${f.entities} entities (missing compiled score: ${f.missing_compiled})`);
  for (const ex of f.missing_examples) {
    out(`  no compiled score: ${JSON.stringify(ex)}`);
  }
  out(`score |diff|: median ${f.median_abs_diff}, p99 ${f.p99_abs_diff}, max ${f.max_abs_diff}`);
  out(
    `active points (either score > 1): ${f.active_points}, median |diff| ${f.active_median_abs_diff}, tier agreement ${f.active_tier_agreement}`
  );
  out(
    `max score: engine ${f.max_score_engine}, compiled ${f.max_score_compiled}; engine points per tier ok/watch/review/critical: ${f.engine_tier_counts.join('/')}`
  );
  out(`tier agreement: ${f.tier_agreement} (against the engine without hysteresis: ${f.tier_agreement_no_hysteresis})`);
  for (const id of Object.keys(f.per_signal_median_abs_severity_diff)) {
    out(
      `  severity |diff| ${id}: median ${f.per_signal_median_abs_severity_diff[id]}, p99 ${f.per_signal_p99_abs_severity_diff[id]}`
    );
  }
  out(`timings ms: ${JSON.stringify({ ...r.timings, total: Date.now() - started })}`);
  out(JSON.stringify({ tier_agreement: f.tier_agreement, median_abs_diff: f.median_abs_diff }));
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`rules:parity: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
