/**
 * The detector registry: per kind its input type, parameter defaults, one-line help, validation
 * and a factory. Everything that configures detectors (spec validation, query editor, CLI) goes
 * through here.
 */
import { Detector, DetectorResult, Direction, SignalInput, SignalKind } from '../types';
import { CalibrationDetector, CalibrationReference, CALIBRATION_REFERENCES } from './calibration';
import { DRIFT_METRIC_DEFAULTS, DRIFT_METRICS, DriftMetric, HistogramDriftDetector } from './histogramDrift';
import { LevelShiftDetector } from './levelShift';
import {
  mergeParams,
  ParamIssue,
  ParamSchema,
  ParamValue,
  schemaDefaults,
  schemaHelp,
  toNumber,
  toPoints,
  toSeconds,
  validateAgainstSchema,
  windowMs,
} from './params';
import { RatioDetector } from './ratio';
import { RobustZDetector } from './robustZ';
import { SeasonalDetector } from './seasonal';
import { StalenessDetector } from './staleness';
import { ThresholdDetector } from './threshold';

export type { ParamIssue, ParamValue, Params } from './params';

export const DIRECTIONS: readonly Direction[] = ['up', 'down', 'both'];

export interface DetectorOptions {
  /** Which deviations count; defaults to the kind's defaultDirection. Ignored by kinds without one. */
  direction?: Direction;
  /** Step between points in ms: converts duration windows (`1h`) to points. */
  stepMs?: number;
}

export interface SignalKindInfo {
  kind: SignalKind;
  inputType: SignalInput['type'];
  /** Default params (durations as strings, null = not set / derived). */
  defaults: Readonly<Record<string, ParamValue>>;
  help: { kind: string; params: Readonly<Record<string, string>> };
  /** Directions that make sense for this kind; empty when direction does not apply. */
  directions: readonly Direction[];
  defaultDirection: Direction;
  /** Problems with `params` (paths below `path`, e.g. `signals[2].params`); [] when valid. */
  validate(params: unknown, path: string): ParamIssue[];
  /** Builds a detector; throws an Error listing the problems if params are invalid. */
  create(params: unknown, opts: DetectorOptions): Detector;
}

// --- shared param specs --------------------------------------------------------------------------

const warmupSpec = (def: number) =>
  ({
    type: 'window',
    default: def,
    min: 0,
    help: 'valid baseline points (or a duration) needed before judging; capped at the baseline window',
  }) as const;

const scaleFloorSpecs = {
  minScaleRel: {
    type: 'number',
    default: 0.01,
    min: 0,
    help: 'the robust spread never drops below this fraction of |baseline| (flat series stay sane)',
  },
  minScale: {
    type: 'number',
    default: 1e-9,
    min: 0,
    exclusiveMin: true,
    help: 'absolute minimum spread, in input units',
  },
} as const;

const zRampSpecs = {
  warn: { type: 'number', default: 3, min: 0, help: '|z| where severity starts to rise' },
  max: { type: 'number', default: 7, min: 0, help: '|z| where severity reaches 1' },
} as const;

// --- cross-field checks --------------------------------------------------------------------------

function checkRamp(merged: Record<string, ParamValue>, path: string, toValue = toNumber): ParamIssue[] {
  const warn = toValue(merged.warn);
  const max = toValue(merged.max);
  if (Number.isFinite(warn) && Number.isFinite(max) && !(max > warn)) {
    return [{ path: `${path}.max`, message: `must be greater than warn (${merged.warn})` }];
  }
  return [];
}

function safeSeconds(v: ParamValue): number {
  try {
    return toSeconds(v);
  } catch {
    return NaN;
  }
}

/** Windows that must satisfy a < b, compared when both are durations or both are point counts. */
function checkShorter(merged: Record<string, ParamValue>, path: string, a: string, b: string): ParamIssue[] {
  const [va, vb] = [merged[a], merged[b]];
  const [ma, mb] = [windowMs(va), windowMs(vb)];
  const bothMs = ma !== undefined && mb !== undefined;
  const bothPoints = typeof va === 'number' && typeof vb === 'number';
  if ((bothMs && !(ma < mb)) || (bothPoints && !(va < vb))) {
    return [{ path: `${path}.${a}`, message: `must be shorter than ${b} (${vb})` }];
  }
  return [];
}

