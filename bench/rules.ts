/**
 * Compiled rules vs the in-browser engine (`npm run bench` sidecar stage): how long Prometheus takes
 * to evaluate the recording rules compiled from demo/spec.yaml over one day of demo data, next to
 * the engine scoring the same signals on the same data.
 *
 * 1. Generate the demo data (fixed seed): `--warmup-days` (default 3: the spec's 1-day baselines
 *    and the 3 seasons of its seasonal signal) plus the measured last day; backfill it.
 * 2. Compile the spec with the demo histograms' bucket bounds (as `npm run rules:parity` derives
 *    them). Only signals that compile take part, on both sides; log signals (no Loki here) neither.
 * 3. Evaluate the recording rules the way a ruler does, layer by layer (scripts/rules-parity.ts):
 *    ordinary rules as range queries at their group's interval, rules with `@ end()` as one instant
 *    query per evaluation; each layer is backfilled before the next; the rarity loops (the history
 *    reads the severities, which read the fit) in time order through remote write, between the
 *    layers they read and the layers that read them. The warm-up days are evaluated too (untimed)
 *    so the measured day reads full windows; only queries over the measured day are timed.
 *    `rules_eval_ms` is the sum of Prometheus' own execution time of those queries (`stats=all`,
 *    `execTotalTime`: what a ruler spends, without HTTP and JSON); `rules_eval_client_ms` is the sum
 *    of the HTTP round trips. Queries run one at a time (`--concurrency 1`) so times do not overlap.
 * 4. The engine: the signals' input queries fetched once (warm-up + day, what the data source
 *    fetches with `history`), then `scoreEntities` over them, median of `--reps` runs. The engine is
 *    bundled with esbuild (no tsx module wrapper on the hot path, as bench/run.mjs does).
 *
 * Last line: JSON {rules_eval_ms, engine_same_data_ms, rules_vs_engine, ...}. Needs prometheus and
 * promtool on PATH (Debian package `prometheus`).
 *
 * Usage: tsx bench/rules.ts [--warmup-days 3] [--seed 42] [--concurrency 1] [--reps 3] [--json FILE]
 *        [--parity-spec]   (the rules:parity spec: every kind on the rarity severity, instead of
 *                           demo/spec.yaml)
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

import { build } from 'esbuild';

import { DAY_MS, defaultOptions } from '../demo/generator/types';
import { CONFIDENCE_LE, SCORE_LE } from '../demo/generator/model';
import { writeDemo } from '../demo/generator/openmetrics';
import { backfill, prometheusAvailable, queryRangeRaw } from '../tests/integration/prometheus';
import { tmpRoot } from '../tests/integration/generated';
import {
  PARITY_BUCKETS,
  PARITY_SPEC,
  Prom,
  PromClient,
  SampleCollector,
  alignUp,
  evalLoops,
  evaluationPlan,
  pool,
  scheduledRules,
  type Sample,
  type Stage,
} from '../scripts/rules-parity';
import { kindInfo, parseSpec, validateSpec, type ScoreSpec } from '../src/scoring/spec';
import type { EntityInputs } from '../src/scoring/engine';
import type { SignalInput } from '../src/scoring/types';
import { compileRules, type RecordingRule } from '../src/scoring/rules';

const ROOT = path.resolve(__dirname, '..');
const ENTITY = ['model', 'version', 'region'];

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const WARMUP_DAYS = arg('warmup-days', 3);
const SEED = arg('seed', 42);
const CONCURRENCY = arg('concurrency', 1);
const REPS = arg('reps', 3);

interface Timed<T> {
  result: T;
  /** Prometheus' execTotalTime, ms. */
  serverMs: number;
  /** HTTP round trip, ms. */
  clientMs: number;
}

function postForm(url: string, form: Record<string, string>): Promise<string> {
  const payload = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        timeout: 120_000,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(payload) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      }
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

type PromResult = Array<{ metric: Record<string, string>; values?: Array<[number, string]>; value?: [number, string] }>;

