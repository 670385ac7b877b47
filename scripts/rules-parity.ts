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
import * as http from 'node:http';
import * as path from 'node:path';

import { DAY_MS, defaultOptions, type GroundTruth } from '../demo/generator/types';
import { CONFIDENCE_LE, SCORE_LE } from '../demo/generator/model';
import { backfill, findBinary, freePort, queryRange, queryRangeRaw } from '../tests/integration/prometheus';
import { tmpRoot, writeOpenMetricsOutOfBand } from '../tests/integration/generated';
import { parseSpec, validateSpec, type ScoreSpec, type ScoreSpecInput } from '../src/scoring/spec';
import { scoreEntity } from '../src/scoring/engine';
import { kindInfo } from '../src/scoring/spec';
import type { SignalInput } from '../src/scoring/types';
import { compileRules, SERIES, type CompiledRules, type RecordingRule, type RuleGroup } from '../src/scoring/rules';
import { compiledEmpiricalDecades, compiledTailFit, rarityPlan, RARITY_SERIES } from '../src/scoring/rules/rarity';
import { fitTail, raritySeverity, tailDecades, MIN_HISTORY_BLOCKS, type TailFit } from '../src/scoring/signals/rarity';
import { resolveSeverity } from '../src/scoring/signals/registry';
import { toSeconds, type ParamValue } from '../src/scoring/signals/params';
import { durationToMs } from '../src/scoring/util/duration';

const ENTITY = ['model', 'version', 'region'];
const BY = 'model, version, region';
/** The rarity history of the parity spec: short enough that a week of data slides it. */
const PARITY_RARITY_WINDOW = '2d';

/**
 * The parity spec over the demo metric names (docs/instrumentation.md): every kind the compiler
 * compiles, the statistical ones on the default rarity severity (with `rarityWindow: 2d`, so that a
 * week of demo data slides the window over five days instead of only filling it), one fixed ramp
 * with a hold (`errors_ramp`) so the ramp path stays covered, and threshold (absolute).
 * level_shift is listed as unsupported by the compiler and is left out here. Hysteresis 0 and no
 * minimum duration, so the stateless `anomaly:tier` is the engine's tier; the engine's default
 * hysteresis is reported separately. Windows are kept short so that a few days of data are enough.
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
      params: { window: '1h', warmup: 20, rarityWindow: PARITY_RARITY_WINDOW },
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
      params: { window: '10m', baseline: '2h', rarityWindow: PARITY_RARITY_WINDOW },
      source: {
        queries: {
          numerator: `sum by (${BY}) (increase(model_errors_total[1m]))`,
          denominator: `sum by (${BY}) (increase(model_requests_total[1m]))`,
        },
      },
    },
    {
      id: 'errors_ramp',
      kind: 'ratio',
      weight: 0.5,
      params: { window: '5m', baseline: '1h', warn: 3, max: 8, hold: '5m' },
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
      params: { window: '30m', reference: '2h', metric: 'psi', minCount: 200, rarityWindow: PARITY_RARITY_WINDOW },
      source: {
        queries: { buckets: `sum by (${BY}, le) (increase(model_prediction_score_bucket[1m]))` },
      },
    },
    {
      id: 'label_lag',
      kind: 'staleness',
      weight: 1,
      params: { missingAfter: '10m', rarityWindow: PARITY_RARITY_WINDOW },
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
      params: { window: '1h', baseline: '3h', minCount: 100, rarityWindow: PARITY_RARITY_WINDOW },
      source: {
        queries: {
          buckets: `sum by (${BY}, le) (increase(model_confidence_bucket[1m]))`,
          correct: `sum by (${BY}, le) (increase(model_confidence_correct_bucket[1m]))`,
        },
      },
    },
    {
      id: 'requests_drop',
      kind: 'seasonal',
      weight: 0.5,
      direction: 'down',
      params: { season: '1d', seasons: 3, window: '6h', rarityWindow: PARITY_RARITY_WINDOW },
      source: { queries: { value: `sum by (${BY}) (rate(model_requests_total[5m]))` } },
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
    // Out-of-order ingestion: rules that read their own past are written back through the
    // remote-write receiver at past times, below the backfilled blocks' end.
    fs.writeFileSync(
      config,
      'global:\n  scrape_interval: 1m\nstorage:\n  tsdb:\n    out_of_order_time_window: 3650d\nscrape_configs: []\n'
    );
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
          '--web.enable-remote-write-receiver',
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

  /** Backfill recorded series into the data directory (while stopped) via a separate block dir. */
  async addBlocks(byName: Map<string, Sample[]>, tag: string): Promise<void> {
    const file = path.join(this.dir, `${tag}.om`);
    writeOpenMetrics(byName, file);
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
// Rule evaluation the way a ruler does it
// ---------------------------------------------------------------------------------------------

/** A recording rule with the interval of its group and its position in the rule file. */
export interface ScheduledRule {
  rule: RecordingRule;
  intervalMs: number;
  group: string;
  /** Position in the file (groups in order, rules in order): the ruler's order within a group. */
  order: number;
}

/** The recording rules of compiled rule groups, with their groups' intervals. */
export function scheduledRules(groups: RuleGroup[], keep: (r: RecordingRule) => boolean = () => true): ScheduledRule[] {
  const out: ScheduledRule[] = [];
  for (const g of groups) {
    const intervalMs = durationToMs(g.interval);
    for (const r of g.rules) {
      if ('record' in r && keep(r)) {
        out.push({ rule: r, intervalMs, group: g.name, order: out.length });
      }
    }
  }
  return out;
}

/**
 * Which rules each rule reads: for every `anomaly:…` name in its expression, the rules that record
 * that name (a name ending in `:` is a prefix, as in `{__name__=~"anomaly:input:…"}`), narrowed to
 * one signal's rules when the selector has a `signal="…"` matcher. Per-signal precision keeps the
 * signals' rarity loops apart (each is its own strongly connected component).
 */
export function dependencies(rules: RecordingRule[]): number[][] {
  const byName = new Map<string, number[]>();
  rules.forEach((r, i) => byName.set(r.record, [...(byName.get(r.record) ?? []), i]));
  const names = [...byName.keys()];
  return rules.map((r, self) => {
    const out = new Set<number>();
    for (const m of r.expr.matchAll(/(anomaly:[a-zA-Z0-9_:]*)(\{[^}]*\})?/g)) {
      const tok = m[1];
      const signal = /\bsignal="([^"]*)"/.exec(m[2] ?? '')?.[1];
      for (const n of names) {
        if (n === tok || (tok.endsWith(':') && n.startsWith(tok))) {
          for (const j of byName.get(n)!) {
            const other = rules[j].labels?.signal;
            if (j !== self && (signal === undefined || other === undefined || other === signal)) {
              out.add(j);
            }
          }
        }
      }
      if (tok === r.record && (signal === undefined || signal === r.labels?.signal)) {
        out.add(self); // reads its own past
      }
    }
    return [...out];
  });
}

