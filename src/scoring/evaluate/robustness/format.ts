/**
 * Plain-text rendering of a robustness report: the healthy table (one line per kind × shape), the
 * injection table (one line per measured kind × shape × anomaly), the combinations not measured with
 * their reasons, and the summary against the goals. Numbers only, no judgement beyond marking a
 * figure that misses its goal with `!`.
 */
import type { AnomalyShape } from './anomalies';
import type { InjectionSummary, RobustnessReport } from './runner';

export const GOALS = {
  falseSeverityShare: 0.001,
  alertsPerEntityWeek: 0.25,
  onsetsPerAnomaly: 1,
} as const;

const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

function pct(x: number | null, digits: number): string {
  return x === null || !Number.isFinite(x) ? '-' : `${(100 * x).toFixed(digits)}%`;
}

/** `digits` decimals; whole numbers without them unless `fixed` (columns that are shares or rates). */
function num(x: number | null, digits: number, fixed = false): string {
  if (x === null || Number.isNaN(x)) {
    return '-';
  }
  if (x === Infinity) {
    return '∞';
  }
  return Number.isInteger(x) && !fixed ? String(x) : x.toFixed(digits);
}

function fade(s: InjectionSummary): string {
  if (s.detected === 0) {
    return '-';
  }
  const median = s.fade_steps === null ? 'never' : num(s.fade_steps, 0);
  return s.fade_censored > 0 ? `${median} (${s.fade_censored}/${s.detected} never faded)` : median;
}

export function formatReport(r: RobustnessReport): string {
  const lines: string[] = [];
  lines.push(
    `Robustness: seeds ${r.seeds.join(',')}; ${r.days}-day series at ${r.step_ms / 1000}s steps, judged after a ` +
      `${r.warmup_days}-day warm-up; every kind on its DEFAULT params (threshold: an explicit far limit, see inputs.ts).`
  );
  lines.push('');
  lines.push(
    `Healthy noise — goals: severity ≥ 0.5 on ≤ ${pct(GOALS.falseSeverityShare, 1)} of judged points, ` +
      `≤ ${GOALS.alertsPerEntityWeek} alert onsets (tier ≥ review) per entity-week`
  );
  lines.push(`${pad('kind', 16)}${pad('shape', 20)}${lpad('judged', 8)}${lpad('sev≥0.5', 10)}${lpad('alerts/wk', 11)}`);
  for (const row of r.rows) {
    const shareMiss = row.false_severity_share !== null && row.false_severity_share > GOALS.falseSeverityShare;
    const alertMiss = row.alerts_per_entity_week > GOALS.alertsPerEntityWeek;
    lines.push(
      `${pad(row.kind, 16)}${pad(row.shape, 20)}${lpad(pct(row.judged_share, 1), 8)}` +
        `${lpad(pct(row.false_severity_share, 3) + (shareMiss ? '!' : ' '), 10)}` +
        `${lpad(num(row.alerts_per_entity_week, 2, true) + (alertMiss ? '!' : ' '), 11)}`
    );
  }
  lines.push('');
  lines.push(
    'Injected anomalies — det: detected/runs (alert ≥ review in the window + grace); ttd: median steps to detect; ' +
      'onsets: alert runs per detected anomaly (goal 1); hold: share of the condition at ≥ review after detection; ' +
      'fade: median steps from settling until ok for good (never = not before the series ended)'
  );
  lines.push(
    `${pad('kind', 16)}${pad('shape', 20)}${pad('anomaly', 20)}${lpad('det', 6)}${lpad('ttd', 7)}${lpad('onsets', 8)}${lpad('hold', 7)}  fade`
  );
  for (const row of r.rows) {
    for (const [anomaly, s] of Object.entries(row.injections) as Array<[AnomalyShape, InjectionSummary]>) {
      const goalMark = s.in_goal ? '' : '  (not in the detection goal: hard limit)';
      lines.push(
        `${pad(row.kind, 16)}${pad(row.shape, 20)}${pad(anomaly, 20)}${lpad(`${s.detected}/${s.runs}`, 6)}` +
          `${lpad(num(s.median_ttd_steps, 1), 7)}${lpad(num(s.onsets_per_anomaly, 2, true), 8)}${lpad(num(s.hold_share, 2, true), 7)}  ${fade(s)}${goalMark}`
      );
    }
  }
  lines.push('');
  lines.push('Not measured (not meaningful):');
  const reasons = new Map<string, string[]>();
  for (const e of r.excluded) {
    const key = e.reason;
    reasons.set(key, [...(reasons.get(key) ?? []), `${e.kind} × ${e.shape} (all)`]);
  }
  for (const row of r.rows) {
    for (const [anomaly, reason] of Object.entries(row.not_meaningful)) {
      reasons.set(reason, [...(reasons.get(reason) ?? []), `${row.kind} × ${row.shape} × ${anomaly}`]);
    }
  }
  for (const [reason, where] of reasons) {
    lines.push(`  ${reason}: ${compress(where)}`);
  }
  lines.push('');
  lines.push(
    'Fade to ok once a sustained condition is the new normal (item 3): per kind, the median over shapes of the ' +
      'median fade in steps (never = the tier did not settle at ok before the series ended)'
  );
  const sustained = ['level_shift', 'drift', 'variance_change', 'distribution_shift'] as const;
  lines.push(`${pad('kind', 16)}${sustained.map((a) => lpad(a, 20)).join('')}`);
  for (const [kind, fades] of Object.entries(r.fade_by_kind)) {
    const cell = (a: (typeof sustained)[number]) =>
      fades && a in fades ? (fades[a] === null ? 'never' : num(fades[a] ?? null, 0)) : '-';
    lines.push(`${pad(kind, 16)}${sustained.map((a) => lpad(cell(a), 20)).join('')}`);
  }
  lines.push('');
  const entityWeeks = r.rows[0]?.entity_weeks ?? NaN;
  lines.push(
    `Resolution: ${num(entityWeeks, 2, true)} entity-weeks per kind × shape, so one alert onset = ` +
      `${num(1 / entityWeeks, 2, true)} per entity-week; detection rates in steps of 1/${r.seeds.length}.`
  );
  lines.push(
    `Summary: max false-severity share ${pct(r.max_false_severity_share, 3)} (goal ≤ ${pct(GOALS.falseSeverityShare, 1)}), ` +
      `max alerts per entity-week ${num(r.max_alerts_per_entity_week, 2, true)} (goal ≤ ${GOALS.alertsPerEntityWeek}), ` +
      `min detection rate ${num(r.min_detection_rate, 2, true)} (mean ${num(r.mean_detection_rate, 2, true)})`
  );
  if (r.errors.length > 0) {
    lines.push(`Errors while scoring (${r.errors.length}):`);
    lines.push(...r.errors.slice(0, 20).map((e) => `  ${e}`));
  }
  return lines.join('\n');
}