/** One query with Prometheus' own timings (`stats=all`). */
async function timedQuery(url: string, endpoint: 'query' | 'query_range', form: Record<string, string>) {
  const t0 = performance.now();
  const body = await postForm(`${url}/api/v1/${endpoint}`, { ...form, stats: 'all' });
  const clientMs = performance.now() - t0;
  const json = JSON.parse(body) as {
    status: string;
    error?: string;
    data?: { result: PromResult; stats?: { timings?: { execTotalTime?: number } } };
  };
  if (json.status !== 'success' || !json.data) {
    throw new Error(`${endpoint} ${form.query}: ${json.error ?? body.slice(0, 300)}`);
  }
  const serverMs = (json.data.stats?.timings?.execTotalTime ?? NaN) * 1000;
  return { result: json.data.result, serverMs, clientMs } satisfies Timed<PromResult>;
}

interface EvalTotals {
  serverMs: number;
  clientMs: number;
  queries: number;
  instantQueries: number;
  perLayerMs: number[];
}

/**
 * Evaluate one rule over the measured day (timed) at the step and, when later rules read it over a
 * window (`historical`), over the warm-up days before it (untimed). `@ end()` rules, whose results
 * are read at the evaluation time only, run as one instant query per step over the day.
 */
async function evalRule(
  url: string,
  rule: RecordingRule,
  warmStart: number,
  dayStart: number,
  end: number,
  stepMs: number,
  totals: EvalTotals,
  historical: boolean
): Promise<{ samples: Sample[]; serverMs: number }> {
  // A group's evaluation times are the multiples of its interval (the rarity history: every block).
  warmStart = alignUp(warmStart, stepMs);
  dayStart = alignUp(dayStart, stepMs);
  const collector = new SampleCollector(rule);
  const add = (metric: Record<string, string>, values: Array<[number, string]>) => collector.add(metric, values);
  let serverMs = 0;
  const count = (r: Timed<PromResult>) => {
    serverMs += r.serverMs;
    totals.serverMs += r.serverMs;
    totals.clientMs += r.clientMs;
    totals.queries++;
  };
  if (/@\s*end\(\)/.test(rule.expr)) {
    const times: number[] = [];
    for (let t = historical ? warmStart : dayStart; t <= end; t += stepMs) {
      times.push(t);
    }
    await pool(times, CONCURRENCY, async (t) => {
      const r = await timedQuery(url, 'query', { query: rule.expr, time: String(t / 1000) });
      if (t >= dayStart) {
        count(r);
        totals.instantQueries++;
      }
      for (const x of r.result) {
        add(x.metric, [x.value!]);
      }
    });
  } else {
    // Warm-up (untimed; split below Prometheus' 11,000 points per series), then the measured day.
    const span = 10_000 * stepMs;
    for (let s = warmStart; historical && s < dayStart; s += span) {
      for (const x of await queryRangeRaw(url, rule.expr, s, Math.min(dayStart - stepMs, s + span - stepMs), stepMs)) {
        add(x.metric, x.values);
      }
    }
    const r = await timedQuery(url, 'query_range', {
      query: rule.expr,
      start: String(dayStart / 1000),
      end: String(end / 1000),
      step: String(stepMs / 1000),
    });
    count(r);
    for (const x of r.result) {
      add(x.metric, x.values!);
    }
  }
  return { samples: collector.samples(), serverMs };
}

/**
 * Records that some rule reads over a window (a range selector, `offset`, or inside a subquery
 * without `@ end()`), and everything they are computed from: these need the warm-up days recorded
 * too. The other records are only read at the evaluation time, so the measured day is enough.
 */
export function historicalRecords(rules: RecordingRule[]): Set<string> {
  const names = [...new Set(rules.map((r) => r.record))];
  const esc = (n: string) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const out = new Set<string>();
  for (const r of rules) {
    const subquery = /\[[0-9a-z]+:[0-9a-z]*\]/.test(r.expr);
    for (const n of names) {
      const windowed = new RegExp(`${esc(n)}(\\{[^}]*\\})?\\s*(\\[|offset\\b)`).test(r.expr);
      const inSubquery = subquery && new RegExp(`${esc(n)}(\\{[^}]*\\})?(?![{a-zA-Z0-9_:])(?!\\s*@)`).test(r.expr);
      if (windowed || inSubquery) {
        out.add(n);
      }
    }
  }
  // Whatever a historical record is computed from is historical too.
  for (let changed = true; changed;) {
    changed = false;
    for (const r of rules) {
      if (out.has(r.record)) {
        for (const n of names) {
          if (!out.has(n) && new RegExp(`${esc(n)}(?![a-zA-Z0-9_:])`).test(r.expr)) {
            out.add(n);
            changed = true;
          }
        }
      }
    }
  }
  return out;
}

