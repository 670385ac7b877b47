/**
 * Backtest: per-entity scored series (t, score, tier) against ground truth (groundTruth.ts) ->
 * one report per alert tier (watch, review, critical, each taken as the alert threshold):
 * precision, recall, F1, time to detect, alerts per day, the share of alerts dismissed as false
 * alarms by feedback, a NAB-style score (nab.ts: windows = incidents, detections = alert onsets),
 * the missed incidents and the worst false alarms with dashboard links to their time range.
 *
 * Definitions (the same as incidents.ts, so the demo figures agree):
 * - An alert is a run of consecutive points at or above the tier inside the evaluation range
 *   [from, to); a run already open at `from` starts there.
 * - An alert is a true positive when it overlaps [start, end + grace) of an incident whose entity
 *   labels it carries; otherwise it is a false alarm. A false alarm that overlaps a benign event
 *   of its entity is a benign escalation. An alert overlapping a false-alarm feedback annotation
 *   of its entity counts as dismissed.
 * - An incident (start in [from, to)) is detected when one of its entities is at or above the
 *   tier at some point in [start, end + grace); time to detect = that point - start (0 when the
 *   alert was already open).
 * - Alert time: every point at or above the tier lasts one step. It is false-alarm time when it lies
 *   outside [start, end + grace) of every incident of its entity, true-alert time otherwise; with
 *   per-signal contributions on the series it is attributed to the signals that carried it, with
 *   the noisy signals and their fixes (attribution.ts).
 *
 * Pure functions with plain data in and out, for the CLI and the app's calibration page.
 */
import { TIERS, type Tier } from '../types';
import {
  AlertTimeTally,
  StepAttributor,
  attributionLine,
  minutesText,
  shareText,
  summariseTally,
  type AttributionOptions,
  type NoisySignal,
  type SignalAttribution,
  type SignalFields,
  type SignalInfo,
} from './attribution';
import { matchesEntity, type GroundTruth, type GroundTruthEvent, type Labels } from './groundTruth';
import {
  NAB_PROFILES,
  normaliseScore,
  nullScore,
  perfectScore,
  prepareSeries,
  scoreSeries,
  type NabProfile,
  type PreparedSeries,
  type TimeWindow,
} from './nab';

/** A scored entity; the optional per-signal fields (attribution.ts) let the report attribute alert time. */
export interface ScoredSeries extends SignalFields {
  /** Display key of the entity (e.g. `{model="fraud", version="v1"}`). */
  key: string;
  labels: Labels;
  /** Ascending epoch ms. */
  t: ArrayLike<number>;
  score: ArrayLike<number>;
  /** Tier index per point (0 ok, 1 watch, 2 review, 3 critical). */
  tier: ArrayLike<number>;
}

export interface LinkOptions {
  /** Grafana root URL, e.g. `https://grafana.example.com` ('' = relative links). */
  baseUrl?: string;
  /** Dashboard uid for the links (default `anomalyscore`). */
  dashboardUID?: string;
  /** Margin added on both sides of the linked range (default 1 h). */
  padMs?: number;
  /** Add `var-<label>=<value>` for the entity's labels (default true). */
  entityVars?: boolean;
}

export interface BacktestOptions {
  /** Step of the series in ms (default: the median spacing of the first series with 2+ points). */
  stepMs?: number;
  /** Detection still counts this long after an incident ends (default 30 min). */
  graceMs?: number;
  /** Evaluation range [from, to) (default: the whole series). */
  from?: number;
  to?: number;
  /** Tiers to report (default watch, review, critical). */
  tiers?: Tier[];
  /** NAB profile (default standard). */
  nabProfile?: NabProfile;
  nabProfileName?: string;
  /** How many worst false alarms / missed incidents to list (default 5 / all). */
  worst?: number;
  links?: LinkOptions;
  /** The spec's signals (names, kinds, params) for the attribution table and the fixes. */
  signals?: readonly SignalInfo[];
  /** Thresholds of the noisy-signal flag (attribution.ts). */
  attribution?: Omit<AttributionOptions, 'signals'>;
}

