/** @jest-environment node */
import { POINT_MISSING, POINT_OK, POINT_WARMING_UP } from '../../types';
import { alertRuns, highSeverityCount, injectionOutcome, onsetsBetween, type AnomalyWindow } from './measure';

const STEP = 60_000;
const times = (n: number) => Float64Array.from({ length: n }, (_, i) => i * STEP);
const tiers = (s: string) => Uint8Array.from(s, (c) => Number(c));

describe('healthy measurements', () => {
  it('counts only judged points after the start, severity ≥ 0.5 as high', () => {
    const t = times(6);
    const severity = Float64Array.from([0.9, 0.5, 0.49, NaN, 0.7, 1]);
    const status = Uint8Array.from([POINT_OK, POINT_OK, POINT_OK, POINT_WARMING_UP, POINT_OK, POINT_MISSING]);
    expect(highSeverityCount(t, severity, status, 1 * STEP)).toEqual({ judged: 3, high: 2 });
    expect(highSeverityCount(t, severity, status, 0)).toEqual({ judged: 4, high: 3 });
  });

  it('alert runs are maximal runs at ≥ review; onsets count the runs that begin in the period', () => {
    const tier = tiers('0223001201330');
    expect(alertRuns(tier)).toEqual([
      { start: 1, end: 4 },
      { start: 7, end: 8 },
      { start: 10, end: 12 },
    ]);
    expect(alertRuns(tier, 3)).toEqual([
      { start: 3, end: 4 },
      { start: 10, end: 12 },
    ]);
    const t = times(tier.length);
    expect(onsetsBetween(t, tier, 0, Infinity)).toBe(3);
    expect(onsetsBetween(t, tier, 2 * STEP, Infinity)).toBe(2); // the run begun at row 1 is not new
    expect(onsetsBetween(t, tiers('222'), 0, Infinity)).toBe(1); // open at both ends
  });
});

describe('injection outcome', () => {
  const window = (start: number, end: number, settled: number): AnomalyWindow => ({
    startMs: start * STEP,
    endMs: end * STEP,
    graceMs: 2 * STEP,
    settledMs: settled * STEP,
    stepMs: STEP,
    settleSteps: 3,
  });

  it('detection, time to detect, hold and fade of an alert that holds', () => {
    //            0123456789012345
    const tier = tiers('0000112222210000');
    const o = injectionOutcome(times(tier.length), tier, window(4, 10, 4));
    expect(o.detected).toBe(true);
    expect(o.ttdSteps).toBe(2); // first ≥ review at row 6
    expect(o.onsets).toBe(1);
    expect(o.holdShare).toBe(1); // rows 6..9 all ≥ review
    expect(o.fadeSteps).toBe(8); // ok from row 12 for 3 steps: 12 − 4
  });

  it('re-firing counts every alert run overlapping the window, and lowers the hold', () => {
    const tier = tiers('00002020202000000');
    const o = injectionOutcome(times(tier.length), tier, window(4, 10, 4));
    expect(o.onsets).toBe(4);
    expect(o.holdShare).toBeCloseTo(3 / 6, 12); // rows 4..9: 2,0,2,0,2,0
    expect(o.ttdSteps).toBe(0);
  });

  it('a detection in the grace period has no hold share; an alert after the grace is a miss', () => {
    const late = tiers('000000000002000000');
    const inGrace = injectionOutcome(times(late.length), late, window(4, 10, 4));
    expect(inGrace.detected).toBe(true);
    expect(inGrace.holdShare).toBeNaN();
    const missed = tiers('000000000000200000');
    const o = injectionOutcome(times(missed.length), missed, window(4, 10, 4));
    expect(o).toEqual({ detected: false, ttdSteps: NaN, onsets: 0, holdShare: NaN, fadeSteps: NaN });
  });

  it('fade is censored (Infinity) when the tier never stays ok long enough', () => {
    const tier = tiers('0000222222222001');
    expect(injectionOutcome(times(tier.length), tier, window(4, 10, 4)).fadeSteps).toBe(Infinity);
  });

  it('uses time, not row numbers, on irregular rows', () => {
    const t = Float64Array.from([0, 1, 2, 3, 4.5, 5, 6.5, 7, 8, 9, 10, 11].map((x) => x * STEP));
    const tier = tiers('000002200000');
    const o = injectionOutcome(t, tier, window(4, 6, 4));
    expect(o.ttdSteps).toBe(1); // row 5 at t = 5 steps
  });
});
