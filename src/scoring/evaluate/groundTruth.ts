/**
 * Ground truth for backtests: labelled events from Grafana annotations (as `GET /api/annotations`
 * returns them) or from the demo generator's incidents.json.
 *
 * Annotations:
 * - A verified incident is tagged `incident`. Its entity is given by `key:value` tags (e.g.
 *   `model:fraud`, `region:eu`) or by a structured text `{"entity": {...}, "kind": "..."}`; an
 *   optional `kind:<kind>` tag names the incident kind.
 * - The panel's feedback annotations are tagged `anomalyscore` plus exactly one of
 *   `feedback:confirmed`, `feedback:false-alarm`, `feedback:acknowledged`, `feedback:escalated`,
 *   optionally `tier:<tier>`, and the entity's `key:value` labels.
 * - Everything else (deploy markers, notes) is ignored and counted.
 *
 * Output: incidents (verified incidents + confirmed feedback), false alarms (false-alarm feedback),
 * benign events (incidents.json only), all feedback, and one error per malformed annotation that
 * names the annotation id. Entities are label sets; an event matches every scored entity whose
 * labels include all of the event's labels (an incident labelled only `model:fraud` matches every
 * fraud entity).
 *
 * Pure: no Grafana import, so the app's pages can call it on the annotations they fetched.
 */
import { TIERS, type Tier } from '../types';

export type Labels = Record<string, string>;

/** One annotation as Grafana's HTTP API returns it (only the fields we read). */
export interface GrafanaAnnotation {
  id: number | string;
  /** epoch ms */
  time: number;
  /** epoch ms; equal to `time` (or absent) for a point annotation */
  timeEnd?: number;
  tags?: string[];
  text?: string;
  dashboardUID?: string;
  panelId?: number;
}

export type FeedbackKind = 'confirmed' | 'false-alarm' | 'acknowledged' | 'escalated';
export const FEEDBACK_KINDS: readonly FeedbackKind[] = ['confirmed', 'false-alarm', 'acknowledged', 'escalated'];

export type EventSource = 'annotation' | 'feedback' | 'incidents.json';

export interface GroundTruthEvent {
  id: string;
  /** Labels identifying the entity (a subset of the scored entity's labels). */
  entity: Labels;
  kind: string;
  /** epoch ms, inclusive */
  start: number;
  /** epoch ms; for a point annotation start === end */
  end: number;
  source: EventSource;
  /** Tier the feedback was given on (feedback only). */
  tier?: Tier;
  dashboardUID?: string;
  panelId?: number;
  text?: string;
}

export interface FeedbackEvent extends GroundTruthEvent {
  feedback: FeedbackKind;
}

export interface GroundTruthIssue {
  /** The annotation's id (or the incident's id / index in incidents.json). */
  id: string;
  message: string;
}

export interface GroundTruth {
  /** Verified incidents and confirmed feedback. */
  incidents: GroundTruthEvent[];
  /** Alerts dismissed as false alarms (feedback:false-alarm). */
  falseAlarms: GroundTruthEvent[];
  /** Known benign events (traffic surges, deploys) from incidents.json; not incidents, not alarms. */
  benign: GroundTruthEvent[];
  /** Every feedback annotation, including acknowledged / escalated. */
  feedback: FeedbackEvent[];
  /** Malformed input, one entry per annotation (or incident). */
  errors: GroundTruthIssue[];
  /** Annotations that are neither incidents nor feedback. */
  ignored: number;
}

export class GroundTruthError extends Error {
  constructor(readonly issues: GroundTruthIssue[]) {
    super(
      `${issues.length} malformed ground-truth entr${issues.length === 1 ? 'y' : 'ies'}:\n` +
        issues.map((i) => `  annotation ${i.id}: ${i.message}`).join('\n')
    );
    this.name = 'GroundTruthError';
  }
}

export interface ParseOptions {
  /** Throw a GroundTruthError when any entry is malformed (default false: errors are returned). */
  strict?: boolean;
}