/** Strongly connected components (Tarjan), each as rule indices. */
export function components(deps: number[][]): number[][] {
  const index = new Array<number>(deps.length).fill(-1);
  const low = new Array<number>(deps.length).fill(0);
  const onStack = new Array<boolean>(deps.length).fill(false);
  const stack: number[] = [];
  const out: number[][] = [];
  let next = 0;
  const visit = (v: number) => {
    index[v] = low[v] = next++;
    stack.push(v);
    onStack[v] = true;
    for (const w of deps[v]) {
      if (index[w] < 0) {
        visit(w);
        low[v] = Math.min(low[v], low[w]);
      } else if (onStack[w]) {
        low[v] = Math.min(low[v], index[w]);
      }
    }
    if (low[v] === index[v]) {
      const comp: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = false;
        comp.push(w);
      } while (w !== v);
      out.push(comp.sort((a, b) => a - b));
    }
  };
  deps.forEach((_, v) => index[v] < 0 && visit(v));
  return out;
}

/** A stage of the evaluation: rules that read only earlier stages, or one loop through the TSDB. */
export interface Stage {
  /** Rules evaluated over the whole range (range queries, or instant queries for `@ end()`). */
  plain: ScheduledRule[];
  /** Loops (strongly connected components): evaluated in time order, written back as they go. */
  loops: ScheduledRule[][];
}

/** Stages in dependency order: each reads only the stages before it (and a loop, itself). */
export function stages(rules: ScheduledRule[]): Stage[] {
  const deps = dependencies(rules.map((r) => r.rule));
  const comps = components(deps);
  const compOf = new Array<number>(rules.length);
  comps.forEach((c, k) => c.forEach((i) => (compOf[i] = k)));
  const depth = new Array<number>(comps.length).fill(-1);
  const depthOf = (k: number): number => {
    if (depth[k] < 0) {
      let d = 0;
      for (const i of comps[k]) {
        for (const j of deps[i]) {
          if (compOf[j] !== k) {
            d = Math.max(d, depthOf(compOf[j]) + 1);
          }
        }
      }
      depth[k] = d;
    }
    return depth[k];
  };
  const out: Stage[] = [];
  comps.forEach((c, k) => {
    const stage = (out[depthOf(k)] ??= { plain: [], loops: [] });
    const loop = c.length > 1 || deps[c[0]].includes(c[0]);
    if (loop) {
      stage.loops.push(c.map((i) => rules[i]));
    } else {
      stage.plain.push(rules[c[0]]);
    }
  });
  return out.filter((x) => x !== undefined);
}

