/**
 * Which signals make the demo's false alarms and which miss which incidents: the diagnosis behind
 * `npm run demo:eval -- --signals`, computed from the data source's own frames (contract fields
 * `contrib:`, `signal:`, `severity:`) and the ground truth.
 *
 * Per signal:
 * - false-alarm / true-alert minutes at the alert tier, attributed to the signals by their
 *   contributions (src/scoring/evaluate/attribution.ts, the same split the backtest reports);
 * - its peak during each labelled event, in [start, end + grace) (the window detection counts in):
 *   the peak severity and the directed statistic there (the largest `signal:` value in the
 *   signal's direction: up → max, down → min, both → largest |x|);
 * - its healthy peak: the same over every point of every entity outside all event windows, and the
 *   healthy minutes at severity >= 0.5 (where one signal of weight 1 alone reaches review).
 * Peaks are kept per event so several seeds can be pooled (poolDiagnoses).
 */
import type { DataFrame } from '@grafana/data';

import {
  AlertTimeTally,
  StepAttributor,
  summariseTally,
  type SignalFields,
} from '../../src/scoring/evaluate/attribution';
import { entityKey } from '../../src/scoring/engine';
import { median } from '../../src/scoring/evaluate/incidents';
import type { ScoreSpec } from '../../src/scoring/spec';
import { TIERS, type Direction, type Tier } from '../../src/scoring/types';
import type { GroundTruth } from '../generator/types';

/** A signal's peak in one window: the largest severity and the most extreme directed statistic. */
export interface Peak {
  severity: number;
  statistic: number;
}

export interface EventPeak extends Peak {
  id: string;
  kind: string;
  benign: boolean;
}

export interface SignalDiagnosis {
  id: string;
  name: string;
  kind: string;
  direction: Direction;
  falseAlarmMinutes: number;
  trueAlertMinutes: number;
  /** False alarms (alerts overlapping no incident) whose largest contribution at their peak is this signal's. */
  falseAlerts: number;
  /** Flagged noisy by the attribution rule (>= 25 % of false-alarm minutes, mostly false). */
  noisy: boolean;
  /** One entry per labelled event (incidents and benign events). */
  events: EventPeak[];
  /** Outside every event window: the peak, and the minutes at severity >= 0.5. */
  healthy: Peak;
  healthyAlarmMinutes: number;
  /** The same per day of the data (index 0 = the first day, when every history is short). */
  healthyAlarmMinutesByDay: number[];
  healthyMinutes: number;
}

export interface MissedIncident {
  id: string;
  kind: string;
  entity: string;
  start: number;
  /** Highest score in the detection window. */
  peakScore: number;
  /** Every signal's peak severity in the detection window, highest first. */
  signals: Array<{ id: string; severity: number }>;
}

export interface DemoDiagnosis {
  signals: SignalDiagnosis[];
  missed: MissedIncident[];
  falseAlarmMinutes: number;
  trueAlertMinutes: number;
}

const ENTITY = ['model', 'version', 'region'];
/** Healthy time starts this long after an event ends (the longest default detector window is 1 d for
 * baselines, but the current windows that carry an event's effect are at most an hour or two). */
export const HEALTHY_MARGIN_MS = 2 * 3_600_000;

function values(frame: DataFrame, name: string): ArrayLike<number> | undefined {
  return frame.fields.find((f) => f.name === name)?.values as ArrayLike<number> | undefined;
}

/** Directed statistic: larger = more anomalous in the signal's direction. */
function directed(x: number, direction: Direction): number {
  return direction === 'up' ? x : direction === 'down' ? -x : Math.abs(x);
}

function peakIn(
  t: ArrayLike<number>,
  severity: ArrayLike<number> | undefined,
  statistic: ArrayLike<number> | undefined,
  direction: Direction,
  inWindow: (time: number) => boolean
): Peak {
  let sev = NaN;
  let best = -Infinity;
  let stat = NaN;
  for (let i = 0; i < t.length; i++) {
    if (!inWindow(t[i])) {
      continue;
    }
    const s = severity ? severity[i] : NaN;
    if (s === s && !(s <= sev)) {
      sev = s;
    }
    const x = statistic ? statistic[i] : NaN;
    if (x === x && Number.isFinite(x) && directed(x, direction) > best) {
      best = directed(x, direction);
      stat = x;
    }
  }
  return { severity: sev, statistic: stat };
}

