/** @jest-environment node */
import { healthyCondition, injectAnomaly, type Condition } from './anomalies';
import { buildCalibrationInput, CALIBRATION_LE, calibrationLayout, COARSE_CALIBRATION_LE } from './calibrationSeries';
import { SERIES_ORIGIN_MS, type SeriesContext } from './series';

const N = 1440;
const START = 720;
const context = (condition: Condition = healthyCondition(N)): SeriesContext => ({
  seed: 4,
  startMs: SERIES_ORIGIN_MS,
  n: N,
  stepMs: 60_000,
  condition,
});
type Input = ReturnType<typeof buildCalibrationInput>;
/** Per-bin totals and correct counts over rows [from, to) (bin masses from cumulative edges). */
function bins(input: Input, from: number, to: number): Array<{ n: number; correct: number }> {
  return Array.from(input.le, (_, b) => {
    let n = 0;
    let correct = 0;
    for (let i = from; i < to; i++) {
      n += input.total[b][i] - (b > 0 ? input.total[b - 1][i] : 0);
      correct += input.correct[b][i] - (b > 0 ? input.correct[b - 1][i] : 0);
    }
    return { n, correct };
  });
}

describe('calibration series', () => {
  it('a healthy model is calibrated: accuracy in a bucket lies inside that bucket', () => {
    const c = buildCalibrationInput('gaussian', context());
    expect(Array.from(c.le)).toEqual(CALIBRATION_LE);
    const b = bins(c, 0, N);
    for (const [index, lo, hi] of [
      [5, 0.5, 0.6],
      [7, 0.7, 0.8],
      [8, 0.8, 0.9],
    ]) {
      const acc = b[index].correct / b[index].n;
      expect(acc).toBeGreaterThan(lo);
      expect(acc).toBeLessThan(hi);
    }
    expect(calibrationLayout('histogram_quantile')).toEqual(COARSE_CALIBRATION_LE);
  });

  it('a level shift lowers accuracy by 8 points at the same confidences', () => {
    const c = buildCalibrationInput('gaussian', context(injectAnomaly('level_shift', START, N).condition));
    const acc = (x: Array<{ n: number; correct: number }>) => x[8].correct / x[8].n;
    expect(acc(bins(c, 0, START)) - acc(bins(c, START, N))).toBeCloseTo(0.08, 1);
  });

  it('over-confidence moves predictions to the top bucket without making them more accurate', () => {
    const c = buildCalibrationInput('gaussian', context(injectAnomaly('distribution_shift', START, N).condition));
    const before = bins(c, 0, START);
    const after = bins(c, START, N);
    const top = (x: Array<{ n: number; correct: number }>) => x[9].n / x.reduce((a, y) => a + y.n, 0);
    expect(top(after)).toBeGreaterThan(top(before) + 0.1);
    const overall = (x: Array<{ n: number; correct: number }>) =>
      x.reduce((a, y) => a + y.correct, 0) / x.reduce((a, y) => a + y.n, 0);
    expect(overall(after)).toBeCloseTo(overall(before), 1);
  });
});