/** Recording rules grouped so that each rule only reads records of earlier layers (no loops). */
export function layers(rules: RecordingRule[]): RecordingRule[][] {
  const st = stages(rules.map((rule, order) => ({ rule, intervalMs: 0, group: '', order })));
  if (st.some((x) => x.loops.length > 0)) {
    const loop = st.find((x) => x.loops.length > 0)!.loops[0];
    throw new Error(`rule ${loop[0].rule.record} depends on itself (through ${loop.length} rules)`);
  }
  return st.map((x) => x.plain.map((r) => r.rule));
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
      s.v.push(parsePromValue(val));
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

function parsePromValue(v: string): number {
  return Number(v.replace(/^\+?Inf$/, 'Infinity').replace(/^-Inf$/, '-Infinity'));
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

/** The first multiple of `intervalMs` at or after t: a ruler's evaluation times (phase 0). */
export function alignUp(t: number, intervalMs: number): number {
  return Math.ceil(t / intervalMs) * intervalMs;
}

const pinned = (expr: string) => /@\s*end\(\)/.test(expr);

/** Evaluate one rule as a ruler would, from start to end at its group's interval. */
export async function evalRule(
  url: string,
  rule: RecordingRule,
  start: number,
  end: number,
  intervalMs: number,
  concurrency: number
): Promise<Sample[]> {
  const collector = new SampleCollector(rule);
  const add = (metric: Record<string, string>, values: Array<[number, string]>) => collector.add(metric, values);
  const first = alignUp(start, intervalMs);
  if (pinned(rule.expr)) {
    // A ruler evaluates instant queries: end() is the evaluation time.
    const times: number[] = [];
    for (let t = first; t <= end; t += intervalMs) {
      times.push(t);
    }
    const results = new Map<number, Awaited<ReturnType<typeof queryRangeRaw>>>();
    await pool(times, concurrency, async (t) => {
      results.set(t, await queryRangeRaw(url, rule.expr, t, t, intervalMs));
    });
    for (const t of times) {
      for (const r of results.get(t)!) {
        add(r.metric, r.values);
      }
    }
  } else {
    const span = 10_000 * intervalMs;
    for (let s = first; s <= end; s += span + intervalMs) {
      for (const r of await queryRangeRaw(url, rule.expr, s, Math.min(end, s + span), intervalMs)) {
        add(r.metric, r.values);
      }
    }
  }
  return collector.samples();
}

// --- Prometheus' remote-write receiver, for rules that read their own past -----------------------

/** A keep-alive HTTP client for the many small requests of a loop evaluated in time order. */
export class PromClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  /** Prometheus' own execution time of the queries made (stats=all), ms. */
  serverMs = 0;
  queries = 0;
  writes = 0;
  /** Prometheus' execution time by tag (the record name of the rule queried), ms. */
  readonly serverMsByTag = new Map<string, number>();

  /** `timedFrom`: only queries starting at or after this time (ms) count in the timings. */
  constructor(
    readonly url: string,
    readonly timedFrom = -Infinity
  ) {}

  private request(pathname: string, body: Buffer | string, headers: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${this.url}${pathname}`,
        {
          method: 'POST',
          agent: this.agent,
          timeout: 120_000,
          headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () =>
            (res.statusCode ?? 0) >= 300
              ? reject(new Error(`${pathname}: HTTP ${res.statusCode}: ${text.slice(0, 500)}`))
              : resolve(text)
          );
        }
      );
      req.on('timeout', () => req.destroy(new Error(`${pathname}: timeout`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Instant query (tMs) or range query (tMs..endMs at stepMs): series with their values. */
  async query(expr: string, tMs: number, endMs = tMs, stepMs = 60_000, tag = ''): Promise<PromMatrixLike[]> {
    const form = new URLSearchParams({
      query: expr,
      start: String(tMs / 1000),
      end: String(endMs / 1000),
      step: String(stepMs / 1000),
      stats: 'all',
    }).toString();
    const body = await this.request('/api/v1/query_range', form, {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    const json = JSON.parse(body) as {
      status: string;
      error?: string;
      data?: { result: PromMatrixLike[]; stats?: { timings?: { execTotalTime?: number } } };
    };
    if (json.status !== 'success' || !json.data) {
      throw new Error(`query ${expr.slice(0, 200)}: ${json.error ?? body.slice(0, 300)}`);
    }
    if (tMs >= this.timedFrom) {
      const ms = (json.data.stats?.timings?.execTotalTime ?? 0) * 1000;
      this.queries++;
      this.serverMs += ms;
      this.serverMsByTag.set(tag, (this.serverMsByTag.get(tag) ?? 0) + ms);
    }
    return json.data.result;
  }

  /** Writes series through the remote-write receiver (protobuf WriteRequest, snappy block format). */
  async write(series: Array<{ labels: Record<string, string>; t: number[]; v: number[] }>): Promise<void> {
    if (series.every((s) => s.t.length === 0)) {
      return;
    }
    this.writes++;
    await this.request('/api/v1/write', snappyLiterals(writeRequest(series)), {
      'Content-Type': 'application/x-protobuf',
      'Content-Encoding': 'snappy',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface PromMatrixLike {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

/** Protobuf varint. */
function varint(n: number, out: number[]): void {
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function lengthDelimited(field: number, bytes: ArrayLike<number>, out: number[]): void {
  varint(field * 8 + 2, out);
  varint(bytes.length, out);
  for (let i = 0; i < bytes.length; i++) {
    out.push(bytes[i]);
  }
}

/**
 * prompb.WriteRequest { repeated TimeSeries timeseries = 1 }, TimeSeries { repeated Label labels = 1;
 * repeated Sample samples = 2 }, Label { string name = 1; string value = 2 }, Sample { double value
 * = 1; int64 timestamp = 2 } (ms). Labels sorted by name, as the receiver requires.
 */
export function writeRequest(series: Array<{ labels: Record<string, string>; t: number[]; v: number[] }>): Buffer {
  const out: number[] = [];
  const f64 = Buffer.alloc(8);
  for (const s of series) {
    const ts: number[] = [];
    for (const [k, v] of Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const label: number[] = [];
      lengthDelimited(1, Buffer.from(k, 'utf8'), label);
      lengthDelimited(2, Buffer.from(v, 'utf8'), label);
      lengthDelimited(1, label, ts);
    }
    for (let i = 0; i < s.t.length; i++) {
      const sample: number[] = [];
      varint(1 * 8 + 1, sample); // fixed64
      f64.writeDoubleLE(s.v[i]);
      for (const b of f64) {
        sample.push(b);
      }
      varint(2 * 8 + 0, sample);
      varint(s.t[i], sample);
      lengthDelimited(2, sample, ts);
    }
    lengthDelimited(1, ts, out);
  }
  return Buffer.from(out);
}

/** Snappy block format with literals only (valid snappy; the receiver decompresses any block). */
export function snappyLiterals(data: Buffer): Buffer {
  const head: number[] = [];
  varint(data.length, head);
  const parts: Buffer[] = [Buffer.from(head)];
  for (let off = 0; off < data.length; off += 0x10000) {
    const chunk = data.subarray(off, Math.min(data.length, off + 0x10000));
    const n = chunk.length - 1;
    parts.push(
      n < 60 ? Buffer.from([n << 2]) : n < 0x100 ? Buffer.from([60 << 2, n]) : Buffer.from([61 << 2, n & 0xff, n >> 8])
    );
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/**
 * Loops of rules (strongly connected components: the rarity history reads the severities, which
 * read the fit) evaluated in time order, the way a ruler runs them: at each evaluation of the
 * slowest group (every block) its rules as instant queries, then the faster group's rules of the
 * loop over the block's steps, each rule's result written back through remote write before the
 * next rule reads it. Groups with longer intervals go first at a shared time (the history closes a
 * block before the block's points are judged, as in the engine). A faster-group rule that read a
 * same-group loop rule recorded after it (or its own past) needs step-by-step evaluation: it is not
 * batched over the block then.
 *
 * Loops with the same rules (the same record names in the same groups: one per rarity signal) are
 * evaluated together, each rule as one query `(rule of signal a) or (rule of signal b) …`: the same
 * work for Prometheus in a sixth of the round trips. The results go back to each signal's rule by
 * their `signal` label.
 */
export async function evalLoops(
  client: PromClient,
  loops: ScheduledRule[][],
  start: number,
  end: number,
  concurrency: number
): Promise<Map<string, Sample[]>> {
  const bySignature = new Map<string, ScheduledRule[][]>();
  for (const loop of loops) {
    const sorted = [...loop].sort((a, b) => a.order - b.order);
    const key = sorted.map((r) => `${r.rule.record}@${r.intervalMs}`).join(',');
    bySignature.set(key, [...(bySignature.get(key) ?? []), sorted]);
  }
  const out = new Map<string, Sample[]>();
  await pool([...bySignature.values()], concurrency, async (same) => {
    for (const [name, samples] of await evalMergedLoop(client, same, start, end)) {
      out.set(name, [...(out.get(name) ?? []), ...samples]);
    }
  });
  return out;
}

/**
 * The slow group's rules at one evaluation time in waves that may run concurrently and still give
 * a ruler's results: a rule comes after the earlier rules it reads (their result at this time), and
 * after the earlier rules that read it (they must see its previous result, not this one).
 */
export function slowWaves<T extends { index: number; order: number }>(slow: T[], deps: number[][]): T[][] {
  const ordered = [...slow].sort((a, b) => a.order - b.order);
  const level = new Map<number, number>();
  for (const x of ordered) {
    let l = 0;
    for (const y of ordered) {
      if (y.order >= x.order) {
        break;
      }
      const xReadsY = deps[x.index].includes(y.index);
      const yReadsX = deps[y.index].includes(x.index);
      if (xReadsY || yReadsX) {
        l = Math.max(l, level.get(y.index)! + 1);
      }
    }
    level.set(x.index, l);
  }
  const waves: T[][] = [];
  for (const x of ordered) {
    const l = level.get(x.index)!;
    (waves[l] ??= []).push(x);
  }
  return waves.filter((w) => w !== undefined);
}

/** Loops with identical rule sequences (`same[k][i]` is rule i of loop k), evaluated together. */
async function evalMergedLoop(
  client: PromClient,
  same: ScheduledRule[][],
  start: number,
  end: number
): Promise<Map<string, Sample[]>> {
  const template = same[0];
  const slowMs = Math.max(...template.map((r) => r.intervalMs));
  const deps = dependencies(template.map((r) => r.rule));
  const collectors = same.map((loop) => loop.map((r) => new SampleCollector(r.rule)));
  const steps = template.map((r, i) => ({
    index: i,
    intervalMs: r.intervalMs,
    order: r.order,
    expr: same.length === 1 ? r.rule.expr : same.map((loop) => `(${loop[i].rule.expr})`).join('\nor\n'),
    pinned: same.some((loop) => pinned(loop[i].rule.expr)),
  }));
  const slow = steps.filter((x) => x.intervalMs === slowMs);
  const fast = steps
    .filter((x) => x.intervalMs !== slowMs)
    .sort((a, b) => b.intervalMs - a.intervalMs || a.order - b.order);
  const batchable = fast.every((x) =>
    deps[x.index].every((j) => template[j].intervalMs === slowMs || template[j].order < x.order)
  );
  const signalOf = new Map<string, number>(same.map((loop, k) => [loop[0].rule.labels?.signal ?? '', k]));
  const run = async (x: (typeof steps)[number], from: number, to: number) => {
    const res = await client.query(x.expr, from, to, x.intervalMs, template[x.index].rule.record);
    const written: Array<{ labels: Record<string, string>; t: number[]; v: number[] }> = [];
    for (const r of res) {
      const k = same.length === 1 ? 0 : signalOf.get(r.metric.signal ?? '');
      if (k === undefined) {
        throw new Error(
          `a merged loop query returned a series without a known signal label: ${JSON.stringify(r.metric)}`
        );
      }
      const rule = same[k][x.index].rule;
      collectors[k][x.index].add(r.metric, r.values);
      written.push({
        labels: { ...r.metric, ...(rule.labels ?? {}), __name__: rule.record },
        t: r.values.map(([ts]) => Math.round(ts * 1000)),
        v: r.values.map(([, v]) => parsePromValue(v)),
      });
    }
    await client.write(written);
  };
  const waves = slowWaves(slow, deps);
  for (let t = alignUp(start, slowMs); t <= end; t += slowMs) {
    for (const wave of waves) {
      await Promise.all(wave.map((x) => run(x, t, t)));
    }
    const blockEnd = Math.min(end, t + slowMs - 1);
    for (const x of fast) {
      const first = alignUp(t, x.intervalMs);
      const last = first + Math.floor((blockEnd - first) / x.intervalMs) * x.intervalMs;
      if (batchable && !x.pinned) {
        await run(x, first, last);
      } else {
        for (let u = first; u <= last; u += x.intervalMs) {
          await run(x, u, u);
        }
      }
    }
  }
  const out = new Map<string, Sample[]>();
  same.forEach((loop, k) =>
    loop.forEach((r, i) => out.set(r.rule.record, [...(out.get(r.rule.record) ?? []), ...collectors[k][i].samples()]))
  );
  return out;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function fmt(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);
}

/** OpenMetrics text of recorded series, grouped by metric family, in chunks (a week of a fleet is GBs). */
function openMetricsChunks(byName: Map<string, Sample[]>, emit: (chunk: string) => void): void {
  for (const [name, list] of byName) {
    emit(`# TYPE ${name} gauge\n`);
    for (const s of list) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      const lines: string[] = [];
      for (let i = 0; i < s.t.length; i++) {
        lines.push(`${name}{${labels}} ${fmt(s.v[i])} ${s.t[i] / 1000}`);
      }
      emit(lines.join('\n') + '\n');
    }
  }
  emit('# EOF\n');
}

