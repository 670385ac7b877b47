/**
 * Incident-review export for one incident of the library. This file gathers what the app knows
 * (the incident, the entity's score frame around it, the incidents and feedback of the entity in
 * the window); the report model, its Markdown (with the escaping of every outside value) and JSON
 * are shared with the panel's export in src/frames/report.ts.
 */
import type { FeedbackEvent, GroundTruthEvent, Labels } from '../../scoring/evaluate/groundTruth';
import { matchesEntity } from '../../scoring/evaluate/groundTruth';
import { TIERS, type Tier } from '../../scoring/types';
import type { ScoreFrameLike } from '../../scoring/evaluate/calibrate';
import { isoTime } from '../../frames/markdown';
import { tierCrossings, type IncidentReview, type ReviewIncident } from '../../frames/report';

export interface IncidentReportInput {
  incident: GroundTruthEvent;
  /** The entity's score frame around the incident (undefined when no timeline was loaded). */
  frame?: ScoreFrameLike;
  /** Window of the report (ms). */
  from: number;
  to: number;
  /** Feedback and other incidents; those of the entity overlapping the window are kept. */
  feedback: readonly FeedbackEvent[];
  incidents: readonly GroundTruthEvent[];
  link: string;
  generatedAt: number;
}

/** The Library's report: the shared model with the incident under review. */
export type IncidentReviewReport = IncidentReview & { incident: ReviewIncident };

const labelKey = (labels: Labels) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;

const overlaps = (e: { start: number; end: number }, from: number, to: number) => e.start <= to && e.end >= from;

export function buildIncidentReport(input: IncidentReportInput): IncidentReviewReport {
  const { incident, frame, from, to } = input;
  const field = (name: string) => frame?.fields.find((f) => f.name === name);
  const time = field('Time');
  const score = field('score');
  const tier = field('tier');
  const custom = frame?.meta?.custom ?? {};
  const entityLabels: Labels = { ...((custom.entity as Labels | undefined) ?? score?.labels ?? incident.entity) };

  let peakI = -1;
  if (time && score) {
    for (let i = 0; i < time.values.length; i++) {
      const t = Number(time.values[i]);
      const v = Number(score.values[i]);
      if (t >= from && t <= to && Number.isFinite(v) && (peakI < 0 || v > Number(score.values[peakI]))) {
        peakI = i;
      }
    }
  }
  const tierAt = (i: number): Tier | null => {
    const x = tier?.values[i];
    return typeof x === 'string' && (TIERS as readonly string[]).includes(x) ? (x as Tier) : null;
  };
  const peakScore = peakI >= 0 ? Number(score!.values[peakI]) : NaN;
  const contributionsAtPeak =
    peakI >= 0 && frame
      ? frame.fields
          .filter((f) => f.name.startsWith('contrib:'))
          .map((f) => {
            const c = Number(f.values[peakI]);
            const id = f.name.slice('contrib:'.length);
            return { id, name: id, value: c, share: peakScore > 0 ? c / peakScore : 0 };
          })
          .filter((c) => Number.isFinite(c.value) && c.value > 0)
          .sort((a, b) => b.value - a.value || (a.id < b.id ? -1 : 1))
      : [];
  const mine = (e: GroundTruthEvent) => matchesEntity(e, entityLabels) && overlaps(e, from, to);
  const annotations = [
    ...input.incidents.filter(mine).map((e) => ({ e, feedback: undefined as string | undefined })),
    ...input.feedback.filter(mine).map((e) => ({ e: e as GroundTruthEvent, feedback: e.feedback as string })),
  ]
    // Confirmed feedback is both an incident and feedback: keep it once, as feedback.
    .filter((x, _i, all) => x.feedback !== undefined || !all.some((y) => y.e.id === x.e.id && y.feedback !== undefined))
    .sort((a, b) => a.e.start - b.e.start || (a.e.id < b.e.id ? -1 : 1))
    .map(({ e, feedback }) => ({
      id: e.id,
      time: e.start,
      timeIso: isoTime(e.start),
      source: e.source,
      kind: e.kind,
      ...(feedback ? { feedback } : {}),
      ...(e.tier ? { tier: e.tier } : {}),
      rationale: e.text ?? '',
    }));
  const specId = custom.specId as string | undefined;
  const specVersion = custom.specVersion as string | number | undefined;
  const key = (custom.entityKey as string | undefined) ?? frame?.name ?? labelKey(entityLabels);
  return {
    title: `Incident review: ${key}`,
    generatedAt: isoTime(input.generatedAt),
    incident: {
      id: incident.id,
      kind: incident.kind,
      source: incident.source,
      start: incident.start,
      end: incident.end,
      startIso: isoTime(incident.start),
      endIso: isoTime(incident.end),
      text: incident.text ?? '',
    },
    entity: { key, labels: entityLabels },
    timeRange: { from, to, fromIso: isoTime(from), toIso: isoTime(to) },
    spec: specId !== undefined ? { id: specId, version: specVersion ?? '' } : null,
    peak:
      peakI >= 0
        ? { time: Number(time!.values[peakI]), timeIso: isoTime(Number(time!.values[peakI])), score: peakScore, tier: tierAt(peakI) }
        : null,
    tierCrossings: tierCrossings(time && tier ? time.values.length : 0, (i) => Number(time!.values[i]), tierAt, from, to),
    contributionsAtPeak,
    annotations,
    dashboardUrl: input.link,
  };
}
