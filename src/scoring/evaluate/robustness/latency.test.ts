/** @jest-environment node */
import { Rng } from '../../util/prng';
import { bucketProbabilities, DEFAULT_LE, LATENCY, multinomial, normalCdf } from './latency';

describe('latency model', () => {
  it('normalCdf matches known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-3)).toBeCloseTo(0.0013499, 6);
  });

  it('bucket probabilities sum to 1 and put half the mass below the median', () => {
    const out = new Float64Array(2);
    const mu = Math.log(LATENCY.median);
    bucketProbabilities([LATENCY.median, Infinity], mu, LATENCY.sigmaLog, 0, out);
    expect(out[0]).toBeCloseTo(0.5, 6);
    // All requests slow: the median moves ×3.
    bucketProbabilities([LATENCY.median * LATENCY.slowFactor, Infinity], mu, LATENCY.sigmaLog, 1, out);
    expect(out[0]).toBeCloseTo(0.5, 6);
    const all = bucketProbabilities(DEFAULT_LE, mu, LATENCY.sigmaLog, 0.25, new Float64Array(DEFAULT_LE.length));
    expect(all.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('multinomial counts sum to n and average n·p per bucket', () => {
    const p = [0.1, 0.6, 0.3];
    const rng = new Rng(3);
    const sums = [0, 0, 0];
    const out = new Float64Array(3);
    for (let i = 0; i < 20_000; i++) {
      multinomial(50, p, rng, out);
      expect(out[0] + out[1] + out[2]).toBe(50);
      out.forEach((c, b) => (sums[b] += c));
    }
    sums.forEach((s, b) => expect(s / 20_000 / 50).toBeCloseTo(p[b], 2));
  });
});