export interface Distribution {
  n: number;
  min: number;
  median: number;
  p90: number;
  max: number;
}

export interface AlertRecord {
  entity: string;
  labels: Labels;
  /** Time of the first and of the last point of the run. */
  start: number;
  end: number;
  durationSteps: number;
  peak: number;
  truePositive: boolean;
  /** Ids of the incidents it overlaps. */
  incidents: string[];
  benign: boolean;
  dismissed: boolean;
  link: string;
}

export interface IncidentRecord {
  id: string;
  kind: string;
  entity: Labels;
  start: number;
  end: number;
  detected: boolean;
  /** Steps from start to the first alerting point (NaN when missed). */
  ttdSteps: number;
  link: string;
}

export interface KindReport {
  incidents: number;
  detected: number;
  recall: number;
  median_ttd_steps: number;
}

export interface NabFigures {
  profile: string;
  raw: number;
  null: number;
  perfect: number;
  /** Normalised: 0 = never alerts, 100 = every incident caught at its first step, no false alarm. */
  score: number;
}

export interface TierReport {
  tier: Tier;
  alerts: number;
  true_positives: number;
  false_alarms: number;
  precision: number;
  recall: number;
  f1: number;
  incidents: number;
  detected: number;
  ttd_steps: Distribution;
  ttd_minutes: Distribution;
  median_ttd_steps: number;
  alerts_per_day: number;
  dismissed: number;
  /** Share of alerts overlapping a false-alarm feedback annotation (NaN without alerts). */
  dismissed_share: number;
  benign_escalations: number;
  /** Minutes at or above the tier outside every incident window (start .. end + grace) of the entity. */
  false_alarm_minutes: number;
  /** Minutes at or above the tier inside an incident window. */
  true_alert_minutes: number;
  /** Alert minutes per signal (empty in light mode). */
  attribution: SignalAttribution[];
  /** Signals carrying much of the false-alarm time, mostly falsely, with the fix (empty in light mode). */
  noisy: NoisySignal[];
  nab: NabFigures;
  per_kind: Record<string, KindReport>;
  missed: IncidentRecord[];
  /** False alarms, longest first (ties: highest peak). */
  longest_false_alarms: AlertRecord[];
  /** False alarms, highest peak first (ties: longest). */
  highest_false_alarms: AlertRecord[];
  /** Every alert and incident (for drill-down; left out of the JSON rendering unless asked). */
  alertList: AlertRecord[];
  incidentList: IncidentRecord[];
}

export interface BacktestReport {
  from: number;
  to: number;
  days: number;
  stepMs: number;
  graceMs: number;
  entities: number;
  incidents: number;
  false_alarm_labels: number;
  tiers: TierReport[];
  /** Incidents that match no scored entity (they count as missed). */
  unmatched: string[];
}

export const DEFAULT_GRACE_MS = 30 * 60_000;
const DAY_MS = 86_400_000;

function lowerBound(t: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < x) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** Linear-interpolation quantile (type 7) of sorted values. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) {
    return NaN;
  }
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function distribution(values: readonly number[]): Distribution {
  const s = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return {
    n: s.length,
    min: s.length ? s[0] : NaN,
    median: quantileSorted(s, 0.5),
    p90: quantileSorted(s, 0.9),
    max: s.length ? s[s.length - 1] : NaN,
  };
}

export function f1Score(precision: number, recall: number): number {
  const p = Number.isNaN(precision) ? 0 : precision;
  const r = Number.isNaN(recall) ? 0 : recall;
  return p + r > 0 ? (2 * p * r) / (p + r) : 0;
}

/** Median spacing of a time axis (NaN with fewer than 2 points). */
export function inferStep(t: ArrayLike<number>): number {
  const d: number[] = [];
  for (let i = 1; i < t.length; i++) {
    d.push(t[i] - t[i - 1]);
  }
  d.sort((a, b) => a - b);
  return d.length ? d[(d.length - 1) >> 1] : NaN;
}

