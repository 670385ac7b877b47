import { entityKey, type EntityInputs } from '../../scoring/engine';
import { kindInfo, type ScoreSpec, type SignalSpec } from '../../scoring/spec';
import type { SignalInput } from '../../scoring/types';
import { LabeledSeries, resample } from './series';

/** Upstream series of one signal, by query role (value, numerator, buckets ...). */
export interface SignalSeries {
  signal: SignalSpec;
  byRole: Record<string, LabeledSeries[]>;
}

export interface EntityAssembly {
  entities: EntityInputs[];
  /** Problems that left a signal missing for some entities; each names the signal and the reason. */
  problems: string[];
}

type Labels = Record<string, string>;

function entityLabelsOf(labels: Labels, names: readonly string[]): Labels {
  const out: Labels = {};
  for (const n of names) {
    out[n] = labels[n] ?? '';
  }
  return out;
}

function parseLe(le: string | undefined): number {
  if (le === undefined) {
    return NaN;
  }
  return /^\+?inf$/i.test(le) ? Infinity : Number(le);
}

interface Group {
  labels: Labels;
  series: LabeledSeries[];
}

function groupByEntity(series: readonly LabeledSeries[], names: readonly string[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const s of series) {
    const labels = entityLabelsOf(s.labels, names);
    const key = entityKey(labels, names);
    let g = groups.get(key);
    if (!g) {
      g = { labels, series: [] };
      groups.set(key, g);
    }
    g.series.push(s);
  }
  return groups;
}

/** Cumulative bucket columns keyed by `le`, in ascending `le` order. */
function bucketColumns(
  series: readonly LabeledSeries[],
  grid: Float64Array,
  stepMs: number
): { le: Float64Array; cols: Float64Array[] } | string {
  const byLe = new Map<number, LabeledSeries>();
  for (const s of series) {
    const le = parseLe(s.labels.le);
    if (Number.isNaN(le)) {
      return 'a bucket series has no numeric `le` label (keep `le` in the aggregation: sum by (..., le))';
    }
    if (byLe.has(le)) {
      return `two series share le="${s.labels.le}" (aggregate by the entity labels and le)`;
    }
    byLe.set(le, s);
  }
  const les = [...byLe.keys()].sort((a, b) => a - b);
  return { le: Float64Array.from(les), cols: les.map((le) => resample(byLe.get(le)!, grid, stepMs)) };
}

function single(group: Group | undefined, role: string, grid: Float64Array, stepMs: number): Float64Array | string | undefined {
  if (!group) {
    return undefined;
  }
  if (group.series.length > 1) {
    return `${role} returned ${group.series.length} series for this entity (aggregate by the entity labels, e.g. sum by (...))`;
  }
  return resample(group.series[0], grid, stepMs);
}

/**
 * Builds one entity's input for one signal from the grouped series of each role, or says why it
 * cannot. Undefined means the upstream returned nothing for this entity (the signal is missing).
 */
function inputFor(
  signal: SignalSpec,
  groups: Record<string, Map<string, Group>>,
  key: string,
  grid: Float64Array,
  stepMs: number
): SignalInput | string | undefined {
  const inputType = kindInfo(signal.kind)?.inputType;
  const t = grid;
  switch (inputType) {
    case 'value': {
      const v = single(groups.value?.get(key), 'value', grid, stepMs);
      return typeof v === 'string' || v === undefined ? v : { type: 'value', t, value: v };
    }
    case 'ratio': {
      const den = single(groups.denominator?.get(key), 'denominator', grid, stepMs);
      if (typeof den === 'string' || den === undefined) {
        return den;
      }
      // A counter that never incremented (no errors yet) has no series at all: that is zero, not missing.
      const num = single(groups.numerator?.get(key), 'numerator', grid, stepMs) ?? new Float64Array(grid.length);
      if (typeof num === 'string') {
        return num;
      }
      for (let i = 0; i < num.length; i++) {
        if (Number.isNaN(num[i]) && Number.isFinite(den[i])) {
          num[i] = 0;
        }
      }
      return { type: 'ratio', t, num, den };
    }
    case 'buckets': {
      const g = groups.buckets?.get(key);
      if (!g) {
        return undefined;
      }
      const b = bucketColumns(g.series, grid, stepMs);
      return typeof b === 'string' ? b : { type: 'buckets', t, le: b.le, cumulative: b.cols };
    }
    case 'calibration': {
      const total = groups.buckets?.get(key);
      if (!total) {
        return undefined;
      }
      const tb = bucketColumns(total.series, grid, stepMs);
      if (typeof tb === 'string') {
        return tb;
      }
      const correctGroup = groups.correct?.get(key);
      const cb = correctGroup ? bucketColumns(correctGroup.series, grid, stepMs) : undefined;
      if (typeof cb === 'string') {
        return cb;
      }
      if (cb && (cb.le.length !== tb.le.length || cb.le.some((le, j) => le !== tb.le[j]))) {
        return 'correct and buckets have different `le` layouts (both must come from the same histogram buckets)';
      }
      // No outcome series yet (labels not arrived): outcomes unknown, so NaN rather than 0 correct.
      const correct = cb ? cb.cols : tb.cols.map(() => new Float64Array(grid.length).fill(NaN));
      return { type: 'calibration', t, le: tb.le, total: tb.cols, correct };
    }
    default:
      return `unknown signal kind ${signal.kind}`;
  }
}

/**
 * Joins the signals' upstream series by entity (the spec's entity labels) on a common time grid.
 * Every entity any signal returned gets an input per signal; a signal with no series for an entity
 * is missing there (the engine reports it), never zero.
 */
export function assembleEntities(
  spec: ScoreSpec,
  signals: readonly SignalSeries[],
  grid: Float64Array,
  stepMs: number
): EntityAssembly {
  const problems: string[] = [];
  const grouped = signals.map((s) => {
    const byRole: Record<string, Map<string, Group>> = {};
    for (const [role, series] of Object.entries(s.byRole)) {
      byRole[role] = groupByEntity(series, spec.entity);
    }
    return { signal: s.signal, byRole };
  });

  const all = new Map<string, Labels>();
  for (const g of grouped) {
    for (const m of Object.values(g.byRole)) {
      for (const [key, group] of m) {
        if (!all.has(key)) {
          all.set(key, group.labels);
        }
      }
    }
  }

  const keys = [...all.keys()].sort();
  const entities: EntityInputs[] = keys.map((key) => {
    const inputs: Record<string, SignalInput | undefined> = {};
    for (const g of grouped) {
      const r = inputFor(g.signal, g.byRole, key, grid, stepMs);
      if (typeof r === 'string') {
        problems.push(`signal ${g.signal.id}, entity ${key}: ${r}`);
        inputs[g.signal.id] = undefined;
      } else {
        inputs[g.signal.id] = r;
      }
    }
    return { labels: all.get(key)!, inputs };
  });
  return { entities, problems };
}