export function diagnose(
  frames: readonly DataFrame[],
  spec: ScoreSpec,
  truth: GroundTruth,
  opts: { minTier: number; graceMs: number }
): DemoDiagnosis {
  const { minTier, graceMs } = opts;
  const stepMinutes = truth.stepMs / 60_000;
  const byKey = new Map(frames.map((f) => [f.name ?? '', f]));
  const events = [
    ...truth.incidents.map((x) => ({ ...x, benign: false })),
    ...truth.benign.map((x) => ({ ...x, benign: true })),
  ].map((x) => ({ ...x, key: entityKey({ ...x.entity }, ENTITY) }));
  const incidentsOf = new Map<string, typeof events>();
  for (const ev of events) {
    incidentsOf.set(ev.key, [...(incidentsOf.get(ev.key) ?? []), ev]);
  }
  // Alert time at the alert tier, attributed to signals. A step belongs to a false alarm when its
  // alert (the run of alerting steps it is in) overlaps no incident window: as the evaluation counts
  // alerts (incidents.ts), so a detection's tail after the window is not called a false alarm.
  const tally = new AlertTimeTally(false);
  const falseAlerts = new Map<string, number>();
  for (const frame of frames) {
    const t = values(frame, 'Time');
    const tier = frame.fields.find((f) => f.name === 'tier')?.values as string[] | undefined;
    const score = values(frame, 'score');
    if (!t || !tier || !score) {
      continue;
    }
    const key = frame.name ?? '';
    const fields: SignalFields = {
      contributions: Object.fromEntries(spec.signals.map((s) => [s.id, values(frame, `contrib:${s.id}`) ?? []])),
    };
    const attributor = new StepAttributor(fields);
    for (let i = 0; i < t.length; ) {
      if (TIERS.indexOf(tier[i] as Tier) < minTier) {
        i++;
        continue;
      }
      let j = i;
      while (j < t.length && TIERS.indexOf(tier[j] as Tier) >= minTier) {
        j++;
      }
      const [from, to] = [t[i], t[j - 1]];
      const truePositive = (incidentsOf.get(key) ?? []).some(
        (ev) => !ev.benign && from < ev.end + graceMs && ev.start <= to
      );
      let peak = i;
      for (let k = i; k < j; k++) {
        tally.add(attributor, fields, k, minTier, stepMinutes, truePositive ? 'true_alert' : 'false_alarm');
        peak = score[k] > score[peak] ? k : peak;
      }
      if (!truePositive) {
        let top = '';
        let best = -Infinity;
        for (const sig of spec.signals) {
          const c = values(frame, `contrib:${sig.id}`)?.[peak] ?? NaN;
          if (c > best) {
            best = c;
            top = sig.id;
          }
        }
        falseAlerts.set(top, (falseAlerts.get(top) ?? 0) + 1);
      }
      i = j;
    }
  }
  const summary = summariseTally(tally, stepMinutes, { signals: spec.signals });
  const rows = new Map(summary.attribution.map((r) => [r.signal, r]));
  // Healthy time: outside every event window extended by HEALTHY_MARGIN_MS, so that a detector's
  // own window still covering an event (drift over the last hour) is not called healthy noise.
  const healthy = (key: string, time: number) =>
    !(incidentsOf.get(key) ?? []).some((ev) => time >= ev.start && time < ev.end + HEALTHY_MARGIN_MS);

  const signals: SignalDiagnosis[] = spec.signals.map((s) => {
    const eventPeaks: EventPeak[] = [];
    for (const ev of events) {
      const frame = byKey.get(ev.key);
      if (!frame) {
        continue;
      }
      const p = peakIn(
        values(frame, 'Time')!,
        values(frame, `severity:${s.id}`),
        values(frame, `signal:${s.id}`),
        s.direction,
        (time) => time >= ev.start && time < ev.end + graceMs
      );
      eventPeaks.push({ id: ev.id, kind: ev.kind, benign: ev.benign, ...p });
    }
    let healthySev = NaN;
    let healthyBest = -Infinity;
    let healthyStat = NaN;
    let alarmMinutes = 0;
    const byDay: number[] = [];
    let healthyMinutes = 0;
    for (const frame of frames) {
      const key = frame.name ?? '';
      const t = values(frame, 'Time')!;
      const sev = values(frame, `severity:${s.id}`);
      const stat = values(frame, `signal:${s.id}`);
      for (let i = 0; i < t.length; i++) {
        if (!healthy(key, t[i])) {
          continue;
        }
        healthyMinutes += stepMinutes;
        const v = sev ? sev[i] : NaN;
        if (v === v) {
          if (!(v <= healthySev)) {
            healthySev = v;
          }
          if (v >= 0.5) {
            alarmMinutes += stepMinutes;
            const day = Math.floor((t[i] - truth.start) / 86_400_000);
            byDay[day] = (byDay[day] ?? 0) + stepMinutes;
          }
        }
        const x = stat ? stat[i] : NaN;
        if (x === x && Number.isFinite(x) && directed(x, s.direction) > healthyBest) {
          healthyBest = directed(x, s.direction);
          healthyStat = x;
        }
      }
    }
    const row = rows.get(s.id);
    return {
      id: s.id,
      name: s.name ?? s.id,
      kind: s.kind,
      direction: s.direction,
      falseAlarmMinutes: row?.false_alarm_minutes ?? 0,
      trueAlertMinutes: row?.true_alert_minutes ?? 0,
      falseAlerts: falseAlerts.get(s.id) ?? 0,
      noisy: row?.noisy ?? false,
      events: eventPeaks,
      healthy: { severity: healthySev, statistic: healthyStat },
      healthyAlarmMinutes: alarmMinutes,
      healthyAlarmMinutesByDay: Array.from(byDay, (x) => x ?? 0),
      healthyMinutes,
    };
  });

  const missed: MissedIncident[] = [];
  for (const ev of events) {
    if (ev.benign) {
      continue;
    }
    const frame = byKey.get(ev.key);
    if (!frame) {
      continue;
    }
    const t = values(frame, 'Time')!;
    const tier = frame.fields.find((f) => f.name === 'tier')!.values as string[];
    const score = values(frame, 'score')!;
    let detected = false;
    let peakScore = NaN;
    for (let i = 0; i < t.length; i++) {
      if (t[i] >= ev.start && t[i] < ev.end + graceMs) {
        detected ||= TIERS.indexOf(tier[i] as Tier) >= minTier;
        if (!(score[i] <= peakScore)) {
          peakScore = score[i];
        }
      }
    }
    if (!detected) {
      missed.push({
        id: ev.id,
        kind: ev.kind,
        entity: ev.key,
        start: ev.start,
        peakScore,
        signals: signals
          .map((s) => ({ id: s.id, severity: s.events.find((p) => p.id === ev.id)?.severity ?? NaN }))
          .sort((a, b) => (b.severity || 0) - (a.severity || 0)),
      });
    }
  }
  return {
    signals,
    missed,
    falseAlarmMinutes: summary.false_alarm_minutes,
    trueAlertMinutes: summary.true_alert_minutes,
  };
}