/** `<base>/d/<uid>?from=..&to=..[&var-k=v]`: a dashboard link to a time range and entity. */
export function dashboardLink(links: LinkOptions | undefined, start: number, end: number, labels: Labels = {}): string {
  const base = (links?.baseUrl ?? '').replace(/\/+$/, '');
  const uid = links?.dashboardUID ?? 'anomalyscore';
  const pad = links?.padMs ?? 3_600_000;
  const params = [`from=${Math.round(start - pad)}`, `to=${Math.round(end + pad)}`];
  if (links?.entityVars ?? true) {
    for (const k of Object.keys(labels).sort()) {
      params.push(`var-${encodeURIComponent(k)}=${encodeURIComponent(labels[k])}`);
    }
  }
  return `${base}/d/${encodeURIComponent(uid)}?${params.join('&')}`;
}

interface Prepared {
  series: ScoredSeries;
  i0: number;
  i1: number;
  incidents: GroundTruthEvent[];
  benign: GroundTruthEvent[];
  falseAlarms: GroundTruthEvent[];
  nab?: PreparedSeries;
}

/** Everything that does not depend on the tiers: matched events and NAB windows per series. */
export interface PreparedBacktest {
  series: Prepared[];
  truth: GroundTruth;
  from: number;
  to: number;
  stepMs: number;
  graceMs: number;
  /** Incidents with start in [from, to), each with its matching series indices. */
  incidents: Array<{ event: GroundTruthEvent; series: number[] }>;
  falseAlarmLabels: number;
  options: BacktestOptions;
}

/** Merge [start, end] windows that touch or overlap (nab.ts rejects overlapping windows). */
function mergeWindows(ws: TimeWindow[]): TimeWindow[] {
  const sorted = [...ws].sort((a, b) => a.start - b.start);
  const out: TimeWindow[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end) {
      last.end = Math.max(last.end, w.end);
    } else {
      out.push({ ...w });
    }
  }
  return out;
}

/**
 * The tier-independent part of a backtest. Calibration prepares once and evaluates many candidate
 * tier series against it (the series passed later must have the same keys and time axes).
 */
export function prepareBacktest(
  series: readonly ScoredSeries[],
  truth: GroundTruth,
  options: BacktestOptions = {}
): PreparedBacktest {
  let first = Infinity;
  let last = -Infinity;
  for (const s of series) {
    if (s.t.length) {
      first = Math.min(first, s.t[0]);
      last = Math.max(last, s.t[s.t.length - 1]);
    }
  }
  const stepGuess = options.stepMs ?? series.map((s) => inferStep(s.t)).find((x) => x > 0) ?? 60_000;
  const stepMs = stepGuess > 0 ? stepGuess : 60_000;
  const from = options.from ?? (Number.isFinite(first) ? first : 0);
  const to = options.to ?? (Number.isFinite(last) ? last + stepMs : from);
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const prepared: Prepared[] = series.map((s) => {
    const mine = (e: GroundTruthEvent) => matchesEntity(e, s.labels);
    const p: Prepared = {
      series: s,
      i0: lowerBound(s.t, from),
      i1: lowerBound(s.t, to),
      incidents: truth.incidents.filter(mine),
      benign: truth.benign.filter(mine),
      falseAlarms: truth.falseAlarms.filter(mine),
    };
    const tSlice = Float64Array.from({ length: p.i1 - p.i0 }, (_, k) => s.t[p.i0 + k]);
    const windows = mergeWindows(p.incidents.map((e) => ({ start: e.start, end: e.end + graceMs - 1 })));
    p.nab = prepareSeries(s.key, tSlice, windows, { probationaryPercent: 0 });
    return p;
  });
  const incidents = truth.incidents
    .filter((e) => e.start >= from && e.start < to)
    .map((event) => ({
      event,
      series: prepared.flatMap((p, i) => (matchesEntity(event, p.series.labels) ? [i] : [])),
    }));
  return {
    series: prepared,
    truth,
    from,
    to,
    stepMs,
    graceMs,
    incidents,
    falseAlarmLabels: truth.falseAlarms.filter((e) => e.end >= from && e.start < to).length,
    options,
  };
}

const overlapsGrace = (a0: number, a1: number, e: GroundTruthEvent, grace: number) =>
  a0 < e.end + grace && e.start <= a1;
