/** @jest-environment node */
import {
  DEFAULT_BLOCK,
  fitTail,
  MIN_HISTORY_BLOCKS,
  RarityCalibrator,
  raritySeverity,
  severityDecades,
  sortedQuantile,
  tailDecades,
  tailQuantile,
} from './rarity';
import { SortedWindow } from '../util/sortedWindow';
import { durationToMs } from '../util/duration';
import { mulberry32 } from './testHelpers';
import { inverseSmoothstep } from '../util/smoothstep';

const LN10 = Math.LN10;
const MIN = 60_000;
const DAY = 86_400_000;

function sorted(values: number[]): SortedWindow {
  const w = new SortedWindow(values.length);
  values.forEach((v) => w.insert(v));
  return w;
}

/** The ideal sample of a distribution: its quantiles at (i + 0.5)/n, ascending. */
function idealSample(n: number, quantile: (p: number) => number): { size: number; at(i: number): number } {
  const values = Array.from({ length: n }, (_, i) => quantile((i + 0.5) / n));
  return { size: n, at: (i) => values[i] };
}

describe('tail fit: peaks over the 95 % threshold, GPD by probability-weighted moments', () => {
  it('quantiles interpolate linearly at rank p·(n − 1), as Prometheus quantile_over_time does', () => {
    const w = sorted([5, 1, 3, 2, 4, 6, 8, 7, 10, 9]);
    expect(sortedQuantile(w, 0.9)).toBeCloseTo(9.1, 12);
    expect(sortedQuantile(w, 0.5)).toBeCloseTo(5.5, 12);
    expect(sortedQuantile(w, 1)).toBe(10);
    expect(sortedQuantile(sorted([]), 0.5)).toBeNaN();
  });

  it('an exponential tail P(X > x) = e^−x: ξ ≈ 0, σ ≈ 1, L(x) ≈ x / ln 10', () => {
    const fit = fitTail(idealSample(20_000, (p) => -Math.log(1 - p)));
    expect(fit.xi).toBeLessThan(0.02);
    expect(fit.sigma).toBeCloseTo(1, 1);
    expect(fit.anchorDecades).toBeCloseTo(Math.log10(20), 2);
    for (const x of [6, 9, 12]) {
      expect(tailDecades(fit, x)).toBeCloseTo(x / LN10, 1);
      expect(tailQuantile(fit, tailDecades(fit, x))).toBeCloseTo(x, 9);
    }
  });

  it('a Pareto tail P(X > x) = x^−2: ξ ≈ 1/2 and L(x) ≈ 2·log10 x, far beyond the data', () => {
    const fit = fitTail(idealSample(20_000, (p) => Math.pow(1 - p, -1 / 2)));
    expect(fit.xi).toBeCloseTo(0.5, 1);
    for (const x of [100, 1000]) {
      expect(Math.abs(tailDecades(fit, x) - 2 * Math.log10(x))).toBeLessThan(0.15);
    }
  });

  it('a light tail (Gaussian) keeps ξ = 0: conservative, never claims more than it knows', () => {
    // |z| of N(0, 1): P(|Z| > z) = 2Q(z); the exponential fit calls z = 5 less rare than it is.
    const fit = fitTail(idealSample(4000, (p) => inverseTwoSidedNormal(1 - p)));
    expect(fit.xi).toBe(0);
    const exact = -Math.log10(2 * 2.866515718791939e-7);
    expect(tailDecades(fit, 5)).toBeLessThan(exact);
    expect(tailDecades(fit, 5)).toBeGreaterThan(exact - 2);
  });

  it('ties are exact and a flat top is unprecedented above it; claims stop at the cap', () => {
    // 99 % zeros: the threshold is 0, one block in 100 exceeds it.
    const mostlyZero = fitTail(idealSample(1000, (p) => (p < 0.99 ? 0 : 1 + (p - 0.99) * 100)));
    expect(mostlyZero.anchor).toBe(0);
    expect(mostlyZero.anchorDecades).toBeCloseTo(2, 12);
    const allZero = fitTail(idealSample(1000, () => 0));
    expect(tailDecades(allZero, 0)).toBe(0);
    expect(tailDecades(allZero, 1e-9)).toBe(allZero.cap);
    expect(allZero.cap).toBeCloseTo(Math.log10(1000) + 3, 12);
    const fit = fitTail(idealSample(100, (p) => p));
    expect(tailDecades(fit, 1e9)).toBe(fit.cap);
    // A quantised statistic whose top is tied (lags in whole minutes: 5 % of blocks at 6 min, the
    // rest at 5): the threshold drops to 5 min, so 7 min is one step beyond a known tail, not
    // "unprecedented".
    const quantised = fitTail(idealSample(2000, (p) => (p < 0.95 ? 300 : 360)));
    expect(quantised.anchor).toBe(300);
    expect(quantised.exceedances).toBe(100);
    expect(tailDecades(quantised, 420)).toBeCloseTo(Math.log10(20) + 120 / (60 * LN10), 9);
    // The allowed extrapolation is a parameter of the fit.
    expect(
      fitTail(
        idealSample(100, (p) => p),
        5
      ).cap
    ).toBeCloseTo(7, 12);
    expect(tailQuantile(fit, fit.cap)).toBe(Infinity);
  });
});

