/** @jest-environment node */
import { POINT_MISSING, POINT_OK, POINT_WARMING_UP } from '../types';
import { binMidpoints, expectedCalibrationError } from './calibration';
import { runDetector } from './registry';
import { calibrationInput, invariantViolation, STEP_MS } from './testHelpers';

const opts = { stepMs: STEP_MS };
const LE = [0.5, 0.8, Infinity];
// Bins n = 100/400/500, correct = 50/200/450 -> accuracy .5/.5/.9 against midpoints .25/.65/.9.
const TOTAL = [100, 500, 1000];
const CORRECT = [50, 250, 700];

describe('calibration', () => {
  it('midpoints: lower edge 0 for the first bin, upper edge 1 for +Inf', () => {
    expect(Array.from(binMidpoints(LE))).toEqual([0.25, 0.65, 0.9]);
    expect(Array.from(binMidpoints([0.5, 1, Infinity]))).toEqual([0.25, 0.75, 1]);
  });

  it('known answer: ECE = sum n_b/N |acc_b - conf_b|', () => {
    // (100 * |0.5 - 0.25| + 400 * |0.5 - 0.65| + 500 * |0.9 - 0.9|) / 1000 = (25 + 60) / 1000
    expect(expectedCalibrationError([100, 400, 500, 50, 200, 450], [0.25, 0.65, 0.9])).toBeCloseTo(0.085, 15);
    expect(expectedCalibrationError([0, 0, 0, 0], [0.25, 0.75])).toBeNaN();
  });

  it('absolute mode through the detector, noise subtracted', () => {
    const r = runDetector(
      'calibration',
      { severity: 'ramp', reference: 'absolute', window: 1, minCount: 100 },
      opts,
      calibrationInput(LE, [TOTAL], [CORRECT])
    );
    expect(r.status[0]).toBe(POINT_OK);
    expect(r.statistic[0]).toBeCloseTo(0.085, 15);
    expect(r.expected[0]).toBe(0);
    // noise = (sqrt(2/pi*100*.1875) + sqrt(2/pi*400*.2275) + sqrt(2/pi*500*.09)) / 1000 = 0.0164186
    // severity = ramp(0.085 - 0.0164186, 0.03, 0.15)
    expect(r.severity[0]).toBeCloseTo(0.24363957548885373, 10);
  });

  it('baseline mode judges the change of ECE; warm-up and min count', () => {
    const calibrated = [100, 500, 1000].map((x) => x); // same totals
    const calibratedCorrect = [25, 285, 735]; // acc .25/.65/.9 -> ECE 0
    const r = runDetector(
      'calibration',
      { severity: 'ramp', window: 1, baseline: 2, warmup: 2, minCount: 100 },
      opts,
      calibrationInput(
        LE,
        [calibrated, calibrated, calibrated, TOTAL, [1, 2, 3]],
        [calibratedCorrect, calibratedCorrect, calibratedCorrect, CORRECT, [1, 1, 1]]
      )
    );
    expect(r.status[0]).toBe(POINT_WARMING_UP);
    expect(r.status[1]).toBe(POINT_WARMING_UP);
    expect(r.severity[1]).toBeNaN();
    expect(r.status[2]).toBe(POINT_OK);
    expect(r.statistic[2]).toBeCloseTo(0, 15);
    expect(r.severity[2]).toBe(0);
    expect(r.expected[3]).toBeCloseTo(0, 15);
    expect(r.statistic[3]).toBeCloseTo(0.085, 15);
    expect(r.severity[3]).toBeCloseTo(0.24363957548885373, 10);
    expect(r.status[4]).toBe(POINT_MISSING); // 3 predictions < minCount
    expect(invariantViolation(r)).toBeUndefined();
  });

  it('an improving calibration does not count with the default direction up', () => {
    const good = [25, 285, 735];
    const r = runDetector(
      'calibration',
      { severity: 'ramp', window: 1, baseline: 1, warmup: 1, minCount: 100 },
      opts,
      calibrationInput(LE, [TOTAL, TOTAL], [CORRECT, good])
    );
    expect(r.expected[1]).toBeCloseTo(0.085, 15);
    expect(r.severity[1]).toBe(0);
    const both = runDetector(
      'calibration',
      { severity: 'ramp', window: 1, baseline: 1, warmup: 1, minCount: 100 },
      { ...opts, direction: 'both' },
      calibrationInput(LE, [TOTAL, TOTAL], [CORRECT, good])
    );
    expect(both.severity[1]).toBeGreaterThan(0);
  });
});
