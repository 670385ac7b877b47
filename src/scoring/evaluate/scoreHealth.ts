/**
 * Score health: is the score itself behaving? Per day (UTC by default): the alert rate (alert
 * onsets at or above the alert tier, over all entities), the share of entity-time spent alerting,
 * and the score's quantiles p50 / p90 / p99. Each day is compared with the trailing days before it
 * (default 7; at least `minHistory`):
 * - alert rate or p90 outside median ± k · max(1.4826 · MAD, minimum spread) of the trailing days;
 * - PSI of the day's score distribution against the trailing days' pooled scores above `psiMax`
 *   (bins = deciles of the trailing scores, deduplicated; empty bins floored).
 * Days already flagged are left out of later baselines (control-chart practice).
 * A flagged day means the score drifted: a detector or an upstream changed, or the world did, and
 * the tiers no longer mean what they meant last week.
 *
 * Alert time by signal (attribution.ts): each day's alerting minutes (points at or above the alert
 * tier, one step each) split over the signals by their share of the score at each point. Score
 * health has no incident labels, so every alerting minute counts, true or false. A day is
 * `concentrated` when one signal (or the context floor) carries more than half of its alert time
 * (`dominantShare`) and the day has at least 5 steps of alert time: a single signal drives the day,
 * the first place to look when the day is also flagged.
 */
import { TIERS, type Tier } from '../types';
import {
  AlertTimeTally,
  StepAttributor,
  NO_SIGNAL_FIELDS,
  CONTEXT_FLOOR,
  minutesText,
  shareText,
  type SignalInfo,
} from './attribution';
import { inferStep, quantileSorted, type ScoredSeries } from './backtest';

export interface ScoreHealthOptions {
  alertTier?: Exclude<Tier, 'ok'>;
  /** Day length (default 24 h) and offset of the day boundary from the epoch (default 0 = UTC midnight). */
  dayMs?: number;
  dayOffsetMs?: number;
  trailingDays?: number;
  /** Days of history needed before a day can be flagged (default 3). */
  minHistory?: number;
  /** Width of the band in robust standard deviations (default 3). */
  k?: number;
  /** Minimum spread of the band: alerts per day (default 1) and p90 score points (default 2). */
  minAlertSpread?: number;
  minP90Spread?: number;
  /** PSI above this flags the day (default 0.2). */
  psiMax?: number;
  /** Number of quantile bins for PSI (default 10). */
  psiBins?: number;
  /** The spec's signals (names) for the alert-time attribution. */
  signals?: readonly SignalInfo[];
  /** A day is concentrated when one signal carries more than this share of its alert time (default 0.5). */
  dominantShare?: number;
  /** ... and it has at least this many alerting minutes (default 5 steps). */
  minDominantMinutes?: number;
}

/** One signal's part of a day's alert time. */
export interface DayAttribution {
  signal: string;
  name: string;
  minutes: number;
  /** Of the day's alerting minutes. */
  share: number;
}

export interface DayHealth {
  day: number;
  date: string;
  points: number;
  alerts: number;
  /** Share of points at or above the alert tier. */
  alertingShare: number;
  p50: number;
  p90: number;
  p99: number;
  /** PSI against the trailing days (NaN without enough history). */
  psi: number;
  /** Minutes at or above the alert tier (entity-minutes, all entities). */
  alertMinutes: number;
  /** The day's alerting minutes by signal, largest first (no incident labels: all alert time counts). */
  attribution: DayAttribution[];
  /** Set when one signal carries most of the day's alert time. */
  dominant?: DayAttribution;
  baseline?: {
    alertsMedian: number;
    alertsBand: [number, number];
    p90Median: number;
    p90Band: [number, number];
    days: number;
  };
  flags: string[];
  drifted: boolean;
}

export interface ScoreHealthReport {
  alertTier: Tier;
  days: DayHealth[];
  drifted: DayHealth[];
  /** Days on which one signal carried most of the alert time. */
  concentrated: DayHealth[];
  /** Alerting minutes over all days, by signal. */
  attribution: DayAttribution[];
}

function dayAttribution(tally: AlertTimeTally, names: ReadonlyMap<string, string>): DayAttribution[] {
  return [...tally.falseMinutes.entries()]
    .filter(([, m]) => m > 0)
    .map(([signal, minutes]) => ({
      signal,
      name:
        names.get(signal) ??
        (signal === CONTEXT_FLOOR ? 'context floor' : signal === NO_SIGNAL_FIELDS ? 'no per-signal fields' : signal),
      minutes,
      share: tally.totalFalse > 0 ? minutes / tally.totalFalse : NaN,
    }))
    .sort((a, b) => b.minutes - a.minutes || (a.signal < b.signal ? -1 : 1));
}

