/** @jest-environment node */
import {
  evaluateCorpus,
  NAB_PROFILES,
  normaliseScore,
  optimiseThreshold,
  prepareSeries,
  probationaryLength,
  scaledSigmoid,
  scoreSeries,
  sweepThresholds,
  TimeWindow,
} from './nab';

const MIN = 60_000;
const N = 100;
const t = Float64Array.from({ length: N }, (_, i) => i * MIN);
// Window over rows 40..59 (width 20); probation = floor(0.15 * 100) = 15 rows.
const win: TimeWindow[] = [{ start: 40 * MIN, end: 59 * MIN }];
const std = NAB_PROFILES.standard;

function detectAt(...rows: number[]): Float64Array {
  const s = new Float64Array(N);
  for (const r of rows) {
    s[r] = 1;
  }
  return s;
}

function raw(scores: Float64Array, profile = std, windows = win): number {
  return scoreSeries(prepareSeries('f', t, windows), scores, 0.5, profile).raw;
}

describe('NAB constants', () => {
  it('matches NAB profiles and probation', () => {
    expect(NAB_PROFILES.standard).toEqual({ tpWeight: 1, fpWeight: 0.11, fnWeight: 1, tnWeight: 1 });
    expect(NAB_PROFILES.reward_low_FP.fpWeight).toBe(0.22);
    expect(NAB_PROFILES.reward_low_FN.fnWeight).toBe(2);
    expect(probationaryLength(100)).toBe(15);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(22695)).toBe(750);
  });

  it('scaled sigmoid: +0.98661 at -1, 0 at 0, -1 from 3', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3)).toBe(-1);
  });
});

describe('NAB single-window known answers (standard profile)', () => {
  it('detection on the window start earns exactly A_TP', () => {
    expect(raw(detectAt(40))).toBeCloseTo(1, 12);
  });

  it('detection on the window end earns scaledSigmoid(-1/width)/scaledSigmoid(-1)', () => {
    const expected = Math.tanh(2.5 / 20) / Math.tanh(2.5);
    expect(raw(detectAt(59))).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(0.12604, 4);
  });

  it('only the earliest detection in a window counts', () => {
    expect(raw(detectAt(50, 41, 59))).toBeCloseTo(Math.tanh((2.5 * 19) / 20) / Math.tanh(2.5), 12);
  });

  it('no detection: -A_FN', () => {
    expect(raw(new Float64Array(N))).toBe(-1);
  });

  it('detection before any window: -A_FP, plus the missed window', () => {
    expect(raw(detectAt(20))).toBeCloseTo(-1 - 0.11, 12);
  });

  it('detection after a window costs less the closer it follows it', () => {
    const q = (70 - 59) / 19;
    expect(raw(detectAt(40, 70))).toBeCloseTo(1 - 0.11 * Math.tanh(2.5 * q), 12);
    expect(raw(detectAt(40, 60))).toBeGreaterThan(raw(detectAt(40, 70)));
    expect(raw(detectAt(40, 99))).toBeCloseTo(1 - 0.11 * Math.tanh((2.5 * 40) / 19), 12);
    // Three or more (width - 1) spans after the window: the full -A_FP.
    const long = Float64Array.from({ length: 200 }, (_, i) => i * MIN);
    const s = new Float64Array(200);
    s[40] = 1;
    s[59 + 57] = 1;
    expect(scoreSeries(prepareSeries('f', long, win), s, 0.5, std).raw).toBeCloseTo(1 - 0.11, 12);
  });

  it('probationary rows are ignored', () => {
    expect(raw(detectAt(3, 14))).toBe(-1);
    const r = scoreSeries(prepareSeries('f', t, win), detectAt(3, 14, 40), 0.5, std);
    expect(r.detections).toEqual([40]);
    expect(r.fp).toBe(0);
  });

  it('a window inside the probationary period is not counted', () => {
    const early: TimeWindow[] = [{ start: 2 * MIN, end: 10 * MIN }];
    const p = prepareSeries('f', t, early);
    expect(p.windows[0].counted).toBe(false);
    expect(scoreSeries(p, new Float64Array(N), 0.5, std).raw).toBe(0);
  });

  it('profiles weight FP and FN', () => {
    expect(raw(detectAt(20), NAB_PROFILES.reward_low_FP)).toBeCloseTo(-1.22, 12);
    expect(raw(detectAt(20), NAB_PROFILES.reward_low_FN)).toBeCloseTo(-2.11, 12);
  });

  it('per-window results report the first detection', () => {
    const r = scoreSeries(prepareSeries('f', t, win), detectAt(45), 0.5, std);
    expect(r.windows).toHaveLength(1);
    expect(r.windows[0].firstDetection).toBe(45);
    expect(r.windows[0].rowsAfterStart).toBe(5);
    expect(r.windows[0].detectedAt).toBe(45 * MIN);
    expect(r.tp).toBe(1);
    expect(r.fn).toBe(0);
  });

  it('rejects a score array of the wrong length', () => {
    expect(() => scoreSeries(prepareSeries('f', t, win), new Float64Array(3), 0.5, std)).toThrow(/3 scores/);
  });
});

describe('normalisation and threshold optimisation', () => {
  it('normalises raw between null (0) and perfect (100)', () => {
    expect(normaliseScore(-3, -3, 3)).toBe(0);
    expect(normaliseScore(3, -3, 3)).toBe(100);
    expect(normaliseScore(0, -3, 3)).toBe(50);
  });

  const corpus = [
    { name: 'a', t, scores: detectAt(40), windows: win },
    { name: 'b', t, scores: detectAt(70), windows: [{ start: 70 * MIN, end: 80 * MIN }] },
    { name: 'c', t, scores: new Float64Array(N), windows: [] },
  ];

  it('a perfect detector scores 100 and the null detector 0 under every profile', () => {
    const perfect = evaluateCorpus(corpus, NAB_PROFILES);
    for (const p of Object.values(perfect)) {
      expect(p.score).toBeCloseTo(100, 10);
    }
    const nul = evaluateCorpus(
      corpus.map((c) => ({ ...c, scores: new Float64Array(N) })),
      NAB_PROFILES
    );
    for (const p of Object.values(nul)) {
      expect(p.score).toBe(0);
      expect(p.threshold).toBe(Infinity);
    }
  });

  it('picks the corpus threshold that maximises the score', () => {
    // A true detection scored 0.6 and a false alarm scored 0.9: the best threshold is 0.6
    // only if the TP reward beats the FP cost (it does: +2 vs -0.11).
    const s = new Float64Array(N);
    s[40] = 0.6;
    s[95] = 0.9;
    const preps = [prepareSeries('a', t, win)];
    const best = optimiseThreshold(preps, [s], std);
    expect(best.threshold).toBe(0.6);
    expect(best.raw).toBeCloseTo(1 - 0.11 * Math.tanh((2.5 * 36) / 19), 12);
    const sweep = sweepThresholds(preps, [s], std);
    expect(sweep.map((p) => p.threshold)).toEqual([Infinity, 0.9, 0.6, 0]);
    // Threshold 0 turns every scorable row into a detection: many FPs.
    expect(sweep[3].raw).toBeLessThan(-1);
  });

  it('sweep agrees with direct scoring at each threshold', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const s = Float64Array.from({ length: N }, () => Math.round(rnd() * 20) / 20);
    const prep = prepareSeries('a', t, win);
    for (const pt of sweepThresholds([prep], [s], std)) {
      expect(scoreSeries(prep, s, pt.threshold, std).raw).toBeCloseTo(pt.raw, 10);
    }
  });
});