/** Several seeds' diagnoses of the same spec as one (minutes add up, event peaks are pooled). */
export function poolDiagnoses(all: readonly DemoDiagnosis[]): DemoDiagnosis {
  if (all.length === 0) {
    return { signals: [], missed: [], falseAlarmMinutes: 0, trueAlertMinutes: 0 };
  }
  const maxPeak = (a: Peak, b: Peak): Peak => ({
    severity: !(b.severity <= a.severity) && b.severity === b.severity ? b.severity : a.severity,
    statistic: a.statistic === a.statistic ? a.statistic : b.statistic,
  });
  const signals = all[0].signals.map((first, j) => {
    const mine = all.map((d) => d.signals[j]);
    return {
      ...first,
      falseAlarmMinutes: mine.reduce((n, s) => n + s.falseAlarmMinutes, 0),
      trueAlertMinutes: mine.reduce((n, s) => n + s.trueAlertMinutes, 0),
      falseAlerts: mine.reduce((n, s) => n + s.falseAlerts, 0),
      noisy: mine.some((s) => s.noisy),
      events: mine.flatMap((s) => s.events),
      healthy: mine.map((s) => s.healthy).reduce(maxPeak),
      healthyAlarmMinutes: mine.reduce((n, s) => n + s.healthyAlarmMinutes, 0),
      healthyAlarmMinutesByDay: mine.reduce<number[]>(
        (acc, s) => s.healthyAlarmMinutesByDay.map((x, d) => x + (acc[d] ?? 0)).concat(acc.slice(s.healthyAlarmMinutesByDay.length)),
        []
      ),
      healthyMinutes: mine.reduce((n, s) => n + s.healthyMinutes, 0),
    };
  });
  return {
    signals,
    missed: all.flatMap((d) => d.missed),
    falseAlarmMinutes: all.reduce((n, d) => n + d.falseAlarmMinutes, 0),
    trueAlertMinutes: all.reduce((n, d) => n + d.trueAlertMinutes, 0),
  };
}

