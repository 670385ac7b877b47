/** @jest-environment node */
import { inverseSmoothstep, smoothstep } from './smoothstep';

describe('smoothstep', () => {
  it('known values: 0, 0.15625 at 1/4, 1/2 at 1/2, 1', () => {
    expect(smoothstep(-1)).toBe(0);
    expect(smoothstep(0.25)).toBeCloseTo(0.15625, 15);
    expect(smoothstep(0.5)).toBe(0.5);
    expect(smoothstep(2)).toBe(1);
    expect(smoothstep(NaN)).toBe(0);
  });

  it('the inverse inverts it on [0, 1]', () => {
    for (let s = 0.01; s < 1; s += 0.01) {
      expect(smoothstep(inverseSmoothstep(s))).toBeCloseTo(s, 12);
    }
    expect(inverseSmoothstep(0)).toBe(0);
    expect(inverseSmoothstep(1)).toBe(1);
    expect(inverseSmoothstep(NaN)).toBe(0);
  });
});
