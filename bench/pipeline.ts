/**
 * Query-pipeline overhead of the data source (`npm run bench` stage): 100 series x 1,440 points
 * backfilled into a real Prometheus, queried through the REAL data source with an upstream that
 * speaks Prometheus' HTTP API. Reports the time to receive the upstream frames, the time the data
 * source spends after that (alignment, engine, frames), and their ratio. Runs under tsx, whose
 * module wrapper slows the engine (see bench/README.md): the ratio is an upper bound.
 *
 * Usage: tsx bench/pipeline.ts [--series 100] [--points 1440] [--reps 5] [--json FILE]
 */
import '../scripts/support/domShim';
import * as fs from 'node:fs';
import { lastValueFrom, Observable, tap } from 'rxjs';
import { DataQueryRequest, DataQueryResponse, DataSourceInstanceSettings, dateTime } from '@grafana/data';
import { DataSource } from '../src/datasource/datasource';
import type { AnomalyDataSourceOptions, AnomalyQuery } from '../src/datasource/types';
import type { ScoreSpecInput } from '../src/scoring/spec';
import { PrometheusHttpDataSource } from '../demo/eval/upstreams';
import { prometheusAvailable, startPrometheus } from '../tests/integration/prometheus';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const SERIES = arg('series', 100);
const POINTS = arg('points', 1440);
const REPS = arg('reps', 5);
const STEP_S = 60;
const START_S = 1_736_121_600; // 2025-01-06T00:00:00Z

/** Deterministic gauge values and cumulative counters with a daily shape and noise. */
function writeOpenMetrics(write: (chunk: string) => void) {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  write('# TYPE bench_latency_seconds gauge\n');
  for (let s = 0; s < SERIES; s++) {
    const lines: string[] = [];
    for (let i = 0; i < POINTS; i++) {
      const v = 0.1 * (1 + 0.3 * Math.sin((2 * Math.PI * i) / 1440)) * (1 + 0.1 * (rand() - 0.5)) * (i > POINTS - 30 && s % 10 === 0 ? 4 : 1);
      lines.push(`bench_latency_seconds{model="m${s}",version="v1"} ${v.toFixed(6)} ${START_S + i * STEP_S}`);
    }
    write(lines.join('\n') + '\n');
  }
  for (const [name, rate] of [
    ['bench_requests', 100],
    ['bench_errors', 1],
  ] as const) {
    write(`# TYPE ${name} counter\n`);
    for (let s = 0; s < SERIES; s++) {
      let c = 0;
      const lines: string[] = [];
      for (let i = 0; i < POINTS; i++) {
        c += Math.round(rate * (0.8 + 0.4 * rand()));
        lines.push(`${name}_total{model="m${s}",version="v1"} ${c} ${START_S + i * STEP_S}`);
      }
      write(lines.join('\n') + '\n');
    }
  }
  write('# EOF\n');
}

async function main() {
  if (!prometheusAvailable()) {
    throw new Error('prometheus/promtool not on PATH (apt-get install prometheus)');
  }
  const prom = await startPrometheus({ seriesGenerator: writeOpenMetrics });
  try {
    const upstream = new PrometheusHttpDataSource(prom.url);
    let lastUpstreamAt = 0;
    // Timestamp every upstream emission: "time to receive upstream frames".
    const timed = Object.create(upstream) as PrometheusHttpDataSource;
    timed.query = (req: DataQueryRequest) =>
      (upstream.query(req) as Observable<DataQueryResponse>).pipe(tap(() => (lastUpstreamAt = performance.now())));
    const ds = new DataSource(
      {
        id: 1,
        uid: 'bench',
        name: 'bench',
        type: 'opsml-anomalyscore-datasource',
        meta: {},
        jsonData: { prometheus: { uid: 'prometheus', type: 'prometheus' } },
        readOnly: true,
        access: 'proxy',
      } as unknown as DataSourceInstanceSettings<AnomalyDataSourceOptions>,
      { getDataSource: async () => timed, interpolate: (s) => s }
    );
    const spec: ScoreSpecInput = {
      id: 'bench-pipeline',
      entity: ['model', 'version'],
      step: '1m',
      signals: [
        { id: 'latency', kind: 'robust_z', direction: 'up', source: { queries: { value: 'bench_latency_seconds' } } },
        {
          id: 'errors',
          kind: 'ratio',
          source: {
            queries: {
              numerator: 'sum by (model, version) (increase(bench_errors_total[1m]))',
              denominator: 'sum by (model, version) (increase(bench_requests_total[1m]))',
            },
          },
        },
      ],
    };
    const from = dateTime((START_S + STEP_S) * 1000);
    const to = dateTime((START_S + (POINTS - 1) * STEP_S) * 1000);
    const request = {
      requestId: 'bench',
      interval: '1m',
      intervalMs: STEP_S * 1000,
      range: { from, to, raw: { from, to } },
      scopedVars: {},
      targets: [{ refId: 'A', format: 'timeseries', history: '0s', spec } as AnomalyQuery],
      timezone: 'utc',
      app: 'bench',
      startTime: 0,
    } as unknown as DataQueryRequest<AnomalyQuery>;

    const runs: Array<{ upstream_ms: number; scoring_ms: number; frames: number }> = [];
    for (let r = 0; r < REPS + 1; r++) {
      const t0 = performance.now();
      const res = await lastValueFrom(ds.query(request));
      const t1 = performance.now();
      if (res.errors?.length) {
        throw new Error(res.errors.map((e) => e.message).join('; '));
      }
      if (r > 0) {
        // The first run warms up the JIT and Prometheus' caches.
        runs.push({ upstream_ms: lastUpstreamAt - t0, scoring_ms: t1 - lastUpstreamAt, frames: res.data.length });
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const upstreamMs = median(runs.map((r) => r.upstream_ms));
    const scoringMs = median(runs.map((r) => r.scoring_ms));
    const result = {
      series: SERIES,
      points: POINTS,
      signals: 2,
      upstream_queries: 3,
      frames: runs[0].frames,
      upstream_ms: Number(upstreamMs.toFixed(1)),
      scoring_ms: Number(scoringMs.toFixed(1)),
      pipeline_overhead: Number((scoringMs / upstreamMs).toFixed(3)),
      reps: REPS,
    };
    const out = process.argv.indexOf('--json');
    if (out >= 0) {
      fs.writeFileSync(process.argv[out + 1], JSON.stringify(result));
    }
    console.log(JSON.stringify(result));
  } finally {
    await prom.stop();
  }
}

main().catch((e) => {
  console.error(`pipeline bench failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
