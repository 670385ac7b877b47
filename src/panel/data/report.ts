/**
 * Incident-review export of the panel: one entity over one time range. This file gathers what the
 * panel knows (the explanation at the peak, annotations and feedback of the entity); the report
 * model, its Markdown (with the escaping of every outside value) and JSON are shared with the app's
 * Incident library in src/frames/report.ts.
 */
import { isoTime } from '../../frames/markdown';
import { tierCrossings, type IncidentReview } from '../../frames/report';
import { annotationsForEntity, feedbackForEntity, overlaps } from './annotations';
import { explainAt } from './explain';
import { numAt, peakIndex, ScoreFrameView, timeAt } from './frames';
import type { AnnotationItem } from '../types';

export interface ReportInput {
  view: ScoreFrameView;
  from: number;
  to: number;
  annotations: readonly AnnotationItem[];
  /** Link back to the dashboard at this range. */
  dashboardUrl: string;
  /** When the report was made (ms); injected for reproducible output. */
  generatedAt: number;
  /** How many top signals get observed vs expected (default 3). */
  topSignals?: number;
}

/** The panel's report: every section of the shared model, with feedback listed apart. */
export type IncidentReport = IncidentReview &
  Required<Pick<IncidentReview, 'contributionSum' | 'signalsAtPeak' | 'contextAtPeak' | 'action' | 'whatWouldChange' | 'feedback'>>;

/** Dashboard URL with `from`/`to` set (other query parameters such as orgId and variables kept). */
export function dashboardLink(
  loc: { origin: string; pathname: string; search: string },
  from: number,
  to: number
): string {
  const params = new URLSearchParams(loc.search);
  params.set('from', String(Math.round(from)));
  params.set('to', String(Math.round(to)));
  return `${loc.origin}${loc.pathname}?${params.toString()}`;
}

export function buildReport(input: ReportInput): IncidentReport {
  const { view, from, to } = input;
  const peakI = peakIndex(view, from, to);
  const ex = peakI >= 0 ? explainAt(view, peakI) : undefined;
  const top = input.topSignals ?? 3;
  const entityAnnotations = annotationsForEntity(input.annotations, view.labels).filter((a) => overlaps(a, from, to));
  const topIds = (ex?.contributions ?? [])
    .filter((c) => c.value > 0)
    .slice(0, top)
    .map((c) => c.id);
  const meta = view.meta;
  const tiers = view.tier?.values ?? [];
  return {
    title: `Incident review: ${view.key}`,
    generatedAt: isoTime(input.generatedAt),
    entity: { key: view.key, labels: { ...view.labels } },
    timeRange: { from, to, fromIso: isoTime(from), toIso: isoTime(to) },
    spec:
      meta.specId !== undefined || meta.spec
        ? { id: meta.specId ?? meta.spec?.id ?? '', version: meta.specVersion ?? meta.spec?.version ?? '' }
        : null,
    peak: ex
      ? {
          time: ex.t,
          timeIso: isoTime(ex.t),
          score: numAt(view.score, peakI),
          lower: ex.lower,
          upper: ex.upper,
          scoreText: ex.scoreText,
          tier: ex.tier ?? null,
        }
      : null,
    tierCrossings: tierCrossings(tiers.length, (i) => timeAt(view, i), (i) => tiers[i], from, to),
    contributionsAtPeak: ex?.contributions ?? [],
    contributionSum: ex?.sumText ?? '',
    signalsAtPeak: (ex?.signals ?? [])
      .filter((s) => topIds.includes(s.id))
      .sort((a, b) => topIds.indexOf(a.id) - topIds.indexOf(b.id)),
    contextAtPeak: ex?.context ?? [],
    action: ex?.action ? { ...ex.action } : null,
    whatWouldChange: ex?.whatWouldChange
      ? ex.whatWouldChange.note
        ? [ex.whatWouldChange.note]
        : ex.whatWouldChange.lines.map((l) => l.text)
      : [],
    annotations: entityAnnotations.map((a) => ({
      time: a.time,
      timeIso: isoTime(a.time),
      ...(a.timeEnd !== undefined ? { timeEnd: a.timeEnd } : {}),
      ...(a.title !== undefined ? { title: a.title } : {}),
      text: a.text,
      tags: [...a.tags],
    })),
    feedback: feedbackForEntity(entityAnnotations, view.labels).map((f) => ({
      kind: f.kind,
      label: f.label,
      time: f.time,
      timeIso: isoTime(f.time),
      ...(f.tier ? { tier: f.tier } : {}),
      rationale: f.rationale,
    })),
    dashboardUrl: input.dashboardUrl,
  };
}