/** OpenMetrics text of recorded series (small sets; writeOpenMetrics for large ones). */
export function toOpenMetrics(byName: Map<string, Sample[]>): string {
  const parts: string[] = [];
  openMetricsChunks(byName, (c) => parts.push(c));
  return parts.join('');
}

/** Recorded series as an OpenMetrics file, written as it is produced. */
export function writeOpenMetrics(byName: Map<string, Sample[]>, file: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    openMetricsChunks(byName, (c) => fs.writeSync(fd, c));
  } finally {
    fs.closeSync(fd);
  }
}

export interface EvaluatedRules {
  /** record name -> series */
  series: Map<string, Sample[]>;
  layers: number;
  timings: Record<string, number>;
}

/**
 * The order a ruler's results can be reproduced in: the plain rules the loops read (transitively),
 * stage after stage; every loop, in time order; the remaining plain rules, stage after stage.
 */
export function evaluationPlan(rules: ScheduledRule[]): { pre: Stage[]; loops: ScheduledRule[][]; post: Stage[] } {
  const loops = stages(rules).flatMap((x) => x.loops);
  const inLoop = new Set(loops.flat());
  const deps = dependencies(rules.map((r) => r.rule));
  const before = new Set<number>();
  const visit = (i: number) => {
    for (const j of deps[i]) {
      if (!before.has(j) && !inLoop.has(rules[j])) {
        before.add(j);
        visit(j);
      }
    }
  };
  rules.forEach((r, i) => inLoop.has(r) && visit(i));
  for (const i of before) {
    if (deps[i].some((j) => inLoop.has(rules[j]))) {
      throw new Error(`rule ${rules[i].rule.record} reads a loop and is read by one: no order evaluates it`);
    }
  }
  return {
    pre: stages(rules.filter((_, i) => before.has(i))),
    loops,
    post: stages(rules.filter((r, i) => !before.has(i) && !inLoop.has(r))),
  };
}

