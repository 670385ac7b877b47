import { DataFrame, FieldType, formatLabels } from '@grafana/data';
import { EntityRow, SortKey, TIER_NAMES, TierName } from '../types';

function lastFinite(values: ArrayLike<unknown>): number {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (typeof v === 'number' && Number.isFinite(v)) {
      return v;
    }
  }
  return NaN;
}

function maxFinite(values: ArrayLike<unknown>): number {
  let best = NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number' && Number.isFinite(v) && !(v <= best)) {
      best = v;
    }
  }
  return best;
}

function asTier(value: unknown): TierName | undefined {
  return TIER_NAMES.find((t) => t === value);
}

/**
 * Reads one row per entity from score frames (the data source's frame contract: a `score` number
 * field whose labels are the entity labels, and an optional `tier` string field). Frames without a
 * `score` field are ignored: the panel never recomputes scores.
 */
export function entitiesFromFrames(frames: DataFrame[]): EntityRow[] {
  const rows: EntityRow[] = [];
  for (const frame of frames) {
    const score = frame.fields.find((f) => f.name === 'score' && f.type === FieldType.number);
    if (!score) {
      continue;
    }
    const tierField = frame.fields.find((f) => f.name === 'tier');
    const labels = { ...(score.labels ?? {}) };
    const tierValues = tierField?.values ?? [];
    rows.push({
      key: formatLabels(labels) || frame.name || `entity ${rows.length + 1}`,
      labels,
      current: lastFinite(score.values),
      peak: maxFinite(score.values),
      tier: asTier(tierValues[tierValues.length - 1]),
    });
  }
  return rows;
}

/** Highest first; entities with no score yet go last; ties keep a stable, label-based order. */
export function sortEntities(rows: EntityRow[], by: SortKey): EntityRow[] {
  const key = (r: EntityRow) => (by === 'peak' ? r.peak : r.current);
  return [...rows].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const na = Number.isNaN(ka);
    const nb = Number.isNaN(kb);
    if (na !== nb) {
      return na ? 1 : -1;
    }
    if (!na && kb !== ka) {
      return kb - ka;
    }
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
}