/** z with P(|Z| > z) = q, by bisection on the complementary error function's series-free form. */
function inverseTwoSidedNormal(q: number): number {
  let lo = 0;
  let hi = 40;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (erfc(mid / Math.SQRT2) > q) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return (lo + hi) / 2;
}

/** erfc by Numerical Recipes' Chebyshev fit (a second, independent copy for the test's oracle). */
function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const p =
    -x * x -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * Math.exp(p);
}

describe('severity from decades', () => {
  it('is 0.5 at the target, 0 and 1 at ±1.5 decades, and inverts', () => {
    expect(raritySeverity(4, 4)).toBeCloseTo(0.5, 12);
    expect(raritySeverity(2.5, 4)).toBe(0);
    expect(raritySeverity(5.5, 4)).toBe(1);
    expect(raritySeverity(NaN, 4)).toBeNaN();
    for (const s of [0.1, 0.25, 0.5, 0.75, 0.9]) {
      expect(raritySeverity(severityDecades(s, 4), 4)).toBeCloseTo(s, 10);
      const u = inverseSmoothstep(s);
      expect(u * u * (3 - 2 * u)).toBeCloseTo(s, 12);
    }
  });
});

/** One point per 5-minute block, so every point is a block maximum. */
function calibrator(rarity: string, window = '7d'): RarityCalibrator {
  return new RarityCalibrator({
    blockMs: durationToMs(DEFAULT_BLOCK),
    stepMs: 5 * MIN,
    historyMs: durationToMs(window),
    rarityMs: durationToMs(rarity),
  });
}

/** Feeds x[i] at 5-minute steps with an ideal model that never objects; returns the severities. */
function feed(cal: RarityCalibrator, xs: ArrayLike<number>): Float64Array {
  const out = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    cal.advance(i * 5 * MIN);
    const s = cal.severity(cal.decades(xs[i], Infinity));
    cal.observe(xs[i], s === s ? s : 0);
    out[i] = s;
  }
  return out;
}