/**
 * Evaluate every recording rule: the rules the loops read first (stage after stage: a stage's
 * rules over the whole range, backfilled into the data directory before Prometheus restarts for
 * the next stage), then every loop in time order through the remote-write receiver (in the TSDB
 * as they are written), then the rules that read the loops, stage after stage again.
 */
export async function evaluateLayers(
  prom: Prom,
  rules: ScheduledRule[],
  start: number,
  end: number,
  concurrency: number,
  log: (s: string) => void = () => undefined,
  /** Which records to return (all by default; a week of a fleet's every record is GBs). */
  keep: (record: string) => boolean = () => true
): Promise<EvaluatedRules> {
  const all = new Map<string, Sample[]>();
  const add = (into: Map<string, Sample[]>, name: string, samples: Sample[]) => {
    if (into !== all || keep(name)) {
      into.set(name, [...(into.get(name) ?? []), ...samples]);
    }
  };
  const timings: Record<string, number> = {};
  const { pre, loops, post } = evaluationPlan(rules);
  let layer = 0;
  const plainStages = async (st: Stage[], materialiseLast: boolean) => {
    for (let i = 0; i < st.length; i++) {
      const t0 = Date.now();
      const byName = new Map<string, Sample[]>();
      for (const r of st[i].plain) {
        const samples = await evalRule(prom.url, r.rule, start, end, r.intervalMs, concurrency);
        add(byName, r.rule.record, samples);
        add(all, r.rule.record, samples);
      }
      const t1 = Date.now();
      if (materialiseLast || i < st.length - 1) {
        await prom.stop();
        await prom.addBlocks(byName, `layer${layer}`);
        await prom.start();
      }
      timings[`layer${layer}`] = Date.now() - t0;
      const names = [...new Set(st[i].plain.map((r) => r.rule.record.replace('anomaly:', '')))];
      log(
        `layer ${layer}: ${st[i].plain.length} rules (${names.join(', ')}) eval ${t1 - t0} ms, materialise ${Date.now() - t1} ms`
      );
      layer++;
    }
  };
  await plainStages(pre, true);
  if (loops.length > 0) {
    const t0 = Date.now();
    const client = new PromClient(prom.url);
    try {
      for (const [name, samples] of await evalLoops(client, loops, start, end, concurrency)) {
        add(all, name, samples);
      }
    } finally {
      client.close();
    }
    timings.loops = Date.now() - t0;
    const costly = [...client.serverMsByTag].sort((a, b) => b[1] - a[1]).slice(0, 5);
    log(
      `loops: Prometheus time by rule: ${costly.map(([n, ms]) => `${n.replace('anomaly:signal:', '')} ${Math.round(ms)} ms`).join(', ')}`
    );
    log(
      `loops: ${loops.length} loop(s) of ${loops[0].length} rules in time order: ${client.queries} queries ` +
        `(Prometheus ${Math.round(client.serverMs)} ms), ${client.writes} remote writes, ${Date.now() - t0} ms`
    );
  }
  await plainStages(post, false);
  return { series: all, layers: layer, timings };
}

