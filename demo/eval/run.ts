/**
 * The demo evaluation end to end: generate the demo week, backfill it into a real Prometheus,
 * run the REAL Anomaly Score data source (demo/spec.yaml, or any spec file) over it with a Prometheus upstream that
 * speaks Prometheus' HTTP API and a Loki upstream fed from the generator's push payload, and score
 * the tiers against incidents.json. Runs in Node with scripts/support/domShim loaded first.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lastValueFrom } from 'rxjs';
import { parse as parseYaml } from 'yaml';
import { DataFrame, DataQueryRequest, DataSourceInstanceSettings, dateTime } from '@grafana/data';

import { DataSource } from '../../src/datasource/datasource';
import type { AnomalyDataSourceOptions, AnomalyQuery } from '../../src/datasource/types';
import { entityKey } from '../../src/scoring/engine';
import { evaluateIncidents, type IncidentEvaluation, type ScoredEntity } from '../../src/scoring/evaluate/incidents';
import { formatSpecErrors, validateSpec, type ScoreSpec, type ScoreSpecInput } from '../../src/scoring/spec';
import { TIERS, type Tier } from '../../src/scoring/types';
import { writeDemo } from '../generator/openmetrics';
import { defaultOptions, type GroundTruth } from '../generator/types';
import { startPrometheus, type RunningPrometheus } from '../../tests/integration/prometheus';
import { LokiPayloadDataSource, PrometheusHttpDataSource, type PushBody } from './upstreams';
import { diagnose, type DemoDiagnosis } from './diagnose';

export const SPEC_FILE = path.resolve(__dirname, '..', 'spec.yaml');
const ENTITY = ['model', 'version', 'region'];

export interface DemoEvalOptions {
  seed?: number;
  days?: number;
  /** The spec to score (YAML or JSON file); default demo/spec.yaml. */
  specFile?: string;
  /** Tier that counts as an alert (default review). */
  minTier?: Tier;
  graceMs?: number;
  log?: (line: string) => void;
}

export interface DemoEvalResult extends IncidentEvaluation {
  /** Per alert (same order as alerts): the signal with the largest contribution at its peak. */
  alertCause: string[];
  timings: Record<string, number>;
  /** The data source's frames (for diagnostics). */
  frames: DataFrame[];
  truth: GroundTruth;
  entities: number;
  errors: string[];
  /** The spec as scored (defaults filled in) and per-signal false alarms and event peaks. */
  spec: ScoreSpec;
  diagnosis: DemoDiagnosis;
}

export interface GeneratedDemo {
  truth: GroundTruth;
  lokiBody: PushBody;
  /** The OpenMetrics file to backfill (in `dir`; remove `dir` when done). */
  openMetricsFile: string;
  dir: string;
  generateMs: number;
}

/** Generate the demo week (metrics, logs, incidents.json) into a temporary directory. */
export function generateDemo(opts: { seed?: number; days?: number } = {}): GeneratedDemo {
  const dir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'anomalyscore-eval-'));
  const t = Date.now();
  const genOpts = defaultOptions({
    seed: opts.seed ?? 42,
    ...(opts.days ? { end: defaultOptions().start + opts.days * 86_400_000 } : {}),
  });
  writeDemo(genOpts, dir, true);
  const generateMs = Date.now() - t;
  const truth: GroundTruth = JSON.parse(fs.readFileSync(path.join(dir, 'incidents.json'), 'utf8'));
  const lokiBody = JSON.parse(fs.readFileSync(path.join(dir, 'loki-push.json'), 'utf8')) as PushBody;
  return { truth, lokiBody, openMetricsFile: path.join(dir, 'metrics.om'), dir, generateMs };
}

/**
 * The REAL Anomaly Score data source with a Prometheus upstream at `prometheusUrl` and a Loki
 * upstream answering from a push payload (empty when none: Loki signals are then missing).
 */
export function createDataSource(prometheusUrl: string, lokiBody?: PushBody): DataSource {
  const upstreams = {
    prometheus: new PrometheusHttpDataSource(prometheusUrl),
    loki: new LokiPayloadDataSource(lokiBody ?? { streams: [] }),
  };
  const settings = {
    id: 1,
    uid: 'anomalyscore',
    name: 'Anomaly Score',
    type: 'opsml-anomalyscore-datasource',
    meta: {},
    jsonData: { prometheus: { uid: 'prometheus', type: 'prometheus' }, loki: { uid: 'loki', type: 'loki' } },
    readOnly: true,
    access: 'proxy',
  } as unknown as DataSourceInstanceSettings<AnomalyDataSourceOptions>;
  return new DataSource(settings, {
    getDataSource: async (ref) => (ref.uid === 'loki' || ref.type === 'loki' ? upstreams.loki : upstreams.prometheus),
    interpolate: (s) => s,
  });
}

