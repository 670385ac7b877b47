/**
 * A multiset of finite numbers kept sorted in a Float64Array, sized for a rolling window.
 *
 * Insert / remove / replace find their slot by binary search and shift the elements in between
 * (O(w) moves, but a tight loop or memmove that beats heaps / skip lists at window sizes up to ~10^4);
 * median is O(1) and the median absolute deviation O(log w), because the deviations on either side
 * of the centre are two already-sorted sequences.
 */
/** Shifts up to this many elements use a plain loop; longer ones use copyWithin (a memmove). */
const SHORT_SHIFT = 64;

export class SortedWindow {
  private readonly data: Float64Array;
  private n = 0;
  /** Set by kthAbsDeviation: the (k+1)-th smallest deviation (Infinity if none). */
  private nextAbsDeviation = NaN;

  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.n;
  }

  get capacity(): number {
    return this.data.length;
  }

  /** The i-th smallest element (0-based). */
  at(i: number): number {
    return this.data[i];
  }

  clear(): void {
    this.n = 0;
  }

  /** Index of the first element >= x. */
  lowerBound(x: number): number {
    // Branch-free form (the data-dependent choice compiles to a conditional move): random
    // comparisons in a rolling window mispredict ~half the time in the classic form.
    const d = this.data;
    let len = this.n;
    if (len === 0) {
      return 0;
    }
    let base = 0;
    while (len > 1) {
      const half = len >>> 1;
      base = d[base + half - 1] < x ? base + half : base;
      len -= half;
    }
    return d[base] < x ? base + 1 : base;
  }

  insert(x: number): void {
    if (this.n >= this.data.length) {
      throw new Error('SortedWindow is full');
    }
    const i = this.upperBound(x);
    this.shiftRight(i, this.n);
    this.data[i] = x;
    this.n++;
  }

  /** Index of the first element > x. */
  private upperBound(x: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.data[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Moves data[from..to) one slot right (to data[from+1..to+1)). */
  private shiftRight(from: number, to: number): void {
    const d = this.data;
    if (to - from > SHORT_SHIFT) {
      d.copyWithin(from + 1, from, to);
    } else {
      for (let j = to; j > from; j--) {
        d[j] = d[j - 1];
      }
    }
  }

  /** Moves data[from+1..to+1) one slot left (to data[from..to)). */
  private shiftLeft(from: number, to: number): void {
    const d = this.data;
    if (to - from > SHORT_SHIFT) {
      d.copyWithin(from, from + 1, to + 1);
    } else {
      for (let j = from; j < to; j++) {
        d[j] = d[j + 1];
      }
    }
  }

  /** Removes one element equal to x; throws if there is none (a caller bookkeeping bug). */
  remove(x: number): void {
    const i = this.indexOf(x);
    this.shiftLeft(i, this.n - 1);
    this.n--;
  }

  /** Removes one element equal to oldX and inserts newX, shifting only the elements in between. */
  replace(oldX: number, newX: number): void {
    const d = this.data;
    const i = this.indexOf(oldX);
    if (newX === oldX) {
      d[i] = newX; // also covers 0 / -0, which compare equal
      return;
    }
    if (this.n <= SHORT_SHIFT) {
      this.replaceByScan(i, newX);
      return;
    }
    if (newX > oldX) {
      // New slot: last index whose left neighbours (after removal) are all < newX.
      const k = this.lowerBound(newX) - 1;
      this.shiftLeft(i, k);
      d[k] = newX;
    } else {
      const k = this.upperBound(newX);
      this.shiftRight(k, i);
      d[k] = newX;
    }
  }

  /** Small windows: scan and shift in one loop (fewer unpredictable branches than binary search). */
  private replaceByScan(i: number, newX: number): void {
    const d = this.data;
    const last = this.n - 1;
    if (newX > d[i]) {
      while (i < last && d[i + 1] < newX) {
        d[i] = d[i + 1];
        i++;
      }
    } else {
      while (i > 0 && d[i - 1] > newX) {
        d[i] = d[i - 1];
        i--;
      }
    }
    d[i] = newX;
  }

  private indexOf(x: number): number {
    const i = this.lowerBound(x);
    if (i >= this.n || this.data[i] !== x) {
      throw new Error(`SortedWindow: ${x} not present`);
    }
    return i;
  }

  /** Median (mean of the two middle elements for an even count); NaN when empty. */
  median(): number {
    const n = this.n;
    if (n === 0) {
      return NaN;
    }
    const h = n >>> 1;
    // a/2 + b/2 instead of (a+b)/2: cannot overflow for values near ±1.8e308.
    return n & 1 ? this.data[h] : this.data[h - 1] / 2 + this.data[h] / 2;
  }

  /** The k-th smallest (0-based) of |x - c| over the elements, in O(log n). */
  kthAbsDeviation(c: number, k: number): number {
    const d = this.data;
    const p = this.lowerBound(c);
    // Left deviations A[i] = c - d[p-1-i] (i < p) and right ones B[j] = d[p+j] - c (j < n-p) both
    // ascend. Find how many (i) of the k+1 smallest come from A: the first i with A[i] >= B[j-1].
    const m = p;
    const r = this.n - p;
    let lo = Math.max(0, k + 1 - r);
    let hi = Math.min(k + 1, m);
    while (lo < hi) {
      const i = (lo + hi) >>> 1;
      const j = k + 1 - i;
      if (j > 0 && c - d[p - 1 - i] < d[p + j - 1] - c) {
        lo = i + 1;
      } else {
        hi = i;
      }
    }
    const j = k + 1 - lo;
    const a = lo > 0 ? c - d[p - lo] : -Infinity;
    const b = j > 0 ? d[p + j - 1] - c : -Infinity;
    // The (k+1)-th smallest is the smaller of the next candidates on each side.
    const nextA = lo < m ? c - d[p - 1 - lo] : Infinity;
    const nextB = j < r ? d[p + j] - c : Infinity;
    this.nextAbsDeviation = nextA < nextB ? nextA : nextB;
    return a > b ? a : b;
  }

  /** Median of |x - c| (unscaled MAD when c is the median); NaN when empty. */
  medianAbsDeviation(c: number): number {
    const n = this.n;
    if (n === 0) {
      return NaN;
    }
    const h = n >>> 1;
    if (n & 1) {
      return this.kthAbsDeviation(c, h);
    }
    const lower = this.kthAbsDeviation(c, h - 1);
    return lower / 2 + this.nextAbsDeviation / 2;
  }

  /** Mean of |x - c|, O(n): only used as a fallback when the MAD is 0. NaN when empty. */
  meanAbsDeviation(c: number): number {
    const n = this.n;
    const d = this.data;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += Math.abs(d[i] - c) / n; // divide inside: no overflow for huge values
    }
    return n === 0 ? NaN : sum;
  }
}