/** "a × x × s, a × y × s" → "a × {x, y} × s" for lists that share kind and anomaly. */
function compress(where: string[]): string {
  const groups = new Map<string, string[]>();
  for (const w of where) {
    const [kind, shape, rest] = w.split(' × ');
    const key = `${kind}|${rest ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), shape]);
  }
  return [...groups]
    .map(([key, shapes]) => {
      const [kind, rest] = key.split('|');
      const shapeText = shapes.length === 1 ? shapes[0] : `{${shapes.join(', ')}}`;
      return rest ? `${kind} × ${shapeText} × ${rest}` : `${kind} × ${shapeText}`;
    })
    .join('; ');
}

/** The injections not measured, one entry per kind × anomaly × reason with its shapes. */
function notMeaningfulGroups(
  r: RobustnessReport
): Array<{ kind: string; anomaly: string; shapes: string[]; reason: string }> {
  const groups = new Map<string, { kind: string; anomaly: string; shapes: string[]; reason: string }>();
  for (const row of r.rows) {
    for (const [anomaly, reason] of Object.entries(row.not_meaningful)) {
      const key = `${row.kind}|${anomaly}|${reason}`;
      const group = groups.get(key) ?? { kind: row.kind, anomaly, shapes: [], reason };
      group.shapes.push(row.shape);
      groups.set(key, group);
    }
  }
  return [...groups.values()];
}

const round = (x: number | null, digits = 6): number | null =>
  x === null || !Number.isFinite(x) ? null : Number(x.toFixed(digits));

/**
 * The command's last line: the three summary figures, the run's settings, one table row per
 * kind × shape with its injections (non-finite numbers become null; `not_meaningful` lists the
 * anomalies not injected, whose reasons are grouped once at the top level).
 */
export function reportJson(r: RobustnessReport): Record<string, unknown> {
  return {
    max_false_severity_share: round(r.max_false_severity_share),
    max_alerts_per_entity_week: round(r.max_alerts_per_entity_week, 3),
    min_detection_rate: round(r.min_detection_rate, 3),
    mean_detection_rate: round(r.mean_detection_rate, 3),
    seeds: r.seeds,
    days: r.days,
    warmup_days: r.warmup_days,
    step_ms: r.step_ms,
    errors: r.errors.length,
    table: r.rows.map((row) => ({
      kind: row.kind,
      shape: row.shape,
      judged_share: round(row.judged_share, 4),
      false_severity_share: round(row.false_severity_share),
      alerts_per_entity_week: round(row.alerts_per_entity_week, 3),
      injections: Object.fromEntries(
        Object.entries(row.injections).map(([anomaly, s]) => [
          anomaly,
          {
            runs: s.runs,
            detection_rate: round(s.detection_rate, 3),
            median_ttd_steps: round(s.median_ttd_steps, 2),
            onsets_per_anomaly: round(s.onsets_per_anomaly, 2),
            hold_share: round(s.hold_share, 3),
            fade_steps: round(s.fade_steps, 1),
            fade_censored: s.fade_censored,
            in_goal: s.in_goal,
          },
        ])
      ),
      not_meaningful: Object.keys(row.not_meaningful),
    })),
    fade_steps_by_kind: Object.fromEntries(
      Object.entries(r.fade_by_kind).map(([kind, fades]) => [
        kind,
        Object.fromEntries(Object.entries(fades ?? {}).map(([anomaly, steps]) => [anomaly, round(steps, 1)])),
      ])
    ),
    not_measured: r.excluded,
    not_meaningful: notMeaningfulGroups(r),
  };
}
