/** Shared types of the demo generator: options, entities and the ground truth file format. */

export const INCIDENT_KINDS = [
  'input_drift',
  'prediction_shift',
  'latency_spike',
  'calibration_gap',
  'labelling_delay',
  'error_burst',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export const BENIGN_KINDS = ['traffic_surge', 'deploy'] as const;
export type BenignKind = (typeof BENIGN_KINDS)[number];

/** The common entity labels of the instrumentation convention (docs/instrumentation.md). */
export interface Entity {
  model: string;
  version: string;
  region: string;
}

export interface Incident {
  id: string;
  entity: Entity;
  kind: IncidentKind;
  /** epoch ms, inclusive */
  start: number;
  /** epoch ms, exclusive */
  end: number;
  /** How strong the injected effect is (kind-specific, for debugging and docs; not a contract). */
  params?: Record<string, number | string>;
}

export interface BenignEvent {
  id: string;
  entity: Entity;
  kind: BenignKind;
  start: number;
  end: number;
  params?: Record<string, number | string>;
}

/** Contents of incidents.json. */
export interface GroundTruth {
  incidents: Incident[];
  benign: BenignEvent[];
  seed: number;
  start: number;
  end: number;
  stepMs: number;
  entities: Entity[];
}

export interface GeneratorOptions {
  seed: number;
  /** epoch ms of the first sample (aligned down to the step) */
  start: number;
  /** epoch ms; samples are taken at start, start+step, … < end */
  end: number;
  stepMs: number;
  models: string[];
  versions: string[];
  regions: string[];
  /** Incident counts per kind. */
  incidents: Record<IncidentKind, number>;
  surges: number;
  deploys: number;
  /** No incident or benign event starts before start + quietMs (detectors need a baseline). */
  quietMs: number;
  /** Minimum gap between two events on the same entity, so each entity has at most a few. */
  minGapMs: number;
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

export const DEFAULT_MODELS = ['fraud', 'churn', 'ranker', 'pricing', 'support', 'vision'];
export const DEFAULT_VERSIONS = ['v1', 'v2', 'v3', 'v4'];
export const DEFAULT_REGIONS = ['eu', 'us', 'ap', 'sa'];

/** 3 of each kind: 18 incidents over 12 entities for a week, i.e. 1–3 per entity. */
export function defaultIncidentMix(): Record<IncidentKind, number> {
  const mix = {} as Record<IncidentKind, number>;
  for (const k of INCIDENT_KINDS) {
    mix[k] = 3;
  }
  return mix;
}

/** Fixed demo start (a Monday, 00:00 UTC) so a seed alone reproduces the files byte for byte. */
export const DEFAULT_START = Date.UTC(2025, 0, 6);

export function defaultOptions(overrides: Partial<GeneratorOptions> = {}): GeneratorOptions {
  const days = 7;
  const start = overrides.start ?? DEFAULT_START;
  return {
    seed: 42,
    start,
    end: start + days * DAY_MS,
    stepMs: MINUTE_MS,
    models: DEFAULT_MODELS.slice(0, 3),
    versions: DEFAULT_VERSIONS.slice(0, 2),
    regions: DEFAULT_REGIONS.slice(0, 2),
    incidents: defaultIncidentMix(),
    surges: 4,
    deploys: 4,
    quietMs: DAY_MS,
    minGapMs: 6 * HOUR_MS,
    ...overrides,
  };
}

export function entityKey(e: Entity): string {
  return `${e.model}/${e.version}/${e.region}`;
}

export function entitiesOf(opts: Pick<GeneratorOptions, 'models' | 'versions' | 'regions'>): Entity[] {
  const out: Entity[] = [];
  for (const model of opts.models) {
    for (const version of opts.versions) {
      for (const region of opts.regions) {
        out.push({ model, version, region });
      }
    }
  }
  return out;
}
