/**
 * @jest-environment node
 *
 * The robustness machinery on small runs: it must be able to fail (a bad ramp shows a large
 * false-severity share, a deaf detector misses everything) and to succeed (a sensitive detector
 * finds a large spike at once). Nothing here asserts that today's defaults meet the goals: they
 * are what the suite measures.
 */
import { healthyCondition, injectAnomaly } from './anomalies';
import { reportJson } from './format';
import { DEFAULT_ROBUSTNESS_CONFIG, injectionStart, runRobustness, scoreSignal, type RobustnessConfig } from './runner';
import { SERIES_ORIGIN_MS } from './series';

/** Four-day series judged after one day: enough for ramp detectors with a 1 h baseline. */
const SMALL: Partial<RobustnessConfig> = { seeds: [1, 2], days: 4, warmupDays: 1 };

function robustZWith(params: Record<string, unknown>) {
  const report = runRobustness({
    ...SMALL,
    kinds: ['robust_z'],
    shapes: ['gaussian'],
    anomalies: ['spike'],
    paramsOverride: { robust_z: params },
  });
  expect(report.errors).toEqual([]);
  return { report, row: report.rows[0], spike: report.rows[0].injections.spike! };
}

describe('robustness runner', () => {
  it('a deliberately bad fixed ramp on Gaussian noise shows a large false-severity share', () => {
    // Severity ≥ 0.5 from |z| ≈ 0.75 on: about 45 % of Gaussian points.
    const { report, row } = robustZWith({ warn: 0.5, max: 1 });
    expect(row.false_severity_share).toBeGreaterThan(0.3);
    expect(row.false_severity_share).toBeLessThan(0.6);
    expect(row.alerts_per_entity_week).toBeGreaterThan(100);
    expect(report.max_false_severity_share).toBe(row.false_severity_share);
    expect(row.judged_share).toBeGreaterThan(0.99);
  });

  it('a sensitive ramp finds a large injected spike at once; a deaf one misses it and never fires', () => {
    const sensitive = robustZWith({ warn: 3, max: 7 });
    expect(sensitive.spike).toMatchObject({ runs: 2, detected: 2, detection_rate: 1, median_ttd_steps: 0 });
    expect(sensitive.spike.onsets_per_anomaly).toBeGreaterThanOrEqual(1);
    expect(sensitive.report.min_detection_rate).toBe(1);

    const deaf = robustZWith({ warn: 50, max: 60 });
    expect(deaf.spike).toMatchObject({ detected: 0, detection_rate: 0, median_ttd_steps: null, fade_steps: null });
    expect(deaf.row.false_severity_share).toBe(0);
    expect(deaf.row.alerts_per_entity_week).toBe(0);
    expect(deaf.report.min_detection_rate).toBe(0);
  });

  it('on defaults, every figure is a share, a rate or null, and the exclusions carry reasons', () => {
    const report = runRobustness({
      seeds: [1],
      days: 4,
      warmupDays: 2,
      kinds: ['robust_z', 'ratio', 'staleness'],
      shapes: ['counter_resets', 'histogram_quantile'],
      anomalies: ['spike', 'stall'],
    });
    expect(report.errors).toEqual([]);
    expect(report.excluded).toEqual([{ kind: 'staleness', shape: 'histogram_quantile', reason: expect.any(String) }]);
    expect(report.rows.map((r) => `${r.kind}/${r.shape}`)).toEqual([
      'robust_z/counter_resets',
      'robust_z/histogram_quantile',
      'ratio/counter_resets',
      'ratio/histogram_quantile',
      'staleness/counter_resets',
    ]);
    const inGoal: number[] = [];
    for (const row of report.rows) {
      expect(row.judged_share).toBeGreaterThanOrEqual(0);
      expect(row.judged_share).toBeLessThanOrEqual(1);
      if (row.false_severity_share !== null) {
        expect(row.false_severity_share).toBeGreaterThanOrEqual(0);
        expect(row.false_severity_share).toBeLessThanOrEqual(1);
      }
      expect(row.alerts_per_entity_week).toBeGreaterThanOrEqual(0);
      expect(row.entity_weeks).toBeCloseTo(2 / 7, 9);
      for (const s of Object.values(row.injections)) {
        expect(s.detected).toBeLessThanOrEqual(s.runs);
        expect(s.detection_rate).toBe(s.detected / s.runs);
        inGoal.push(s.detection_rate);
      }
    }
    // stall: measured on a counter rate and on staleness, not on a ratio or a quantile.
    expect(report.rows[0].injections.stall).toBeDefined();
    expect(report.rows[1].not_meaningful.stall).toMatch(/NaN/);
    expect(report.rows[2].not_meaningful.stall).toMatch(/missing/);
    expect(report.rows[4].injections.stall).toBeDefined();
    expect(report.min_detection_rate).toBe(Math.min(...inGoal));
    const json = reportJson(report);
    expect(Object.keys(json).slice(0, 3)).toEqual([
      'max_false_severity_share',
      'max_alerts_per_entity_week',
      'min_detection_rate',
    ]);
  });

  it('is reproducible from its seeds, and different seeds give different series', () => {
    const once = () => reportJson(robustZWith({ warn: 2, max: 4 }).report);
    expect(once()).toEqual(once());
    const other = runRobustness({
      ...SMALL,
      seeds: [3, 4],
      kinds: ['robust_z'],
      shapes: ['gaussian'],
      anomalies: [],
      paramsOverride: { robust_z: { warn: 2, max: 4 } },
    });
    expect(other.rows[0].false_severity_share).not.toBe(robustZWith({ warn: 2, max: 4 }).row.false_severity_share);
  });

  it('an injected run scores exactly like the healthy one until the anomaly starts', () => {
    const n = 3 * 1440;
    const start = 2 * 1440;
    const ctx = { seed: 7, startMs: SERIES_ORIGIN_MS, n, stepMs: 60_000 };
    const errors: string[] = [];
    const warmupEnd = SERIES_ORIGIN_MS + 1440 * 60_000;
    const healthy = scoreSignal(
      'level_shift',
      'ar1',
      { ...ctx, condition: healthyCondition(n) },
      warmupEnd,
      undefined,
      errors
    );
    const injected = injectAnomaly('level_shift', start, n);
    const shifted = scoreSignal(
      'level_shift',
      'ar1',
      { ...ctx, condition: injected.condition },
      warmupEnd,
      undefined,
      errors
    );
    expect(errors).toEqual([]);
    expect(Array.from(shifted.tier.slice(0, start))).toEqual(Array.from(healthy.tier.slice(0, start)));
    expect(Array.from(shifted.severity.slice(0, start))).toEqual(Array.from(healthy.severity.slice(0, start)));
  });

  it('places injections in the day after the warm-up and refuses series too short for one', () => {
    const cfg = { ...DEFAULT_ROBUSTNESS_CONFIG };
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = injectionStart(cfg, seed, 'robust_z', 'gaussian', 'spike');
      expect(s).toBeGreaterThanOrEqual(8 * 1440);
      expect(s).toBeLessThan(9 * 1440);
    }
    expect(() => injectionStart({ ...cfg, days: 8.2 }, 1, 'robust_z', 'gaussian', 'spike')).toThrow(/no room/);
  });
});
