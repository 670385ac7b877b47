/**
 * The incident-review report: one entity over one time range, as data (JSON) and as Markdown. One
 * model and one renderer for both exports: the panel's Export (a time range of the selected entity,
 * src/panel/data/report.ts) and the app's Incident library (one labelled incident,
 * src/components/shared/incidentReport.ts). Each caller gathers the data it has; sections it has no
 * data for are left out of the model and of the Markdown.
 *
 * Pure (plain data in, text out). Every value that came from outside (label values, signal names,
 * annotation texts, kinds, ids, rationales) is escaped as text in the Markdown (see ./markdown):
 * nothing renders as HTML, a link or an image wherever the report is pasted; link targets are only
 * http(s) or site-relative paths.
 */
import type { AppliedEffect } from '../scoring/context';
import { fmt } from '../scoring/explain';
import { TIERS, type Tier } from '../scoring/types';
import { escapeMarkdown, isoTime, safeUrl } from './markdown';

/** The labelled incident the review is about (Incident library). */
export interface ReviewIncident {
  id: string;
  kind: string;
  source: string;
  start: number;
  end: number;
  startIso: string;
  endIso: string;
  text: string;
}

export interface ReviewPeak {
  time: number;
  timeIso: string;
  score: number;
  tier: Tier | null;
  /** The score with its interval, as shown in the panel (e.g. "82.1 (74.0–88.3)"). */
  scoreText?: string;
  lower?: number;
  upper?: number;
}

export interface ReviewContribution {
  id: string;
  name: string;
  value: number;
  /** value / score (0 when the score is 0). */
  share: number;
}

/** Observed vs expected for one signal at the peak. */
export interface ReviewSignal {
  id: string;
  name: string;
  kind?: string;
  state?: string;
  message?: string;
  observed: number;
  expected: number;
  lower: number;
  upper: number;
  statistic: number;
  severity: number;
  /** Rarity severity: how rare the statistic is in the series' history, in words. */
  rarity?: string;
}

/**
 * An annotation overlapping the range. The panel lists annotations as they are (title, text, tags);
 * the Incident library lists incidents and feedback events (id, source, kind, feedback, rationale).
 */
export interface ReviewAnnotation {
  id?: string;
  time: number;
  timeIso: string;
  timeEnd?: number;
  source?: string;
  kind?: string;
  /** Feedback kind ("confirmed", "false-alarm", …) when the annotation is feedback. */
  feedback?: string;
  tier?: string;
  title?: string;
  text?: string;
  tags?: string[];
  rationale?: string;
}

export interface ReviewFeedback {
  kind: string;
  label: string;
  time: number;
  timeIso: string;
  tier?: string;
  rationale: string;
}

export interface ReviewAction {
  action: string;
  owner?: string;
  escalation?: string;
  runbook?: string;
}

export interface TierCrossing {
  tier: Tier;
  firstAt: number | null;
  firstAtIso: string | null;
}

export interface IncidentReview {
  title: string;
  generatedAt: string;
  incident?: ReviewIncident;
  entity: { key: string; labels: Record<string, string> };
  timeRange: { from: number; to: number; fromIso: string; toIso: string };
  spec: { id: string; version: string | number } | null;
  peak: ReviewPeak | null;
  tierCrossings: TierCrossing[];
  contributionsAtPeak: ReviewContribution[];
  /** "a + b + … = score" at the peak. */
  contributionSum?: string;
  signalsAtPeak?: ReviewSignal[];
  contextAtPeak?: AppliedEffect[];
  action?: ReviewAction | null;
  whatWouldChange?: string[];
  /** Annotations; with no separate `feedback` list they include the feedback events. */
  annotations: ReviewAnnotation[];
  feedback?: ReviewFeedback[];
  dashboardUrl: string;
}

/**
 * First time in [from, to] that the tier was at or above each non-ok tier, over `n` points read
 * through `timeAt` and `tierAt` (null or an unknown tier never crosses).
 */
export function tierCrossings(
  n: number,
  timeAt: (i: number) => number,
  tierAt: (i: number) => unknown,
  from: number,
  to: number
): TierCrossing[] {
  return TIERS.slice(1).map((tier, j) => {
    const k = j + 1;
    let first: number | null = null;
    for (let i = 0; i < n; i++) {
      const t = timeAt(i);
      if (t >= from && t <= to && TIERS.indexOf(tierAt(i) as Tier) >= k) {
        first = t;
        break;
      }
    }
    return { tier, firstAt: first, firstAtIso: first === null ? null : isoTime(first) };
  });
}

const e = escapeMarkdown;
const n1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const num = (x: number) => e(fmt(Number.isFinite(x) ? Number(x.toFixed(3)) : x));

function annotationLine(a: ReviewAnnotation): string {
  const tier = a.tier ? ` at ${e(a.tier)}` : '';
  const what = a.feedback ? `feedback ${e(a.feedback)}${tier}` : a.kind ? `${e(a.kind)}${tier}` : '';
  const origin = [a.source, a.id].filter((x): x is string => Boolean(x)).map(e);
  const head = what ? `${what}${origin.length > 0 ? ` (${origin.join(' ')})` : ''}: ` : '';
  const title = a.title ? `${e(a.title)}: ` : '';
  const body =
    a.text !== undefined ? e(a.text) : a.rationale ? e(a.rationale) : 'no rationale given';
  const tags = a.tags && a.tags.length > 0 ? ` (tags: ${a.tags.map(e).join(', ')})` : '';
  return `- ${e(a.timeIso)} ${head}${title}${body}${tags}`;
}