const overlapsClosed = (a0: number, a1: number, e: GroundTruthEvent) => a0 <= e.end && e.start <= a1;

/** One tier of the report, with `tiers[i]` (optional) replacing series i's tiers (same axis). */
export function evaluateTier(
  prep: PreparedBacktest,
  k: number,
  tiers?: ReadonlyArray<ArrayLike<number>>,
  light = false
): TierReport {
  const { stepMs, graceMs } = prep;
  const links = prep.options.links;
  const profile = prep.options.nabProfile ?? NAB_PROFILES.standard;
  const alerts: AlertRecord[] = [];
  let nabRaw = 0;
  const nabPreps: PreparedSeries[] = [];
  const stepMinutes = stepMs / 60_000;
  const tally = new AlertTimeTally(!light);
  prep.series.forEach((p, si) => {
    const s = p.series;
    const tier = tiers ? tiers[si] : s.tier;
    const onsets = light ? undefined : new Float64Array(p.i1 - p.i0);
    const onsetRows: number[] = [];
    // With replaced tiers (calibration) the series' contributions no longer match: totals only.
    const attributor = light || tiers ? undefined : new StepAttributor(s);
    let start = -1;
    let peak = -Infinity;
    for (let i = p.i0; i <= p.i1; i++) {
      const on = i < p.i1 && tier[i] >= k;
      if (on) {
        if (start < 0) {
          start = i;
          peak = -Infinity;
          onsetRows.push(i - p.i0);
        }
        const ti = s.t[i];
        const cls = p.incidents.some((e) => e.start <= ti && ti < e.end + graceMs) ? 'true_alert' : 'false_alarm';
        if (attributor) {
          tally.add(attributor, s, i, k, stepMinutes, cls);
        } else if (cls === 'false_alarm') {
          tally.totalFalse += stepMinutes;
        } else {
          tally.totalTrue += stepMinutes;
        }
        const v = s.score[i];
        if (v > peak) {
          peak = v;
        }
      } else if (start >= 0) {
        const a0 = s.t[start];
        const a1 = s.t[i - 1];
        const hit = p.incidents.filter((e) => overlapsGrace(a0, a1, e, graceMs));
        const truePositive = hit.length > 0;
        alerts.push({
          entity: s.key,
          labels: s.labels,
          start: a0,
          end: a1,
          durationSteps: i - start,
          peak,
          truePositive,
          incidents: hit.map((e) => e.id),
          benign: !truePositive && p.benign.some((e) => overlapsGrace(a0, a1, e, graceMs)),
          dismissed: p.falseAlarms.some((e) => overlapsClosed(a0, a1, e)),
          link: light ? '' : dashboardLink(links, a0, a1 + stepMs, s.labels),
        });
        start = -1;
      }
    }
    if (p.nab) {
      const scores = onsets ?? new Float64Array(p.i1 - p.i0);
      for (const r of onsetRows) {
        scores[r] = 1;
      }
      nabRaw += scoreSeries(p.nab, scores, 0.5, profile).raw;
      nabPreps.push(p.nab);
    }
  });

  const incidentList: IncidentRecord[] = prep.incidents.map(({ event, series }) => {
    let ttd = NaN;
    for (const si of series) {
      const p = prep.series[si];
      const tier = tiers ? tiers[si] : p.series.tier;
      const t = p.series.t;
      for (let i = lowerBound(t, event.start); i < t.length && t[i] < event.end + graceMs; i++) {
        if (tier[i] >= k) {
          const steps = Math.round((t[i] - event.start) / stepMs);
          if (Number.isNaN(ttd) || steps < ttd) {
            ttd = steps;
          }
          break;
        }
      }
    }
    return {
      id: event.id,
      kind: event.kind,
      entity: event.entity,
      start: event.start,
      end: event.end,
      detected: !Number.isNaN(ttd),
      ttdSteps: ttd,
      link: light ? '' : dashboardLink(links, event.start, event.end, event.entity),
    };
  });

  const tp = alerts.filter((a) => a.truePositive).length;
  const detected = incidentList.filter((o) => o.detected);
  const precision = alerts.length ? tp / alerts.length : NaN;
  const recall = incidentList.length ? detected.length / incidentList.length : NaN;
  const ttdSteps = detected.map((o) => o.ttdSteps);
  const steps = distribution(ttdSteps);
  const minutes = distribution(ttdSteps.map((x) => (x * stepMs) / 60_000));
  const per_kind: Record<string, KindReport> = {};
  for (const kind of [...new Set(incidentList.map((i) => i.kind))].sort()) {
    const mine = incidentList.filter((o) => o.kind === kind);
    const hit = mine.filter((o) => o.detected);
    per_kind[kind] = {
      incidents: mine.length,
      detected: hit.length,
      recall: mine.length ? hit.length / mine.length : NaN,
      median_ttd_steps: distribution(hit.map((o) => o.ttdSteps)).median,
    };
  }
  const nul = nullScore(nabPreps, profile);
  const perfect = perfectScore(nabPreps, profile);
  const falseAlarms = alerts.filter((a) => !a.truePositive);
  const worst = prep.options.worst ?? 5;
  const dismissed = alerts.filter((a) => a.dismissed).length;
  const days = (prep.to - prep.from) / DAY_MS;
  const attributed = light
    ? undefined
    : summariseTally(tally, stepMinutes, { ...prep.options.attribution, signals: prep.options.signals });
  return {
    tier: TIERS[k],
    alerts: alerts.length,
    true_positives: tp,
    false_alarms: falseAlarms.length,
    precision,
    recall,
    f1: f1Score(precision, recall),
    incidents: incidentList.length,
    detected: detected.length,
    ttd_steps: steps,
    ttd_minutes: minutes,
    median_ttd_steps: steps.median,
    alerts_per_day: days > 0 ? alerts.length / days : NaN,
    dismissed,
    dismissed_share: alerts.length ? dismissed / alerts.length : NaN,
    benign_escalations: alerts.filter((a) => a.benign).length,
    false_alarm_minutes: tally.totalFalse,
    true_alert_minutes: tally.totalTrue,
    attribution: attributed?.attribution ?? [],
    noisy: attributed?.noisy ?? [],
    nab: {
      profile: prep.options.nabProfileName ?? 'standard',
      raw: nabRaw,
      null: nul,
      perfect,
      score: normaliseScore(nabRaw, nul, perfect),
    },
    per_kind,
    missed: incidentList.filter((o) => !o.detected),
    longest_false_alarms: light
      ? []
      : [...falseAlarms]
          .sort((a, b) => b.durationSteps - a.durationSteps || b.peak - a.peak || a.start - b.start)
          .slice(0, worst),
    highest_false_alarms: light
      ? []
      : [...falseAlarms]
          .sort((a, b) => b.peak - a.peak || b.durationSteps - a.durationSteps || a.start - b.start)
          .slice(0, worst),
    alertList: alerts,
    incidentList,
  };
}

