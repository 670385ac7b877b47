/** @jest-environment node */
import { alertRuns, evaluateIncidents, median, ScoredEntity } from './incidents';

const STEP = 60_000;
function entity(key: string, tiers: number[]): ScoredEntity {
  return { key, t: Float64Array.from(tiers, (_, i) => i * STEP), tier: Uint8Array.from(tiers) };
}

describe('alertRuns', () => {
  it('finds runs at or above the tier, including one open at the end', () => {
    expect(alertRuns(entity('a', [0, 2, 3, 1, 2, 2]), 2)).toEqual([
      [STEP, 2 * STEP],
      [4 * STEP, 5 * STEP],
    ]);
  });
});

describe('evaluateIncidents', () => {
  const opts = { minTier: 2, stepMs: STEP, graceMs: 2 * STEP };

  it('measures recall, time to detect, precision and benign escalations', () => {
    const a = entity('a', [0, 0, 0, 1, 2, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0]);
    const b = entity('b', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const incidents = [
      { entity: 'a', kind: 'latency_spike', start: 2 * STEP, end: 6 * STEP }, // detected at 4: ttd 2
      { entity: 'b', kind: 'latency_spike', start: 2 * STEP, end: 6 * STEP }, // missed
      { entity: 'a', kind: 'error_burst', start: 7 * STEP, end: 8 * STEP }, // alert at 10 is within grace? 8+2=10: no
    ];
    const benign = [{ entity: 'a', kind: 'deploy', start: 10 * STEP, end: 11 * STEP }];
    const r = evaluateIncidents([a, b], incidents, benign, opts);
    expect(r.outcomes.map((o) => o.ttdSteps)).toEqual([2, NaN, NaN]);
    expect(r.recall).toBeCloseTo(1 / 3, 12);
    expect(r.per_kind.latency_spike).toEqual({ incidents: 2, detected: 1, recall: 0.5, median_ttd_steps: 2 });
    expect(r.per_kind.error_burst.recall).toBe(0);
    // Alerts: [4,5] TP; [10] benign FP; [15] FP.
    expect(r.alerts.map((x) => [x.start / STEP, x.truePositive, x.benign])).toEqual([
      [4, true, false],
      [10, false, true],
      [15, false, false],
    ]);
    expect(r.precision).toBeCloseTo(1 / 3, 12);
    expect(r.benign_escalations).toBe(1);
  });

  it('gives ttd 0 when the alert was already open at the start', () => {
    const r = evaluateIncidents([entity('a', [0, 2, 2, 2, 0])], [{ entity: 'a', kind: 'x', start: 2 * STEP, end: 3 * STEP }], [], opts);
    expect(r.outcomes[0].ttdSteps).toBe(0);
  });

  it('median handles even counts and NaN', () => {
    expect(median([3, 1, NaN, 2, 4])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
