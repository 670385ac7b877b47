/** @jest-environment node */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import {
  alertScore,
  combineEvidence,
  inputGroup,
  nabEvidence,
  NabSpec,
  parseNabSpec,
  scoreNabSeries,
  signalStatistic,
} from './nabDetector';
import { recordEvidence } from './nabRarity';

const STEP = 300_000;
const globalSpec = parseNabSpec(
  parseYaml(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'nab', 'spec.yaml'), 'utf8'))
);

function gaussianNoise(n: number, seed: number): Float64Array {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return Float64Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

const times = (n: number) => Float64Array.from({ length: n }, (_, i) => i * STEP);
const maxOver = (a: Float64Array, lo: number, hi: number) => Math.max(...Array.from(a.slice(lo, hi)));

describe('NAB signal statistic (engine robust_z)', () => {
  it('is |robust z| against the previous `window` rows, the current row excluded', () => {
    const t = Float64Array.from({ length: 11 }, (_, i) => i * 60_000);
    const x = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]);
    const z = signalStatistic(t, x, { id: 'v', input: 'value', window: 10, smooth: 1 });
    // Warm-up: the engine's 20 valid points, capped at the window.
    expect(Number.isNaN(z[9])).toBe(true);
    // median 5.5, MAD 2.5 -> z = 94.5 / (1.4826 * 2.5)
    expect(z[10]).toBeCloseTo(94.5 / (1.482602218505602 * 2.5), 10);
    const dip = signalStatistic(t, Float64Array.from([...x.slice(0, 10), -89]), {
      id: 'v',
      input: 'value',
      window: 10,
      smooth: 1,
    });
    expect(dip[10]).toBeCloseTo(z[10], 10);
  });

  it('seasonal input: value minus the value one period earlier, smoothed', () => {
    const n = 200;
    const t = Float64Array.from({ length: n }, (_, i) => i * 60_000);
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * i) / 60) * 10 + (i % 3) * 0.01);
    x[150] += 5;
    const z = signalStatistic(t, x, {
      id: 's',
      input: 'seasonal',
      period: 3_600_000,
      tolerance: 60_000,
      window: 50,
      smooth: 1,
    });
    expect(Number.isNaN(z[59])).toBe(true); // no row one hour earlier yet
    const others = Array.from(z.slice(100)).filter((v, i) => i + 100 !== 150 && i + 100 !== 210 && Number.isFinite(v));
    expect(z[150]).toBeGreaterThan(10 * Math.max(...others));
  });
});

describe('NAB spec', () => {
  it('reads nab/spec.yaml: seven signals on four inputs, rarity and onset set', () => {
    expect(globalSpec.signals).toHaveLength(7);
    expect(new Set(globalSpec.signals.map(inputGroup)).size).toBe(4);
    expect(globalSpec.rarity.blockMs).toBe(300_000);
    expect(globalSpec.rarity.historyMs).toBe(35 * 86_400_000);
    expect(globalSpec.rarity.anchor).toBe(30);
    expect(globalSpec.combine).toBe('by_input');
    expect(globalSpec.onset.refractory).toBe(50);
  });

  it('validates with a path and a reason', () => {
    const one = [{ input: 'value', window: 5 }];
    expect(() => parseNabSpec({ signals: [{ input: 'nope', window: 5 }] })).toThrow(/signals\[0\]\.input/);
    expect(() => parseNabSpec({ signals: [{ input: 'value', window: 0 }] })).toThrow(/signals\[0\]\.window/);
    expect(() => parseNabSpec({ signals: [{ input: 'seasonal', window: 5, period: 'x' }] })).toThrow(/period/);
    expect(() => parseNabSpec({ signals: one, onset: { refractory: -1 } })).toThrow(/onset\.refractory/);
    expect(() => parseNabSpec({ signals: one, onset: { half_life: 10 } })).toThrow(/onset\.half_life: unknown/);
    expect(() => parseNabSpec({ signals: one, rarity: { anchor: 0 } })).toThrow(/rarity\.anchor/);
    expect(() => parseNabSpec({ signals: one, rarity: { history: '1m' } })).toThrow(/rarity\.history/);
    expect(() => parseNabSpec({ signals: one, combine: 'mean' })).toThrow(/combine/);
    const dflt = parseNabSpec({ signals: one });
    expect(dflt.onset.refractory).toBe(0);
    expect(dflt.combine).toBe('by_input');
    expect(dflt.rarity).toEqual(globalSpec.rarity);
  });

  it('groups signals by the derived series they look at', () => {
    const [v50, v200, v800, s100, s400, daily, level] = globalSpec.signals.map(inputGroup);
    expect(v50).toBe(v200);
    expect(v200).toBe(v800);
    expect(s100).toBe(s400);
    expect(new Set([v50, s100, daily, level]).size).toBe(4); // the level's 12-row mean is its own input
  });
});