/** The full report: one TierReport per requested tier. */
export function backtest(
  series: readonly ScoredSeries[],
  truth: GroundTruth,
  options: BacktestOptions = {}
): BacktestReport {
  const prep = prepareBacktest(series, truth, options);
  return reportFromPrepared(prep);
}

export function reportFromPrepared(prep: PreparedBacktest, tiers?: ReadonlyArray<ArrayLike<number>>): BacktestReport {
  const wanted = prep.options.tiers ?? (['watch', 'review', 'critical'] as Tier[]);
  return {
    from: prep.from,
    to: prep.to,
    days: (prep.to - prep.from) / DAY_MS,
    stepMs: prep.stepMs,
    graceMs: prep.graceMs,
    entities: prep.series.length,
    incidents: prep.incidents.length,
    false_alarm_labels: prep.falseAlarmLabels,
    tiers: wanted.map((t) => evaluateTier(prep, TIERS.indexOf(t), tiers)),
    unmatched: prep.incidents.filter((i) => i.series.length === 0).map((i) => i.event.id),
  };
}

// ---------------------------------------------------------------------------------------------
// Renderings
// ---------------------------------------------------------------------------------------------

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : '-');
const pct = (x: number) => (Number.isNaN(x) ? '-' : `${(100 * x).toFixed(1)}%`);
const num = (x: number, d = 2) => (Number.isNaN(x) ? '-' : Number.isInteger(x) ? String(x) : x.toFixed(d));
const round = (x: number, d = 4) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