export function reviewToMarkdown(r: IncidentReview): string {
  const L: string[] = [];
  L.push(`# ${e(r.title)}`, '', `Generated ${e(r.generatedAt)}`, '');
  if (r.incident) {
    const i = r.incident;
    L.push('## Incident', '');
    L.push(`- id: ${e(i.id)}`, `- kind: ${e(i.kind)}`, `- source: ${e(i.source)}`);
    L.push(`- from ${e(i.startIso)} to ${e(i.endIso)}`);
    if (i.text) {
      L.push(`- text: ${e(i.text)}`);
    }
    L.push('');
  }
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
      ? `Score ${r.peak.scoreText !== undefined ? e(r.peak.scoreText) : n1(r.peak.score)}, tier ${e(r.peak.tier ?? 'unknown')}, at ${e(r.peak.timeIso)}`
      : 'No score in this range.'
  );
  L.push('', '## Tier crossings', '', '| tier | first crossed |', '| --- | --- |');
  for (const c of r.tierCrossings) {
    L.push(`| ${e(c.tier)} | ${c.firstAtIso ? e(c.firstAtIso) : 'not crossed'} |`);
  }
  L.push('', '## Contributions at the peak', '');
  if (r.contributionSum) {
    L.push(e(r.contributionSum), '');
  }
  if (r.contributionsAtPeak.length === 0) {
    L.push('None.');
  } else {
    L.push('| signal | contribution | share |', '| --- | ---: | ---: |');
    for (const c of r.contributionsAtPeak) {
      L.push(`| ${e(c.name)} | ${n1(c.value)} | ${Math.round(c.share * 100)}% |`);
    }
  }
  if (r.signalsAtPeak) {
    L.push('', '## Observed vs expected (top signals)', '');
    L.push(
      '| signal | observed | expected | band | statistic | severity | rarity |',
      '| --- | ---: | ---: | --- | ---: | ---: | --- |'
    );
    for (const s of r.signalsAtPeak) {
      L.push(
        `| ${e(s.name)} | ${num(s.observed)} | ${num(s.expected)} | ${num(s.lower)} … ${num(s.upper)} | ${num(s.statistic)} | ${num(s.severity)} | ${s.rarity ? e(s.rarity) : '–'} |`
      );
    }
  }
  if (r.contextAtPeak) {
    L.push('', '## Context at the peak', '');
    if (r.contextAtPeak.length === 0) {
      L.push('No context rule applied.');
    }
    for (const c of r.contextAtPeak) {
      L.push(`- ${e(c.ruleId)}: ${e(c.detail)}${c.description ? ` (${e(c.description)})` : ''}`);
    }
  }
  if (r.action !== undefined) {
    L.push('', '## Recommended action', '');
    if (r.action) {
      const a = r.action;
      L.push(`${e(a.action)}${a.owner ? `, owner ${e(a.owner)}` : ''}${a.escalation ? `, escalation ${e(a.escalation)}` : ''}`);
      const runbook = a.runbook ? safeUrl(a.runbook) : '';
      if (a.runbook) {
        L.push('', runbook ? `Runbook: [${e(a.runbook)}](${runbook})` : `Runbook: ${e(a.runbook)}`);
      }
    } else {
      L.push('None.');
    }
  }
  if (r.whatWouldChange && r.whatWouldChange.length > 0) {
    L.push('', 'What would change the tier:', '');
    for (const w of r.whatWouldChange) {
      L.push(`- ${e(w)}`);
    }
  }
  L.push('', r.feedback ? '## Annotations' : '## Annotations and feedback', '');
  if (r.annotations.length === 0) {
    L.push('None in this range.');
  }
  L.push(...r.annotations.map(annotationLine));
  if (r.feedback) {
    L.push('', '## Feedback', '');
    if (r.feedback.length === 0) {
      L.push('None in this range.');
    }
    for (const f of r.feedback) {
      L.push(`- ${e(f.timeIso)} ${e(f.label)}${f.tier ? ` at ${e(f.tier)}` : ''}: ${e(f.rationale)}`);
    }
  }
  L.push('', '## Spec', '', r.spec ? `${e(String(r.spec.id))} version ${e(String(r.spec.version))}` : 'unknown');
  L.push('', '## Dashboard', '');
  const url = safeUrl(r.dashboardUrl);
  L.push(url ? `[Open the dashboard at this time range](${url})` : e(r.dashboardUrl), '');
  return L.join('\n');
}

/** The same content as JSON: raw values (not escaped), non-finite numbers as null. */
export function reviewToJson(r: IncidentReview): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

/** File name stem: "incident-<entity>-<start>" for an incident, "anomalyscore-<entity>-<from>" for a range. */
export function reviewFileStem(r: IncidentReview): string {
  const entity = Object.values(r.entity.labels).join('-') || 'entity';
  const stem = r.incident ? `incident-${entity}-${r.incident.startIso}` : `anomalyscore-${entity}-${r.timeRange.fromIso}`;
  return stem.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
}
