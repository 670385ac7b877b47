/**
 * Plans the ground truth: which entity gets which incident or benign event, when, and how strong.
 * Planning is separate from simulation so tests (and the live exporter) can reason about the
 * schedule without generating a single sample.
 */
import { Rng } from './prng';
import {
  BenignEvent,
  BenignKind,
  Entity,
  GeneratorOptions,
  GroundTruth,
  HOUR_MS,
  INCIDENT_KINDS,
  Incident,
  IncidentKind,
  MINUTE_MS,
  entitiesOf,
  entityKey,
} from './types';

/**
 * How long each kind lasts. Most last 20–120 min: long enough to see on a 60 s step, short enough
 * to be an incident. Input drift ramps over 1–3 h and then holds (a slowly changing upstream
 * population), calibration decay grows over 30–90 min and then holds: their incidents are the ramp
 * plus the hold, from the moment the change begins.
 */
export const INCIDENT_MIN_MS = 20 * MINUTE_MS;
export const INCIDENT_MAX_MS = 120 * MINUTE_MS;
export const DRIFT_RAMP_MS: readonly [number, number] = [60 * MINUTE_MS, 180 * MINUTE_MS];
export const CALIBRATION_RAMP_MS: readonly [number, number] = [30 * MINUTE_MS, 90 * MINUTE_MS];
/** After a ramp the change holds this long before it is fixed. */
export const RAMP_HOLD_MS: readonly [number, number] = [20 * MINUTE_MS, 60 * MINUTE_MS];
export const SURGE_MS = 60 * MINUTE_MS;
/** The deploy's latency warm-up lasts 5 min; the benign window adds 10 min for detector lag. */
export const DEPLOY_WARMUP_MS = 5 * MINUTE_MS;
export const DEPLOY_WINDOW_MS = 15 * MINUTE_MS;

/**
 * Strength of each kind, chosen so that each is visible in its own metric but not trivially: each
 * range is documented with its effect in demo/README.md ("Incidents").
 */
export const STRENGTH = {
  /** Final mean shift of the drifting feature, in its sd (reached at the end of the ramp). */
  driftShiftSd: [0.45, 0.75],
  /** Shift of the logit-normal prediction score, in units of its spread (either sign). */
  predictionShiftSd: [0.35, 0.6],
  /** Share of requests that become slow (one slow replica or dependency), and how much slower. */
  latencySlowFraction: [0.1, 0.3],
  latencySlowFactor: [4, 8],
  /** Final calibration gap: accuracy this far below confidence in every bin (end of the ramp). */
  calibrationGap: [0.12, 0.2],
  /** Error ratio multiplied by this during a burst (0.2–0.6 % becomes about 1–6 %). */
  errorFactor: [4, 10],
} as const;

type Slot = { start: number; end: number };

/** Kind-specific duration: ramp + hold for the ramped kinds, 20–120 min for the others. */
function incidentDuration(kind: IncidentKind, rng: Rng, step: number): { durationMs: number; rampMs?: number } {
  const ramp = kind === 'input_drift' ? DRIFT_RAMP_MS : kind === 'calibration_gap' ? CALIBRATION_RAMP_MS : undefined;
  if (!ramp) {
    return { durationMs: alignDown(rng.uniform(INCIDENT_MIN_MS, INCIDENT_MAX_MS), step) };
  }
  const rampMs = alignDown(rng.uniform(ramp[0], ramp[1]), step);
  const holdMs = alignDown(rng.uniform(RAMP_HOLD_MS[0], RAMP_HOLD_MS[1]), step);
  return { durationMs: rampMs + holdMs, rampMs };
}