// ---------------------------------------------------------------------------------------------
// Engine side
// ---------------------------------------------------------------------------------------------

const keyOf = (labels: Record<string, string>) => ENTITY.map((e) => labels[e] ?? '').join('/');

/** Inputs of one signal per entity from range queries of its queries (as the data source fetches them). */
export async function engineInputs(
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
  per_signal_max_abs_severity_diff: Record<string, number>;
  /** Share of a signal's points whose severities differ by at most 0.01. */
  per_signal_severity_agreement: Record<string, number>;
  /** Share of a signal's points on the same side of severity 0.5 (the alarm level). */
  per_signal_alarm_agreement: Record<string, number>;
  /** Points whose tiers differ, by the signal whose severity differs most there. */
  tier_disagreements_by_signal: Record<string, number>;
  /** The rarity approximations alone (see replayApproximations). */
  approximations: Record<string, ApproximationError>;
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
  const alarmAgree: Record<string, number> = {};
  const byCulprit: Record<string, number> = {};
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
      let culprit = '';
      let worst = -1;
      for (const s of spec.signals) {
        const e = es.signals[s.id].result.severity[i];
        const c = sev.get(`${k}#${s.id}`)?.get(t);
        if (!Number.isNaN(e) || c !== undefined) {
          const ev = Number.isNaN(e) ? 0 : e;
          const cv = c ?? 0;
          const d = Number.isNaN(cv) ? 1 : Math.abs(ev - cv);
          (sevDiffs[s.id] ??= []).push(d);
          alarmAgree[s.id] = (alarmAgree[s.id] ?? 0) + (ev >= 0.5 === cv >= 0.5 ? 1 : 0);
          if (d > worst) {
            worst = d;
            culprit = s.id;
          }
        }
      }
      if (ct !== es.tier[i]) {
        byCulprit[culprit] = (byCulprit[culprit] ?? 0) + 1;
      }
    }
  }
  const per: Record<string, number> = {};
  const per99: Record<string, number> = {};
  const perMax: Record<string, number> = {};
  const perAgree: Record<string, number> = {};
  const perAlarm: Record<string, number> = {};
  for (const [id, xs] of Object.entries(sevDiffs)) {
    per[id] = round(quantile(xs, 0.5));
    per99[id] = round(quantile(xs, 0.99));
    perMax[id] = round(quantile(xs, 1));
    perAgree[id] = round(xs.filter((d) => d <= 0.01).length / xs.length);
    perAlarm[id] = round((alarmAgree[id] ?? 0) / xs.length);
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
    per_signal_max_abs_severity_diff: perMax,
    per_signal_severity_agreement: perAgree,
    per_signal_alarm_agreement: perAlarm,
    tier_disagreements_by_signal: byCulprit,
    approximations: replayApproximations(spec, compiled, evaluated, fromMs),
    signals: spec.signals.map((s) => s.id),
    unsupported: compiled.unsupported,
  };
}