// --- kinds ---------------------------------------------------------------------------------------

interface KindDefinition {
  inputType: SignalInput['type'];
  help: string;
  schema: ParamSchema;
  directions: readonly Direction[];
  defaultDirection: Direction;
  crossCheck?: (merged: Record<string, ParamValue>, path: string) => ParamIssue[];
  build(p: Record<string, ParamValue>, direction: Direction, stepMs: number | undefined): Detector;
}

/** Warm-up in points, capped at the baseline window so it can always be reached. */
function warmupPoints(p: Record<string, ParamValue>, stepMs: number | undefined, baselinePoints: number): number {
  return Math.min(toPoints(p.warmup, stepMs, 'warmup', 0), baselinePoints);
}

const DEFINITIONS: Record<SignalKind, KindDefinition> = {
  robust_z: {
    inputType: 'value',
    help: 'Spikes and dips: distance from the rolling median of the trailing window in robust standard deviations (MAD).',
    schema: {
      window: { type: 'window', default: '1h', help: 'trailing baseline window (current point excluded)' },
      warmup: warmupSpec(20),
      ...zRampSpecs,
      ...scaleFloorSpecs,
    },
    directions: DIRECTIONS,
    defaultDirection: 'both',
    crossCheck: (m, path) => checkRamp(m, path),
    build(p, direction, stepMs) {
      const window = toPoints(p.window, stepMs, 'window');
      return new RobustZDetector({
        window,
        warmup: warmupPoints(p, stepMs, window),
        warn: toNumber(p.warn),
        max: toNumber(p.max),
        minScaleRel: toNumber(p.minScaleRel),
        minScale: toNumber(p.minScale),
        direction,
      });
    },
  },

  seasonal: {
    inputType: 'value',
    help: 'Deviation from the same time in previous seasons (1d, 1w …): median of the last k seasons at this phase.',
    schema: {
      season: { type: 'window', default: '1d', help: 'season length, e.g. 1d or 1w' },
      seasons: { type: 'integer', default: 3, min: 1, max: 52, help: 'how many past seasons the expectation uses (k)' },
      minSeasons: { type: 'integer', default: 1, min: 1, max: 52, help: 'seasons with data needed before judging' },
      tolerance: {
        type: 'window',
        default: 0,
        min: 0,
        help: 'phase tolerance either side (points or duration) to absorb jitter',
      },
      window: { type: 'window', default: '1d', help: 'window of recent residuals that sets the robust spread' },
      warmup: warmupSpec(30),
      ...zRampSpecs,
      ...scaleFloorSpecs,
    },
    directions: DIRECTIONS,
    defaultDirection: 'both',
    crossCheck(m, path) {
      const issues = [...checkRamp(m, path), ...checkShorter(m, path, 'tolerance', 'season')];
      if (typeof m.minSeasons === 'number' && typeof m.seasons === 'number' && m.minSeasons > m.seasons) {
        issues.push({ path: `${path}.minSeasons`, message: `must be <= seasons (${m.seasons})` });
      }
      return issues;
    },
    build(p, direction, stepMs) {
      const window = toPoints(p.window, stepMs, 'window');
      return new SeasonalDetector({
        season: toPoints(p.season, stepMs, 'season'),
        seasons: toNumber(p.seasons),
        minSeasons: toNumber(p.minSeasons),
        tolerance: toPoints(p.tolerance, stepMs, 'tolerance', 0),
        window,
        warmup: warmupPoints(p, stepMs, window),
        warn: toNumber(p.warn),
        max: toNumber(p.max),
        minScaleRel: toNumber(p.minScaleRel),
        minScale: toNumber(p.minScale),
        direction,
      });
    },
  },

  level_shift: {
    inputType: 'value',
    help: 'Sustained shifts and slow drifts: two-sided CUSUM of the robust z against a rolling baseline.',
    schema: {
      window: { type: 'window', default: '1d', help: 'trailing baseline window for standardisation' },
      warmup: warmupSpec(30),
      k: { type: 'number', default: 0.5, min: 0, help: 'CUSUM allowance in robust standard deviations per point' },
      warn: { type: 'number', default: 5, min: 0, help: 'CUSUM value where severity starts (decision interval h)' },
      max: { type: 'number', default: 15, min: 0, help: 'CUSUM value where severity reaches 1; CUSUM is capped here' },
      clip: {
        type: 'number',
        default: 4,
        min: 0,
        exclusiveMin: true,
        help: 'z is clipped to ±clip so one spike cannot raise a level shift',
      },
      ...scaleFloorSpecs,
    },
    directions: DIRECTIONS,
    defaultDirection: 'both',
    crossCheck: (m, path) => checkRamp(m, path),
    build(p, direction, stepMs) {
      const window = toPoints(p.window, stepMs, 'window');
      return new LevelShiftDetector({
        window,
        warmup: warmupPoints(p, stepMs, window),
        k: toNumber(p.k),
        warn: toNumber(p.warn),
        max: toNumber(p.max),
        clip: toNumber(p.clip),
        minScaleRel: toNumber(p.minScaleRel),
        minScale: toNumber(p.minScale),
        direction,
      });
    },
  },

  ratio: {
    inputType: 'ratio',
    help: 'Event ratio (errors / requests) against its baseline, weighted by volume: few requests give weak evidence.',
    schema: {
      window: { type: 'window', default: '5m', help: 'current window the observed ratio is summed over' },
      baseline: { type: 'window', default: '1d', help: 'baseline window just before the current one' },
      warmup: warmupSpec(10),
      warn: { type: 'number', default: 3, min: 0, help: 'evidence (binomial deviance z) where severity starts' },
      max: { type: 'number', default: 7, min: 0, help: 'evidence (binomial deviance z) where severity reaches 1' },
      minRelChange: {
        type: 'number',
        default: 0.1,
        min: 0,
        max: 1,
        help: 'smallest relative change of the ratio that counts (0.1 = 10%)',
      },
      minAbsChange: {
        type: 'number',
        default: 0.001,
        min: 0,
        max: 1,
        help: 'smallest absolute change of the ratio that counts (0.001 = 0.1 percentage points)',
      },
    },
    directions: DIRECTIONS,
    defaultDirection: 'up',
    crossCheck: (m, path) => checkRamp(m, path),
    build(p, direction, stepMs) {
      const baseline = toPoints(p.baseline, stepMs, 'baseline');
      return new RatioDetector({
        window: toPoints(p.window, stepMs, 'window'),
        baseline,
        warmup: warmupPoints(p, stepMs, baseline),
        warn: toNumber(p.warn),
        max: toNumber(p.max),
        minRelChange: toNumber(p.minRelChange),
        minAbsChange: toNumber(p.minAbsChange),
        direction,
      });
    },
  },

  histogram_drift: {
    inputType: 'buckets',
    help: 'Distribution drift between the current and a reference window of histogram buckets (PSI, Jensen–Shannon, Hellinger).',
    schema: {
      window: { type: 'window', default: '1h', help: 'current window' },
      reference: { type: 'window', default: '1d', help: 'reference window just before the current one' },
      metric: {
        type: 'enum',
        default: 'psi',
        values: DRIFT_METRICS,
        help: 'psi (population stability index), js (Jensen–Shannon, base 2) or hellinger',
      },
      warn: {
        type: 'number',
        default: null,
        nullable: true,
        min: 0,
        help: 'divergence above the sampling noise where severity starts (null: psi 0.1, js 0.02, hellinger 0.1)',
      },
      max: {
        type: 'number',
        default: null,
        nullable: true,
        min: 0,
        help: 'divergence above the sampling noise where severity reaches 1 (null: psi 0.5, js 0.1, hellinger 0.25)',
      },
      minCount: {
        type: 'number',
        default: 100,
        min: 0,
        help: 'observations needed in each window before judging (fewer: missing / warming up, never 0)',
      },
      floor: {
        type: 'number',
        default: 1e-4,
        min: 0,
        max: 0.1,
        exclusiveMin: true,
        help: 'probability floor for empty bins',
      },
      warmup: warmupSpec(10),
    },
    directions: [],
    defaultDirection: 'both',
    crossCheck: (m, path) => checkRamp(resolveDriftRamp(m), path),
    build(p, _direction, stepMs) {
      const reference = toPoints(p.reference, stepMs, 'reference');
      const ramp = resolveDriftRamp(p);
      return new HistogramDriftDetector({
        window: toPoints(p.window, stepMs, 'window'),
        reference,
        metric: p.metric as DriftMetric,
        warn: toNumber(ramp.warn),
        max: toNumber(ramp.max),
        minCount: toNumber(p.minCount),
        floor: toNumber(p.floor),
        warmup: warmupPoints(p, stepMs, reference),
      });
    },
  },

  calibration: {
    inputType: 'calibration',
    help: 'Confidence calibration gap: expected calibration error (ECE) from confidence buckets with outcome counts.',
    schema: {
      window: { type: 'window', default: '1h', help: 'current window the ECE is computed over' },
      baseline: { type: 'window', default: '1d', help: 'baseline window just before the current one' },
      reference: {
        type: 'enum',
        default: 'baseline',
        values: CALIBRATION_REFERENCES,
        help: 'baseline: judge the change of ECE against the baseline window; absolute: judge ECE itself',
      },
      warn: {
        type: 'number',
        default: 0.03,
        min: 0,
        max: 1,
        help: 'ECE excess (beyond sampling noise) where severity starts',
      },
      max: { type: 'number', default: 0.15, min: 0, max: 1, help: 'ECE excess where severity reaches 1' },
      minCount: { type: 'number', default: 100, min: 0, help: 'predictions needed in a window before judging' },
      warmup: warmupSpec(10),
    },
    directions: DIRECTIONS,
    defaultDirection: 'up',
    crossCheck: (m, path) => checkRamp(m, path),
    build(p, direction, stepMs) {
      const baseline = toPoints(p.baseline, stepMs, 'baseline');
      return new CalibrationDetector({
        window: toPoints(p.window, stepMs, 'window'),
        baseline,
        reference: p.reference as CalibrationReference,
        warn: toNumber(p.warn),
        max: toNumber(p.max),
        minCount: toNumber(p.minCount),
        warmup: warmupPoints(p, stepMs, baseline),
        direction,
      });
    },
  },

  staleness: {
    inputType: 'value',
    help: 'Age of a *_timestamp_seconds gauge (now − value) and data that stopped arriving.',
    schema: {
      warn: { type: 'duration', default: '10m', help: 'lag where severity starts' },
      max: { type: 'duration', default: '1h', help: 'lag where severity reaches 1' },
      missingAfter: { type: 'duration', default: '10m', help: 'a series missing for longer than this counts as stale' },
      warmup: { type: 'integer', default: 0, min: 0, help: 'points before judging' },
    },
    directions: [],
    defaultDirection: 'up',
    crossCheck: (m, path) => checkRamp(m, path, safeSeconds),
    build(p) {
      return new StalenessDetector({
        warn: toSeconds(p.warn),
        max: toSeconds(p.max),
        missingAfter: toSeconds(p.missingAfter),
        warmup: toNumber(p.warmup),
      });
    },
  },

  threshold: {
    inputType: 'value',
    help: 'Hard limits (SLOs): severity when the value is above `above` or below `below`.',
    schema: {
      above: { type: 'number', default: null, nullable: true, help: 'upper limit (null: none)' },
      below: { type: 'number', default: null, nullable: true, help: 'lower limit (null: none)' },
      soft: {
        type: 'number',
        default: 0,
        min: 0,
        help: 'severity ramps from 0 at the limit to 1 this far beyond it (0: any violation is severity 1)',
      },
      warmup: { type: 'integer', default: 0, min: 0, help: 'points before judging' },
    },
    directions: [],
    defaultDirection: 'both',
    crossCheck(m, path) {
      const above = m.above;
      const below = m.below;
      if (above === null && below === null) {
        return [{ path: `${path}.above`, message: 'set above and/or below' }];
      }
      if (typeof above === 'number' && typeof below === 'number' && !(below < above)) {
        return [{ path: `${path}.below`, message: `must be less than above (${above})` }];
      }
      return [];
    },
    build(p) {
      return new ThresholdDetector({
        above: p.above === null ? NaN : toNumber(p.above),
        below: p.below === null ? NaN : toNumber(p.below),
        soft: toNumber(p.soft),
        warmup: toNumber(p.warmup),
      });
    },
  },
};