const MAD_SCALE = 1.4826;

export function medianOf(xs: readonly number[]): number {
  return quantileSorted(
    [...xs].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b),
    0.5
  );
}

export function madOf(xs: readonly number[]): number {
  const m = medianOf(xs);
  return medianOf(xs.map((x) => Math.abs(x - m)));
}

/** Population stability index of `actual` against `expected` with edges from the expected deciles. */
export function psi(expected: readonly number[], actual: readonly number[], bins = 10, floor = 1e-4): number {
  if (expected.length === 0 || actual.length === 0) {
    return NaN;
  }
  const sorted = [...expected].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const e = quantileSorted(sorted, b / bins);
    if (!edges.length || e > edges[edges.length - 1]) {
      edges.push(e);
    }
  }
  const hist = (xs: readonly number[]) => {
    const h = new Float64Array(edges.length + 1);
    for (const x of xs) {
      // Bin j holds (edges[j-1], edges[j]]: a value equal to an edge goes to the lower bin, so a
      // pile-up at one value (e.g. score 0) stays in one bin.
      let lo = 0;
      let hi = edges.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (edges[mid] < x) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      h[lo]++;
    }
    return Array.from(h, (c) => Math.max(floor, c / xs.length));
  };
  const e = hist(expected);
  const a = hist(actual);
  let out = 0;
  for (let i = 0; i < e.length; i++) {
    out += (a[i] - e[i]) * Math.log(a[i] / e[i]);
  }
  return out;
}

export function scoreHealth(series: readonly ScoredSeries[], options: ScoreHealthOptions = {}): ScoreHealthReport {
  const alertTier = options.alertTier ?? 'review';
  const k = TIERS.indexOf(alertTier);
  const dayMs = options.dayMs ?? 86_400_000;
  const offset = options.dayOffsetMs ?? 0;
  const trailing = options.trailingDays ?? 7;
  const minHistory = options.minHistory ?? 3;
  const band = options.k ?? 3;
  const psiMax = options.psiMax ?? 0.2;
  const dayOf = (t: number) => Math.floor((t - offset) / dayMs) * dayMs + offset;

  const byDay = new Map<number, { scores: number[]; alerts: number; alerting: number; time: AlertTimeTally }>();
  // One class: with no incident labels every alerting minute counts (tallied as "false_alarm").
  const overall = new AlertTimeTally(false);
  let stepMinutesMin = Infinity;
  for (const s of series) {
    let prev = false;
    const stepMs = inferStep(s.t);
    const stepMinutes = stepMs > 0 ? stepMs / 60_000 : 1;
    stepMinutesMin = Math.min(stepMinutesMin, stepMinutes);
    const attributor = new StepAttributor(s);
    for (let i = 0; i < s.t.length; i++) {
      const d = dayOf(s.t[i]);
      let rec = byDay.get(d);
      if (!rec) {
        rec = { scores: [], alerts: 0, alerting: 0, time: new AlertTimeTally(false) };
        byDay.set(d, rec);
      }
      const v = s.score[i];
      if (!Number.isNaN(v)) {
        rec.scores.push(v);
      }
      const on = s.tier[i] >= k;
      if (on) {
        rec.alerting++;
        if (!prev) {
          rec.alerts++;
        }
        rec.time.add(attributor, s, i, k, stepMinutes, 'false_alarm');
        overall.add(attributor, s, i, k, stepMinutes, 'false_alarm');
      }
      prev = on;
    }
  }
  const names = new Map((options.signals ?? []).map((x) => [x.id, x.name ?? x.id]));
  const dominantShare = options.dominantShare ?? 0.5;
  const minDominant = options.minDominantMinutes ?? 5 * (Number.isFinite(stepMinutesMin) ? stepMinutesMin : 1);
  const days = [...byDay.keys()].sort((a, b) => a - b);
  const sortedScores = new Map(days.map((d) => [d, [...byDay.get(d)!.scores].sort((a, b) => a - b)]));
  const flagged = new Set<number>();
  const out: DayHealth[] = days.map((day, idx) => {
    const rec = byDay.get(day)!;
    const sorted = sortedScores.get(day)!;
    const h: DayHealth = {
      day,
      date: new Date(day).toISOString().slice(0, 10),
      points: sorted.length,
      alerts: rec.alerts,
      alertingShare: sorted.length ? rec.alerting / sorted.length : NaN,
      p50: quantileSorted(sorted, 0.5),
      p90: quantileSorted(sorted, 0.9),
      p99: quantileSorted(sorted, 0.99),
      psi: NaN,
      alertMinutes: rec.time.totalFalse,
      attribution: dayAttribution(rec.time, names),
      flags: [],
      drifted: false,
    };
    const top = h.attribution[0];
    if (top && top.share > dominantShare && h.alertMinutes >= minDominant - 1e-9 && top.signal !== NO_SIGNAL_FIELDS) {
      h.dominant = top;
    }
    // Trailing days that were not flagged themselves (as in a control chart: an out-of-control day
    // would otherwise widen the band and make the next normal day look shifted).
    const history = days
      .slice(Math.max(0, idx - trailing), idx)
      .filter((d) => d >= day - trailing * dayMs && !flagged.has(d));
    if (history.length >= minHistory) {
      const alerts = history.map((d) => byDay.get(d)!.alerts);
      const p90s = history.map((d) => quantileSorted(sortedScores.get(d)!, 0.9));
      const am = medianOf(alerts);
      const aw = band * Math.max(MAD_SCALE * madOf(alerts), options.minAlertSpread ?? 1);
      const pm = medianOf(p90s);
      const pw = band * Math.max(MAD_SCALE * madOf(p90s), options.minP90Spread ?? 2);
      h.baseline = {
        alertsMedian: am,
        alertsBand: [am - aw, am + aw],
        p90Median: pm,
        p90Band: [pm - pw, pm + pw],
        days: history.length,
      };
      if (h.alerts > am + aw || h.alerts < am - aw) {
        h.flags.push(
          `alert rate ${h.alerts}/day outside ${Math.max(0, am - aw).toFixed(1)}..${(am + aw).toFixed(1)} (trailing median ${am})`
        );
      }
      if (h.p90 > pm + pw || h.p90 < pm - pw) {
        h.flags.push(
          `p90 score ${h.p90.toFixed(1)} outside ${(pm - pw).toFixed(1)}..${(pm + pw).toFixed(1)} (trailing median ${pm.toFixed(1)})`
        );
      }
      const reference = history.flatMap((d) => sortedScores.get(d)!);
      h.psi = psi(reference, sorted, options.psiBins ?? 10);
      if (h.psi > psiMax) {
        h.flags.push(
          `score distribution shifted: PSI ${h.psi.toFixed(3)} > ${psiMax} vs the trailing ${history.length} days`
        );
      }
      h.drifted = h.flags.length > 0;
      if (h.drifted) {
        flagged.add(day);
      }
    }
    return h;
  });
  return {
    alertTier,
    days: out,
    drifted: out.filter((d) => d.drifted),
    concentrated: out.filter((d) => d.dominant !== undefined),
    attribution: dayAttribution(overall, names),
  };
}

