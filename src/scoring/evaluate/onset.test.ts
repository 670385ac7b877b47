/** @jest-environment node */
import { diff, lagByTime, subtract, suppressAfter, trailingMean } from './onset';

describe('onset building blocks', () => {
  it('diff, subtract and trailingMean treat NaN as no information', () => {
    const x = Float64Array.from([1, 3, NaN, 10]);
    expect(Array.from(diff(x))).toEqual([NaN, 2, NaN, NaN]);
    expect(Array.from(subtract(x, Float64Array.from([1, 1, 1, 1])))).toEqual([0, 2, NaN, 9]);
    expect(Array.from(trailingMean(x, 2))).toEqual([1, 2, 3, 10]);
  });

  it('suppressAfter silences the refractory rows unless they exceed the last alert', () => {
    const s = suppressAfter(Float64Array.from([0.5, 0.4, 0.6, 0.3, 0, 0, 0.2, 0.1]), 3);
    // 0.5 fires; 0.4 is silenced; 0.6 exceeds it and silences rows 3-5; 0.2 at row 6 is past them and
    // fires; 0.1 at row 7 is inside its silence.
    expect(Array.from(s)).toEqual([0.5, 0, 0.6, 0, 0, 0, 0.2, 0]);
  });

  it('suppressAfter: NaN and rows at or below the floor neither fire nor extend the silence', () => {
    const s = suppressAfter(Float64Array.from([2, NaN, 0, 0, 1, 3]), 2);
    expect(Array.from(s)).toEqual([2, 0, 0, 0, 1, 3]);
    expect(Array.from(suppressAfter(Float64Array.from([1, 1, 1]), 0))).toEqual([1, 1, 1]);
  });

  it('lagByTime finds the row one period earlier within the tolerance', () => {
    const t = Float64Array.from([0, 10, 20, 31, 40]);
    const x = Float64Array.from([1, 2, 3, 4, 5]);
    const l = lagByTime(t, x, 20, 2);
    expect(Number.isNaN(l[0])).toBe(true);
    expect(l[2]).toBe(1);
    expect(l[3]).toBe(2); // 31 - 20 = 11 -> row at 10
    expect(l[4]).toBe(3);
    expect(Number.isNaN(lagByTime(t, x, 25, 2)[2])).toBe(true); // 20 - 25 < 0: no such row
  });
});