const fmt = (x: number, digits = 3) => (x === x ? (Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(digits)) : '-');

/**
 * The diagnosis as text: per signal its false-alarm minutes and healthy alarm minutes, then per
 * signal × event kind the median peak severity (and the statistic), then the missed incidents.
 */
export function diagnosisLines(d: DemoDiagnosis): string[] {
  const lines: string[] = [];
  lines.push(
    `alert minutes at the alert tier: ${fmt(d.falseAlarmMinutes, 4)} false, ${fmt(d.trueAlertMinutes, 4)} during incidents`
  );
  lines.push(
    'signal               kind              false alarms (min)  healthy min at sev>=0.5 (by day)     healthy peak sev (statistic)'
  );
  for (const s of d.signals) {
    const days = s.healthyAlarmMinutesByDay.map((x) => fmt(x, 3)).join(' ');
    lines.push(
      `${s.id.padEnd(21)}${s.kind.padEnd(18)}${String(s.falseAlerts).padStart(5)} (${fmt(s.falseAlarmMinutes, 4)})`.padEnd(56) +
        `${s.noisy ? 'noisy' : '     '}` +
        `${fmt(s.healthyAlarmMinutes, 4).padStart(8)} (${days})`.padEnd(34) +
        `${fmt(s.healthy.severity, 2)} (${fmt(s.healthy.statistic)})`
    );
  }
  const kinds = [...new Set(d.signals.flatMap((s) => s.events.map((e) => `${e.benign ? '~' : ''}${e.kind}`)))].sort();
  lines.push('');
  lines.push('peak severity per event kind, median over events [max] (statistic at the median event); ~ = benign');
  lines.push(`${'signal'.padEnd(21)}${kinds.map((k) => k.padEnd(24)).join('')}`);
  for (const s of d.signals) {
    const cells = kinds.map((k) => {
      const evs = s.events.filter((e) => `${e.benign ? '~' : ''}${e.kind}` === k);
      const sevs = evs.map((e) => (e.severity === e.severity ? e.severity : 0));
      const med = median(sevs);
      const mid = [...evs].sort((a, b) => (a.severity || 0) - (b.severity || 0))[evs.length >> 1];
      const cell = `${fmt(med, 2)} [${fmt(Math.max(...sevs), 2)}] (${fmt(mid?.statistic ?? NaN, 2)})`;
      return cell.padEnd(24);
    });
    lines.push(`${s.id.padEnd(21)}${cells.join('')}`);
  }
  for (const m of d.missed) {
    const top = m.signals
      .slice(0, 3)
      .map((s) => `${s.id} ${fmt(s.severity, 2)}`)
      .join(', ');
    lines.push(
      `missed ${m.kind} ${m.entity} ${new Date(m.start).toISOString()}: peak score ${fmt(m.peakScore)}; peak severities ${top}`
    );
  }
  return lines;
}