function labelText(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

export interface MarkdownOptions {
  title?: string;
}

export function backtestToMarkdown(report: BacktestReport, opts: MarkdownOptions = {}): string {
  const out: string[] = [];
  out.push(`## ${opts.title ?? 'Backtest'}`);
  out.push('');
  out.push(
    `Range ${iso(report.from)} .. ${iso(report.to)} (${num(report.days)} days, step ${report.stepMs / 1000}s, grace ${report.graceMs / 60_000} min): ` +
      `${report.entities} entities, ${report.incidents} incidents, ${report.false_alarm_labels} false-alarm labels.`
  );
  out.push('');
  out.push(
    '| alert tier | alerts | precision | recall | F1 | TTD median (steps) | TTD p90 | TTD max | alerts/day | dismissed | benign escalations | NAB |'
  );
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of report.tiers) {
    out.push(
      `| ≥ ${r.tier} | ${r.alerts} | ${pct(r.precision)} | ${pct(r.recall)} (${r.detected}/${r.incidents}) | ${num(r.f1, 3)} | ` +
        `${num(r.ttd_steps.median, 1)} (${num(r.ttd_minutes.median, 1)} min) | ${num(r.ttd_steps.p90, 1)} | ${num(r.ttd_steps.max, 1)} | ` +
        `${num(r.alerts_per_day)} | ${pct(r.dismissed_share)} | ${r.benign_escalations} | ${num(r.nab.score, 1)} |`
    );
  }
  for (const r of report.tiers) {
    out.push('');
    out.push(`### Alert tier ≥ ${r.tier}`);
    out.push('');
    out.push(
      `Time to detect (steps): min ${num(r.ttd_steps.min, 1)}, median ${num(r.ttd_steps.median, 1)}, p90 ${num(r.ttd_steps.p90, 1)}, max ${num(r.ttd_steps.max, 1)} ` +
        `(minutes: ${num(r.ttd_minutes.min, 1)} / ${num(r.ttd_minutes.median, 1)} / ${num(r.ttd_minutes.p90, 1)} / ${num(r.ttd_minutes.max, 1)}).`
    );
    const kinds = Object.entries(r.per_kind);
    if (kinds.length) {
      out.push('');
      out.push('| kind | incidents | detected | recall | median TTD (steps) |');
      out.push('|---|---:|---:|---:|---:|');
      for (const [kind, f] of kinds) {
        out.push(`| ${kind} | ${f.incidents} | ${f.detected} | ${pct(f.recall)} | ${num(f.median_ttd_steps, 1)} |`);
      }
    }
    out.push('');
    out.push(...attributionMarkdown(r));
    if (r.missed.length) {
      out.push(`Missed incidents (${r.missed.length}):`);
      for (const m of r.missed) {
        out.push(
          `- ${m.id} ${m.kind} ${labelText(m.entity)} ${iso(m.start)} .. ${iso(m.end)} — [dashboard](${m.link})`
        );
      }
    } else {
      out.push('Missed incidents: none.');
    }
    out.push('');
    if (r.longest_false_alarms.length) {
      out.push(`Worst false alarms (of ${r.false_alarms}), longest first:`);
      for (const a of r.longest_false_alarms) {
        out.push(
          `- ${a.entity} ${iso(a.start)} .. ${iso(a.end)}: ${a.durationSteps} step${a.durationSteps === 1 ? '' : 's'}, peak ${num(a.peak, 1)}` +
            `${a.benign ? ' (benign event)' : ''}${a.dismissed ? ' (dismissed)' : ''} — [dashboard](${a.link})`
        );
      }
      const highest = r.highest_false_alarms.filter((a) => !r.longest_false_alarms.includes(a));
      if (highest.length) {
        out.push('Also among the highest peaks:');
        for (const a of highest) {
          out.push(
            `- ${a.entity} ${iso(a.start)} .. ${iso(a.end)}: ${a.durationSteps} step${a.durationSteps === 1 ? '' : 's'}, peak ${num(a.peak, 1)} — [dashboard](${a.link})`
          );
        }
      }
    } else {
      out.push('False alarms: none.');
    }
  }
  if (report.unmatched.length) {
    out.push('');
    out.push(`Incidents matching no scored entity (counted as missed): ${report.unmatched.join(', ')}`);
  }
  return out.join('\n');
}

