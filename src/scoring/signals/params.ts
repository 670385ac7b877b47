/**
 * Declarative detector parameters: each kind lists its params with a type, a default and one line
 * of help; validation (paths + reasons) and resolution to numbers (windows in points, durations in
 * seconds) are generic.
 */
import { durationToMs, durationToPoints, isDuration } from '../util/duration';

export type ParamValue = number | string | null;
export type Params = Record<string, unknown>;

/** A validation problem: `path` like `signals[2].params.window`, `message` like `must be a duration like 1h`. */
export interface ParamIssue {
  path: string;
  message: string;
}

export type ParamSpec =
  /** A span of points: a duration string (converted with the step) or a whole number of points. */
  | { type: 'window'; default: string | number | null; help: string; min?: number; nullable?: boolean }
  /** A duration string or a number of seconds (staleness lags). */
  | { type: 'duration'; default: string | number | null; help: string; minMs?: number; maxMs?: number; nullable?: boolean }
  /** A finite number in [min, max]; `nullable` allows null ("not set"). */
  | {
      type: 'number';
      default: number | null;
      help: string;
      min?: number;
      max?: number;
      exclusiveMin?: boolean;
      nullable?: boolean;
    }
  | { type: 'integer'; default: number; help: string; min?: number; max?: number }
  | { type: 'enum'; default: string | null; help: string; values: readonly string[]; nullable?: boolean };

export type ParamSchema = Record<string, ParamSpec>;

/** Windows longer than this many points are refused: they would allocate hundreds of MB. */
export const MAX_WINDOW_POINTS = 5_000_000;

export function schemaDefaults(schema: ParamSchema): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(schema)) {
    out[name] = spec.default;
  }
  return out;
}

export function schemaHelp(schema: ParamSchema): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(schema)) {
    out[name] = spec.help;
  }
  return out;
}

/** 3600000 -> '1h', 86400000*7 -> '7d' (whole units only, for messages). */
function formatMs(ms: number): string {
  const units: Array<[string, number]> = [
    ['y', 365 * 86_400_000],
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [name, size] of units) {
    if (ms >= size && ms % size === 0) {
      return `${ms / size}${name}`;
    }
  }
  return `${ms}ms`;
}

function describe(v: unknown): string {
  return v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v));
}

/** Problems with one value against its spec, or undefined when it is fine. */
function checkValue(spec: ParamSpec, v: unknown): string | undefined {
  switch (spec.type) {
    case 'window': {
      if (v === null && spec.nullable) {
        return undefined;
      }
      const min = spec.min ?? 1;
      if (typeof v === 'string') {
        return isDuration(v) ? undefined : `must be a duration like 1h (got ${describe(v)})`;
      }
      if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= MAX_WINDOW_POINTS) {
        return undefined;
      }
      return `must be a duration like 1h or a whole number of points >= ${min} (got ${describe(v)})`;
    }
    case 'duration': {
      if (v === null && spec.nullable) {
        return undefined;
      }
      let ms: number;
      if (typeof v === 'string') {
        if (!isDuration(v)) {
          return `must be a duration like 10m (got ${describe(v)})`;
        }
        ms = durationToMs(v);
      } else if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
        ms = v * 1000;
      } else {
        return `must be a duration like 10m or a number of seconds >= 0 (got ${describe(v)})`;
      }
      if (spec.minMs !== undefined && ms < spec.minMs) {
        return `must be at least ${formatMs(spec.minMs)} (got ${describe(v)})`;
      }
      if (spec.maxMs !== undefined && ms > spec.maxMs) {
        return `must be at most ${formatMs(spec.maxMs)} (got ${describe(v)})`;
      }
      return undefined;
    }
    case 'number': {
      if (v === null && spec.nullable) {
        return undefined;
      }
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return `must be a finite number${spec.nullable ? ' or null' : ''} (got ${describe(v)})`;
      }
      return rangeProblem(v, spec.min, spec.max, spec.exclusiveMin);
    }
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        return `must be a whole number (got ${describe(v)})`;
      }
      return rangeProblem(v, spec.min, spec.max, false);
    case 'enum':
      if (v === null && spec.nullable) {
        return undefined;
      }
      return typeof v === 'string' && spec.values.includes(v)
        ? undefined
        : `must be one of ${spec.values.join(', ')}${spec.nullable ? ' or null' : ''} (got ${describe(v)})`;
  }
}

function rangeProblem(v: number, min: number | undefined, max: number | undefined, exclusiveMin?: boolean) {
  if (min !== undefined && (exclusiveMin ? !(v > min) : !(v >= min))) {
    return `must be ${exclusiveMin ? '>' : '>='} ${min} (got ${v})`;
  }
  if (max !== undefined && !(v <= max)) {
    return `must be <= ${max} (got ${v})`;
  }
  return undefined;
}

/**
 * Validates user params against a schema: object shape, unknown names, types and ranges.
 * Absent params take their defaults and are not reported.
 */
export function validateAgainstSchema(schema: ParamSchema, params: unknown, path: string): ParamIssue[] {
  if (params === undefined || params === null) {
    return [];
  }
  if (typeof params !== 'object' || Array.isArray(params)) {
    return [{ path, message: `must be an object of parameters (got ${describe(params)})` }];
  }
  const issues: ParamIssue[] = [];
  const known = Object.keys(schema);
  for (const [name, v] of Object.entries(params as Params)) {
    const spec = schema[name];
    if (!Object.prototype.hasOwnProperty.call(schema, name) || !spec) {
      issues.push({ path: `${path}.${name}`, message: `unknown parameter (known: ${known.join(', ')})` });
      continue;
    }
    if (v === undefined) {
      continue;
    }
    const problem = checkValue(spec, v);
    if (problem) {
      issues.push({ path: `${path}.${name}`, message: problem });
    }
  }
  return issues;
}

/** Defaults overlaid with the params that are set. */
export function mergeParams(schema: ParamSchema, params: unknown): Record<string, ParamValue> {
  const merged = schemaDefaults(schema);
  if (params && typeof params === 'object') {
    for (const [name, v] of Object.entries(params as Params)) {
      if (v !== undefined && Object.prototype.hasOwnProperty.call(schema, name)) {
        merged[name] = v as ParamValue;
      }
    }
  }
  return merged;
}

/** Duration string or whole number of points → points at this step. */
export function toPoints(v: ParamValue, stepMs: number | undefined, name: string, min = 1): number {
  let points: number;
  if (typeof v === 'number') {
    points = v;
  } else if (typeof v === 'string') {
    if (stepMs === undefined) {
      throw new Error(`${name}: a duration needs the step (opts.stepMs) to convert to points`);
    }
    points = durationToPoints(v, stepMs, min);
  } else {
    throw new Error(`${name}: expected a duration or a number of points`);
  }
  if (points > MAX_WINDOW_POINTS) {
    throw new Error(`${name}: ${points} points at this step is too long (max ${MAX_WINDOW_POINTS})`);
  }
  return points;
}

/** Duration string or number of seconds → seconds. */
export function toSeconds(v: ParamValue): number {
  return typeof v === 'number' ? v : durationToMs(String(v)) / 1000;
}

/** Numeric param (null → NaN, meaning "not set"). */
export function toNumber(v: ParamValue): number {
  return typeof v === 'number' ? v : NaN;
}

/** Durations of two window params in ms when both are strings, to compare them without a step. */
export function windowMs(v: unknown): number | undefined {
  return typeof v === 'string' && isDuration(v) ? durationToMs(v) : undefined;
}
