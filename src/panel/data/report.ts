/**
 * Incident-review export: one entity over one time range, as data (JSON) and as Markdown. Every
 * value that came from outside (label values, signal names, annotation texts, rationales) is
 * escaped as text in the Markdown: Markdown syntax is backslash-escaped and `<`, `>`, `&` become
 * entities, so nothing renders as HTML or as a link wherever the report is pasted.
 */
import type { AppliedEffect } from '../../scoring/context';
import { fmt } from '../../scoring/explain';
import { TIER_NAMES, TierName } from '../types';
import { annotationsForEntity, feedbackForEntity, overlaps } from './annotations';
import { explainAt, type ContributionBar, type SignalReading } from './explain';
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

export interface IncidentReport {
  title: string;
  generatedAt: string;
  entity: { key: string; labels: Record<string, string> };
  timeRange: { from: number; to: number; fromIso: string; toIso: string };
  spec: { id: string; version: string | number } | null;
  peak: {
    time: number;
    timeIso: string;
    score: number;
    lower: number;
    upper: number;
    scoreText: string;
    tier: TierName | null;
  } | null;
  tierCrossings: Array<{ tier: TierName; firstAt: number | null; firstAtIso: string | null }>;
  contributionsAtPeak: ContributionBar[];
  contributionSum: string;
  signalsAtPeak: SignalReading[];
  contextAtPeak: AppliedEffect[];
  action: { action: string; owner?: string; escalation?: string; runbook?: string } | null;
  whatWouldChange: string[];
  annotations: Array<{ time: number; timeIso: string; timeEnd?: number; title?: string; text: string; tags: string[] }>;
  feedback: Array<{ kind: string; label: string; time: number; timeIso: string; tier?: string; rationale: string }>;
  dashboardUrl: string;
}

export function isoTime(t: number): string {
  return Number.isFinite(t) && Math.abs(t) < 8.64e15 ? new Date(t).toISOString() : String(t);
}

/** First time in [from, to] that the tier was at or above each non-ok tier. */
export function tierCrossings(view: ScoreFrameView, from: number, to: number): IncidentReport['tierCrossings'] {
  const out: IncidentReport['tierCrossings'] = [];
  const tiers = view.tier?.values ?? [];
  for (let k = 1; k < TIER_NAMES.length; k++) {
    let first: number | null = null;
    for (let i = 0; i < tiers.length; i++) {
      const t = timeAt(view, i);
      if (t < from || t > to) {
        continue;
      }
      const idx = TIER_NAMES.indexOf(tiers[i]);
      if (idx >= k) {
        first = t;
        break;
      }
    }
    out.push({ tier: TIER_NAMES[k], firstAt: first, firstAtIso: first === null ? null : isoTime(first) });
  }
  return out;
}

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
    tierCrossings: tierCrossings(view, from, to),
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

/**
 * Text safe to embed in Markdown: inline Markdown punctuation backslash-escaped (and block markers at
 * the start), `&`, `<`, `>`, `"` as entities (so no raw HTML survives), line breaks folded to spaces.
 */