/** The alert time of one tier by signal: a line per signal with false alarms, the table, the noisy flags. */
export function attributionMarkdown(r: TierReport): string[] {
  const out: string[] = [];
  const total = r.false_alarm_minutes + r.true_alert_minutes;
  out.push(
    `Alert time at ≥ ${r.tier}: ${minutesText(total)} min, ${minutesText(r.false_alarm_minutes)} of them outside every incident window (false-alarm minutes), ` +
      `${minutesText(r.true_alert_minutes)} inside.`
  );
  if (r.attribution.length === 0) {
    out.push('');
    return out;
  }
  const carriers = r.attribution.filter((a) => a.false_alarm_minutes > 0);
  if (carriers.length) {
    out.push('False-alarm minutes by signal:');
    for (const a of carriers) {
      out.push(`- ${attributionLine(a)}${a.noisy ? ' — **noisy**' : ''}`);
    }
  }
  out.push('');
  out.push(
    '| signal | kind | false-alarm min | share of false-alarm min | in-incident min | share of in-incident min | own alert time false | |'
  );
  out.push('|---|---|---:|---:|---:|---:|---:|---|');
  for (const a of r.attribution) {
    out.push(
      `| ${a.name.replace(/\|/g, '\\|')} | ${a.kind || '-'} | ${minutesText(a.false_alarm_minutes)} | ${shareText(a.false_alarm_share)} | ${minutesText(a.true_alert_minutes)} | ` +
        `${shareText(a.true_alert_share)} | ${shareText(a.own_false_share)} | ${a.noisy ? 'noisy' : ''} |`
    );
  }
  out.push('');
  for (const n of r.noisy) {
    out.push(
      `Noisy: **${n.name}** carries ${shareText(n.false_alarm_share)} of the false-alarm minutes at ≥ ${r.tier} and ${shareText(n.own_false_share)} of its own alert time was false. Fix: ${n.fix}`
    );
    out.push('');
  }
  return out;
}

/** Compact figures of one tier (what before/after comparisons print). */
export function tierFigures(r: TierReport): Record<string, number | null> {
  return {
    precision: round(r.precision),
    recall: round(r.recall),
    f1: round(r.f1),
    median_ttd_steps: round(r.median_ttd_steps, 2),
    p90_ttd_steps: round(r.ttd_steps.p90, 2),
    alerts: r.alerts,
    false_alarms: r.false_alarms,
    benign_escalations: r.benign_escalations,
    alerts_per_day: round(r.alerts_per_day, 2),
    dismissed_share: round(r.dismissed_share),
    nab: round(r.nab.score, 2),
  };
}

export interface JsonOptions {
  /** Include every alert and incident record (default false: missed + worst only). */
  details?: boolean;
}

/** JSON-safe rendering (NaN -> null; the full alert/incident lists only with details). */
export function backtestToJson(report: BacktestReport, opts: JsonOptions = {}): unknown {
  const clean = (x: unknown): unknown => {
    if (typeof x === 'number') {
      return Number.isFinite(x) ? x : null;
    }
    if (Array.isArray(x)) {
      return x.map(clean);
    }
    if (x && typeof x === 'object') {
      return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, clean(v)]));
    }
    return x;
  };
  return clean({
    ...report,
    from_iso: iso(report.from),
    to_iso: iso(report.to),
    tiers: report.tiers.map((r) => {
      const { alertList, incidentList, ...rest } = r;
      return opts.details ? { ...rest, alertList, incidentList } : rest;
    }),
  });
}
