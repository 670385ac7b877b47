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
import { DEFAULT_BLOCK, DEFAULT_RARITY, DEFAULT_RARITY_WINDOW } from './rarity';
import { SEVERITY_MODES, type SeverityMode, type SeverityScaleConfig } from './severityScale';
import { durationToMs } from '../util/duration';
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

/**
 * Severity params shared by every statistical kind: the self-calibrating rarity (default) or a
 * fixed ramp. `warn`/`max` default to null: set, they imply a ramp (as before rarity existed); in
 * a ramp left unset they take the kind's legacy values (`legacy`).
 */
interface LegacyRamp {
  warn: number | string;
  max: number | string;
  /** What the ramp's numbers measure, for the help text ("|z|", "CUSUM value" …). */
  measure: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

function severitySpecs(legacy: LegacyRamp, rampType: 'number' | 'duration' = 'number') {
  const rampParam = (which: 'warn' | 'max', what: string) =>
    rampType === 'duration'
      ? ({
          type: 'duration',
          default: null,
          nullable: true,
          help: `severity: ramp only: ${legacy.measure} where severity ${what} (null: ${legacy[which]})`,
        } as const)
      : ({
          type: 'number',
          default: null,
          nullable: true,
          min: 0,
          help: `severity: ramp only: ${legacy.measure} where severity ${what} (null: ${legacy[which]})`,
        } as const);
  return {
    severity: {
      type: 'enum',
      default: null,
      nullable: true,
      values: SEVERITY_MODES,
      help:
        'rarity: severity says how rare the statistic is in this series\' own history (self-calibrating); ' +
        'ramp: a fixed ramp from warn to max. Null: rarity, or ramp when warn or max is set',
    },
    rarity: {
      type: 'duration',
      default: null,
      nullable: true,
      minMs: HOUR_MS,
      maxMs: 100 * 365 * DAY_MS,
      help:
        'rarity: severity 0.5 when a value this extreme occurs about once per this long of the series\' history ' +
        '(larger: less sensitive). Null: the spec\'s composite.rarity times the number of rarity signals (a detector ' +
        `alone: ${DEFAULT_RARITY})`,
    },
    rarityWindow: {
      type: 'duration',
      default: DEFAULT_RARITY_WINDOW,
      minMs: HOUR_MS,
      maxMs: 90 * DAY_MS,
      help: 'rarity: how much of the series\' recent history the rarity is judged against',
    },
    hold: {
      type: 'duration',
      default: null,
      nullable: true,
      maxMs: DAY_MS,
      help: `severity holds its highest value for this long, so a condition that flickers raises one alert, not many (null: ${DEFAULT_RARITY_HOLD} for rarity, none for a ramp)`,
    },
    warn: rampParam('warn', 'starts to rise'),
    max: rampParam('max', 'reaches 1'),
  } as const;
}

/** The default severity hold of a rarity signal (a ramp keeps its legacy behaviour: none). */
const DEFAULT_RARITY_HOLD = '10m';

const Z_LEGACY: LegacyRamp = { warn: 3, max: 7, measure: '|z|' };
const LEVEL_LEGACY: LegacyRamp = { warn: 5, max: 15, measure: 'CUSUM value' };
const RATIO_LEGACY: LegacyRamp = { warn: 3, max: 7, measure: 'evidence (binomial deviance z)' };
const CALIBRATION_LEGACY: LegacyRamp = { warn: 0.03, max: 0.15, measure: 'ECE excess beyond sampling noise' };
const STALENESS_LEGACY: LegacyRamp = { warn: '10m', max: '1h', measure: 'lag' };
/** level_shift under rarity: S is capped here (it only needs to rank, not to ramp). */
const RARITY_CUSUM_CAP = 30;
/** For the help text only; the ramp's numbers depend on the metric (driftLegacy). */
const DRIFT_LEGACY: LegacyRamp = {
  warn: 'psi 0.1, js 0.02, hellinger 0.1',
  max: 'psi 0.5, js 0.1, hellinger 0.25',
  measure: 'divergence above the sampling noise',
};

// --- severity resolution -------------------------------------------------------------------------

/** rarity unless a ramp is asked for or implied by warn/max. */
export function severityModeOf(p: Record<string, ParamValue>): SeverityMode {
  if (p.severity === 'ramp' || p.severity === 'rarity') {
    return p.severity;
  }
  return (p.warn !== null && p.warn !== undefined) || (p.max !== null && p.max !== undefined) ? 'ramp' : 'rarity';
}

/** The severity scale of a kind: a ramp (warn/max or the legacy values) or rarity at this step. */
function severityConfig(
  p: Record<string, ParamValue>,
  stepMs: number | undefined,
  legacy: LegacyRamp,
  toValue: (v: ParamValue) => number = toNumber
): SeverityScaleConfig {
  if (severityModeOf(p) === 'ramp') {
    return {
      mode: 'ramp',
      warn: toValue(p.warn ?? legacy.warn),
      max: toValue(p.max ?? legacy.max),
      holdMs: p.hold === null || p.hold === undefined ? 0 : toSeconds(p.hold) * 1000,
    };
  }
  if (stepMs === undefined) {
    throw new Error('severity: rarity needs the step (opts.stepMs) to measure rarity in time');
  }
  return {
    mode: 'rarity',
    rarity: {
      blockMs: durationToMs(DEFAULT_BLOCK),
      stepMs,
      historyMs: toSeconds(p.rarityWindow) * 1000,
      rarityMs: toSeconds(p.rarity ?? DEFAULT_RARITY) * 1000,
    },
    holdMs: toSeconds(p.hold ?? DEFAULT_RARITY_HOLD) * 1000,
  };
}

/** Cross-field checks of the severity params: warn/max only with a ramp, and warn < max. */
function checkSeverity(
  merged: Record<string, ParamValue>,
  path: string,
  legacy: LegacyRamp,
  toValue: (v: ParamValue) => number = toNumber
): ParamIssue[] {
  if (merged.severity === 'rarity') {
    const set = (['warn', 'max'] as const).filter((k) => merged[k] !== null && merged[k] !== undefined);
    if (set.length > 0) {
      return set.map((k) => ({
        path: `${path}.${k}`,
        message: 'applies only to severity: ramp (set severity: ramp to keep a fixed ramp, or remove it to let the signal calibrate itself)',
      }));
    }
    return [];
  }
  if (severityModeOf(merged) === 'ramp') {
    return checkRamp({ ...merged, warn: merged.warn ?? legacy.warn, max: merged.max ?? legacy.max }, path, toValue);
  }
  return [];
}

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
      ...severitySpecs(Z_LEGACY),
      ...scaleFloorSpecs,
    },
    directions: DIRECTIONS,
    defaultDirection: 'both',
    crossCheck: (m, path) => checkSeverity(m, path, Z_LEGACY),
    build(p, direction, stepMs) {
      const window = toPoints(p.window, stepMs, 'window');
      return new RobustZDetector({
        window,
        warmup: warmupPoints(p, stepMs, window),
        severity: severityConfig(p, stepMs, Z_LEGACY),
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
      ...severitySpecs(Z_LEGACY),
      ...scaleFloorSpecs,
    },
    directions: DIRECTIONS,
    defaultDirection: 'both',
    crossCheck(m, path) {
      const issues = [...checkSeverity(m, path, Z_LEGACY), ...checkShorter(m, path, 'tolerance', 'season')];
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
        severity: severityConfig(p, stepMs, Z_LEGACY),
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
      warmup: {
        type: 'window',
        default: null,
        nullable: true,
        min: 0,
        help:
          'valid baseline points (or a duration) needed before judging; null: a quarter of the window for rarity ' +
          '(a CUSUM against a baseline of a few points pins at its cap before the baseline means anything), 30 for a ramp',
      },
      k: { type: 'number', default: 0.5, min: 0, help: 'CUSUM allowance in robust standard deviations per point' },
      ...severitySpecs(LEVEL_LEGACY),
      cap: {
        type: 'number',
        default: null,
        nullable: true,
        min: 0,
        exclusiveMin: true,
        help: 'largest CUSUM value (a shift the baseline has absorbed drains from here at k per point); null: max for a ramp, 30 for rarity',
      },
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
    crossCheck: (m, path) => checkSeverity(m, path, LEVEL_LEGACY),
    build(p, direction, stepMs) {
      const window = toPoints(p.window, stepMs, 'window');
      const severity = severityConfig(p, stepMs, LEVEL_LEGACY);
      const rampCap = severity.mode === 'ramp' ? Math.max(severity.warn, severity.max) : RARITY_CUSUM_CAP;
      const warmup =
        p.warmup !== null
          ? warmupPoints(p, stepMs, window)
          : severity.mode === 'rarity'
            ? Math.ceil(window / 4)
            : Math.min(30, window);
      return new LevelShiftDetector({
        window,
        warmup,
        k: toNumber(p.k),
        severity,
        cap: p.cap === null ? rampCap : toNumber(p.cap),
        clip: toNumber(p.clip),
        correctAutocorrelation: severity.mode === 'rarity',
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
      ...severitySpecs(RATIO_LEGACY),
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
    crossCheck: (m, path) => checkSeverity(m, path, RATIO_LEGACY),
    build(p, direction, stepMs) {
      const baseline = toPoints(p.baseline, stepMs, 'baseline');
      return new RatioDetector({
        window: toPoints(p.window, stepMs, 'window'),
        baseline,
        warmup: warmupPoints(p, stepMs, baseline),
        severity: severityConfig(p, stepMs, RATIO_LEGACY),
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
      ...severitySpecs(DRIFT_LEGACY),
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
    crossCheck: (m, path) => checkSeverity(m, path, driftLegacy(m)),
    build(p, _direction, stepMs) {
      const reference = toPoints(p.reference, stepMs, 'reference');
      return new HistogramDriftDetector({
        window: toPoints(p.window, stepMs, 'window'),
        reference,
        metric: p.metric as DriftMetric,
        severity: severityConfig(p, stepMs, driftLegacy(p)),
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
      ...severitySpecs(CALIBRATION_LEGACY),
      minCount: { type: 'number', default: 100, min: 0, help: 'predictions needed in a window before judging' },
      warmup: warmupSpec(10),
    },
    directions: DIRECTIONS,
    defaultDirection: 'up',
    crossCheck: (m, path) => checkSeverity(m, path, CALIBRATION_LEGACY),
    build(p, direction, stepMs) {
      const baseline = toPoints(p.baseline, stepMs, 'baseline');
      return new CalibrationDetector({
        window: toPoints(p.window, stepMs, 'window'),
        baseline,
        reference: p.reference as CalibrationReference,
        severity: severityConfig(p, stepMs, CALIBRATION_LEGACY),
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
      ...severitySpecs(STALENESS_LEGACY, 'duration'),
      minLag: {
        type: 'duration',
        default: '5m',
        help: 'rarity: a lag shorter than this never counts, however unusual for the series',
      },
      missingAfter: { type: 'duration', default: '30m', help: 'a series missing for longer than this counts as stale' },
      warmup: { type: 'integer', default: 0, min: 0, help: 'points before judging' },
    },
    directions: [],
    defaultDirection: 'up',
    crossCheck: (m, path) => checkSeverity(m, path, STALENESS_LEGACY, safeSeconds),
    build(p, _direction, stepMs) {
      return new StalenessDetector({
        severity: severityConfig(p, stepMs, STALENESS_LEGACY, toSeconds),
        minLag: toSeconds(p.minLag),
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

/** The legacy ramp of histogram_drift depends on the metric. */
function driftLegacy(p: Record<string, ParamValue>): LegacyRamp {
  const metric = (DRIFT_METRICS as readonly string[]).includes(String(p.metric)) ? (p.metric as DriftMetric) : 'psi';
  return { ...DRIFT_METRIC_DEFAULTS[metric], measure: 'divergence above the sampling noise' };
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

/** The legacy ramp of each kind that has a severity mode (threshold has none: it is absolute). */
const LEGACY_RAMPS: Partial<Record<SignalKind, (p: Record<string, ParamValue>) => LegacyRamp>> = {
  robust_z: () => Z_LEGACY,
  seasonal: () => Z_LEGACY,
  level_shift: () => LEVEL_LEGACY,
  ratio: () => RATIO_LEGACY,
  histogram_drift: driftLegacy,
  calibration: () => CALIBRATION_LEGACY,
  staleness: () => STALENESS_LEGACY,
};

/**
 * How a signal's statistic becomes severity, with its defaults resolved: a ramp (warn/max as
 * numbers; seconds for staleness) or rarity (target and history as durations in ms); `absolute`
 * for kinds without a severity mode (threshold).
 */
export type ResolvedSeverity =
  | { mode: 'ramp'; warn: number; max: number; holdMs: number }
  | { mode: 'rarity'; rarityMs: number; rarityWindowMs: number; holdMs: number }
  | { mode: 'absolute' };

export function resolveSeverity(kind: SignalKind, params: unknown): ResolvedSeverity {
  const def = DEFINITIONS[kind];
  const legacyOf = LEGACY_RAMPS[kind];
  if (!def || !legacyOf) {
    return { mode: 'absolute' };
  }
  const p = mergeParams(def.schema, params);
  const legacy = legacyOf(p);
  const toValue = kind === 'staleness' ? safeSeconds : toNumber;
  if (severityModeOf(p) === 'ramp') {
    return {
      mode: 'ramp',
      warn: toValue(p.warn ?? legacy.warn),
      max: toValue(p.max ?? legacy.max),
      holdMs: p.hold === null || p.hold === undefined ? 0 : safeSeconds(p.hold) * 1000,
    };
  }
  return {
    mode: 'rarity',
    rarityMs: safeSeconds(p.rarity ?? DEFAULT_RARITY) * 1000,
    rarityWindowMs: safeSeconds(p.rarityWindow) * 1000,
    holdMs: safeSeconds(p.hold ?? DEFAULT_RARITY_HOLD) * 1000,
  };
}

/** Alias of SIGNAL_KIND_INFO under the name spec.ts imports. */
export const SIGNAL_REGISTRY = SIGNAL_KIND_INFO;
