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

/** Incidents last 20–120 min: long enough to see on a 60 s step, short enough to be an incident. */
export const INCIDENT_MIN_MS = 20 * MINUTE_MS;
export const INCIDENT_MAX_MS = 120 * MINUTE_MS;
export const SURGE_MS = 60 * MINUTE_MS;
/** The deploy's latency warm-up lasts 5 min; the benign window adds 10 min for detector lag. */
export const DEPLOY_WARMUP_MS = 5 * MINUTE_MS;
export const DEPLOY_WINDOW_MS = 15 * MINUTE_MS;

type Slot = { start: number; end: number };

/** Kind-specific strength, drawn inside the ranges the brief asks for (detectable, not huge). */
function incidentParams(kind: IncidentKind, rng: Rng, features: string[]): Record<string, number | string> {
  switch (kind) {
    case 'input_drift':
      // A mean shift of d standard deviations gives PSI ≈ d² on fine bins; our 8 bins
      // (edges at ±0.5/1/1.5 sd) see PSI ≈ 0.2–0.5 for d in 0.55–0.85.
      return { feature: rng.pick(features), shiftSd: round(rng.uniform(0.55, 0.85), 3) };
    case 'prediction_shift':
      // Shift of the logit-normal score in units of its spread: PSI ≈ 0.2–0.5 on the 10 score bins.
      return { shiftSd: round(rng.uniform(0.55, 0.8), 3) * (rng.next() < 0.5 ? -1 : 1) };
    case 'latency_spike':
      return { factor: round(rng.uniform(3, 5), 2) };
    case 'calibration_gap':
      // Accuracy falls this far below confidence in every bin (over-confidence).
      return { gap: round(rng.uniform(0.12, 0.22), 3) };
    case 'labelling_delay':
      return {};
    case 'error_burst':
      return {
        factor: round(rng.uniform(5, 20), 1),
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
    const dur = alignDown(rng.uniform(INCIDENT_MIN_MS, INCIDENT_MAX_MS), step);
    const { entity, start: s } = place(dur, `a ${kind} incident`);
    incidents.push({
      id: '',
      entity,
      kind,
      start: s,
      end: s + dur,
      params: incidentParams(kind, rng, featureNames(entity)),
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
