#!/usr/bin/env node
// `npm run bench`: performance figures of the scoring engine (see bench/README.md).
//
// Bundles bench/engine.ts (and the engine it imports) with esbuild into a temp dir, runs each stage
// in its own `node` process (so peak RSS belongs to one stage), runs the pandas baseline with
// /usr/bin/python3 on the same bytes, prints a table and, as the LAST line, one JSON object; the
// same JSON goes to bench-results/engine.json.
//
// Options (defaults are the issue's figures): --series 1000 --points 10080 --block 50
//   --pandas-series 20 --reps 5 --quick (a ~30 s smoke run: 100 series, 4 pandas series)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3'; // Debian's python3 with python3-pandas (not a pyenv one on PATH)

function parseArgs(argv) {
  const quick = argv.includes('--quick');
  const opts = {
    series: quick ? 100 : 1000,
    points: 10080,
    block: 50,
    pandasSeries: quick ? 4 : 20,
    reps: quick ? 3 : 5,
  };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (key !== 'quick' && key in opts) {
      opts[key] = Number(argv[++i]);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const started = Date.now();
const tmp = mkdtempSync(path.join(tmpdir(), 'anomalyscore-bench-'));
const worker = path.join(tmp, 'engine.cjs');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})`);
  }
}

function stage(name, mode, args) {
  console.log(`\n== ${name} ==`);
  const json = path.join(tmp, `${mode}.json`);
  const t0 = Date.now();
  run(process.execPath, [worker, mode, ...args, '--json', json]);
  console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return JSON.parse(readFileSync(json, 'utf8'));
}

try {
  // 1. Bundle: the worker and the engine become one CommonJS file (no tsx module wrapper on the
  //    hot paths; CommonJS because `yaml` uses require('process')).
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.join(root, 'bench', 'engine.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: worker,
    logLevel: 'warning',
  });
  console.log(`node ${process.version}; bundle in ${tmp}`);

  // 2. The series pandas also scores: write them, time the engine on exactly those points.
  const data = path.join(tmp, 'subset.f64');
  const subset = stage(`engine on the pandas subset (${opts.pandasSeries} series)`, 'subset', [
    '--series',
    String(opts.pandasSeries),
    '--points',
    String(opts.points),
    '--reps',
    String(opts.reps),
    '--data',
    data,
  ]);

  // 3. pandas on the same bytes.
  console.log('\n== pandas baseline (same data, same formulas) ==');
  const pandasJson = path.join(tmp, 'pandas.json');
  let pandas = null;
  const py = spawnSync(PYTHON, [path.join(root, 'bench', 'pandas_bench.py'), data, pandasJson], {
    cwd: root,
    stdio: 'inherit',
  });
  if (py.status === 0) {
    pandas = JSON.parse(readFileSync(pandasJson, 'utf8'));
  } else {
    console.log(`  pandas baseline failed (${PYTHON}; needs the Debian python3-pandas package): vs_pandas is null`);
  }

  // 4. The main run: full layered score, all 5 signals, N series x P points, plus the summing pass.
  const main = stage(`full run: ${opts.series} series x ${opts.points} points, 5 signals`, 'main', [
    '--series',
    String(opts.series),
    '--points',
    String(opts.points),
    '--block',
    String(opts.block),
  ]);

  // 5. Growth with series length and window length.
  const scaling = stage('scaling', 'scaling', ['--reps', '5']);

  // 6. Incremental appends.
  const inc = stage('incremental', 'incremental', [
    '--series',
    '5',
    '--points',
    String(opts.points),
    '--append',
    '2000',
  ]);

  // 7. Query-pipeline overhead of the data source against a real Prometheus (issue: scoring time ÷
  //    time to receive upstream frames, 100 series x 1,440 points), and 8. the panel in headless
  //    Chromium (1,000 entities x 1,440 points). Both need Debian packages; without them: null.
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  const lastJsonLine = (text) => {
    const line = text.trim().split('\n').reverse().find((l) => l.startsWith('{'));
    return line ? JSON.parse(line) : null;
  };
  const sidecar = (name, script, args) => {
    console.log(`\n== ${name} ==`);
    const r = spawnSync(tsx, [script, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
    process.stdout.write(r.stdout ?? '');
    if (r.status !== 0) {
      console.log(`  ${name} failed or unavailable: ${(r.stderr ?? '').trim().split('\n').pop()}`);
      return null;
    }
    return lastJsonLine(r.stdout);
  };
  const pipeline = sidecar('data source pipeline vs upstream (real Prometheus)', 'bench/pipeline.ts', []);
  const browser = sidecar('panel in headless Chromium', 'preview/bench.ts', ['--entities', '1000', '--points', '1440']);
  // 9. The compiled recording rules evaluated by Prometheus over one day of demo data, next to the
  //    engine on the same data (bench/rules.ts; null without prometheus/promtool).
  const rules = sidecar('compiled rules in Prometheus vs the engine (1 day of demo data)', 'bench/rules.ts', []);

  // ---------------------------------------------------------------------------------------------
  const ratio = (a, b) => (a > 0 && b > 0 ? a / b : null);
  const round = (x, d = 3) => (x === null || x === undefined ? null : Number(x.toPrecision(d + 1)));
  const roundMap = (m, d) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, round(v, d)]));
  const signals = ['robust_z', 'seasonal', 'level_shift', 'ratio', 'histogram_drift'];
  const ids = ['latency_z', 'traffic_seasonal', 'confidence_shift', 'error_ratio', 'score_drift'];
  const perSignalVsPandas = pandas
    ? Object.fromEntries(
        ids.map((id, k) => [signals[k], round(ratio(pandas.per_signal_s[id], subset.per_signal_s[id]))])
      )
    : null;
  const minAgree = pandas
    ? Math.min(
        ...Object.values(pandas.check_series0).flatMap((c) =>
          c.agree !== undefined ? [c.agree] : [c.statistic.agree, c.severity.agree]
        )
      )
    : null;

  const result = {
    points_per_s: round(main.points_per_s),
    vs_pandas: pandas ? round(ratio(pandas.pandas_s, subset.full_score_s)) : null,
    vs_sum_pass: round(main.vs_sum_pass),
    incremental_ns_per_point: round(inc.incremental_ns_per_point),
    peak_rss_mb: round(main.peak_rss_mb),
    series: main.series,
    points_per_series: main.points_per_series,
    signals,
    histogram_buckets: 10,
    total_points: main.series * main.points_per_series,
    score_s: round(main.score_s),
    sum_pass_s: round(main.sum_pass_s),
    sum_pass_points_per_s: round(main.sum_pass_points_per_s),
    sum_pass_gb_per_s: round(main.sum_pass_gb_per_s),
    scaling_length_ns_per_point: roundMap(scaling.length_ns_per_point),
    scaling_window_ns_per_point: roundMap(scaling.window_ns_per_point),
    scaling_window_fixed_length: scaling.window_fixed_length,
    pandas_series: pandas ? pandas.series : null,
    pandas_points_per_s: pandas ? round(pandas.pandas_points_per_s) : null,
    ours_subset_points_per_s: round(subset.points_per_s),
    vs_pandas_detectors_only: pandas
      ? round(ratio(pandas.pandas_s - pandas.per_signal_s.composite, subset.detectors_s))
      : null,
    vs_pandas_per_signal: perSignalVsPandas,
    pandas_cusum: 'python loop over ndarray.tolist() (capped CUSUM cannot use ufunc.accumulate)',
    pandas_agreement_series0: round(minAgree),
    incremental_chunk60_ns_per_point: round(inc.incremental_chunk60_ns_per_point),
    incremental_history_points: inc.history_points,
    incremental_equals_batch: inc.incremental_equals_batch,
    data_in_memory: `generated in blocks of ${main.block} series (${main.block_input_mb.toFixed(0)} MB), whole set would be ${main.whole_set_input_mb.toFixed(0)} MB`,
    pipeline_overhead: pipeline ? pipeline.pipeline_overhead : null,
    pipeline_upstream_ms: pipeline ? pipeline.upstream_ms : null,
    pipeline_scoring_ms: pipeline ? pipeline.scoring_ms : null,
    pipeline_shape: pipeline ? `${pipeline.series} series x ${pipeline.points} points, ${pipeline.signals} signals` : null,
    browser_first_render_ms: browser ? browser.first_render_ms : null,
    browser_drilldown_ms: browser ? browser.drilldown_ms : null,
    browser_shape: browser ? `${browser.entities} entities x ${browser.points} points` : null,
    rules_eval_ms: rules ? rules.rules_eval_ms : null,
    engine_same_data_ms: rules ? rules.engine_same_data_ms : null,
    rules_vs_engine: rules ? rules.rules_vs_engine : null,
    rules_shape: rules
      ? `${rules.recording_rules} recording rules, ${rules.signals.length} signals, ${rules.entities} entities x ${rules.measured_points_per_entity} steps (engine: ${rules.engine_points_per_entity} points incl. ${rules.warmup_days} warm-up days)`
      : null,
    node: process.version,
    bench_elapsed_s: round((Date.now() - started) / 1000),
  };

  // Human-readable table.
  const fmt = (x, unit = '') =>
    x === null || x === undefined
      ? 'n/a'
      : `${Number(x).toLocaleString('en-US', { maximumSignificantDigits: 4 })}${unit}`;
  const rows = [
    [
      'series x points (5 signals, 10 buckets)',
      `${main.series} x ${main.points_per_series} = ${fmt(result.total_points)}`,
    ],
    ['full layered score: time', fmt(main.score_s, ' s')],
    ['points_per_s (series x points / s)', fmt(main.points_per_s)],
    ['ns per point (all 5 signals + composite + tiers)', fmt(1e9 / main.points_per_s, ' ns')],
    [
      'summing pass: time / points per s / GB/s',
      `${fmt(main.sum_pass_s, ' s')} / ${fmt(main.sum_pass_points_per_s)} / ${fmt(main.sum_pass_gb_per_s)}`,
    ],
    ['vs_sum_pass (ours / summing pass)', fmt(result.vs_sum_pass, 'x')],
    ['peak RSS of the full run', fmt(main.peak_rss_mb, ' MB')],
    [`pandas on ${pandas ? pandas.series : '?'} series: points per s`, fmt(result.pandas_points_per_s)],
    ['ours on the same series: points per s', fmt(subset.points_per_s)],
    ['vs_pandas (pandas time / ours, same points)', fmt(result.vs_pandas, 'x')],
    ['vs_pandas, detectors only', fmt(result.vs_pandas_detectors_only, 'x')],
    ...(perSignalVsPandas ? signals.map((s) => [`  vs_pandas ${s}`, fmt(perSignalVsPandas[s], 'x')]) : []),
    ['pandas vs engine statistics on series 0 (share equal)', fmt(minAgree)],
    ['incremental: 1 point per append (after 10,080 of history)', fmt(inc.incremental_ns_per_point, ' ns/point')],
    ['incremental: 60 points per append', fmt(inc.incremental_chunk60_ns_per_point, ' ns/point')],
    ['incremental result == batch result', String(inc.incremental_equals_batch)],
    ...Object.entries(scaling.length_ns_per_point).map(([n, v]) => [
      `length ${n} (default windows)`,
      fmt(v, ' ns/point'),
    ]),
    ...Object.entries(scaling.window_ns_per_point).map(([w, v]) => [
      `window ${w} (length ${scaling.window_fixed_length})`,
      fmt(v, ' ns/point'),
    ]),
    ['data source: time to receive upstream frames', fmt(result.pipeline_upstream_ms, ' ms')],
    ['data source: alignment + engine + frames after that', fmt(result.pipeline_scoring_ms, ' ms')],
    ['pipeline_overhead (scoring ÷ upstream)', fmt(result.pipeline_overhead, 'x')],
    ['panel: first render (1,000 entities, Chromium)', fmt(result.browser_first_render_ms, ' ms')],
    ['panel: open a drill-down', fmt(result.browser_drilldown_ms, ' ms')],
    ['compiled rules: Prometheus evaluation of 1 day (sum of query times)', fmt(result.rules_eval_ms, ' ms')],
    ['engine on the same signals and data', fmt(result.engine_same_data_ms, ' ms')],
    ['rules_vs_engine (Prometheus ÷ engine)', fmt(result.rules_vs_engine, 'x')],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log('\n== results ==');
  for (const [k, v] of rows) {
    console.log(`${k.padEnd(width)}  ${v}`);
  }
  console.log(`(bench took ${fmt(result.bench_elapsed_s, ' s')})`);

  mkdirSync(path.join(root, 'bench-results'), { recursive: true });
  writeFileSync(path.join(root, 'bench-results', 'engine.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
