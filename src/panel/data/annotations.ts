/**
 * Grafana annotations as the panel receives them (`data.annotations` frames: time, timeEnd, title,
 * text, tags, color fields) and our feedback annotations among them.
 */
import { DataFrame, Field } from '@grafana/data';
import { AnnotationItem, FEEDBACK_KINDS, FeedbackKind } from '../types';

function field(frame: DataFrame, name: string): Field | undefined {
  return frame.fields.find((f) => f.name === name);
}

function asTags(v: unknown): string[] {
  if (Array.isArray(v)) {
    return v.filter((x): x is string => typeof x === 'string');
  }
  if (typeof v === 'string' && v.trim() !== '') {
    return v.split(',').map((s) => s.trim());
  }
  return [];
}

function asNumber(v: unknown): number {
  if (typeof v === 'number') {
    return v;
  }
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : Date.parse(v);
  }
  return NaN;
}

/** Every annotation in the frames, oldest first. Frames without a time field are skipped. */
export function annotationsFromFrames(frames: readonly DataFrame[] | undefined): AnnotationItem[] {
  const out: AnnotationItem[] = [];
  for (const frame of frames ?? []) {
    const time = field(frame, 'time');
    if (!time) {
      continue;
    }
    const timeEnd = field(frame, 'timeEnd');
    const title = field(frame, 'title');
    const text = field(frame, 'text');
    const tags = field(frame, 'tags');
    const color = field(frame, 'color');
    for (let i = 0; i < time.values.length; i++) {
      const t = asNumber(time.values[i]);
      if (!Number.isFinite(t)) {
        continue;
      }
      const item: AnnotationItem = { time: t, text: String(text?.values[i] ?? ''), tags: asTags(tags?.values[i]) };
      const end = asNumber(timeEnd?.values[i]);
      if (Number.isFinite(end) && end > t) {
        item.timeEnd = end;
      }
      const ti = title?.values[i];
      if (typeof ti === 'string' && ti !== '') {
        item.title = ti;
      }
      const c = color?.values[i];
      if (typeof c === 'string' && c !== '') {
        item.color = c;
      }
      out.push(item);
    }
  }
  return out.sort((a, b) => a.time - b.time);
}

/** Entity labels as annotation tags: `key:value`. */
export function labelTags(labels: Record<string, string>): string[] {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}:${labels[k]}`);
}

export function overlaps(a: AnnotationItem, from: number, to: number): boolean {
  return a.time <= to && (a.timeEnd ?? a.time) >= from;
}

/**
 * Annotations that concern this entity: ours (tag `anomalyscore`) only when every entity label tag
 * matches; other annotations (deploys, maintenance ...) always.
 */
export function annotationsForEntity(
  items: readonly AnnotationItem[],
  labels: Record<string, string>
): AnnotationItem[] {
  const wanted = labelTags(labels);
  return items.filter((a) => !a.tags.includes('anomalyscore') || wanted.every((t) => a.tags.includes(t)));
}

export interface FeedbackItem {
  kind: FeedbackKind;
  label: string;
  time: number;
  timeEnd?: number;
  tier?: string;
  rationale: string;
  tags: string[];
}

/** Feedback written by this panel for this entity (tags anomalyscore + feedback:<kind> + its labels). */
export function feedbackForEntity(items: readonly AnnotationItem[], labels: Record<string, string>): FeedbackItem[] {
  const wanted = labelTags(labels);
  const out: FeedbackItem[] = [];
  for (const a of items) {
    if (!a.tags.includes('anomalyscore') || !wanted.every((t) => a.tags.includes(t))) {
      continue;
    }
    const kindTag = a.tags.find((t) => t.startsWith('feedback:'));
    const kind = FEEDBACK_KINDS.find((k) => `feedback:${k.kind}` === kindTag);
    if (!kind) {
      continue;
    }
    const tier = a.tags.find((t) => t.startsWith('tier:'));
    out.push({
      kind: kind.kind,
      label: kind.label,
      time: a.time,
      ...(a.timeEnd !== undefined ? { timeEnd: a.timeEnd } : {}),
      ...(tier ? { tier: tier.slice('tier:'.length) } : {}),
      rationale: a.text,
      tags: a.tags,
    });
  }
  return out;
}
