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
 */
import { TIERS, type Tier } from '../types';
import { quantileSorted, type ScoredSeries } from './backtest';

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

  const byDay = new Map<number, { scores: number[]; alerts: number; alerting: number }>();
  for (const s of series) {
    let prev = false;
    for (let i = 0; i < s.t.length; i++) {
      const d = dayOf(s.t[i]);
      let rec = byDay.get(d);
      if (!rec) {
        rec = { scores: [], alerts: 0, alerting: 0 };
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
      }
      prev = on;
    }
  }
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
      flags: [],
      drifted: false,
    };
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
  return { alertTier, days: out, drifted: out.filter((d) => d.drifted) };
}

export function scoreHealthToMarkdown(r: ScoreHealthReport): string {
  const f = (x: number, d = 1) => (Number.isNaN(x) ? '-' : x.toFixed(d));
  const lines = [
    `## Score health (alerts at ≥ ${r.alertTier})`,
    '',
    '| day | alerts | alerting share | p50 | p90 | p99 | PSI | flags |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const d of r.days) {
    lines.push(
      `| ${d.date} | ${d.alerts} | ${f(100 * d.alertingShare, 2)}% | ${f(d.p50)} | ${f(d.p90)} | ${f(d.p99)} | ${f(d.psi, 3)} | ${d.flags.join('; ') || (d.baseline ? 'ok' : 'no baseline yet')} |`
    );
  }
  return lines.join('\n');
}