export interface ScoreRangeOptions {
  from: number;
  /** Last point (inclusive). */
  to: number;
  stepMs: number;
  history?: string;
  requestId?: string;
}

/** One query of the data source over [from, to]: the per-entity score frames and the errors. */
export async function queryScoreFrames(
  ds: DataSource,
  spec: ScoreSpecInput,
  opts: ScoreRangeOptions
): Promise<{ frames: DataFrame[]; errors: string[] }> {
  const from = dateTime(opts.from);
  const to = dateTime(opts.to);
  const request = {
    requestId: opts.requestId ?? 'demo-eval',
    interval: `${opts.stepMs / 1000}s`,
    intervalMs: opts.stepMs,
    range: { from, to, raw: { from, to } },
    scopedVars: {},
    targets: [{ refId: 'A', format: 'timeseries', history: opts.history ?? '0s', spec } as AnomalyQuery],
    timezone: 'utc',
    app: 'demo-eval',
    startTime: Date.now(),
  } as unknown as DataQueryRequest<AnomalyQuery>;
  const response = await lastValueFrom(ds.query(request));
  const errors = (response.errors ?? []).map((e) => e.message ?? String(e));
  return { frames: response.data as DataFrame[], errors };
}

export function readDemoSpec(file = SPEC_FILE): ScoreSpecInput {
  return parseYaml(fs.readFileSync(file, 'utf8')) as ScoreSpecInput;
}

/** A spec file read and validated; throws with every problem listed (before any data is generated). */
export function loadSpecFile(file = SPEC_FILE): { input: ScoreSpecInput; spec: ScoreSpec } {
  const input = readDemoSpec(file);
  const checked = validateSpec(input);
  if (!checked.ok || !checked.spec) {
    throw new Error(`invalid spec ${file}:\n${formatSpecErrors(checked.errors)}`);
  }
  return { input, spec: checked.spec };
}

/** One seed's data generated and backfilled into its own Prometheus (starting, or ready). */
interface PreparedSeed {
  demo: GeneratedDemo;
  prometheus: Promise<RunningPrometheus>;
}

/**
 * Generate a seed's demo week (synchronously, in this process) and start backfilling it into a
 * Prometheus of its own (promtool runs as a child process, so the caller can score another seed
 * meanwhile). The OpenMetrics file is removed once the blocks are written.
 */
function prepareSeed(opts: DemoEvalOptions, log: (line: string) => void): PreparedSeed {
  const demo = generateDemo(opts);
  log(`generated ${demo.truth.incidents.length} incidents, ${demo.truth.benign.length} benign events in ${demo.generateMs} ms`);
  const prometheus = startPrometheus({ openMetricsFile: demo.openMetricsFile }).finally(() =>
    fs.rmSync(demo.dir, { recursive: true, force: true })
  );
  // Handled where it is awaited; this keeps an early failure from being reported as unhandled.
  prometheus.catch(() => undefined);
  return { demo, prometheus };
}

export async function runDemoEvaluation(opts: DemoEvalOptions = {}): Promise<DemoEvalResult> {
  const log = opts.log ?? (() => {});
  const spec = loadSpecFile(opts.specFile);
  return scorePrepared(prepareSeed(opts, log), spec, opts, log);
}

/**
 * The evaluation for several seeds, each against a Prometheus of its own (no seed can see another's
 * data). Pipelined one seed ahead: the next seed is generated while this one's backfill runs, and
 * backfilled while this one is scored (generation and scoring share this process, promtool runs
 * beside it), which saves about 40 % of running the seeds one after the other. Results come in seed
 * order.
 */
