/**
 * Incident-review export for one incident of the library: the entity, the time range, the peak
 * score and its tier, the first crossing of each tier, the contributions at the peak, the
 * annotations and feedback (with their rationale), the spec version and a link back.
 *
 * Pure (plain data in, text out). Every value from outside (label values, annotation texts, kinds,
 * ids) is escaped in the Markdown: Markdown punctuation backslash-escaped, `&`, `<`, `>`, `"` as
 * entities, line breaks folded; link targets only http(s) or site-relative paths. The same rules
 * as the panel's export (src/panel/data/report.ts), restated here so the app does not import the panel.
 */
import type { FeedbackEvent, GroundTruthEvent, Labels } from '../../scoring/evaluate/groundTruth';
import { matchesEntity } from '../../scoring/evaluate/groundTruth';
import { TIERS, type Tier } from '../../scoring/types';
import type { ScoreFrameLike } from '../../scoring/evaluate/calibrate';

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

export interface IncidentReviewReport {
  title: string;
  generatedAt: string;
  incident: { id: string; kind: string; source: string; start: number; end: number; startIso: string; endIso: string; text: string };
  entity: { key: string; labels: Labels };
  timeRange: { from: number; to: number; fromIso: string; toIso: string };
  spec: { id: string; version: string | number } | null;
  peak: { time: number; timeIso: string; score: number; tier: Tier | null } | null;
  tierCrossings: Array<{ tier: Tier; firstAt: number | null; firstAtIso: string | null }>;
  contributionsAtPeak: Array<{ signal: string; contribution: number; share: number }>;
  annotations: Array<{
    id: string;
    time: number;
    timeIso: string;
    source: string;
    kind: string;
    feedback?: string;
    tier?: string;
    rationale: string;
  }>;
  link: string;
}

export function isoTime(t: number): string {
  return Number.isFinite(t) && Math.abs(t) < 8.64e15 ? new Date(t).toISOString() : String(t);
}

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
  const tierCrossings = TIERS.slice(1).map((t) => {
    const k = TIERS.indexOf(t);
    let first: number | null = null;
    if (time && tier) {
      for (let i = 0; i < time.values.length; i++) {
        const ti = Number(time.values[i]);
        const x = tierAt(i);
        if (ti >= from && ti <= to && x && TIERS.indexOf(x) >= k) {
          first = ti;
          break;
        }
      }
    }
    return { tier: t, firstAt: first, firstAtIso: first === null ? null : isoTime(first) };
  });
  const peakScore = peakI >= 0 ? Number(score!.values[peakI]) : NaN;
  const contributionsAtPeak =
    peakI >= 0 && frame
      ? frame.fields
          .filter((f) => f.name.startsWith('contrib:'))
          .map((f) => {
            const c = Number(f.values[peakI]);
            return { signal: f.name.slice('contrib:'.length), contribution: c, share: peakScore > 0 ? c / peakScore : 0 };
          })
          .filter((c) => Number.isFinite(c.contribution) && c.contribution > 0)
          .sort((a, b) => b.contribution - a.contribution || (a.signal < b.signal ? -1 : 1))
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
    tierCrossings,
    contributionsAtPeak,
    annotations,
    link: input.link,
  };
}

/** Text safe inside Markdown: no HTML, no links, no emphasis, no block markers. */
export function escapeMarkdown(text: string): string {
  const escaped = String(text)
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_{}[\]()|~!]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
  return escaped.replace(/^(\s*)([#+\-=]|\d+(?=[.)](?:\s|$)))/, (_m, space: string, c: string) => `${space}\\${c}`);
}

/** A link target: http(s) or a site-relative path, with characters that would end the link encoded. */
export function safeUrl(url: string): string {
  if (!/^https?:\/\//i.test(url) && !/^\/(?!\/)/.test(url)) {
    return '';
  }
  return url.replace(/[()<>\s"'`]/g, (c) => encodeURIComponent(c));
}

const e = escapeMarkdown;
const n1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');

export function incidentReportToMarkdown(r: IncidentReviewReport): string {
  const L: string[] = [];
  L.push(`# ${e(r.title)}`, '', `Generated ${e(r.generatedAt)}`, '');
  L.push('## Incident', '');
  L.push(`- id: ${e(r.incident.id)}`, `- kind: ${e(r.incident.kind)}`, `- source: ${e(r.incident.source)}`);
  L.push(`- from ${e(r.incident.startIso)} to ${e(r.incident.endIso)}`);
  if (r.incident.text) {
    L.push(`- text: ${e(r.incident.text)}`);
  }
  L.push('', '## Entity', '');
  const labels = Object.entries(r.entity.labels);
  if (labels.length === 0) {
    L.push(`- ${e(r.entity.key)}`);
  }
  for (const [k, v] of labels) {
    L.push(`- ${e(k)}: ${e(v)}`);
  }
  L.push('', '## Time range', '', `${e(r.timeRange.fromIso)} to ${e(r.timeRange.toIso)}`, '');
  L.push('## Peak', '');
  L.push(r.peak ? `Score ${n1(r.peak.score)}, tier ${e(r.peak.tier ?? 'unknown')}, at ${e(r.peak.timeIso)}` : 'No score loaded for this range.');
  L.push('', '## Tier crossings', '', '| tier | first crossed |', '| --- | --- |');
  for (const c of r.tierCrossings) {
    L.push(`| ${e(c.tier)} | ${c.firstAtIso ? e(c.firstAtIso) : 'not crossed'} |`);
  }
  L.push('', '## Contributions at the peak', '');
  if (r.contributionsAtPeak.length === 0) {
    L.push('None.');
  } else {
    L.push('| signal | contribution | share |', '| --- | ---: | ---: |');
    for (const c of r.contributionsAtPeak) {
      L.push(`| ${e(c.signal)} | ${n1(c.contribution)} | ${Math.round(c.share * 100)}% |`);
    }
  }
  L.push('', '## Annotations and feedback', '');
  if (r.annotations.length === 0) {
    L.push('None in this range.');
  }
  for (const a of r.annotations) {
    const what = a.feedback ? `feedback ${e(a.feedback)}` : e(a.kind);
    L.push(`- ${e(a.timeIso)} ${what}${a.tier ? ` at ${e(a.tier)}` : ''} (${e(a.source)} ${e(a.id)}): ${a.rationale ? e(a.rationale) : 'no rationale given'}`);
  }
  L.push('', '## Spec', '', r.spec ? `${e(String(r.spec.id))} version ${e(String(r.spec.version))}` : 'unknown (no timeline loaded)');
  L.push('', '## Link', '');
  const url = safeUrl(r.link);
  L.push(url ? `[Open the dashboard at this time range](${url})` : e(r.link), '');
  return L.join('\n');
}

export function incidentReportToJson(r: IncidentReviewReport): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

export function incidentReportFileStem(r: IncidentReviewReport): string {
  const entity = Object.values(r.entity.labels).join('-') || 'entity';
  return `incident-${entity}-${r.incident.startIso}`.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
}