/** "mean latency 80 %, error ratio 20 %" (the top `limit` signals of a day's alert time). */
export function dayAttributionText(d: Pick<DayHealth, 'attribution'>, limit = 3): string {
  if (d.attribution.length === 0) {
    return '-';
  }
  const shown = d.attribution.slice(0, limit).map((a) => `${a.name} ${shareText(a.share)}`);
  return d.attribution.length > limit ? `${shown.join(', ')}, …` : shown.join(', ');
}

export function scoreHealthToMarkdown(r: ScoreHealthReport): string {
  const f = (x: number, d = 1) => (Number.isNaN(x) ? '-' : x.toFixed(d));
  const cell = (x: string) => x.replace(/\|/g, '\\|');
  const lines = [
    `## Score health (alerts at ≥ ${r.alertTier})`,
    '',
    'Alert time by signal counts every alerting minute: score health has no incident labels, so true and false alerts are not told apart.',
    '',
    '| day | alerts | alerting share | p50 | p90 | p99 | PSI | flags | alert min | alert time by signal |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|---|',
  ];
  for (const d of r.days) {
    const by = cell(dayAttributionText(d)) + (d.dominant ? ` (**${cell(d.dominant.name)} carries most of it**)` : '');
    lines.push(
      `| ${d.date} | ${d.alerts} | ${f(100 * d.alertingShare, 2)}% | ${f(d.p50)} | ${f(d.p90)} | ${f(d.p99)} | ${f(d.psi, 3)} | ${d.flags.join('; ') || (d.baseline ? 'ok' : 'no baseline yet')} | ${minutesText(d.alertMinutes)} | ${by} |`
    );
  }
  if (r.attribution.length) {
    lines.push(
      '',
      `All days: ${r.attribution.map((a) => `${a.name} ${shareText(a.share)} (${minutesText(a.minutes)} min)`).join(', ')} of the alerting minutes.`
    );
  }
  return lines.join('\n');
}
