/** @jest-environment node */
import { formatReport, reportJson } from './format';
import type { InjectionSummary, RobustnessReport } from './runner';

const summary = (over: Partial<InjectionSummary>): InjectionSummary => ({
  runs: 3,
  detected: 3,
  detection_rate: 1,
  median_ttd_steps: 2,
  onsets_per_anomaly: 1,
  hold_share: 0.9,
  fade_steps: 700,
  fade_censored: 0,
  in_goal: true,
  ...over,
});

const report: RobustnessReport = {
  seeds: [1, 2, 3],
  days: 14,
  warmup_days: 8,
  step_ms: 60_000,
  rows: [
    {
      kind: 'robust_z',
      shape: 'gaussian',
      judged_points: 1000,
      judged_share: 1,
      false_severity_share: 0.0123,
      alerts_per_entity_week: 0.1,
      entity_weeks: 2.57,
      injections: {
        spike: summary({}),
        level_shift: summary({ fade_steps: null, fade_censored: 2 }),
      },
      not_meaningful: { stall: 'a stuck gauge keeps its value' },
    },
    {
      kind: 'threshold',
      shape: 'ar1',
      judged_points: 0,
      judged_share: 0,
      false_severity_share: null,
      alerts_per_entity_week: 3,
      entity_weeks: 2.57,
      injections: { spike: summary({ detected: 0, detection_rate: 0, median_ttd_steps: null, in_goal: false }) },
      not_meaningful: { stall: 'a stuck gauge keeps its value' },
    },
  ],
  excluded: [{ kind: 'staleness', shape: 'histogram_quantile', reason: 'not from buckets' }],
  max_false_severity_share: 0.0123,
  max_alerts_per_entity_week: 3,
  min_detection_rate: 1,
  mean_detection_rate: 1,
  fade_by_kind: { robust_z: { level_shift: null, drift: 700 } },
  errors: [],
};

describe('formatReport', () => {
  const text = formatReport(report);

  it('prints one healthy line per kind × shape and marks figures that miss their goal', () => {
    expect(text).toMatch(/robust_z\s+gaussian\s+100\.0%\s+1\.230%!\s+0\.10 /);
    expect(text).toMatch(/threshold\s+ar1\s+0\.0%\s+-\s+3\.00!/);
  });

  it('prints one injection line per measured anomaly, with censored fades and goal exclusions', () => {
    expect(text).toMatch(/robust_z\s+gaussian\s+spike\s+3\/3\s+2\s+1\.00\s+0\.90\s+700/);
    expect(text).toMatch(/level_shift\s+3\/3 .* never \(2\/3 never faded\)/);
    expect(text).toMatch(/threshold\s+ar1\s+spike\s+0\/3\s+-.*not in the detection goal/);
  });

  it('prints the fade per kind and the resolution of the alert rate', () => {
    expect(text).toMatch(/robust_z\s+never\s+700\s+-\s+-/);
    expect(text).toContain('2.57 entity-weeks per kind × shape, so one alert onset = 0.39 per entity-week');
  });

  it('groups the combinations not measured by reason', () => {
    expect(text).toContain('a stuck gauge keeps its value: robust_z × gaussian × stall; threshold × ar1 × stall');
    expect(text).toContain('not from buckets: staleness × histogram_quantile (all)');
  });
});

describe('reportJson', () => {
  it('starts with the three summary figures and keeps nulls for what was not measured', () => {
    const json = reportJson(report) as { table: Array<Record<string, unknown>> } & Record<string, unknown>;
    expect(Object.keys(json).slice(0, 3)).toEqual([
      'max_false_severity_share',
      'max_alerts_per_entity_week',
      'min_detection_rate',
    ]);
    expect(json.table).toHaveLength(2);
    expect(json.table[1]).toMatchObject({ kind: 'threshold', shape: 'ar1', false_severity_share: null });
    expect(json.table[0].injections).toMatchObject({ level_shift: { fade_steps: null, fade_censored: 2 } });
    expect(json.table[0].not_meaningful).toEqual(['stall']);
    expect(json.not_meaningful).toEqual([
      { kind: 'robust_z', anomaly: 'stall', shapes: ['gaussian'], reason: 'a stuck gauge keeps its value' },
      { kind: 'threshold', anomaly: 'stall', shapes: ['ar1'], reason: 'a stuck gauge keeps its value' },
    ]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
