import { DataFrame } from '@grafana/data';
import { playbookFor } from '../../scoring/tiers';
import { EntityFilter, EntityRow, SortKey } from '../types';
import {
  fieldByName,
  lastScoredIndex,
  numAt,
  peakIndex,
  ScoreFrameView,
  scoreFrameViews,
  signalName,
  tierAt,
  timeAt,
} from './frames';

/** Start time of the run of the tier at index i (walking back while the tier is the same). */
export function tierSince(view: ScoreFrameView, i: number): number {
  if (i < 0 || !view.tier) {
    return NaN;
  }
  const values = view.tier.values;
  let j = i;
  while (j > 0 && values[j - 1] === values[i]) {
    j--;
  }
  return timeAt(view, j);
}

/** The largest positive contribution at index i. */
export function topContributorAt(view: ScoreFrameView, i: number): EntityRow['topContributor'] {
  let top: EntityRow['topContributor'];
  for (const id of view.signalIds) {
    const value = numAt(fieldByName(view.frame, `contrib:${id}`), i);
    if (value > 0 && (!top || value > top.value)) {
      top = { id, name: signalName(view, id), value };
    }
  }
  return top;
}

export function entityRow(view: ScoreFrameView): EntityRow {
  const last = lastScoredIndex(view);
  const peak = peakIndex(view);
  const tier = last >= 0 ? tierAt(view, last) : undefined;
  const lastIndex = view.score.values.length - 1;
  const current = view.meta.current;
  const playbook = view.meta.spec?.tiers?.playbook;
  const action = tier ? (current?.tier === tier ? current.action : playbookFor(tier, playbook).action) : undefined;
  const row: EntityRow = {
    key: view.key,
    labels: view.labels,
    frameIndex: view.index,
    current: last >= 0 ? numAt(view.score, last) : NaN,
    peak: peak >= 0 ? numAt(view.score, peak) : NaN,
    peakTime: peak >= 0 ? timeAt(view, peak) : NaN,
    tier,
    since: tierSince(view, last),
    lastTime: timeAt(view, lastIndex),
  };
  const top = last >= 0 ? topContributorAt(view, last) : undefined;
  if (top) {
    row.topContributor = top;
  }
  if (action !== undefined) {
    row.action = action;
  }
  return row;
}

/**
 * Reads one row per entity from score frames (the data source's frame contract: a `score` number
 * field whose labels are the entity labels, an optional `tier` string field, `contrib:<id>` fields
 * and `meta.custom`). Frames without a `score` field are ignored: the panel never recomputes scores.
 */
export function entitiesFromFrames(frames: DataFrame[]): EntityRow[] {
  return scoreFrameViews(frames).map(entityRow);
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

/**
 * Keep rows whose tier is one of `tiers` (all when empty/absent; rows without a tier only then) and
 * whose key or any label name/value contains the text (case-insensitive; `name=value` also works).
 */
export function filterEntities(rows: EntityRow[], filter: EntityFilter): EntityRow[] {
  const tiers = filter.tiers && filter.tiers.length > 0 ? new Set(filter.tiers) : undefined;
  const text = (filter.text ?? '').trim().toLowerCase();
  return rows.filter((r) => {
    if (tiers && (!r.tier || !tiers.has(r.tier))) {
      return false;
    }
    if (!text) {
      return true;
    }
    if (r.key.toLowerCase().includes(text)) {
      return true;
    }
    return Object.entries(r.labels).some(
      ([k, v]) => `${k}=${v}`.toLowerCase().includes(text) || v.toLowerCase().includes(text)
    );
  });
}

/** Sort, filter and cap: the queue's rows. */
export function queueRows(rows: EntityRow[], by: SortKey, filter: EntityFilter, max: number): EntityRow[] {
  const limit = Number.isFinite(max) && max > 0 ? Math.floor(max) : rows.length;
  return filterEntities(sortEntities(rows, by), filter).slice(0, limit);
}

/** "2h 5m", "45s": a compact duration for "time in the current tier". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return '–';
  }
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) {
    return `${d}d ${h}h`;
  }
  if (h > 0) {
    return `${h}h ${m}m`;
  }
  if (m > 0) {
    return `${m}m`;
  }
  return `${s}s`;
}
