/**
 * The telemetry model of a fleet of ML model services: one simulator advanced step by step, used
 * by both the backfill writer (openmetrics.ts) and the live exporter (live.ts), so the two show
 * the same behaviour. Everything the model exposes follows docs/instrumentation.md.
 *
 * Each entity (model × version × region) keeps its cumulative counters in one Float64Array;
 * `layout` says which slot is which series. Counters only ever grow (as a scrape would see them
 * without restarts); histogram buckets are cumulative per `le` and the `+Inf` bucket equals
 * `_count`.
 */
import { Rng } from './prng';
import { DEPLOY_WARMUP_MS, featuresFor, planGroundTruth } from './schedule';
import { BenignEvent, DAY_MS, Entity, GeneratorOptions, GroundTruth, HOUR_MS, Incident, entityKey } from './types';

/** Bucket upper bounds (without +Inf): ~8–10 per histogram keeps the backfill small. */
export const LATENCY_LE = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
export const SCORE_LE = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
/** Feature buckets at mean + k·sd of the feature's reference distribution. */
export const FEATURE_Z = [-1.5, -1, -0.5, 0, 0.5, 1, 1.5];
/** Confidence of the predicted class lies in [0.5, 1]; the calibration bins. */
export const CONFIDENCE_LE = [0.6, 0.7, 0.8, 0.9, 0.95];
const CONFIDENCE_MID = [0.55, 0.65, 0.75, 0.85, 0.925, 0.975];
const SCORE_MID = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95];

export const PIPELINE = 'feature_refresh';
const PIPELINE_PERIOD_MS = 10 * 60_000;
/**
 * Healthy labelling: a label-join job runs every minute and ingests the labels that arrived since
 * its last run; a run is late (skipped) with this probability, so the healthy labelling lag is
 * mostly 0, a minute now and then (~40 times a day), two minutes about once a day.
 */
export const LABEL_RUN_PERIOD_MS = 60_000;
export const LABEL_RUN_SKIP_PROB = 0.03;

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface FamilyDef {
  /** OpenMetrics family name (counters without `_total`). */
  name: string;
  type: MetricType;
  help: string;
}

export interface SeriesDef {
  family: number;
  /** Sample name, e.g. `model_requests_total`, `model_latency_seconds_bucket`. */
  sample: string;
  /** Rendered label set, e.g. `model="fraud",version="v1",region="eu",le="0.1"`. */
  labels: string;
  entity: number;
  slot: number;
}

export const FAMILIES: FamilyDef[] = [
  { name: 'model_requests', type: 'counter', help: 'Prediction requests received.' },
  { name: 'model_errors', type: 'counter', help: 'Prediction requests that failed.' },
  { name: 'model_latency_seconds', type: 'histogram', help: 'End-to-end prediction latency.' },
  { name: 'model_prediction_score', type: 'histogram', help: 'Distribution of the model output score.' },
  { name: 'model_feature_value', type: 'histogram', help: 'Distribution of each input feature (drift).' },
  { name: 'model_confidence', type: 'histogram', help: 'Confidence of predictions whose label has arrived.' },
  {
    name: 'model_confidence_correct',
    type: 'histogram',
    help: 'Confidence of labelled predictions that were correct (same le layout as model_confidence).',
  },
  {
    name: 'model_last_label_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time the latest ground-truth label arrived.',
  },
  { name: 'model_pipeline_runs', type: 'counter', help: 'Runs of the feature pipeline.' },
  { name: 'model_pipeline_failures', type: 'counter', help: 'Failed runs of the feature pipeline.' },
  {
    name: 'feature_store_last_update_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time of the last successful feature store update.',
  },
  { name: 'model_deploy_timestamp_seconds', type: 'gauge', help: 'Unix time the serving model was last deployed.' },
  { name: 'model_deployments', type: 'counter', help: 'Deployments of the serving model.' },
];