describe('RarityCalibrator', () => {
  it('warms up for 12 blocks, then judges', () => {
    const s = feed(
      calibrator('1d'),
      Array.from({ length: 20 }, (_, i) => i % 3)
    );
    expect(Array.from(s.subarray(0, MIN_HISTORY_BLOCKS)).every((x) => Number.isNaN(x))).toBe(true);
    expect(s[MIN_HISTORY_BLOCKS]).toBe(0);
  });

  it('is calibrated on any tail shape: severity >= 0.5 about once per `rarity` of healthy data', () => {
    // 60 days at 5 min, target once per day: about 60 − 7 (warm-up week skipped) alarms expected.
    const n = (60 * DAY) / (5 * MIN);
    const shapes: Record<string, (u: number) => number> = {
      exponential: (u) => -Math.log(1 - u),
      pareto_1_5: (u) => Math.pow(1 - u, -1 / 1.5),
      halfnormal_quantised: (u) => Math.round(4 * Math.sqrt(-2 * Math.log(1 - u))) / 4,
    };
    for (const [name, inv] of Object.entries(shapes)) {
      const rand = mulberry32(11);
      const xs = Float64Array.from({ length: n }, () => inv(rand()));
      const s = feed(calibrator('1d'), xs);
      let alarms = 0;
      for (let i = (7 * DAY) / (5 * MIN); i < n; i++) {
        alarms += s[i] >= 0.5 ? 1 : 0;
      }
      // Within a factor of ~4 of the 53 expected, on every shape (a fixed ramp is off by orders of
      // magnitude between these shapes).
      expect([name, alarms >= 12 && alarms <= 200]).toEqual([name, true]);
    }
  });

  it('a sustained alarm stays out of the history (the tier holds) until it lasts a day', () => {
    const cal = calibrator('30d');
    const rand = mulberry32(5);
    feed(
      cal,
      Float64Array.from({ length: 2016 }, () => -Math.log(1 - rand()))
    );
    const before = cal.tail!;
    // Twelve hours of an extreme value: severity stays high, the tail is unchanged.
    const extreme = feed(cal, new Float64Array(144).fill(50));
    expect(Array.from(extreme).every((s) => s > 0.9)).toBe(true);
    // At most the healthy blocks still open or held when it started have entered since.
    expect(cal.tail!.n).toBeLessThanOrEqual(before.n + 2);
    expect(cal.tail!.sigma).toBeCloseTo(before.sigma, 1);
    // Past a day it is learnt as the new normal and fades.

    const longer = feed(cal, new Float64Array(288 * 3).fill(50));
    expect(longer[longer.length - 1]).toBe(0);
  });

  it('alarm episodes stay out (a second incident is still rare); a third within the window lets them all in', () => {
    const cal = calibrator('30d');
    const rand = mulberry32(6);
    const healthy = () => Float64Array.from({ length: 288 }, () => -Math.log(1 - rand()));
    for (let d = 0; d < 7; d++) {
      feed(cal, healthy());
    }
    const episodes: number[] = [];
    for (let k = 0; k < 4; k++) {
      episodes.push(feed(cal, new Float64Array(24).fill(14))[0]);
      feed(cal, healthy());
    }
    expect(episodes[0]).toBeGreaterThan(0.9);
    expect(episodes[1]).toBe(episodes[0]); // the first one was kept out
    expect(episodes[2]).toBeGreaterThan(0.9);
    expect(episodes[3]).toBeLessThan(episodes[0]); // after the third, all three were learnt
  });

  it('a slow rise above the threshold is held back while it lasts, so it is not learnt before it alarms', () => {
    const cal = calibrator('30d');
    const rand = mulberry32(8);
    for (let d = 0; d < 7; d++) {
      feed(
        cal,
        Float64Array.from({ length: 288 }, () => -Math.log(1 - rand()))
      );
    }
    const u = cal.tail!.anchor;
    // Rises from the threshold to far beyond it over 6 hours.
    const ramp = feed(
      cal,
      Float64Array.from({ length: 72 }, (_, i) => u + (i / 72) * 20)
    );
    expect(cal.tail!.anchor).toBeCloseTo(u, 6);
    expect(ramp[ramp.length - 1]).toBeGreaterThan(0.9);
  });

  it('an isolated extreme is learnt: a value that keeps recurring stops being an alarm', () => {
    const cal = calibrator('30d');
    const rand = mulberry32(9);
    const xs = Float64Array.from({ length: 288 * 14 }, (_, i) => (i % 50 === 49 ? 20 : -Math.log(1 - rand())));
    const s = feed(cal, xs);
    const late = Array.from(s.subarray(288 * 8)).filter((_, i) => (i + 288 * 8) % 50 === 49);
    expect(late.every((x) => x < 0.5)).toBe(true);
  });
});

describe('the observed-frequency bound', () => {
  it('never calls a value rarer than the share of history blocks that reached it', () => {
    // History: 2016 blocks, 14 of them at 9 (a rare second component), the rest exponential.
    const cal = calibrator('30d');
    const rand = mulberry32(21);
    const xs = Float64Array.from({ length: 2016 }, (_, i) => (i % 144 === 0 ? 9 : -Math.log(1 - rand())));
    feed(cal, xs);
    const bound = Math.log10(cal.blocks / 14);
    expect(cal.decades(9, Infinity)).toBeLessThanOrEqual(bound + 1e-12);
    expect(tailDecades(cal.tail!, 9)).toBeGreaterThan(bound); // the fit alone would say rarer
  });
});