/** warn/max for histogram_drift: null means the metric's default. */
function resolveDriftRamp(p: Record<string, ParamValue>): Record<string, ParamValue> {
  const metric = (DRIFT_METRICS as readonly string[]).includes(String(p.metric)) ? (p.metric as DriftMetric) : 'psi';
  const d = DRIFT_METRIC_DEFAULTS[metric];
  return { ...p, warn: p.warn ?? d.warn, max: p.max ?? d.max };
}

function makeInfo(kind: SignalKind, def: KindDefinition): SignalKindInfo {
  const validate = (params: unknown, path: string): ParamIssue[] => {
    const issues = validateAgainstSchema(def.schema, params, path);
    if (issues.length > 0 || !def.crossCheck) {
      return issues;
    }
    return def.crossCheck(mergeParams(def.schema, params), path);
  };
  return {
    kind,
    inputType: def.inputType,
    defaults: Object.freeze(schemaDefaults(def.schema)),
    help: { kind: def.help, params: Object.freeze(schemaHelp(def.schema)) },
    directions: def.directions,
    defaultDirection: def.defaultDirection,
    validate,
    create(params, opts) {
      const issues = validate(params, 'params');
      if (issues.length > 0) {
        throw new Error(`${kind}: ${issues.map((x) => `${x.path} ${x.message}`).join('; ')}`);
      }
      const direction = opts.direction ?? def.defaultDirection;
      if (!DIRECTIONS.includes(direction)) {
        throw new Error(
          `${kind}: direction must be one of ${DIRECTIONS.join(', ')} (got ${JSON.stringify(direction)})`
        );
      }
      if (opts.stepMs !== undefined && !(opts.stepMs > 0 && Number.isFinite(opts.stepMs))) {
        throw new Error(`${kind}: stepMs must be a positive number of milliseconds (got ${opts.stepMs})`);
      }
      try {
        return def.build(mergeParams(def.schema, params), direction, opts.stepMs);
      } catch (e) {
        throw new Error(`${kind}: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  };
}

export const SIGNAL_KIND_INFO: Readonly<Record<SignalKind, SignalKindInfo>> = Object.freeze(
  Object.fromEntries(
    (Object.keys(DEFINITIONS) as SignalKind[]).map((kind) => [kind, makeInfo(kind, DEFINITIONS[kind])])
  ) as Record<SignalKind, SignalKindInfo>
);

export function getSignalKindInfo(kind: SignalKind): SignalKindInfo {
  const info = SIGNAL_KIND_INFO[kind];
  if (!info) {
    throw new Error(`unknown signal kind ${JSON.stringify(kind)} (known: ${Object.keys(SIGNAL_KIND_INFO).join(', ')})`);
  }
  return info;
}

/** Problems with the params of a kind, paths below `path` (e.g. `signals[2].params`). */
export function validateSignalParams(kind: SignalKind, params: unknown, path: string): ParamIssue[] {
  const info = SIGNAL_KIND_INFO[kind];
  if (!info) {
    return [{ path, message: `unknown signal kind ${JSON.stringify(kind)}` }];
  }
  return info.validate(params, path);
}

/** A streaming detector for `kind`; throws with all problems listed if params are invalid. */
export function createDetector(kind: SignalKind, params: unknown, opts: DetectorOptions = {}): Detector {
  return getSignalKindInfo(kind).create(params, opts);
}

/** Batch convenience: one detector over a whole input. */
export function runDetector(
  kind: SignalKind,
  params: unknown,
  opts: DetectorOptions,
  input: SignalInput
): DetectorResult {
  return createDetector(kind, params, opts).process(input);
}

/** Alias of SIGNAL_KIND_INFO under the name spec.ts imports. */
export const SIGNAL_REGISTRY = SIGNAL_KIND_INFO;
