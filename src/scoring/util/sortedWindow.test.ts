/** @jest-environment node */
import fc from 'fast-check';
import { SortedWindow } from './sortedWindow';

function bruteMedian(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : s[h - 1] / 2 + s[h] / 2;
}

describe('SortedWindow', () => {
  it('keeps a sorted multiset with median and MAD (hand example)', () => {
    const w = new SortedWindow(8);
    for (const x of [5, 1, 4, 1, 3]) {
      w.insert(x);
    }
    expect([0, 1, 2, 3, 4].map((i) => w.at(i))).toEqual([1, 1, 3, 4, 5]);
    expect(w.median()).toBe(3);
    // |x - 3| = 2, 2, 0, 1, 2 -> sorted 0, 1, 2, 2, 2 -> median 2
    expect(w.medianAbsDeviation(3)).toBe(2);
    w.replace(5, 0); // 0, 1, 1, 3, 4
    expect(w.median()).toBe(1);
    w.remove(1); // 0, 1, 3, 4
    expect(w.median()).toBe(2);
    // |x - 2| = 2, 1, 1, 2 -> median 1.5
    expect(w.medianAbsDeviation(2)).toBe(1.5);
    expect(w.meanAbsDeviation(2)).toBe(1.5);
    expect(() => w.remove(7)).toThrow(/not present/);
  });

  it('matches brute force under random insert / replace / remove sequences', () => {
    const small = fc.integer({ min: -20, max: 20 }).map((x) => x / 4); // many ties
    const big = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(small, big), fc.nat(2)), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 150 }),
        (ops, cap) => {
          const w = new SortedWindow(cap);
          const ref: number[] = [];
          for (const [x, op] of ops) {
            if (op === 0 && ref.length < cap) {
              w.insert(x);
              ref.push(x);
            } else if (op === 1 && ref.length > 0) {
              const old = ref.shift()!;
              w.replace(old, x);
              ref.push(x);
            } else if (ref.length > 0) {
              w.remove(ref.shift()!);
            }
            const sorted = [...ref].sort((a, b) => a - b);
            for (let i = 0; i < sorted.length; i++) {
              if (!Object.is(w.at(i) + 0, sorted[i] + 0)) {
                return false;
              }
            }
            if (ref.length > 0) {
              // `+ 0` folds -0 into +0 (as the element check above does): which signed zero a tie
              // of 0 and -0 yields depends on insertion order and carries no meaning.
              const med = bruteMedian(ref);
              expect(w.median() + 0).toBe(med + 0);
              const c = ref[0];
              expect(w.medianAbsDeviation(c) + 0).toBe(bruteMedian(ref.map((v) => Math.abs(v - c))) + 0);
              const k = ref.length >> 1;
              const devs = ref.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
              expect(w.kthAbsDeviation(med, k) + 0).toBe(devs[k] + 0);
            }
          }
          return w.size === ref.length;
        }
      ),
      { numRuns: 300 }
    );
  });

  it('does not overflow the median or MAD near the double range limit', () => {
    const w = new SortedWindow(4);
    w.insert(1.7e308);
    w.insert(1.7e308);
    expect(w.median()).toBe(1.7e308);
    expect(w.medianAbsDeviation(1.7e308)).toBe(0);
  });
});