/** Bucket bounds of the demo histograms (scripts/rules-parity.ts): per-model feature histograms have none. */
function demoBuckets(spec: ScoreSpec): Record<string, Array<number | string>> {
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

/** The signals' inputs per entity, fetched once with range queries on the step grid. */
async function engineInputs(url: string, spec: ScoreSpec, grid: Float64Array, stepMs: number): Promise<EntityInputs[]> {
  const start = grid[0];
  const end = grid[grid.length - 1];
  const out = new Map<string, EntityInputs>();
  const col = (values: Array<[number, string]>): Float64Array => {
    const a = new Float64Array(grid.length).fill(NaN);
    for (const [ts, v] of values) {
      const k = Math.round((ts * 1000 - start) / stepMs);
      if (k >= 0 && k < grid.length) {
        a[k] = Number(v.replace(/^\+?Inf$/, 'Infinity').replace(/^-Inf$/, '-Infinity'));
      }
    }
    return a;
  };
  for (const s of spec.signals) {
    const byRole: Record<string, Map<string, Map<string, Float64Array>>> = {};
    for (const [role, q] of Object.entries(s.source?.queries ?? {})) {
      const m = new Map<string, Map<string, Float64Array>>();
      const span = 10_000 * stepMs;
      for (let a = start; a <= end; a += span) {
        for (const r of await queryRangeRaw(url, q, a, Math.min(end, a + span - stepMs), stepMs)) {
          const key = ENTITY.map((e) => r.metric[e] ?? '').join('/');
          if (!out.has(key)) {
            out.set(key, { labels: Object.fromEntries(ENTITY.map((e) => [e, r.metric[e] ?? ''])), inputs: {} });
          }
          const per = m.get(key) ?? new Map<string, Float64Array>();
          const le = r.metric.le ?? '';
          const prev = per.get(le);
          const c = col(r.values);
          if (prev) {
            c.forEach((v, i) => (Number.isNaN(v) ? undefined : (prev[i] = v)));
          } else {
            per.set(le, c);
          }
          m.set(key, per);
        }
      }
      byRole[role] = m;
    }
    const type = kindInfo(s.kind)?.inputType;
    for (const [key, ent] of out) {
      const single = (role: string) => byRole[role]?.get(key)?.get('');
      const buckets = (role: string) => {
        const per = byRole[role]?.get(key);
        if (!per) {
          return undefined;
        }
        const les = [...per.keys()]
          .map((le) => ({ le, n: /^\+?inf$/i.test(le) ? Infinity : Number(le) }))
          .sort((a, b) => a.n - b.n);
        return { le: Float64Array.from(les.map((x) => x.n)), cols: les.map((x) => per.get(x.le)!) };
      };
      let input: SignalInput | undefined;
      if (type === 'value' && single('value')) {
        input = { type: 'value', t: grid, value: single('value')! };
      } else if (type === 'ratio' && single('denominator')) {
        const den = single('denominator')!;
        const num = single('numerator') ?? new Float64Array(grid.length).fill(NaN);
        num.forEach((v, i) => (Number.isNaN(v) && Number.isFinite(den[i]) ? (num[i] = 0) : undefined));
        input = { type: 'ratio', t: grid, num, den };
      } else if (type === 'buckets' && buckets('buckets')) {
        const b = buckets('buckets')!;
        input = { type: 'buckets', t: grid, le: b.le, cumulative: b.cols };
      } else if (type === 'calibration' && buckets('buckets')) {
        const b = buckets('buckets')!;
        const c = buckets('correct');
        input = {
          type: 'calibration',
          t: grid,
          le: b.le,
          total: b.cols,
          correct: c ? c.cols : b.cols.map(() => new Float64Array(grid.length).fill(NaN)),
        };
      }
      if (input) {
        ent.inputs[s.id] = input;
      }
    }
  }
  return [...out.values()];
}

/** The engine bundled into one CommonJS file (plain `require`, no tsx wrapper on the hot path). */
async function bundledEngine(dir: string): Promise<typeof import('../src/scoring/engine')> {
  const outfile = path.join(dir, 'engine.cjs');
  await build({
    entryPoints: [path.join(ROOT, 'src', 'scoring', 'engine.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  return require(outfile);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const r1 = (x: number) => Number(x.toFixed(1));

async function main() {
  if (!prometheusAvailable()) {
    throw new Error('prometheus/promtool not on PATH (apt-get install prometheus)');
  }
  const started = Date.now();
  const log = (s: string) => process.stdout.write(s + '\n');
  // --parity-spec: the rules:parity spec (every kind on the rarity severity) instead of demo/spec.yaml.
  const paritySpec = process.argv.includes('--parity-spec');
  const specName = paritySpec ? 'scripts/rules-parity.ts PARITY_SPEC' : 'demo/spec.yaml';
  const parsed = paritySpec
    ? { ok: true, spec: validateSpec(PARITY_SPEC).spec, errors: [] }
    : parseSpec(fs.readFileSync(path.join(ROOT, 'demo', 'spec.yaml'), 'utf8'));
  if (!parsed.ok || !parsed.spec) {
    throw new Error(`invalid ${specName}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
  const compiledResult = compileRules(parsed.spec, { buckets: paritySpec ? PARITY_BUCKETS : demoBuckets(parsed.spec) });
  if (!compiledResult.ok || !compiledResult.rules) {
    throw new Error(`cannot compile ${specName}: ${compiledResult.errors.join('; ')}`);
  }
  const compiled = compiledResult.rules;
  const signals = compiled.compiled.filter((id) => !compiled.logSignals.includes(id));
  const spec = validateSpec({
    ...parsed.spec,
    signals: parsed.spec.signals.filter((s) => signals.includes(s.id)),
  }).spec!;
  // Rules of log signals would read inputs a Loki ruler records: there is no Loki here.
  const scheduled = scheduledRules(compiled.prometheus, (r) => !compiled.logSignals.includes(r.labels?.signal ?? ''));
  const rules = scheduled.map((r) => r.rule);
  const stepMs = compiled.stepMs;

  const gen = defaultOptions({ seed: SEED });
  gen.end = gen.start + (WARMUP_DAYS + 1) * DAY_MS;
  const dir = fs.mkdtempSync(path.join(tmpRoot(), 'anomalyscore-bench-rules-'));
  const dataDir = path.join(dir, 'data');
  const prom = new Prom(dir, dataDir, stepMs / 2);
  try {
    let t = Date.now();
    const summary = writeDemo(gen, path.join(dir, 'gen'), false);
    await backfill(path.join(dir, 'gen', 'metrics.om'), dataDir);
    fs.rmSync(path.join(dir, 'gen'), { recursive: true, force: true });
    log(
      `demo: ${WARMUP_DAYS} warm-up days + 1 measured day, ${summary.series} series, generated and backfilled in ${Date.now() - t} ms`
    );
    await prom.start();

    // The first points have no 5m rate yet; the measured day is the last full day.
    const warmStart = gen.start + 10 * 60_000;
    const end = gen.end - stepMs;
    const dayStart = end - DAY_MS + stepMs;
    const plan = evaluationPlan(scheduled);
    const ls: Stage[] = [...plan.pre, ...plan.post];
    const historical = historicalRecords(rules);
    // A loop (the rarity history) runs from the warm-up on, so everything it reads is recorded there too.
    plan.pre.forEach((st) => st.plain.forEach((r) => historical.add(r.rule.record)));
    log(
      `spec ${spec.id} (${specName}): ${signals.length} compiled signals (${signals.join(', ')}); ${rules.length} recording rules in ${ls.length} layers` +
        (plan.loops.length ? ` and ${plan.loops.length} loop(s) evaluated in time order` : '')
    );
    for (const u of compiled.unsupported) {
      log(`  not compiled: ${u.signal} (${u.kind})`);
    }
    log(`  recorded over the warm-up days too (read over windows): ${[...historical].join(', ')}`);
    if (compiled.logSignals.length) {
      log(`  log signals left out (no Loki): ${compiled.logSignals.join(', ')}`);
    }

    // --- Prometheus: layer by layer, timing the measured day only.
    const totals: EvalTotals = { serverMs: 0, clientMs: 0, queries: 0, instantQueries: 0, perLayerMs: [] };
    let scoreSamples = 0;
    const perRule: Array<{ record: string; signal?: string; ms: number }> = [];
    // The loops between the stages they read and the stages that read them, timed over the day.
    const runLoops = async () => {
      const client = new PromClient(prom.url, dayStart);
      try {
        await evalLoops(client, plan.loops, warmStart, end, CONCURRENCY);
      } finally {
        client.close();
      }
      totals.serverMs += client.serverMs;
      totals.queries += client.queries;
      totals.perLayerMs.push(client.serverMs);
      for (const [record, ms] of client.serverMsByTag) {
        perRule.push({ record, signal: '(every rarity signal)', ms });
      }
      log(`loops: ${plan.loops.length} in time order, ${r1(client.serverMs)} ms (Prometheus execTotalTime)`);
    };
    for (let i = 0; i < ls.length; i++) {
      if (i === plan.pre.length && plan.loops.length > 0) {
        await runLoops();
      }
      const before = totals.serverMs;
      const byName = new Map<string, Sample[]>();
      for (const { rule, intervalMs } of ls[i].plain) {
        const { samples, serverMs } = await evalRule(
          prom.url,
          rule,
          warmStart,
          dayStart,
          end,
          intervalMs,
          totals,
          historical.has(rule.record)
        );
        byName.set(rule.record, [...(byName.get(rule.record) ?? []), ...samples]);
        perRule.push({ record: rule.record, signal: rule.labels?.signal, ms: serverMs });
        if (rule.record === 'anomaly:score') {
          // The work is real: the score exists for every entity over the measured day.
          scoreSamples += samples.reduce((a, x) => a + x.t.filter((t) => t >= dayStart).length, 0);
        }
      }
      totals.perLayerMs.push(totals.serverMs - before);
      if (i < ls.length - 1) {
        await prom.stop();
        await prom.addBlocks(byName, `layer${i}`);
        await prom.start();
      }
      log(`layer ${i}: ${ls[i].plain.length} rules, ${r1(totals.serverMs - before)} ms (Prometheus execTotalTime)`);
    }
    if (plan.post.length === 0 && plan.loops.length > 0) {
      await runLoops();
    }
    const slowest = [...perRule].sort((a, b) => b.ms - a.ms).slice(0, 3);
    log(
      `slowest rules: ${slowest.map((r) => `${r.record}${r.signal ? `{${r.signal}}` : ''} ${r1(r.ms)} ms`).join('; ')}`
    );

    // --- Engine: the same signals on the same data, fetched once.
    t = Date.now();
    const grid = new Float64Array(Math.floor((end - warmStart) / stepMs) + 1).map((_, i) => warmStart + i * stepMs);
    const entities = await engineInputs(prom.url, spec, grid, stepMs);
    const fetchMs = Date.now() - t;
    const engine = await bundledEngine(dir);
    const runs: number[] = [];
    let scoredPoints = 0;
    for (let r = 0; r < REPS + 1; r++) {
      const t0 = performance.now();
      const scores = engine.scoreEntities(spec, entities, { stepMs });
      const ms = performance.now() - t0;
      if (r === 0) {
        scoredPoints = scores.reduce((a, s) => a + s.t.length, 0);
      } else {
        runs.push(ms); // the first run warms up the JIT
      }
    }
    const engineMs = median(runs);
    log(
      `engine: ${entities.length} entities x ${grid.length} points (${WARMUP_DAYS} warm-up days + the day), inputs fetched in ${fetchMs} ms, scoreEntities ${r1(engineMs)} ms (median of ${REPS})`
    );

    const result = {
      rules_eval_ms: r1(totals.serverMs),
      engine_same_data_ms: r1(engineMs),
      rules_vs_engine: Number((totals.serverMs / engineMs).toFixed(2)),
      rules_eval_client_ms: r1(totals.clientMs),
      rules_layers_ms: totals.perLayerMs.map(r1),
      rules_score_samples: scoreSamples,
      rules_queries: totals.queries,
      rules_instant_queries: totals.instantQueries,
      recording_rules: rules.length,
      signals,
      entities: entities.length,
      measured_points_per_entity: Math.round((end - dayStart) / stepMs) + 1,
      engine_points_per_entity: grid.length,
      engine_scored_points: scoredPoints,
      warmup_days: WARMUP_DAYS,
      concurrency: CONCURRENCY,
      elapsed_s: Math.round((Date.now() - started) / 1000),
    };
    const out = process.argv.indexOf('--json');
    if (out >= 0) {
      fs.writeFileSync(process.argv[out + 1], JSON.stringify(result));
    }
    console.log(JSON.stringify(result));
  } finally {
    await prom.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`rules bench failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
