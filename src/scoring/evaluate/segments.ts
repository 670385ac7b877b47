/**
 * Segment check: does the score flag some values of a label (region, model, …) far more often
 * than incidents happen there? For each value v of the chosen label:
 *   flag share     = alerts on entities with label = v / all alerts
 *   incident share = incidents on entities with label = v / all incidents
 *   ratio          = flag share / incident share (Infinity when v has no incident)
 * and a two-proportion z-test of the two shares (pooled): z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)).
 * A segment is disproportionate when it has at least `minCount` alerts, ratio > `maxRatio` (2) and
 * z > `zCrit` (1.645, one-sided 5 %). Also reported: alerts per entity-day and the false-alarm
 * share of each segment, to tell "more incidents here" from "noisier here".
 */
import { TIERS, type Tier } from '../types';
import { evaluateTier, prepareBacktest, type BacktestOptions, type ScoredSeries } from './backtest';
import type { GroundTruth } from './groundTruth';

export interface SegmentOptions {
  alertTier?: Exclude<Tier, 'ok'>;
  minCount?: number;
  maxRatio?: number;
  zCrit?: number;
  backtest?: BacktestOptions;
}

export interface SegmentRow {
  value: string;
  entities: number;
  alerts: number;
  falseAlarms: number;
  incidents: number;
  flagShare: number;
  incidentShare: number;
  ratio: number;
  z: number;
  alertsPerEntityDay: number;
  falseAlarmShare: number;
  disproportionate: boolean;
}

export interface SegmentReport {
  label: string;
  alertTier: Tier;
  totalAlerts: number;
  totalIncidents: number;
  segments: SegmentRow[];
  flagged: SegmentRow[];
}

/** Pooled two-proportion z statistic of x1/n1 against x2/n2 (0 when undefined). */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): number {
  if (n1 <= 0 || n2 <= 0) {
    return 0;
  }
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const p = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  return se > 0 ? (p1 - p2) / se : 0;
}

export function segmentCheck(
  series: readonly ScoredSeries[],
  truth: GroundTruth,
  label: string,
  options: SegmentOptions = {}
): SegmentReport {
  const alertTier = options.alertTier ?? 'review';
  const prep = prepareBacktest(series, truth, options.backtest);
  const report = evaluateTier(prep, TIERS.indexOf(alertTier), undefined, true);
  const days = (prep.to - prep.from) / 86_400_000;
  const values = [...new Set(series.map((s) => s.labels[label] ?? ''))].sort();
  const totalAlerts = report.alerts;
  // An incident belongs to a segment when its own labels say so, or all entities it matches do.
  const incidentValue = (i: (typeof prep.incidents)[number]): string | undefined => {
    const own = i.event.entity[label];
    if (own !== undefined) {
      return own;
    }
    const vs = new Set(i.series.map((si) => prep.series[si].series.labels[label] ?? ''));
    return vs.size === 1 ? [...vs][0] : undefined;
  };
  const incidentValues = prep.incidents.map(incidentValue);
  const totalIncidents = incidentValues.filter((v) => v !== undefined).length;
  const minCount = options.minCount ?? 3;
  const maxRatio = options.maxRatio ?? 2;
  const zCrit = options.zCrit ?? 1.645;
  const segments = values.map((value): SegmentRow => {
    const entities = series.filter((s) => (s.labels[label] ?? '') === value).length;
    const mine = report.alertList.filter((a) => (a.labels[label] ?? '') === value);
    const alerts = mine.length;
    const falseAlarms = mine.filter((a) => !a.truePositive).length;
    const incidents = incidentValues.filter((v) => v === value).length;
    const flagShare = totalAlerts ? alerts / totalAlerts : NaN;
    const incidentShare = totalIncidents ? incidents / totalIncidents : NaN;
    const ratio = incidentShare > 0 ? flagShare / incidentShare : alerts > 0 ? Infinity : NaN;
    const z = twoProportionZ(alerts, totalAlerts, incidents, totalIncidents);
    return {
      value,
      entities,
      alerts,
      falseAlarms,
      incidents,
      flagShare,
      incidentShare,
      ratio,
      z,
      alertsPerEntityDay: entities && days > 0 ? alerts / (entities * days) : NaN,
      falseAlarmShare: alerts ? falseAlarms / alerts : NaN,
      disproportionate: alerts >= minCount && ratio > maxRatio && z > zCrit,
    };
  });
  return {
    label,
    alertTier,
    totalAlerts,
    totalIncidents,
    segments,
    flagged: segments.filter((s) => s.disproportionate),
  };
}

export function segmentsToMarkdown(r: SegmentReport): string {
  const p = (x: number) => (Number.isNaN(x) ? '-' : `${(100 * x).toFixed(1)}%`);
  const f = (x: number, d = 2) => (Number.isNaN(x) ? '-' : x === Infinity ? '∞' : x.toFixed(d));
  const lines = [
    `## Segments by ${r.label} (alerts at ≥ ${r.alertTier}: ${r.totalAlerts}, incidents: ${r.totalIncidents})`,
    '',
    `| ${r.label} | entities | alerts | false alarms | incidents | flag share | incident share | ratio | z | alerts / entity-day | |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const s of r.segments) {
    lines.push(
      `| ${s.value || '(none)'} | ${s.entities} | ${s.alerts} | ${s.falseAlarms} | ${s.incidents} | ${p(s.flagShare)} | ${p(s.incidentShare)} | ${f(s.ratio)} | ${f(s.z)} | ${f(s.alertsPerEntityDay)} | ${s.disproportionate ? '**flagged disproportionately**' : ''} |`
    );
  }
  return lines.join('\n');
}
