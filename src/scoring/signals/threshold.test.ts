/** @jest-environment node */
import { POINT_MISSING, POINT_OK } from '../types';
import { runDetector } from './registry';
import { invariantViolation, valueInput } from './testHelpers';

describe('threshold', () => {
  it('hard limit: any violation is severity 1, the limit itself is fine', () => {
    const r = runDetector('threshold', { above: 10 }, {}, valueInput([9, 10, 10.001, 1e300]));
    expect(Array.from(r.severity)).toEqual([0, 0, 1, 1]);
    expect(Array.from(r.statistic)).toEqual([9, 10, 10.001, 1e300]);
    expect(Array.from(r.expected)).toEqual([9, 10, 10, 10]);
    expect(r.upper[0]).toBe(10);
    expect(r.lower[0]).toBeNaN();
  });

  it('soft ramp and lower limit', () => {
    const r = runDetector('threshold', { above: 10, below: 2, soft: 4 }, {}, valueInput([12, 14, 0, 1, 5, NaN]));
    expect(r.severity[0]).toBe(0.5); // halfway through the soft band
    expect(r.severity[1]).toBe(1);
    expect(r.severity[2]).toBe(0.5); // 2 below the lower limit
    expect(r.severity[3]).toBeCloseTo(0.15625, 15); // u = 0.25: 0.0625 * 2.5
    expect(r.severity[4]).toBe(0);
    expect(r.status[4]).toBe(POINT_OK);
    expect(r.status[5]).toBe(POINT_MISSING);
    expect(r.expected[2]).toBe(2);
    expect(invariantViolation(r)).toBeUndefined();
  });

  it('needs at least one limit', () => {
    expect(() => runDetector('threshold', {}, {}, valueInput([1]))).toThrow(/above.*set above and\/or below/);
  });
});