// Slot offsets inside an entity's state array.
const N_LAT = LATENCY_LE.length + 1;
const N_SCORE = SCORE_LE.length + 1;
const N_FEAT = FEATURE_Z.length + 1;
const N_CONF = CONFIDENCE_LE.length + 1;
const N_FEATURES = 2;
export const SLOT = (() => {
  let i = 0;
  const take = (n: number) => {
    const at = i;
    i += n;
    return at;
  };
  const s = {
    requests: take(1),
    errors: take(1),
    latency: take(N_LAT + 2), // buckets…, count, sum
    score: take(N_SCORE + 2),
    features: [] as number[],
    confidence: 0,
    correct: 0,
    lastLabel: 0,
    pipelineRuns: 0,
    pipelineFailures: 0,
    featureStore: 0,
    deployTs: 0,
    deployments: 0,
    size: 0,
  };
  for (let f = 0; f < N_FEATURES; f++) {
    s.features.push(take(N_FEAT + 2));
  }
  s.confidence = take(N_CONF + 2);
  s.correct = take(N_CONF + 2);
  s.lastLabel = take(1);
  s.pipelineRuns = take(1);
  s.pipelineFailures = take(1);
  s.featureStore = take(1);
  s.deployTs = take(1);
  s.deployments = take(1);
  s.size = i;
  return s;
})();

/** Label values are our own identifiers, but escape anyway so any `--models` list stays valid. */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function fmtLe(x: number): string {
  return Number.isFinite(x) ? String(x) : '+Inf';
}

/** Per-entity feature bucket edges (natural units, rounded so `le` labels stay readable). */
export function featureEdges(model: string): number[][] {
  return featuresFor(model).map((f) => FEATURE_Z.map((z) => Number((f.mean + z * f.sd).toPrecision(4))));
}