/** Kind-specific strength, drawn inside the ranges of STRENGTH (detectable, not huge). */
function incidentParams(
  kind: IncidentKind,
  rng: Rng,
  features: string[],
  rampMs: number | undefined
): Record<string, number | string> {
  const draw = (range: readonly [number, number], digits: number) => round(rng.uniform(range[0], range[1]), digits);
  const rampMin: Record<string, number> = rampMs === undefined ? {} : { rampMin: rampMs / MINUTE_MS };
  switch (kind) {
    case 'input_drift':
      // A mean shift of d sd gives PSI ≈ 0.8·d² on our 8 bins (edges at ±0.5/1/1.5 sd): ≈ 0.15–0.45
      // at the end of the ramp, ≈ 0.02 a third of the way up.
      return { feature: rng.pick(features), shiftSd: draw(STRENGTH.driftShiftSd, 3), ...rampMin };
    case 'prediction_shift':
      // PSI ≈ 0.1–0.3 on the 10 score bins.
      return { shiftSd: draw(STRENGTH.predictionShiftSd, 3) * (rng.next() < 0.5 ? -1 : 1) };
    case 'latency_spike':
      return {
        slowFraction: draw(STRENGTH.latencySlowFraction, 3),
        factor: draw(STRENGTH.latencySlowFactor, 2),
      };
    case 'calibration_gap':
      // Accuracy falls below confidence in every bin (over-confidence), linearly over the ramp.
      return { gap: draw(STRENGTH.calibrationGap, 3), ...rampMin };
    case 'labelling_delay':
      return {};
    case 'error_burst':
      return {
        factor: draw(STRENGTH.errorFactor, 1),
        error: rng.pick(['ModelServerError', 'UpstreamTimeout', 'FeatureLookupTimeout']),
      };
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function planGroundTruth(opts: GeneratorOptions): GroundTruth {
  const rng = Rng.derive(opts.seed, 'schedule');
  const entities = entitiesOf(opts);
  if (entities.length === 0) {
    throw new Error('generator: at least one model, version and region is needed');
  }
  const step = opts.stepMs;
  const start = alignDown(opts.start, step);
  const end = opts.end;
  const busy = new Map<string, Slot[]>(entities.map((e) => [entityKey(e), []]));

  // Events start after the quiet period and end an hour before the end of the data, so every
  // event has a baseline before it and is wholly inside the range.
  const earliest = start + opts.quietMs;
  const latestEnd = end - HOUR_MS;

  const place = (durationMs: number, what: string): { entity: Entity; start: number } => {
    if (latestEnd - durationMs <= earliest) {
      throw new Error(
        `generator: the range is too short to place ${what} (need more than quiet period ${opts.quietMs / HOUR_MS} h + ${durationMs / MINUTE_MS} min + 1 h)`
      );
    }
    for (let attempt = 0; attempt < 400; attempt++) {
      // Prefer the least loaded entities so events spread out (at most a few per entity).
      const load = Math.min(...entities.map((e) => busy.get(entityKey(e))!.length));
      const candidates = attempt < 300 ? entities.filter((e) => busy.get(entityKey(e))!.length === load) : entities;
      const entity = rng.pick(candidates);
      const s = alignDown(earliest + rng.next() * (latestEnd - durationMs - earliest), step);
      const e = s + durationMs;
      const slots = busy.get(entityKey(entity))!;
      if (slots.every((o) => e + opts.minGapMs <= o.start || s >= o.end + opts.minGapMs)) {
        slots.push({ start: s, end: e });
        return { entity, start: s };
      }
    }
    throw new Error(
      `generator: cannot place ${what} with ${opts.minGapMs / HOUR_MS} h between events on an entity; ` +
        'use more days or entities, or fewer incidents'
    );
  };

  const featureNames = (e: Entity) => featuresFor(e.model).map((f) => f.name);

  const kinds: IncidentKind[] = [];
  for (const k of INCIDENT_KINDS) {
    for (let i = 0; i < (opts.incidents[k] ?? 0); i++) {
      kinds.push(k);
    }
  }
  rng.shuffle(kinds);

  const incidents: Incident[] = [];
  for (const kind of kinds) {
    const { durationMs, rampMs } = incidentDuration(kind, rng, step);
    const { entity, start: s } = place(durationMs, `a ${kind} incident`);
    incidents.push({
      id: '',
      entity,
      kind,
      start: s,
      end: s + durationMs,
      params: incidentParams(kind, rng, featureNames(entity), rampMs),
    });
  }

  const benign: BenignEvent[] = [];
  const benignKinds: BenignKind[] = [
    ...Array<BenignKind>(opts.surges).fill('traffic_surge'),
    ...Array<BenignKind>(opts.deploys).fill('deploy'),
  ];
  for (const kind of benignKinds) {
    const dur = kind === 'traffic_surge' ? SURGE_MS : DEPLOY_WINDOW_MS;
    const { entity, start: s } = place(dur, `a benign ${kind}`);
    const params: Record<string, number | string> =
      kind === 'traffic_surge'
        ? { factor: round(rng.uniform(2, 3), 2) }
        : { warmupFactor: round(rng.uniform(1.25, 1.45), 2), warmupMs: DEPLOY_WARMUP_MS };
    benign.push({ id: '', entity, kind, start: s, end: s + dur, params });
  }

  incidents.sort((a, b) => a.start - b.start || entityKey(a.entity).localeCompare(entityKey(b.entity)));
  benign.sort((a, b) => a.start - b.start || entityKey(a.entity).localeCompare(entityKey(b.entity)));
  incidents.forEach((x, i) => (x.id = `inc-${String(i + 1).padStart(3, '0')}`));
  benign.forEach((x, i) => (x.id = `ben-${String(i + 1).padStart(3, '0')}`));

  return { incidents, benign, seed: opts.seed, start, end, stepMs: step, entities };
}

export function alignDown(t: number, step: number): number {
  return Math.floor(t / step) * step;
}

export interface FeatureSpec {
  name: string;
  mean: number;
  sd: number;
}

/** Two input features per model, in natural units, so dashboards look like real services. */
export function featuresFor(model: string): FeatureSpec[] {
  switch (model) {
    case 'fraud':
      return [
        { name: 'amount', mean: 80, sd: 30 },
        { name: 'merchant_risk', mean: 0.4, sd: 0.12 },
      ];
    case 'churn':
      return [
        { name: 'tenure_days', mean: 400, sd: 120 },
        { name: 'sessions_7d', mean: 12, sd: 4 },
      ];
    case 'ranker':
      return [
        { name: 'query_length', mean: 20, sd: 6 },
        { name: 'ctr_7d', mean: 0.05, sd: 0.015 },
      ];
    default:
      return [
        { name: 'x1', mean: 0, sd: 1 },
        { name: 'x2', mean: 10, sd: 2 },
      ];
  }
}