describe('NAB evidence combination and score', () => {
  const a = Float64Array.from([1, NaN, 0, 2]);
  const b = Float64Array.from([3, 1, NaN, 0.5]);
  const c = Float64Array.from([0.5, 0.25, 1, NaN]);

  it('by_input: max within an input, summed over inputs; NaN adds nothing', () => {
    expect(Array.from(combineEvidence([a, b, c], ['x', 'x', 'y'], 'by_input'))).toEqual([3.5, 1.25, 1, 2]);
  });

  it('sum and max over all signals', () => {
    expect(Array.from(combineEvidence([a, b, c], ['x', 'x', 'y'], 'sum'))).toEqual([4.5, 1.25, 1, 2.5]);
    expect(Array.from(combineEvidence([a, b, c], ['x', 'x', 'y'], 'max'))).toEqual([3, 1, 1, 2]);
  });

  it('the score is e / (1 + e) after the refractory period', () => {
    const s = alertScore(Float64Array.from([1, 0.5, 3, 0, 9]), 1);
    expect(Array.from(s)).toEqual([0.5, 0, 0.75, 0, 0.9]);
    expect(Array.from(alertScore(Float64Array.from([1, 0.5]), 0))).toEqual([0.5, 1 / 3]);
  });

  it('nabEvidence: each signal is the record-anchored evidence of its |z|', () => {
    const n = 600;
    const t = times(n);
    const v = gaussianNoise(n, 5);
    const { signals, combined } = nabEvidence(t, v, globalSpec);
    const expected = recordEvidence(t, signalStatistic(t, v, globalSpec.signals[3]), globalSpec.rarity);
    expect(Array.from(signals[3])).toEqual(Array.from(expected));
    expect(Array.from(combined)).toEqual(
      Array.from(combineEvidence(signals, globalSpec.signals.map(inputGroup), 'by_input'))
    );
  });
});

describe('NAB detector (nab/spec.yaml)', () => {
  const n = 4000;
  const t = times(n);
  // NAB ignores the first 15 % of a file; compare only after that.
  const probation = 600;

  it('scores a spike above everything else the noise does', () => {
    const v = gaussianNoise(n, 11).map((x) => 10 + x);
    v[3000] = 25;
    const s = scoreNabSeries(t, v, globalSpec);
    expect(s[3000]).toBeGreaterThan(0.9);
    expect(Math.max(maxOver(s, probation, 3000), maxOver(s, 3001, n))).toBeLessThan(s[3000] - 0.1);
  });

  it('a level shift alerts at its onset, not while it persists', () => {
    const v = gaussianNoise(n, 11).map((x, i) => 10 + x + (i >= 3000 ? 8 : 0));
    const s = scoreNabSeries(t, v, globalSpec);
    const onset = maxOver(s, 3000, 3010);
    expect(onset).toBeGreaterThan(maxOver(s, probation, 3000));
    expect(maxOver(s, 3010, n)).toBeLessThan(onset - 0.3);
  });

  it('the refractory period turns the onset burst into a few alerts', () => {
    const v = gaussianNoise(n, 11).map((x, i) => 10 + x + (i >= 3000 ? 8 : 0));
    const loud: NabSpec = { ...globalSpec, onset: { refractory: 0 } };
    const alerts = (s: Float64Array) => Array.from(s.slice(3000, 3050)).filter((x) => x > 0.5).length;
    expect(alerts(scoreNabSeries(t, v, loud))).toBeGreaterThan(10);
    expect(alerts(scoreNabSeries(t, v, globalSpec))).toBeLessThanOrEqual(5);
  });

  it('is causal: scoring a prefix gives the prefix of the scores (irregular times, gaps, NaN)', () => {
    // Short baselines and a two-hour history so that a few hundred rows exercise warm-up, eviction
    // and the refractory period.
    const small = parseNabSpec({
      signals: [
        { id: 'v', input: 'value', window: 20 },
        { id: 'v2', input: 'value', window: 40 },
        { id: 'd', input: 'diff', window: 20 },
        { id: 's', input: 'seasonal', period: '1h', smooth: 3, window: 20 },
        { id: 'l', input: 'value', smooth: 4, window: 40 },
      ],
      rarity: { block: '5m', history: '2h', anchor: 3 },
      onset: { refractory: 5 },
    });
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { nil: undefined, freq: 12 }), {
          minLength: 5,
          maxLength: 300,
        }),
        fc.array(fc.integer({ min: 60_000, max: 900_000 }), { minLength: 300, maxLength: 300 }),
        fc.nat(),
        (vals, gaps, cut) => {
          const m = vals.length;
          const tt = new Float64Array(m);
          for (let i = 1; i < m; i++) {
            tt[i] = tt[i - 1] + gaps[i];
          }
          const v = Float64Array.from(vals, (x) => (x === undefined ? NaN : x));
          const full = scoreNabSeries(tt, v, small);
          const k = 1 + (cut % m);
          const part = scoreNabSeries(tt.slice(0, k), v.slice(0, k), small);
          expect(Array.from(part)).toEqual(Array.from(full.slice(0, k)));
          for (const s of full) {
            expect(s >= 0 && s <= 1).toBe(true);
          }
        }
      ),
      { numRuns: 50 }
    );
  });
});