/** Every series the generator writes, family by family, entity by entity (OpenMetrics order). */
export function buildLayout(entities: Entity[]): SeriesDef[] {
  const out: SeriesDef[] = [];
  const base = entities.map(
    (e) => `model="${escapeLabel(e.model)}",version="${escapeLabel(e.version)}",region="${escapeLabel(e.region)}"`
  );
  const hist = (family: number, name: string, les: number[], slot: number, extra = '') => {
    entities.forEach((_, ei) => {
      const lbl = base[ei] + extra;
      [...les, Infinity].forEach((le, i) =>
        out.push({ family, sample: `${name}_bucket`, labels: `${lbl},le="${fmtLe(le)}"`, entity: ei, slot: slot + i })
      );
      out.push({ family, sample: `${name}_count`, labels: lbl, entity: ei, slot: slot + les.length + 1 });
      out.push({ family, sample: `${name}_sum`, labels: lbl, entity: ei, slot: slot + les.length + 2 });
    });
  };
  const single = (family: number, sample: string, slot: number, extra = '') =>
    entities.forEach((_, ei) => out.push({ family, sample, labels: base[ei] + extra, entity: ei, slot }));

  single(0, 'model_requests_total', SLOT.requests);
  single(1, 'model_errors_total', SLOT.errors);
  hist(2, 'model_latency_seconds', LATENCY_LE, SLOT.latency);
  hist(3, 'model_prediction_score', SCORE_LE, SLOT.score);
  // Features: one histogram per (entity, feature); entity-major like the other families.
  entities.forEach((e, ei) => {
    const names = featuresFor(e.model).map((f) => f.name);
    const edges = featureEdges(e.model);
    names.forEach((name, fi) => {
      const lbl = `${base[ei]},feature="${escapeLabel(name)}"`;
      const slot = SLOT.features[fi];
      [...edges[fi], Infinity].forEach((le, i) =>
        out.push({
          family: 4,
          sample: 'model_feature_value_bucket',
          labels: `${lbl},le="${fmtLe(le)}"`,
          entity: ei,
          slot: slot + i,
        })
      );
      out.push({ family: 4, sample: 'model_feature_value_count', labels: lbl, entity: ei, slot: slot + N_FEAT });
      out.push({ family: 4, sample: 'model_feature_value_sum', labels: lbl, entity: ei, slot: slot + N_FEAT + 1 });
    });
  });
  hist(5, 'model_confidence', CONFIDENCE_LE, SLOT.confidence);
  hist(6, 'model_confidence_correct', CONFIDENCE_LE, SLOT.correct);
  single(7, 'model_last_label_timestamp_seconds', SLOT.lastLabel);
  single(8, 'model_pipeline_runs_total', SLOT.pipelineRuns, `,pipeline="${PIPELINE}"`);
  single(9, 'model_pipeline_failures_total', SLOT.pipelineFailures, `,pipeline="${PIPELINE}"`);
  single(10, 'feature_store_last_update_timestamp_seconds', SLOT.featureStore);
  single(11, 'model_deploy_timestamp_seconds', SLOT.deployTs);
  single(12, 'model_deployments_total', SLOT.deployments);
  return out;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Fills `out` with bin probabilities for cumulative edges given a CDF. */
function binProbs(edges: number[], cdf: (x: number) => number, out: Float64Array): void {
  let prev = 0;
  for (let i = 0; i < edges.length; i++) {
    const c = cdf(edges[i]);
    out[i] = Math.max(0, c - prev);
    prev = Math.max(prev, c);
  }
  out[edges.length] = Math.max(0, 1 - prev);
}

/** Per-entity constants: traffic level, error rate, latency, score and feature distributions. */
interface Profile {
  ratePerSec: number;
  tzHours: number;
  errorRatio: number;
  latencyMedian: number;
  latencySigma: number;
  scoreMu: number;
  scoreS: number;
  features: Array<{ name: string; mean: number; sd: number; edges: number[] }>;
  confWeights: Float64Array;
  overconfidence: number;
  labelFraction: number;
  pipelinePhaseMs: number;
  failureProb: number;
  initialDeploy: number;
}

const REGION_TZ: Record<string, number> = { eu: 1, us: -5, ap: 8, sa: -3 };

function makeProfile(seed: number, entity: Entity, ei: number, versions: string[], start: number): Profile {
  const m = Rng.derive(seed, `model:${entity.model}`);
  const r = Rng.derive(seed, `entity:${entityKey(entity)}`);
  // Traffic: the model sets the scale, the newest version gets the most traffic, regions differ.
  const modelRate = m.uniform(2, 4);
  const vIdx = versions.indexOf(entity.version);
  const versionFactor = vIdx === versions.length - 1 ? 1 : 0.6;
  const feats = featuresFor(entity.model);
  const edges = featureEdges(entity.model);
  const conf = [0.08, 0.12, 0.18, 0.27, 0.15, 0.2].map((w) => w * r.uniform(0.8, 1.2));
  const confSum = conf.reduce((a, b) => a + b, 0);
  return {
    ratePerSec: modelRate * versionFactor * r.uniform(0.8, 1.2),
    tzHours: REGION_TZ[entity.region] ?? ((ei * 5) % 24) - 12,
    errorRatio: r.uniform(0.002, 0.006),
    latencyMedian: m.uniform(0.04, 0.1) * r.uniform(0.9, 1.1),
    latencySigma: r.uniform(0.35, 0.5),
    scoreMu: m.uniform(-1.5, 0.3),
    scoreS: m.uniform(0.8, 1.2),
    features: feats.map((f, i) => ({ ...f, edges: edges[i] })),
    confWeights: Float64Array.from(conf.map((w) => w / confSum)),
    overconfidence: r.uniform(0, 0.02),
    labelFraction: r.uniform(0.25, 0.4),
    pipelinePhaseMs: r.int(0, 9) * 60_000,
    failureProb: 0.03,
    initialDeploy: Math.floor((start - r.uniform(3, 30) * DAY_MS) / 1000) * 1000,
  };
}

/** Traffic shape: daily cycle (peak mid-afternoon local time) and quieter weekends. */
export function seasonality(tMs: number, tzHours: number): number {
  const local = tMs + tzHours * HOUR_MS;
  const h = (local % DAY_MS) / HOUR_MS;
  const daily = 1 + 0.45 * Math.cos((2 * Math.PI * (h - 15)) / 24) + 0.08 * Math.cos((4 * Math.PI * (h - 15)) / 24);
  // 1970-01-01 was a Thursday: day index 2 and 3 of the week (from Thursday) are Sat and Sun.
  const dow = Math.floor(local / DAY_MS) % 7;
  const weekly = dow === 2 || dow === 3 ? 0.72 : 1;
  return daily * weekly;
}

export interface LogSink {
  (entity: number, tMs: number, offsetNs: number, line: string): void;
}

const BASE_ERRORS = [
  { error: 'FeatureLookupTimeout', status: 504 },
  { error: 'InvalidInput', status: 400 },
  { error: 'ModelServerError', status: 500 },
];
const STATUS: Record<string, number> = { ModelServerError: 500, UpstreamTimeout: 504, FeatureLookupTimeout: 504 };

interface Active {
  incidents: Incident[];
  benign: BenignEvent[];
}

export class Simulation {
  readonly entities: Entity[];
  readonly layout: SeriesDef[];
  readonly stepMs: number;
  truth: GroundTruth;
  /** Time of the next step to simulate (epoch ms). */
  t: number;
  readonly state: Float64Array[];
  onLog: LogSink | undefined;

  private profiles: Profile[];
  private rngs: Rng[];
  /** Log details draw from their own streams so turning logs off does not change the metrics. */
  private logRngs: Rng[];
  private noise: Float64Array;
  /** Per entity, labelled predictions not yet ingested: per confidence bin all, then correct. */
  private pendingLabels: Float64Array[];
  private events: Active[] = [];
  private probs = new Float64Array(16);
  private counts = new Float64Array(16);

  constructor(opts: GeneratorOptions, truth: GroundTruth = planGroundTruth(opts)) {
    this.truth = truth;
    this.entities = truth.entities;
    this.stepMs = truth.stepMs;
    this.t = truth.start;
    this.layout = buildLayout(this.entities);
    this.profiles = this.entities.map((e, i) => makeProfile(opts.seed, e, i, opts.versions, truth.start));
    this.rngs = this.entities.map((e) => Rng.derive(opts.seed, `sim:${entityKey(e)}`));
    this.logRngs = this.entities.map((e) => Rng.derive(opts.seed, `logs:${entityKey(e)}`));
    this.noise = new Float64Array(this.entities.length);
    this.pendingLabels = this.entities.map(() => new Float64Array(2 * N_CONF));
    this.state = this.entities.map((_, i) => {
      const s = new Float64Array(SLOT.size);
      const p = this.profiles[i];
      s[SLOT.deployTs] = p.initialDeploy / 1000;
      s[SLOT.deployments] = 1;
      // Gauges start "fresh" so the first samples do not look stale.
      s[SLOT.lastLabel] = truth.start / 1000;
      s[SLOT.featureStore] = truth.start / 1000;
      return s;
    });
    this.setTruth(truth);
  }

  /** Swap in a new schedule (the live exporter re-plans every horizon); state carries on. */
  setTruth(truth: GroundTruth): void {
    this.truth = truth;
    const keys = this.entities.map(entityKey);
    this.events = keys.map((k) => ({
      incidents: truth.incidents.filter((x) => entityKey(x.entity) === k),
      benign: truth.benign.filter((x) => entityKey(x.entity) === k),
    }));
  }

  /** Simulate the step at time `this.t` for every entity, then move on by one step. */
  step(): void {
    const t = this.t;
    for (let ei = 0; ei < this.entities.length; ei++) {
      this.stepEntity(ei, t);
    }
    this.t = t + this.stepMs;
  }

  private stepEntity(ei: number, t: number): void {
    const p = this.profiles[ei];
    const rng = this.rngs[ei];
    const s = this.state[ei];
    const stepSec = this.stepMs / 1000;
    const tSec = t / 1000;

    // Effects active at t.
    let surge = 1;
    let latencyFactor = 1;
    let slowFraction = 0;
    let slowFactor = 1;
    let errorFactor = 1;
    let errorKind = '';
    let scoreShift = 0;
    let driftFeature = '';
    let driftShift = 0;
    let calibrationGap = 0;
    let labelsStopped = false;
    const ev = this.events[ei];
    for (const x of ev.incidents) {
      if (t < x.start || t >= x.end) {
        continue;
      }
      const prm = x.params ?? {};
      // Ramped kinds grow linearly from their start over rampMin minutes, then hold.
      const ramp = prm.rampMin === undefined ? 1 : Math.min(1, (t - x.start + this.stepMs) / (Number(prm.rampMin) * 60_000));
      switch (x.kind) {
        case 'input_drift':
          driftFeature = String(prm.feature);
          driftShift = Number(prm.shiftSd) * ramp;
          break;
        case 'prediction_shift':
          scoreShift = Number(prm.shiftSd);
          break;
        case 'latency_spike':
          // A fraction of the requests (one slow replica or dependency) is slower; the rest is not.
          slowFraction = Number(prm.slowFraction ?? 1);
          slowFactor = Number(prm.factor);
          break;
        case 'calibration_gap':
          calibrationGap = Number(prm.gap) * ramp;
          break;
        case 'labelling_delay':
          labelsStopped = true;
          break;
        case 'error_burst':
          errorFactor = Number(prm.factor);
          errorKind = String(prm.error);
          break;
      }
    }
    for (const x of ev.benign) {
      if (x.kind === 'deploy' && t === x.start) {
        s[SLOT.deployTs] = tSec;
        s[SLOT.deployments] += 1;
      }
      if (t < x.start || t >= x.end) {
        continue;
      }
      const prm = x.params ?? {};
      if (x.kind === 'traffic_surge') {
        // Trapezoid: 10-minute ramps, like a real campaign or batch client, not a step.
        const ramp = 10 * 60_000;
        const w = Math.min(1, (t - x.start + this.stepMs) / ramp, (x.end - t) / ramp);
        surge *= 1 + (Number(prm.factor) - 1) * w;
      } else if (x.kind === 'deploy' && t < x.start + Number(prm.warmupMs ?? DEPLOY_WARMUP_MS)) {
        // Cold caches after a rollout: a small latency bump for a few minutes.
        latencyFactor *= Number(prm.warmupFactor);
      }
    }

    // Traffic: seasonality × slow AR(1) noise × surge, Poisson arrivals.
    this.noise[ei] = 0.9 * this.noise[ei] + 0.035 * rng.normal();
    const rate = p.ratePerSec * seasonality(t, p.tzHours) * Math.exp(this.noise[ei]) * surge;
    const n = rng.poisson(rate * stepSec);
    const errRatio = Math.min(0.5, p.errorRatio * errorFactor);
    const errors = rng.binomial(n, errRatio);
    s[SLOT.requests] += n;
    s[SLOT.errors] += errors;

    // Latency: log-normal; a small daily wobble (busier hours are a little slower).
    const dayPhase = (((t + p.tzHours * HOUR_MS) % DAY_MS) / DAY_MS) * 2 * Math.PI;
    const median = p.latencyMedian * latencyFactor * (1 + 0.05 * Math.sin(dayPhase));
    const lnMed = Math.log(median);
    const lnSlow = Math.log(median * slowFactor);
    const sig = p.latencySigma;
    // A mixture: (1 − f) of the requests as usual, f of them slowFactor times slower.
    binProbs(
      LATENCY_LE,
      (x) =>
        (1 - slowFraction) * normCdf((Math.log(x) - lnMed) / sig) + slowFraction * normCdf((Math.log(x) - lnSlow) / sig),
      this.probs
    );
    this.observeHist(rng, s, SLOT.latency, N_LAT, n, this.probs);
    const meanFactor = 1 + slowFraction * (slowFactor - 1);
    s[SLOT.latency + N_LAT + 1] += n * median * meanFactor * Math.exp((sig * sig) / 2) * (1 + 0.02 * rng.normal());

    // Successful requests produce a prediction, from a logit-normal score distribution.
    const m = n - errors;
    const mu = p.scoreMu + 0.05 * Math.sin(dayPhase) + scoreShift * p.scoreS;
    binProbs(SCORE_LE, (x) => normCdf((Math.log(x / (1 - x)) - mu) / p.scoreS), this.probs);
    this.observeHist(rng, s, SLOT.score, N_SCORE, m, this.probs);
    let scoreSum = 0;
    for (let i = 0; i < N_SCORE; i++) {
      scoreSum += this.counts[i] * SCORE_MID[i];
    }
    s[SLOT.score + N_SCORE + 1] += scoreSum;

    // Input features: normal around the reference mean, with a tiny daily wobble (PSI ≈ 0.01).
    for (let fi = 0; fi < p.features.length; fi++) {
      const f = p.features[fi];
      const shift = 0.05 * Math.cos(dayPhase) + (f.name === driftFeature ? driftShift : 0);
      const mean = f.mean + shift * f.sd;
      binProbs(f.edges, (x) => normCdf((x - mean) / f.sd), this.probs);
      const slot = SLOT.features[fi];
      this.observeHist(rng, s, slot, N_FEAT, m, this.probs);
      s[slot + N_FEAT + 1] += m * mean + Math.sqrt(m) * f.sd * rng.normal();
    }

    // Ground-truth labels arrive for a fraction of predictions (joined back by a labelling job that
    // runs every LABEL_RUN_PERIOD_MS); both confidence histograms are observed when the job ingests them,
    // over the same predictions. During a labelling delay the job does not run; its backlog arrives
    // at the first run after it.
    const labels = rng.binomial(m, p.labelFraction);
    const pending = this.pendingLabels[ei];
    if (labels > 0) {
      const counts = this.counts;
      rng.multinomial(labels, p.confWeights, counts);
      for (let i = 0; i < N_CONF; i++) {
        const inBin = counts[i];
        const acc = Math.max(0.3, CONFIDENCE_MID[i] - p.overconfidence - calibrationGap);
        const ok = rng.binomial(inBin, acc);
        pending[i] += inBin;
        pending[N_CONF + i] += ok;
      }
    }
    const labelRun =
      t % LABEL_RUN_PERIOD_MS === 0 || this.stepMs >= LABEL_RUN_PERIOD_MS ? rng.next() >= LABEL_RUN_SKIP_PROB : false;
    if (labelRun && !labelsStopped) {
      this.ingestLabels(s, pending);
      s[SLOT.lastLabel] = tSec;
    }

    // Feature pipeline: a run every 10 minutes; a failed run leaves the feature store stale.
    if ((t - p.pipelinePhaseMs) % PIPELINE_PERIOD_MS === 0 || this.stepMs > PIPELINE_PERIOD_MS) {
      s[SLOT.pipelineRuns] += 1;
      if (rng.next() < p.failureProb) {
        s[SLOT.pipelineFailures] += 1;
      } else {
        s[SLOT.featureStore] = tSec;
      }
    }

    if (errors > 0 && this.onLog) {
      this.emitErrorLogs(ei, t, errors, errorKind, this.logRngs[ei], median);
    }
  }

  /**
   * Adds the labelled predictions waiting in `pending` (per confidence bin: all, then correct) to
   * both confidence histograms (buckets cumulative per le, _count, _sum at the bin midpoints).
   */
  private ingestLabels(s: Float64Array, pending: Float64Array): void {
    let cumAll = 0;
    let cumOk = 0;
    let confSum = 0;
    let correctSum = 0;
    for (let i = 0; i < N_CONF; i++) {
      cumAll += pending[i];
      cumOk += pending[N_CONF + i];
      s[SLOT.confidence + i] += cumAll;
      s[SLOT.correct + i] += cumOk;
      confSum += pending[i] * CONFIDENCE_MID[i];
      correctSum += pending[N_CONF + i] * CONFIDENCE_MID[i];
    }
    s[SLOT.confidence + N_CONF] += cumAll;
    s[SLOT.confidence + N_CONF + 1] += confSum;
    s[SLOT.correct + N_CONF] += cumOk;
    s[SLOT.correct + N_CONF + 1] += correctSum;
    pending.fill(0);
  }

  /** Multinomial split of `n` observations into bins, added cumulatively to the bucket slots. */
  private observeHist(rng: Rng, s: Float64Array, slot: number, bins: number, n: number, probs: Float64Array): void {
    const counts = this.counts;
    if (n > 0) {
      rng.multinomial(n, probs.subarray(0, bins), counts);
    } else {
      counts.fill(0, 0, bins);
    }
    let cum = 0;
    for (let i = 0; i < bins; i++) {
      cum += counts[i];
      s[slot + i] += cum;
    }
    s[slot + bins] += n; // _count (== +Inf bucket)
  }

  private emitErrorLogs(ei: number, t: number, errors: number, burstKind: string, rng: Rng, median: number): void {
    const offsets: number[] = [];
    for (let i = 0; i < errors; i++) {
      offsets.push(Math.floor(rng.next() * this.stepMs * 1e6));
    }
    offsets.sort((a, b) => a - b);
    for (const off of offsets) {
      // During a burst most failures share one cause, as in a real outage.
      const base =
        burstKind && rng.next() < 0.85 ? { error: burstKind, status: STATUS[burstKind] ?? 500 } : rng.pick(BASE_ERRORS);
      const line = JSON.stringify({
        level: 'error',
        msg: 'prediction request failed',
        error: base.error,
        status: base.status,
        latency_ms: Math.round(median * 1000 * Math.exp(0.5 * rng.normal()) * (base.status === 504 ? 20 : 1)),
        request_id: hex8(rng) + hex8(rng),
      });
      this.onLog!(ei, t, off, line);
    }
  }
}

function hex8(rng: Rng): string {
  return Math.floor(rng.next() * 0x100000000)
    .toString(16)
    .padStart(8, '0');
}

export { planGroundTruth };