/** Tag prefixes that are not entity labels. */
const RESERVED_PREFIXES = new Set(['feedback', 'tier', 'kind', 'severity', 'source']);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function emptyTruth(): GroundTruth {
  return { incidents: [], falseAlarms: [], benign: [], feedback: [], errors: [], ignored: 0 };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function finish(gt: GroundTruth, opts: ParseOptions): GroundTruth {
  const byStart = (a: GroundTruthEvent, b: GroundTruthEvent) =>
    a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  gt.incidents.sort(byStart);
  gt.falseAlarms.sort(byStart);
  gt.benign.sort(byStart);
  gt.feedback.sort(byStart);
  if (opts.strict && gt.errors.length > 0) {
    throw new GroundTruthError(gt.errors);
  }
  return gt;
}

interface StructuredText {
  entity?: Labels;
  kind?: string;
}

/** `{"entity": {...}, "kind": ...}` in an annotation's text; undefined when the text is prose. */
function parseStructuredText(text: string | undefined): { value?: StructuredText; error?: string } {
  const trimmed = (text ?? '').trim();
  if (!trimmed.startsWith('{')) {
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch (e) {
    return { error: `text looks like JSON but does not parse: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!isObject(raw)) {
    return { error: 'structured text must be a JSON object' };
  }
  const out: StructuredText = {};
  if (raw.entity !== undefined) {
    if (!isObject(raw.entity)) {
      return { error: 'structured text: "entity" must be an object of label -> value' };
    }
    const entity: Labels = {};
    for (const [k, v] of Object.entries(raw.entity)) {
      if (!LABEL_NAME.test(k) || (typeof v !== 'string' && typeof v !== 'number')) {
        return { error: `structured text: entity label ${JSON.stringify(k)} must be a label name with a string value` };
      }
      entity[k] = String(v);
    }
    out.entity = entity;
  }
  if (raw.kind !== undefined) {
    if (typeof raw.kind !== 'string' || raw.kind === '') {
      return { error: 'structured text: "kind" must be a non-empty string' };
    }
    out.kind = raw.kind;
  }
  return { value: out };
}

/**
 * Grafana annotations -> ground truth. Malformed annotations (bad times, no entity on an incident,
 * unknown or conflicting feedback, bad tier, unparsable structured text) are reported by id.
 */
export function parseAnnotations(annotations: readonly unknown[], opts: ParseOptions = {}): GroundTruth {
  const gt = emptyTruth();
  if (!Array.isArray(annotations)) {
    gt.errors.push({ id: '-', message: 'annotations must be a JSON array (the body of GET /api/annotations)' });
    return finish(gt, opts);
  }
  annotations.forEach((raw, index): void => {
    if (!isObject(raw)) {
      gt.errors.push({ id: `#${index}`, message: 'annotation must be an object' });
      return;
    }
    const id = raw.id === undefined || raw.id === null ? `#${index}` : String(raw.id);
    const tags = Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string') : [];
    const isIncident = tags.includes('incident');
    const isFeedback = tags.includes('anomalyscore') && tags.some((t) => t.startsWith('feedback:'));
    if (!isIncident && !isFeedback) {
      gt.ignored++;
      return;
    }
    const fail = (message: string): void => void gt.errors.push({ id, message });
    if (raw.tags !== undefined && !Array.isArray(raw.tags)) {
      return fail('tags must be a list of strings');
    }
    const start = raw.time;
    if (typeof start !== 'number' || !Number.isFinite(start)) {
      return fail(`time must be epoch milliseconds, got ${JSON.stringify(start)}`);
    }
    let end = start;
    if (raw.timeEnd !== undefined && raw.timeEnd !== null && raw.timeEnd !== 0) {
      if (typeof raw.timeEnd !== 'number' || !Number.isFinite(raw.timeEnd)) {
        return fail(`timeEnd must be epoch milliseconds, got ${JSON.stringify(raw.timeEnd)}`);
      }
      if (raw.timeEnd < start) {
        return fail(`timeEnd ${new Date(raw.timeEnd).toISOString()} is before time ${new Date(start).toISOString()}`);
      }
      end = raw.timeEnd;
    }
    const text = typeof raw.text === 'string' ? raw.text : undefined;
    const structured = parseStructuredText(text);
    if (structured.error) {
      return fail(structured.error);
    }
    // key:value tags -> labels (reserved prefixes excluded).
    const entity: Labels = {};
    let kind: string | undefined = structured.value?.kind;
    let tier: Tier | undefined;
    const feedbackKinds: string[] = [];
    for (const tag of tags) {
      const colon = tag.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      const key = tag.slice(0, colon).trim();
      const value = tag.slice(colon + 1).trim();
      if (key === 'feedback') {
        feedbackKinds.push(value);
      } else if (key === 'tier') {
        if (!(TIERS as readonly string[]).includes(value)) {
          return fail(`tag "${tag}": tier must be one of ${TIERS.join(', ')}`);
        }
        tier = value as Tier;
      } else if (key === 'kind') {
        kind = value || kind;
      } else if (!RESERVED_PREFIXES.has(key) && LABEL_NAME.test(key)) {
        if (entity[key] !== undefined && entity[key] !== value) {
          return fail(`conflicting entity labels ${key}:${entity[key]} and ${key}:${value}`);
        }
        entity[key] = value;
      }
    }
    Object.assign(entity, structured.value?.entity ?? {});
    if (Object.keys(entity).length === 0) {
      return fail('no entity: add key:value tags (e.g. model:fraud) or a structured text {"entity": {...}}');
    }
    const base: GroundTruthEvent = {
      id,
      entity,
      kind: kind ?? (isIncident ? 'incident' : 'feedback'),
      start,
      end,
      source: isIncident ? 'annotation' : 'feedback',
      ...(tier ? { tier } : {}),
      ...(typeof raw.dashboardUID === 'string' ? { dashboardUID: raw.dashboardUID } : {}),
      ...(typeof raw.panelId === 'number' ? { panelId: raw.panelId } : {}),
      ...(text !== undefined ? { text } : {}),
    };
    if (isFeedback) {
      const distinct = [...new Set(feedbackKinds)];
      if (distinct.length !== 1) {
        return fail(
          `feedback annotations need exactly one feedback:<kind> tag, got ${distinct.map((k) => `feedback:${k}`).join(', ')}`
        );
      }
      const fk = distinct[0];
      if (!(FEEDBACK_KINDS as readonly string[]).includes(fk)) {
        return fail(
          `unknown feedback "feedback:${fk}" (expected one of ${FEEDBACK_KINDS.map((k) => `feedback:${k}`).join(', ')})`
        );
      }
      if (isIncident && fk === 'false-alarm') {
        return fail('tagged both incident and feedback:false-alarm');
      }
      gt.feedback.push({ ...base, feedback: fk as FeedbackKind });
      if (fk === 'false-alarm') {
        gt.falseAlarms.push({ ...base, kind: kind ?? 'false-alarm' });
        return;
      }
      if (fk === 'confirmed' || isIncident) {
        gt.incidents.push({ ...base, kind: kind ?? (isIncident ? 'incident' : 'confirmed') });
      }
      return;
    }
    gt.incidents.push(base);
  });
  return finish(gt, opts);
}

/** The demo generator's incidents.json (demo/generator/types.ts GroundTruth). */
export function parseIncidentsJson(json: unknown, opts: ParseOptions = {}): GroundTruth {
  const gt = emptyTruth();
  if (!isObject(json) || !Array.isArray(json.incidents)) {
    gt.errors.push({ id: '-', message: 'incidents.json must be an object with an "incidents" list' });
    return finish(gt, opts);
  }
  const read = (list: unknown, source: 'incidents' | 'benign', into: GroundTruthEvent[]) => {
    if (list === undefined) {
      return;
    }
    if (!Array.isArray(list)) {
      gt.errors.push({ id: source, message: `"${source}" must be a list` });
      return;
    }
    list.forEach((raw, index): void => {
      const id = isObject(raw) && raw.id !== undefined ? String(raw.id) : `${source}[${index}]`;
      const fail = (message: string): void => void gt.errors.push({ id, message });
      if (!isObject(raw)) {
        return fail('must be an object');
      }
      if (typeof raw.start !== 'number' || typeof raw.end !== 'number' || !(raw.end >= raw.start)) {
        return fail('start and end must be epoch milliseconds with end >= start');
      }
      if (!isObject(raw.entity) || Object.keys(raw.entity).length === 0) {
        return fail('entity must be a non-empty object of label -> value');
      }
      const entity: Labels = {};
      for (const [k, v] of Object.entries(raw.entity)) {
        entity[k] = String(v);
      }
      into.push({
        id,
        entity,
        kind: typeof raw.kind === 'string' ? raw.kind : source === 'benign' ? 'benign' : 'incident',
        start: raw.start,
        end: raw.end,
        source: 'incidents.json',
      });
    });
  };
  read(json.incidents, 'incidents', gt.incidents);
  read(json.benign, 'benign', gt.benign);
  return finish(gt, opts);
}

/** Either format: a JSON array is read as annotations, an object with `incidents` as incidents.json. */
export function parseGroundTruth(json: unknown, opts: ParseOptions = {}): GroundTruth {
  return Array.isArray(json) ? parseAnnotations(json, opts) : parseIncidentsJson(json, opts);
}

/** Combine several sources (e.g. incidents.json + feedback annotations). */
export function mergeGroundTruth(...parts: GroundTruth[]): GroundTruth {
  const gt = emptyTruth();
  for (const p of parts) {
    gt.incidents.push(...p.incidents);
    gt.falseAlarms.push(...p.falseAlarms);
    gt.benign.push(...p.benign);
    gt.feedback.push(...p.feedback);
    gt.errors.push(...p.errors);
    gt.ignored += p.ignored;
  }
  return finish(gt, {});
}

/** Does an event's entity (a label subset) match a scored entity's labels? */
export function matchesEntity(event: Pick<GroundTruthEvent, 'entity'>, labels: Labels): boolean {
  for (const [k, v] of Object.entries(event.entity)) {
    if (labels[k] !== v) {
      return false;
    }
  }
  return true;
}
