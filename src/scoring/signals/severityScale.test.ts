/** @jest-environment node */
import { SeverityScale } from './severityScale';
import { smoothstep } from '../util/smoothstep';

const MIN = 60_000;

describe('SeverityScale', () => {
  it('a ramp is the smoothstep from warn to max', () => {
    const scale = new SeverityScale({ mode: 'ramp', warn: 2, max: 4 });
    expect([1, 2, 3, 4, 9].map((x, i) => scale.judge(i * MIN, x, 0))).toEqual([0, 0, 0.5, 1, 1]);
  });

  it('hold: the severity is the rolling maximum over (t − hold, t]', () => {
    const scale = new SeverityScale({ mode: 'ramp', warn: 0, max: 1, holdMs: 3 * MIN });
    const xs = [0.9, 0, 0, 0, 0.2, 0.5, 0.1, 0];
    const out = xs.map((x, i) => scale.judge(i * MIN, x, 0));
    // s(0.9) is held for t0..t0+2 min, then 0; s(0.5) (after s(0.2)) holds two more minutes.
    const [a, b, c] = [smoothstep(0.9), smoothstep(0.2), smoothstep(0.5)];
    expect(out).toEqual([a, a, a, 0, b, c, c, c]);
  });

  it('hold is by time, not by points: a gap longer than the hold lets go', () => {
    const scale = new SeverityScale({ mode: 'ramp', warn: 0, max: 1, holdMs: 10 * MIN });
    expect(scale.judge(0, 1, 0)).toBe(1);
    expect(scale.judge(5 * MIN, 0, 0)).toBe(1);
    expect(scale.judge(11 * MIN, 0, 0)).toBe(0);
  });
});
