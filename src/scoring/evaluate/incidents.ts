/**
 * Scores alerts against labelled incidents (the demo generator's incidents.json, or verified
 * incidents from annotations): recall and time to detect per incident, precision per alert, and the
 * benign events (traffic surges, deploys) that were escalated. Pure functions over typed arrays.
 *
 * An alert is a run of points whose tier is at or above `minTier`. An incident is detected when an
 * alert of the same entity overlaps [start, end + grace); its time to detect is the first such point
 * at or after the start (0 when the alert was already open), in steps. An alert is a true positive
 * when it overlaps an incident window (with grace) of its entity, otherwise a false positive; one
 * that overlaps a benign event of its entity (and no incident) counts as a benign escalation.
 */

export interface LabelledEvent {
  id?: string;
  /** Entity key, in the same form as the scored entities' keys. */
  entity: string;
  kind: string;
  start: number;
  end: number;
}

export interface ScoredEntity {
  key: string;
  t: Float64Array;
  /** Tier index per point (0 ok, 1 watch, 2 review, 3 critical). */
  tier: Uint8Array;
}

export interface Alert {
  entity: string;
  start: number;
  end: number;
  truePositive: boolean;
  benign: boolean;
}

export interface IncidentOutcome {
  incident: LabelledEvent;
  detected: boolean;
  /** Steps from the incident's start to the first alerting point (NaN when missed). */
  ttdSteps: number;
}

export interface KindFigures {
  incidents: number;
  detected: number;
  recall: number;
  median_ttd_steps: number;
}

export interface IncidentEvaluation {
  precision: number;
  recall: number;
  median_ttd_steps: number;
  benign_escalations: number;
  alerts: Alert[];
  outcomes: IncidentOutcome[];
  per_kind: Record<string, KindFigures>;
}

export interface EvaluationOptions {
  minTier: number;
  stepMs: number;
  /** Detection still counts this long after an incident ends (detectors integrate over windows). */
  graceMs: number;
}

export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) {
    return NaN;
  }
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs of points at or above minTier, as [start time, end time] (end = last point in the run). */
export function alertRuns(e: ScoredEntity, minTier: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i <= e.tier.length; i++) {
    const on = i < e.tier.length && e.tier[i] >= minTier;
    if (on && start < 0) {
      start = i;
    } else if (!on && start >= 0) {
      runs.push([e.t[start], e.t[i - 1]]);
      start = -1;
    }
  }
  return runs;
}

const overlaps = (a0: number, a1: number, b0: number, b1: number) => a0 < b1 && b0 <= a1;

export function evaluateIncidents(
  entities: readonly ScoredEntity[],
  incidents: readonly LabelledEvent[],
  benign: readonly LabelledEvent[],
  opts: EvaluationOptions
): IncidentEvaluation {
  const byKey = new Map(entities.map((e) => [e.key, e]));
  const alerts: Alert[] = [];
  for (const e of entities) {
    for (const [start, end] of alertRuns(e, opts.minTier)) {
      const mine = (x: LabelledEvent) => x.entity === e.key && overlaps(start, end, x.start, x.end + opts.graceMs);
      const truePositive = incidents.some(mine);
      alerts.push({ entity: e.key, start, end, truePositive, benign: !truePositive && benign.some(mine) });
    }
  }

  const outcomes: IncidentOutcome[] = incidents.map((incident) => {
    const e = byKey.get(incident.entity);
    let ttd = NaN;
    if (e) {
      for (let i = 0; i < e.t.length; i++) {
        const t = e.t[i];
        if (t >= incident.end + opts.graceMs) {
          break;
        }
        // An alert already open at the start shows at the first point >= start: ttd 0.
        if (t >= incident.start && e.tier[i] >= opts.minTier) {
          ttd = Math.round((t - incident.start) / opts.stepMs);
          break;
        }
      }
    }
    return { incident, detected: !Number.isNaN(ttd), ttdSteps: ttd };
  });

  const per_kind: Record<string, KindFigures> = {};
  for (const kind of [...new Set(incidents.map((i) => i.kind))].sort()) {
    const mine = outcomes.filter((o) => o.incident.kind === kind);
    const detected = mine.filter((o) => o.detected);
    per_kind[kind] = {
      incidents: mine.length,
      detected: detected.length,
      recall: mine.length ? detected.length / mine.length : NaN,
      median_ttd_steps: median(detected.map((o) => o.ttdSteps)),
    };
  }
  const tp = alerts.filter((a) => a.truePositive).length;
  const detected = outcomes.filter((o) => o.detected);
  return {
    precision: alerts.length ? tp / alerts.length : NaN,
    recall: outcomes.length ? detected.length / outcomes.length : NaN,
    median_ttd_steps: median(detected.map((o) => o.ttdSteps)),
    benign_escalations: alerts.filter((a) => a.benign).length,
    alerts,
    outcomes,
    per_kind,
  };
}