export async function runDemoEvaluations(
  seeds: readonly number[],
  opts: Omit<DemoEvalOptions, 'seed' | 'log'> & { log?: (seed: number, line: string) => void }
): Promise<DemoEvalResult[]> {
  const spec = loadSpecFile(opts.specFile);
  const { log: seedLog, ...shared } = opts;
  const logFor = (seed: number) => (line: string) => seedLog?.(seed, line);
  const results: DemoEvalResult[] = [];
  let next: PreparedSeed | undefined = seeds.length ? prepareSeed({ ...shared, seed: seeds[0] }, logFor(seeds[0])) : undefined;
  for (let i = 0; i < seeds.length; i++) {
    const current = next!;
    next = i + 1 < seeds.length ? prepareSeed({ ...shared, seed: seeds[i + 1] }, logFor(seeds[i + 1])) : undefined;
    try {
      results.push(await scorePrepared(current, spec, { ...shared, seed: seeds[i] }, logFor(seeds[i])));
    } catch (e) {
      await next?.prometheus.then((p) => p.stop()).catch(() => undefined);
      throw e;
    }
  }
  return results;
}

async function scorePrepared(
  prepared: PreparedSeed,
  specFile: { input: ScoreSpecInput; spec: ScoreSpec },
  opts: DemoEvalOptions,
  log: (line: string) => void
): Promise<DemoEvalResult> {
  const { input: specInput, spec } = specFile;
  const { truth, lokiBody } = prepared.demo;
  const timings: Record<string, number> = { generate_ms: prepared.demo.generateMs };
  const prom = await prepared.prometheus;
  timings.backfill_ms = prom.timings.backfill;
  log(`Prometheus ready at ${prom.url} (backfill ${prom.timings.backfill} ms)`);
  try {
    const ds = createDataSource(prom.url, lokiBody);
    const stepMs = truth.stepMs;
    const t = Date.now();
    const { frames, errors } = await queryScoreFrames(ds, specInput, {
      from: truth.start,
      to: truth.end - stepMs,
      stepMs,
    });
    timings.pipeline_ms = Date.now() - t;
    log(
      `scored ${frames.length} entities in ${timings.pipeline_ms} ms${errors.length ? `; ${errors.length} errors` : ''}`
    );

    const entities: ScoredEntity[] = frames.map((f) => {
      const time = f.fields.find((x) => x.name === 'Time')!.values as number[];
      const tier = f.fields.find((x) => x.name === 'tier')!.values as string[];
      return {
        key: f.name ?? '',
        t: Float64Array.from(time),
        tier: Uint8Array.from(tier, (x) => TIERS.indexOf(x as Tier)),
      };
    });
    const key = (e: Record<string, string>) => entityKey(e, ENTITY);
    const minTier = TIERS.indexOf(opts.minTier ?? 'review');
    const graceMs = opts.graceMs ?? 30 * 60_000;
    const evaluation = evaluateIncidents(
      entities,
      truth.incidents.map((i) => ({
        id: i.id,
        entity: key({ ...i.entity }),
        kind: i.kind,
        start: i.start,
        end: i.end,
      })),
      truth.benign.map((b) => ({ id: b.id, entity: key({ ...b.entity }), kind: b.kind, start: b.start, end: b.end })),
      { minTier, stepMs, graceMs }
    );
    const byName = new Map(frames.map((f) => [f.name ?? '', f]));
    const alertCause = evaluation.alerts.map((a) => topContributorBetween(byName.get(a.entity), a.start, a.end));
    // The spec the data source scored with (meta.custom.spec: defaults and the rarity split filled in).
    const scored = (frames[0]?.meta?.custom as { spec?: ScoreSpec } | undefined)?.spec ?? spec;
    const diagnosis = diagnose(frames, scored, truth, { minTier, graceMs });
    return {
      ...evaluation,
      alertCause,
      timings,
      frames,
      truth,
      entities: entities.length,
      errors,
      spec: scored,
      diagnosis,
    };
  } finally {
    await prom.stop();
  }
}

/** The contribution field with the largest value at the highest score within [from, to]. */
function topContributorBetween(frame: DataFrame | undefined, from: number, to: number): string {
  if (!frame) {
    return '?';
  }
  const time = frame.fields.find((f) => f.name === 'Time')!.values as number[];
  const score = frame.fields.find((f) => f.name === 'score')!.values as number[];
  let peak = -1;
  for (let i = 0; i < time.length; i++) {
    if (time[i] >= from && time[i] <= to && (peak < 0 || score[i] > score[peak])) {
      peak = i;
    }
  }
  let best = '?';
  let value = -Infinity;
  for (const f of frame.fields) {
    if (f.name.startsWith('contrib:') && peak >= 0 && (f.values[peak] as number) > value) {
      value = f.values[peak] as number;
      best = f.name.slice('contrib:'.length);
    }
  }
  return best;
}
