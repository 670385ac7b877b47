/** @jest-environment node */
import fc from 'fast-check';
import {
  diff,
  fadingRecordMargin,
  lagByTime,
  normalTail,
  recordScore,
  rollingRobustZ,
  rowsSinceAsHigh,
  SortedWindow,
} from './onset';
import { parseNabSpec, scoreNabSeries } from './nabDetector';

describe('onset building blocks', () => {
  it('SortedWindow keeps quantiles and MAD', () => {
    const w = new SortedWindow(5);
    [5, 1, 4, 2, 3].forEach((x) => w.insert(x));
    expect(w.quantile(0.5)).toBe(3);
    expect(w.mad(3)).toBe(1);
    w.remove(5);
    expect(w.length).toBe(4);
    expect(w.quantile(0.5)).toBe(2.5);
  });

  it('robust z excludes the current row from its own baseline', () => {
    const x = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]);
    const z = rollingRobustZ(x, { window: 10, minPoints: 10 });
    expect(Number.isNaN(z[9])).toBe(true);
    // median 5.5, MAD 2.5 -> z = 94.5 / (1.4826 * 2.5)
    expect(z[10]).toBeCloseTo(94.5 / (1.4826 * 2.5), 10);
  });

  it('rowsSinceAsHigh counts back to the last value at least as high', () => {
    expect(Array.from(rowsSinceAsHigh(Float64Array.from([3, 1, 2, 5, 5, 4])))).toEqual([1, 1, 2, 4, 1, 1]);
  });

  it('fading record fires on the onset of a level shift, not while it persists', () => {
    const x = new Float64Array(400);
    for (let i = 0; i < 400; i++) {
      x[i] = (i % 7) * 0.1 + (i >= 300 ? 5 : 0);
    }
    const z = rollingRobustZ(diff(x), { window: 100 }).map(Math.abs);
    const m = fadingRecordMargin(z, 1000);
    const fired = Array.from(m).flatMap((v, i) => (v > 0.5 ? [i] : []));
    expect(fired).toEqual([300]);
  });

  it('recordScore is above 0.5 only on records', () => {
    const r = recordScore(Float64Array.from([1, 2, 1, 4, 3]));
    expect(r[3]).toBeCloseTo(0.5 + 0.5 * (1 - 2 / 4), 12);
    expect(r[4]).toBeLessThan(0.5);
  });

  it('lagByTime finds the row one period earlier within the tolerance', () => {
    const t = Float64Array.from([0, 10, 20, 31, 40]);
    const x = Float64Array.from([1, 2, 3, 4, 5]);
    const l = lagByTime(t, x, 20, 2);
    expect(Number.isNaN(l[0])).toBe(true);
    expect(l[2]).toBe(1);
    expect(l[3]).toBe(2); // 31 - 20 = 11 -> row at 10
    expect(l[4]).toBe(3);
  });

  it('normalTail', () => {
    expect(normalTail(0)).toBeCloseTo(0.5, 6);
    expect(normalTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalTail(-1.959964)).toBeCloseTo(0.975, 6);
  });
});

describe('NAB detector', () => {
  const spec = parseNabSpec({
    id: 't',
    signals: [
      { id: 'v', input: 'value', window: 50 },
      { id: 'd', input: 'diff', window: 50 },
      { id: 's', input: 'seasonal', period: '1h', smooth: 3, window: 50 },
    ],
    onset: { method: 'fading_record', half_life: 500, refractory: 20 },
  });

  it('validates the spec with a path and a reason', () => {
    expect(() => parseNabSpec({ signals: [{ input: 'nope', window: 5 }] })).toThrow(/signals\[0\]\.input/);
    expect(() => parseNabSpec({ signals: [{ input: 'value', window: 0 }] })).toThrow(/signals\[0\]\.window/);
    expect(() => parseNabSpec({ signals: [{ input: 'seasonal', window: 5, period: 'x' }] })).toThrow(/period/);
    expect(spec.signals[2].period).toBe(3_600_000);
    expect(spec.onset.refractory).toBe(20);
    expect(parseNabSpec({ signals: [{ input: 'value', window: 5 }] }).onset.refractory).toBe(0);
    expect(() => parseNabSpec({ signals: [{ input: 'value', window: 5 }], onset: { refractory: -1 } })).toThrow(/onset\.refractory/);
  });

  it('refractory: an incident alerts once, not on every row of its onset', () => {
    const n = 800;
    const t = Float64Array.from({ length: n }, (_, i) => i * 60_000);
    let seed = 7;
    const v = Float64Array.from({ length: n }, () => (seed = (seed * 16807) % 2147483647) / 2147483647);
    // A ramp of growing spikes: without refractory every new record alerts; with it only the first
    // (or a clearly higher one) does.
    for (let k = 0; k < 10; k++) {
      v[600 + k] = 5 + k * 0.2;
    }
    const quiet = parseNabSpec({ signals: [{ input: 'value', window: 100 }], onset: { half_life: 500, refractory: 50 } });
    const loud = parseNabSpec({ signals: [{ input: 'value', window: 100 }], onset: { half_life: 500, refractory: 0 } });
    const alerts = (s: Float64Array) => Array.from(s.slice(600, 610)).filter((x) => x >= 0.05).length;
    expect(alerts(scoreNabSeries(t, v, loud))).toBeGreaterThan(alerts(scoreNabSeries(t, v, quiet)));
    expect(scoreNabSeries(t, v, quiet)[600]).toBeGreaterThan(0.5);
  });

  it('is causal: scoring a prefix gives the prefix of the scores', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 5, maxLength: 300 }),
        fc.nat(),
        (vals, cut) => {
          const n = vals.length;
          const t = Float64Array.from(vals, (_, i) => i * 300_000);
          const v = Float64Array.from(vals);
          const full = scoreNabSeries(t, v, spec);
          const k = 1 + (cut % n);
          const part = scoreNabSeries(t.slice(0, k), v.slice(0, k), spec);
          expect(Array.from(part)).toEqual(Array.from(full.slice(0, k)));
          for (const s of full) {
            expect(s >= 0 && s <= 1).toBe(true);
          }
        }
      ),
      { numRuns: 50 }
    );
  });

  it('scores a spike far above the noise around it', () => {
    const n = 600;
    const t = Float64Array.from({ length: n }, (_, i) => i * 60_000);
    let seed = 3;
    const v = Float64Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647));
    v[500] = 50;
    const s = scoreNabSeries(t, v, spec);
    const others = Array.from(s.slice(200)).filter((_, i) => i + 200 !== 500);
    expect(s[500]).toBeGreaterThan(0.9);
    expect(Math.max(...others)).toBeLessThan(s[500] * 0.8);
  });
});
