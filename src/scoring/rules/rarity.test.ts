/** @jest-environment node */
// The compiled rarity estimator (rarity.ts) against hand-computed answers and against the engine
// (signals/rarity.ts): equal where the rules are exact, within the named approximations elsewhere.
import {
  compiledEmpiricalDecades,
  compiledTailFit,
  promQuantile,
  quadratureNodes,
  rarityPlan,
  MAX_OBSERVED_LEVELS,
  TIE_LEVELS,
} from './rarity';
import {
  EXTRAPOLATION_DECADES,
  fitTail,
  RarityCalibrator,
  raritySeverity,
  TAIL_FRACTION,
  type AscendingValues,
} from '../signals/rarity';
import { mulberry32 } from '../signals/testHelpers';

const MIN = 60_000;
const BLOCK = 5 * MIN;
const DAY = 86_400_000;

function ascending(values: number[]): AscendingValues {
  const v = [...values].sort((a, b) => a - b);
  return { size: v.length, at: (i) => v[i] };
}

/** Quantiles of a distribution at (i + 0.5)/n: a sample with exactly that shape. */
function idealSample(n: number, quantile: (p: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => quantile((i + 0.5) / n));
}

/**
 * A calibrator that has learned `values` as block maxima (no alarms), ready to judge. The values
 * should end with a low one, so that no block is still held back as part of an episode.
 */
function learned(values: number[], cfg: { historyMs: number; rarityMs: number }): RarityCalibrator {
  const cal = new RarityCalibrator({ blockMs: BLOCK, stepMs: MIN, ...cfg });
  values.forEach((v, i) => {
    cal.advance(i * BLOCK);
    cal.observe(v, 0);
  });
  cal.advance(values.length * BLOCK); // closes the last block
  expect(cal.blocks).toBe(Math.min(values.length, Math.ceil(cfg.historyMs / BLOCK)));
  return cal;
}

/** `n` values from `draw`, the last one the smallest (it closes any episode above the threshold). */
function closedHistory(n: number, draw: () => number): number[] {
  const values = Array.from({ length: n - 1 }, draw);
  return [...values, Math.min(...values)];
}

describe('rarityPlan follows the engine calibrator', () => {
  it('block, window, L50, the per-block conversion and the extrapolation allowance', () => {
    const cases = [
      { stepMs: MIN, rarityMs: 30 * DAY, rarityWindowMs: 7 * DAY },
      { stepMs: 30_000, rarityMs: 180 * DAY, rarityWindowMs: 2 * DAY },
      { stepMs: 10 * MIN, rarityMs: 30 * DAY, rarityWindowMs: 3 * DAY },
    ];
    for (const c of cases) {
      const plan = rarityPlan(c.stepMs, c.rarityMs, c.rarityWindowMs, 0);
      const cal = new RarityCalibrator({
        blockMs: BLOCK,
        stepMs: c.stepMs,
        historyMs: c.rarityWindowMs,
        rarityMs: c.rarityMs,
      });
      expect(plan.blockMs).toBe(Math.max(BLOCK, c.stepMs));
      expect(plan.capacity).toBe(Math.ceil(c.rarityWindowMs / plan.blockMs));
      expect(plan.halfDecades).toBeCloseTo(cal.halfDecades, 12);
      expect(plan.perBlockDecades).toBeCloseTo(cal.onsetPointDecades - cal.onsetDecades, 12);
      expect(plan.extrapolation).toBeGreaterThanOrEqual(EXTRAPOLATION_DECADES);
    }
  });

  it('enough top values that the observed frequency below the last one is under the severity onset', () => {
    const plan = rarityPlan(MIN, 30 * DAY, 7 * DAY, 0); // L50 = log10(8640) = 3.94, onset 2.44
    expect(plan.observedLevels).toBe(Math.ceil(2016 / Math.pow(10, Math.log10(8640) - 1.5)));
    expect(Math.log10(plan.capacity / plan.observedLevels)).toBeLessThanOrEqual(plan.halfDecades - 1.5);
    expect(plan.observedCapped).toBe(false);
    // A target barely above the history: more levels than the rules write, said so.
    const tight = rarityPlan(MIN, 2 * 3_600_000, 7 * DAY, 0);
    expect(tight.observedLevels).toBe(MAX_OBSERVED_LEVELS);
    expect(tight.observedCapped).toBe(true);
  });
});

