/** @jest-environment node */
import fc from 'fast-check';
import { diff, fadingRecordMargin, lagByTime, maxOf, subtract, suppressAfter, trailingMean } from './onset';
import { parseNabSpec, scoreNabSeries, signalStatistic } from './nabDetector';

describe('onset building blocks', () => {
  it('diff, subtract, trailingMean and maxOf treat NaN as no information', () => {
    const x = Float64Array.from([1, 3, NaN, 10]);
    expect(Array.from(diff(x))).toEqual([NaN, 2, NaN, NaN]);
    expect(Array.from(subtract(x, Float64Array.from([1, 1, 1, 1])))).toEqual([0, 2, NaN, 9]);
    expect(Array.from(trailingMean(x, 2))).toEqual([1, 2, 3, 10]);
    expect(Array.from(maxOf(Float64Array.from([1, NaN, NaN]), Float64Array.from([0, 2, NaN])))).toEqual([1, 2, NaN]);
  });

  it('suppressAfter silences the refractory rows unless they exceed the last alert', () => {
    const s = suppressAfter(Float64Array.from([0.5, 0.4, 0.6, 0.3, 0, 0, 0.2, 0.1]), 3);
    // 0.5 fires; 0.4 is silenced; 0.6 exceeds it and silences rows 3-5; 0.2 at row 6 is past them and
    // fires; 0.1 at row 7 is inside its silence.
    expect(Array.from(s)).toEqual([0.5, 0, 0.6, 0, 0, 0, 0.2, 0]);
  });

  it('fading record fires on the onset of a level shift, not while it persists', () => {
    const n = 400;
    const t = Float64Array.from({ length: n }, (_, i) => i * 60_000);
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = (i % 7) * 0.1 + (i >= 300 ? 5 : 0);
    }
    const z = signalStatistic(t, x, { id: 'd', input: 'diff', window: 100, smooth: 1 });
    const m = fadingRecordMargin(z, 1000);
    const fired = Array.from(m).flatMap((v, i) => (v > 0.5 ? [i] : []));
    expect(fired).toEqual([300]);
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
});

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
    expect(() => parseNabSpec({ signals: [{ input: 'value', window: 5 }], onset: { refractory: -1 } })).toThrow(
      /onset\.refractory/
    );
    expect(() => parseNabSpec({ signals: [{ input: 'value', window: 5 }], onset: { method: 'record' } })).toThrow(
      /onset\.method/
    );
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
    const quiet = parseNabSpec({
      signals: [{ input: 'value', window: 100 }],
      onset: { half_life: 500, refractory: 50 },
    });
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
    const v = Float64Array.from({ length: n }, () => (seed = (seed * 16807) % 2147483647) / 2147483647);
    v[500] = 50;
    const s = scoreNabSeries(t, v, spec);
    const others = Array.from(s.slice(200)).filter((_, i) => i + 200 !== 500);
    expect(s[500]).toBeGreaterThan(0.9);
    expect(Math.max(...others)).toBeLessThan(s[500] * 0.8);
  });
});