export function escapeMarkdown(text: string): string {
  const escaped = String(text)
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_{}[\]()|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
  // Block markers only matter at the start of a line: headings, lists, "1." lists.
  return escaped.replace(/^(\s*)([#+\-=]|\d+(?=[.)](?:\s|$)))/, (_m, space: string, c: string) => `${space}\\${c}`);
}

/** A URL for a Markdown link target: only http(s), with characters that would end the link encoded. */
function safeUrl(url: string): string {
  if (!/^https?:\/\//i.test(url)) {
    return '';
  }
  return url.replace(/[()<>\s"'`]/g, (c) => encodeURIComponent(c));
}

const e = escapeMarkdown;

function num(x: number): string {
  return e(fmt(Number.isFinite(x) ? Number(x.toFixed(3)) : x));
}

export function reportToMarkdown(r: IncidentReport): string {
  const L: string[] = [];
  L.push(`# ${e(r.title)}`, '');
  L.push(`Generated ${e(r.generatedAt)}`, '');
  L.push('## Entity', '');
  const labels = Object.entries(r.entity.labels);
  if (labels.length === 0) {
    L.push(`- ${e(r.entity.key)}`);
  }
  for (const [k, v] of labels) {
    L.push(`- ${e(k)}: ${e(v)}`);
  }
  L.push('', '## Time range', '', `${e(r.timeRange.fromIso)} to ${e(r.timeRange.toIso)}`, '');
  L.push('## Peak', '');
  L.push(
    r.peak
      ? `Score ${e(r.peak.scoreText)}, tier ${e(r.peak.tier ?? 'unknown')}, at ${e(r.peak.timeIso)}`
      : 'No score in this range.'
  );
  L.push('', '## Tier crossings', '');
  L.push('| tier | first crossed |', '| --- | --- |');
  for (const c of r.tierCrossings) {
    L.push(`| ${e(c.tier)} | ${c.firstAtIso ? e(c.firstAtIso) : 'not crossed'} |`);
  }
  L.push('', '## Contributions at the peak', '');
  if (r.contributionSum) {
    L.push(e(r.contributionSum), '');
  }
  L.push('| signal | contribution | share |', '| --- | ---: | ---: |');
  for (const c of r.contributionsAtPeak) {
    L.push(`| ${e(c.name)} | ${c.value.toFixed(1)} | ${Math.round(c.share * 100)}% |`);
  }
  L.push('', '## Observed vs expected (top signals)', '');
  L.push('| signal | observed | expected | band | statistic | severity |', '| --- | ---: | ---: | --- | ---: | ---: |');
  for (const s of r.signalsAtPeak) {
    L.push(
      `| ${e(s.name)} | ${num(s.observed)} | ${num(s.expected)} | ${num(s.lower)} … ${num(s.upper)} | ${num(s.statistic)} | ${num(s.severity)} |`
    );
  }
  L.push('', '## Context at the peak', '');
  if (r.contextAtPeak.length === 0) {
    L.push('No context rule applied.');
  }
  for (const c of r.contextAtPeak) {
    L.push(`- ${e(c.ruleId)}: ${e(c.detail)}${c.description ? ` (${e(c.description)})` : ''}`);
  }
  L.push('', '## Recommended action', '');
  if (r.action) {
    L.push(
      `${e(r.action.action)}${r.action.owner ? `, owner ${e(r.action.owner)}` : ''}${r.action.escalation ? `, escalation ${e(r.action.escalation)}` : ''}`
    );
    const runbook = r.action.runbook ? safeUrl(r.action.runbook) : '';
    if (runbook) {
      L.push('', `Runbook: [${e(r.action.runbook!)}](${runbook})`);
    } else if (r.action.runbook) {
      L.push('', `Runbook: ${e(r.action.runbook)}`);
    }
  } else {
    L.push('None.');
  }
  if (r.whatWouldChange.length > 0) {
    L.push('', 'What would change the tier:', '');
    for (const w of r.whatWouldChange) {
      L.push(`- ${e(w)}`);
    }
  }
  L.push('', '## Annotations', '');
  if (r.annotations.length === 0) {
    L.push('None in this range.');
  }
  for (const a of r.annotations) {
    const title = a.title ? `${e(a.title)}: ` : '';
    L.push(`- ${e(a.timeIso)} ${title}${e(a.text)}${a.tags.length > 0 ? ` (tags: ${a.tags.map(e).join(', ')})` : ''}`);
  }
  L.push('', '## Feedback', '');
  if (r.feedback.length === 0) {
    L.push('None in this range.');
  }
  for (const f of r.feedback) {
    L.push(`- ${e(f.timeIso)} ${e(f.label)}${f.tier ? ` at ${e(f.tier)}` : ''}: ${e(f.rationale)}`);
  }
  L.push('', '## Spec', '');
  L.push(r.spec ? `${e(String(r.spec.id))} version ${e(String(r.spec.version))}` : 'unknown');
  L.push('', '## Dashboard', '');
  const url = safeUrl(r.dashboardUrl);
  L.push(url ? `[Open the dashboard at this time range](${url})` : e(r.dashboardUrl));
  L.push('');
  return L.join('\n');
}

export function reportToJson(r: IncidentReport): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

/** File name stem: "anomalyscore-<entity>-<from>". */
export function reportFileStem(r: IncidentReport): string {
  const entity = Object.values(r.entity.labels).join('-') || 'entity';
  return `anomalyscore-${entity}-${r.timeRange.fromIso}`.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
}