/** What the rarity approximations alone change, for one signal (see replayApproximations). */
export interface ApproximationError {
  points: number;
  fits: number;
  /** Fits whose threshold differs from the engine's (ties lowered TIE_LEVELS values deep). */
  fits_other_threshold: number;
  /** Largest |ξ_rules − ξ_engine| over the fits with the same threshold (PWM by quadrature alone). */
  max_abs_shape_diff: number;
  /** Points whose severity differs by more than 0.01, the largest difference, and alarm flips. */
  points_severity_diff_over_001: number;
  max_abs_severity_diff: number;
  alarm_flips: number;
}

/**
 * The named rarity approximations measured alone: the recorded block maxima are replayed, and at
 * every step the severity of the recorded directed statistic is computed against the same window
 * twice, with the engine's fit (fitTail, and RarityCalibrator.decades' bound by the observed
 * frequency) and with the rules' (compiledTailFit, compiledEmpiricalDecades), both bounded by the
 * recorded ideal decades. The history and the freeze are the rules' in both, so what differs is
 * only the estimator: PWM by quadrature and ties lowered TIE_LEVELS values deep.
 */
export function replayApproximations(
  spec: ScoreSpec,
  compiled: CompiledRules,
  evaluated: EvaluatedRules,
  fromMs: number
): Record<string, ApproximationError> {
  const out: Record<string, ApproximationError> = {};
  const blocks = seriesIndex(evaluated.series.get(RARITY_SERIES.blockMax), (l) => l.signal);
  const directedSeries = seriesIndex(evaluated.series.get(RARITY_SERIES.directed), (l) => l.signal);
  const idealSeries = seriesIndex(evaluated.series.get(RARITY_SERIES.idealDecades), (l) => l.signal);
  for (const s of spec.signals) {
    const sev = resolveSeverity(s.kind, s.params);
    if (sev.mode !== 'rarity') {
      continue;
    }
    const plan = rarityPlan(compiled.stepMs, sev.rarityMs, sev.rarityWindowMs, sev.holdMs);
    const minLag = s.kind === 'staleness' ? toSeconds((s.params as Record<string, ParamValue>).minLag) : NaN;
    const err: ApproximationError = {
      points: 0,
      fits: 0,
      fits_other_threshold: 0,
      max_abs_shape_diff: 0,
      points_severity_diff_over_001: 0,
      max_abs_severity_diff: 0,
      alarm_flips: 0,
    };
    for (const [key, xs] of directedSeries) {
      if (!key.endsWith(`#${s.id}`)) {
        continue;
      }
      const bm = [...(blocks.get(key) ?? new Map<number, number>())].sort((a, b) => a[0] - b[0]);
      const ideal = idealSeries.get(key);
      let fitAt = NaN;
      let window: number[] = [];
      let engineFit: TailFit | null = null;
      let rulesFit: TailFit | null = null;
      for (const [t, x] of [...xs].sort((a, b) => a[0] - b[0])) {
        const tick = Math.floor(t / plan.blockMs) * plan.blockMs;
        if (tick !== fitAt) {
          fitAt = tick;
          window = bm
            .filter(([tb]) => tb <= tick && tb > tick - plan.capacity * plan.blockMs)
            .map(([, v]) => v)
            .sort((a, b) => a - b);
          const asc = { size: window.length, at: (i: number) => window[i] };
          engineFit = window.length >= MIN_HISTORY_BLOCKS ? fitTail(asc, plan.extrapolation) : null;
          rulesFit = engineFit ? compiledTailFit(asc, plan.extrapolation) : null;
          if (engineFit && rulesFit && t >= fromMs) {
            err.fits++;
            if (engineFit.anchor !== rulesFit.anchor) {
              err.fits_other_threshold++;
            } else {
              err.max_abs_shape_diff = Math.max(err.max_abs_shape_diff, Math.abs(engineFit.xi - rulesFit.xi));
            }
          }
        }
        if (!engineFit || t < fromMs) {
          continue;
        }
        const asc = { size: window.length, at: (i: number) => window[i] };
        // RarityCalibrator.decades: the fitted tail, never rarer than the observed frequency.
        let engineL = tailDecades(engineFit, x);
        const atOrAbove = window.length - window.findIndex((v) => v >= x);
        if (window[window.length - 1] >= x) {
          engineL = Math.min(engineL, Math.log10(window.length / atOrAbove));
        }
        let rulesL = compiledEmpiricalDecades(asc, x, plan);
        const bound = s.kind === 'staleness' ? (x < minLag ? 0 : Infinity) : (ideal?.get(t) ?? Infinity);
        engineL = Math.min(engineL, bound);
        rulesL = Math.min(rulesL, bound);
        const se = raritySeverity(engineL, plan.halfDecades);
        const sr = raritySeverity(rulesL, plan.halfDecades);
        const d = Math.abs(se - sr);
        err.points++;
        err.points_severity_diff_over_001 += d > 0.01 ? 1 : 0;
        err.max_abs_severity_diff = Math.max(err.max_abs_severity_diff, d);
        err.alarm_flips += se >= 0.5 === sr >= 0.5 ? 0 : 1;
      }
    }
    err.max_abs_shape_diff = round(err.max_abs_shape_diff);
    err.max_abs_severity_diff = round(err.max_abs_severity_diff);
    out[s.id] = err;
  }
  return out;
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
  const rules = scheduledRules(compiled.prometheus, (r) => !compiled.logSignals.includes(r.labels?.signal ?? ''));

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
    const compared = new Set<string>([
      SERIES.score,
      SERIES.tier,
      SERIES.severity,
      RARITY_SERIES.blockMax,
      RARITY_SERIES.directed,
      RARITY_SERIES.idealDecades,
    ]);
    const evaluated = await evaluateLayers(prom, rules, start, end, opts.concurrency ?? 8, log, (r) => compared.has(r));
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
      `  severity ${id}: |diff| median ${f.per_signal_median_abs_severity_diff[id]}, p99 ${f.per_signal_p99_abs_severity_diff[id]}, ` +
        `max ${f.per_signal_max_abs_severity_diff[id]}; agreement (|diff| <= 0.01) ${f.per_signal_severity_agreement[id]}, ` +
        `on the alarm side (>= 0.5) ${f.per_signal_alarm_agreement[id]}`
    );
  }
  out(`tier disagreements by the signal that differs most there: ${JSON.stringify(f.tier_disagreements_by_signal)}`);
  for (const [id, a] of Object.entries(f.approximations)) {
    out(
      `  approximations alone, ${id}: ${a.fits} fits, ${a.fits_other_threshold} with another threshold (ties), ` +
        `max |ξ diff| at the same threshold ${a.max_abs_shape_diff} (PWM by quadrature); ${a.points} points, ` +
        `${a.points_severity_diff_over_001} with |severity diff| > 0.01, max ${a.max_abs_severity_diff}, ${a.alarm_flips} alarm flips`
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
