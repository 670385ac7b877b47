/**
 * Read access to the data source's score frames (DESIGN §4 frame contract). The panel never
 * recomputes scores: everything it shows comes from these fields and `meta.custom`.
 *
 * The meta is the contract's `ScoreFrameMeta` (src/frames/contract.ts), every part optional: frames
 * may come from an older data source version or a hand-made query, so it is read defensively.
 */
import { DataFrame, Field, FieldType, formatLabels } from '@grafana/data';
import type { ScoreFrameMeta, SignalMeta } from '../../frames/contract';
import { TIER_NAMES, TierName } from '../types';

export type SignalMetaView = SignalMeta;
export type ScoreFrameMetaView = Partial<ScoreFrameMeta>;

/** One entity's frame, with its fields looked up once. */
export interface ScoreFrameView {
  frame: DataFrame;
  index: number;
  key: string;
  labels: Record<string, string>;
  time: Field | undefined;
  score: Field;
  tier: Field | undefined;
  meta: ScoreFrameMetaView;
  /** Signal ids in spec order (meta.custom.spec, else the `contrib:` fields). */
  signalIds: string[];
}

export function fieldByName(frame: DataFrame, name: string): Field | undefined {
  return frame.fields.find((f) => f.name === name);
}

export function asTier(value: unknown): TierName | undefined {
  return TIER_NAMES.find((t) => t === value);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function scoreMeta(frame: DataFrame): ScoreFrameMetaView {
  const custom = frame.meta?.custom;
  return isRecord(custom) ? (custom as ScoreFrameMetaView) : {};
}

/** The frame's score frame view, or undefined when it has no numeric `score` field. */
export function scoreFrameView(frame: DataFrame, index: number): ScoreFrameView | undefined {
  const score = frame.fields.find((f) => f.name === 'score' && f.type === FieldType.number);
  if (!score) {
    return undefined;
  }
  const meta = scoreMeta(frame);
  const labels = { ...(score.labels ?? meta.entity ?? {}) };
  const fromSpec = meta.spec?.signals?.map((s) => s.id);
  const signalIds =
    fromSpec && fromSpec.length > 0
      ? fromSpec
      : frame.fields.filter((f) => f.name.startsWith('contrib:')).map((f) => f.name.slice('contrib:'.length));
  return {
    frame,
    index,
    key: meta.entityKey || formatLabels(labels) || frame.name || `entity ${index + 1}`,
    labels,
    time: frame.fields.find((f) => f.type === FieldType.time),
    score,
    tier: fieldByName(frame, 'tier'),
    meta,
    signalIds,
  };
}

export function scoreFrameViews(frames: readonly DataFrame[]): ScoreFrameView[] {
  const out: ScoreFrameView[] = [];
  frames.forEach((frame, i) => {
    const view = scoreFrameView(frame, i);
    if (view) {
      out.push(view);
    }
  });
  return out;
}

/** Number at index i of a field (NaN when absent or not a finite-or-NaN number). */
export function numAt(field: Field | undefined, i: number): number {
  const v = field?.values[i];
  return typeof v === 'number' ? v : NaN;
}

export function timeAt(view: ScoreFrameView, i: number): number {
  return numAt(view.time, i);
}

export function tierAt(view: ScoreFrameView, i: number): TierName | undefined {
  return asTier(view.tier?.values[i]);
}

export function signalName(view: ScoreFrameView, id: string): string {
  return (
    view.meta.spec?.signals?.find((s) => s.id === id)?.name || view.meta.signals?.find((s) => s.id === id)?.name || id
  );
}

/** Index of the point nearest to time t (the last point when t is not finite). */
export function indexAtTime(view: ScoreFrameView, t: number | undefined): number {
  const n = view.score.values.length;
  if (n === 0) {
    return -1;
  }
  if (t === undefined || !Number.isFinite(t) || !view.time) {
    return n - 1;
  }
  const times = view.time.values;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo > 0 && Math.abs(times[lo - 1] - t) <= Math.abs(times[lo] - t)) {
    return lo - 1;
  }
  return lo;
}

/** Index of the last point with a finite score (-1 when none). */
export function lastScoredIndex(view: ScoreFrameView): number {
  const v = view.score.values;
  for (let i = v.length - 1; i >= 0; i--) {
    if (typeof v[i] === 'number' && Number.isFinite(v[i])) {
      return i;
    }
  }
  return -1;
}

/** Index of the highest finite score within [from, to] (whole frame when not given); -1 when none. */
export function peakIndex(view: ScoreFrameView, from = -Infinity, to = Infinity): number {
  const v = view.score.values;
  let best = -1;
  for (let i = 0; i < v.length; i++) {
    const t = view.time ? numAt(view.time, i) : i;
    if (t < from || t > to) {
      continue;
    }
    const s = v[i];
    if (typeof s === 'number' && Number.isFinite(s) && (best < 0 || s > v[best])) {
      best = i;
    }
  }
  return best;
}
