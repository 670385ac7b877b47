/** @jest-environment node */
import {
  backtest,
  backtestToJson,
  backtestToMarkdown,
  dashboardLink,
  distribution,
  type ScoredSeries,
} from './backtest';
import { parseAnnotations, parseIncidentsJson, mergeGroundTruth } from './groundTruth';

const S = 60_000;
function series(labels: Record<string, string>, tiers: number[], scores?: number[]): ScoredSeries {
  return {
    key: JSON.stringify(labels),
    labels,
    t: Float64Array.from(tiers, (_, i) => i * S),
    score: Float64Array.from(scores ?? tiers.map((k) => k * 30)),
    tier: Uint8Array.from(tiers),
  };
}
const ss = (x: number) => 2 / (1 + Math.exp(5 * x)) - 1;

//            0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19
const A_TIER = [0, 0, 0, 0, 1, 2, 2, 3, 0, 0, 0, 2, 0, 0, 0, 0, 3, 3, 0, 0];
const A_SCORE = [0, 0, 0, 0, 30, 60, 60, 95, 0, 0, 0, 90, 0, 0, 0, 0, 80, 80, 0, 0];
const truth = mergeGroundTruth(
  parseIncidentsJson({
    incidents: [
      { id: 'inc1', entity: { model: 'a' }, kind: 'latency_spike', start: 3 * S, end: 6 * S },
      { id: 'inc2', entity: { model: 'b' }, kind: 'error_burst', start: 10 * S, end: 12 * S },
    ],
    benign: [{ id: 'dep', entity: { model: 'a' }, kind: 'deploy', start: 11 * S, end: 11 * S + 1 }],
  }),
  parseAnnotations([{ id: 99, time: 16 * S, tags: ['anomalyscore', 'feedback:false-alarm', 'model:a'] }])
);
const all = [series({ model: 'a' }, A_TIER, A_SCORE), series({ model: 'b' }, new Array(20).fill(0))];
const opts = { graceMs: 2 * S, links: { baseUrl: 'https://g.example/', dashboardUID: 'dash', padMs: 0 } };

describe('backtest on hand-made series', () => {
  const report = backtest(all, truth, opts);
  const [watch, review, critical] = report.tiers;

  it('counts alerts, precision, recall, F1 and time to detect per tier', () => {
    expect(report.stepMs).toBe(S);
    expect([report.from, report.to, report.incidents]).toEqual([0, 20 * S, 2]);
    expect([watch.alerts, watch.true_positives, watch.ttd_steps.median]).toEqual([3, 1, 1]);
    expect([review.alerts, review.true_positives, review.false_alarms]).toEqual([3, 1, 2]);
    expect(review.precision).toBeCloseTo(1 / 3, 12);
    expect(review.recall).toBe(0.5);
    expect(review.f1).toBeCloseTo(0.4, 12);
    expect(review.ttd_steps).toEqual({ n: 1, min: 2, median: 2, p90: 2, max: 2 });
    expect(review.ttd_minutes.median).toBe(2);
    expect([critical.alerts, critical.precision, critical.median_ttd_steps]).toEqual([2, 0.5, 4]);
    expect(review.alerts_per_day).toBeCloseTo(3 / (20 / 1440), 9);
    expect(review.missed.map((m) => m.id)).toEqual(['inc2']);
    expect(review.per_kind).toEqual({
      error_burst: { incidents: 1, detected: 0, recall: 0, median_ttd_steps: NaN },
      latency_spike: { incidents: 1, detected: 1, recall: 1, median_ttd_steps: 2 },
    });
  });

  it('counts dismissed alerts (false-alarm feedback) and benign escalations', () => {
    expect(review.dismissed).toBe(1);
    expect(review.dismissed_share).toBeCloseTo(1 / 3, 12);
    expect(review.benign_escalations).toBe(1);
  });

  it('scores NAB-style with incidents as windows and alert onsets as detections', () => {
    // Series a: window rows 3..7 (width 5), onsets 5 (TP), 11 and 16 (FP after the window); series b: a miss.
    const raw = ss(-3 / 5) / ss(-1) + 0.11 * (ss((11 - 7) / 4) + ss((16 - 7) / 4)) - 1;
    expect(review.nab.raw).toBeCloseTo(raw, 12);
    expect(review.nab.score).toBeCloseTo((100 * (raw + 2)) / 4, 9);
  });

  it('lists the worst false alarms, longest and highest, with dashboard links', () => {
    expect(review.longest_false_alarms.map((a) => [a.start / S, a.durationSteps])).toEqual([
      [16, 2],
      [11, 1],
    ]);
    expect(review.highest_false_alarms.map((a) => a.peak)).toEqual([90, 80]);
    expect(review.highest_false_alarms[0].link).toBe('https://g.example/d/dash?from=660000&to=720000&var-model=a');
    expect(review.missed[0].link).toBe('https://g.example/d/dash?from=600000&to=720000&var-model=b');
    expect(dashboardLink({ entityVars: false }, 0, 1)).toBe('/d/anomalyscore?from=-3600000&to=3600001');
  });

  it('counts alert minutes inside and outside the incident windows (no per-signal fields: one bucket)', () => {
    // Review steps of a: 5, 6, 7 inside inc1's window [3, 6 + 2) min; 11, 16, 17 outside.
    expect([review.true_alert_minutes, review.false_alarm_minutes]).toEqual([3, 3]);
    // watch adds step 4 (inside); critical keeps 7 (inside) and 16, 17.
    expect([watch.true_alert_minutes, watch.false_alarm_minutes]).toEqual([4, 3]);
    expect([critical.true_alert_minutes, critical.false_alarm_minutes]).toEqual([1, 2]);
    expect(review.attribution.map((a) => [a.signal, a.false_alarm_minutes, a.true_alert_minutes, a.noisy])).toEqual([
      ['(no per-signal fields)', 3, 3, false],
    ]);
    expect(review.noisy).toEqual([]);
  });

  it('restricts everything to the evaluation range', () => {
    const late = backtest(all, truth, { ...opts, from: 10 * S, to: 20 * S, tiers: ['review'] });
    expect(late.tiers).toHaveLength(1);
    expect([late.incidents, late.tiers[0].alerts, late.tiers[0].precision, late.tiers[0].recall]).toEqual([1, 2, 0, 0]);
  });

  it('renders Markdown and JSON', () => {
    const md = backtestToMarkdown(report);
    expect(md).toContain('| ≥ review | 3 | 33.3% | 50.0% (1/2) | 0.400 |');
    expect(md).toContain('- inc2 error_burst model=b');
    const json = backtestToJson(report) as { tiers: Array<Record<string, unknown>> };
    expect(json.tiers[1].alertList).toBeUndefined();
    expect(json.tiers[1].median_ttd_steps).toBe(2);
    expect(JSON.stringify(json)).not.toContain('NaN');
  });
});

describe('distribution', () => {
  it('gives min, median, p90 (linear interpolation) and max', () => {
    expect(distribution([10, 1, 2, 3, 4, 5, 6, 7, 8, 9, NaN])).toEqual({
      n: 10,
      min: 1,
      median: 5.5,
      p90: 9.1,
      max: 10,
    });
    expect(distribution([]).median).toBeNaN();
  });
});