describe("compiledTailFit: the rules' tail fit", () => {
  it('known answers: 1..1000 (threshold the 95 % order statistic, excesses 1..50)', () => {
    const fit = compiledTailFit(ascending(Array.from({ length: 1000 }, (_, i) => i + 1)));
    // floor(0.95·999) = 949: u = 950, 50 values above it, mean excess 25.5.
    expect(fit.anchor).toBe(950);
    expect(fit.exceedances).toBe(50);
    expect(fit.anchorDecades).toBeCloseTo(Math.log10(1000 / 50), 12);
    // a1 by the 16-point midpoint rule on Q(p) = 1 + 49p: (1/16)·Σ (1 − p_k)(1 + 49 p_k) = 8.682617…,
    // times 49/50 plus y_(1)/(2N) = 0.01: 8.51896…; r = 25.5 / (2·8.519) < 2, so ξ = 0 and σ = a0.
    expect(fit.xi).toBe(0);
    expect(fit.sigma).toBeCloseTo(25.5, 12);
    const engine = fitTail(ascending(Array.from({ length: 1000 }, (_, i) => i + 1)));
    expect([engine.anchor, engine.exceedances, engine.xi, engine.sigma]).toEqual([950, 50, 0, 25.5]);
  });

  it('known answers: ties lowered at most TIE_LEVELS values deep (1..100: the engine goes to 90)', () => {
    expect(TIE_LEVELS).toBe(2);
    const values = ascending(Array.from({ length: 100 }, (_, i) => i + 1));
    // floor(0.95·99) = 94: u₀ = 95 with 5 above; lowered to 94 (6 above), then 93 (7 above).
    const fit = compiledTailFit(values);
    expect([fit.anchor, fit.exceedances]).toEqual([93, 7]);
    expect(fit.sigma).toBeCloseTo(4, 12); // mean of 1..7; fewer than 10: ξ = 0
    const engine = fitTail(values);
    expect([engine.anchor, engine.exceedances]).toEqual([90, 10]);
    // A tie needing one step is exact: 1000 values, the top 40 all equal.
    const tied = ascending([...Array.from({ length: 960 }, (_, i) => i / 960), ...Array.from({ length: 40 }, () => 5)]);
    expect(compiledTailFit(tied)).toEqual(fitTail(tied));
  });

  it('PWM by quadrature: the quadrature weights, and ξ within 0.02 of the engine on GPD-shaped tails', () => {
    const nodes = quadratureNodes();
    expect(nodes).toHaveLength(16);
    expect(nodes.reduce((a, n) => a + n.w, 0)).toBeCloseTo(0.5, 12);
    for (const xi of [0.1, 0.3, 0.6]) {
      // Exceedances shaped exactly like a GPD(ξ, 1) above a bulk.
      const tail = idealSample(100, (p) => (Math.pow(1 - p, -xi) - 1) / xi);
      const values = ascending([...idealSample(1900, (p) => -1 + p), ...tail.map((y) => y + 1e-9)]);
      const engine = fitTail(values);
      const compiled = compiledTailFit(values);
      expect(compiled.anchor).toBe(engine.anchor);
      expect(compiled.exceedances).toBe(engine.exceedances);
      expect(Math.abs(compiled.xi - engine.xi)).toBeLessThan(0.02);
      expect(Math.abs(compiled.xi - xi)).toBeLessThan(0.08);
    }
  });

  it('interpolated quantiles as quantile_over_time computes them', () => {
    const v = ascending([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(promQuantile(v, 0.9)).toBeCloseTo(9.1, 12);
    expect(promQuantile(v, 0.25, 4, 4)).toBeCloseTo(5.75, 12); // of 5, 6, 7, 8
    expect(promQuantile(v, 0.5, 10, 0)).toBeNaN();
  });
});

describe('compiledEmpiricalDecades against the engine calibrator', () => {
  const cfg = { historyMs: 7 * DAY, rarityMs: 180 * DAY };
  const plan = rarityPlan(MIN, cfg.rarityMs, cfg.historyMs, 0);

  it('heavy-tailed history: the same rarity within the quadrature error, the same severity to 0.05', () => {
    const rnd = mulberry32(11);
    // |t|-like block maxima: a Pareto tail with ξ ≈ 1/3.
    const values = closedHistory(2016, () => Math.pow(1 - rnd(), -1 / 3) - 1);
    const cal = learned(values, cfg);
    const hist = ascending(values);
    let worst = 0;
    for (const x of [0.5, 1, 2, 3, 5, 8, 13, 21, 50, 200]) {
      const engine = cal.decades(x, Infinity);
      const compiled = compiledEmpiricalDecades(hist, x, plan);
      worst = Math.max(worst, Math.abs(compiled - engine));
      expect(
        Math.abs(raritySeverity(compiled, plan.halfDecades) - raritySeverity(engine, plan.halfDecades))
      ).toBeLessThan(0.05);
    }
    expect(worst).toBeLessThan(0.15);
    expect(worst).toBeGreaterThan(0); // the quadrature is an approximation, and this test would see it go
  });

  it('exact at and below the threshold, above a flat top and on the observed-frequency bound', () => {
    const rnd = mulberry32(3);
    const values = closedHistory(2016, () => rnd());
    const cal = learned(values, cfg);
    const hist = ascending(values);
    const u = fitTail(hist).anchor;
    for (const x of [-1, 0.2, u]) {
      expect(compiledEmpiricalDecades(hist, x, plan)).toBe(cal.decades(x, Infinity));
    }
    // The maximum itself: reached by 1 of n blocks, at most log10(n) rare in both.
    const max = Math.max(...values);
    expect(compiledEmpiricalDecades(hist, max, plan)).toBeCloseTo(cal.decades(max, Infinity), 12);
    expect(compiledEmpiricalDecades(hist, max, plan)).toBeLessThanOrEqual(Math.log10(2016) + 1e-12);
    // A constant history: anything above it is unprecedented (the cap) in both.
    const flat = Array.from({ length: 100 }, () => 2);
    expect(compiledEmpiricalDecades(ascending(flat), 3, plan)).toBeCloseTo(learned(flat, cfg).decades(3, Infinity), 12);
  });
});

describe('the threshold order statistic', () => {
  it('is the largest value not above the interpolated quantile', () => {
    const rnd = mulberry32(5);
    for (const n of [12, 57, 200, 2016]) {
      const values = Array.from({ length: n }, () => Math.round(rnd() * 50) / 10);
      const v = ascending(values);
      const k = Math.floor((1 - TAIL_FRACTION) * (n - 1));
      const q = promQuantile(v, 1 - TAIL_FRACTION);
      const largestNotAbove = Math.max(...values.filter((x) => x <= q));
      expect(largestNotAbove).toBe(v.at(k));
    }
  });
});
