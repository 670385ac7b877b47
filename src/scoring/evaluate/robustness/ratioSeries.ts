/**
 * Healthy (and injected) input of the `ratio` kind: errors (num) of requests (den) per row, with the
 * noise of the shape in the error rate and the counts.
 *
 *   requests   den ~ Poisson(V·F(t)·Δt/step), V = 600 a step (poisson_low: 4, "≤ 5 events a step");
 *              0 while stalled
 *   error rate p = logistic(logit(p₀) + 0.25·(scale·z_i + shift_i)), p₀ = 1 % (poisson_low: 5 %):
 *              the driver z moves the rate itself (extra-binomial noise: iid, heavy-tailed or
 *              autocorrelated per shape), one noise unit = 0.25 in logit (≈ ×1.28 in odds)
 *   errors     num ~ Binomial(den, p)
 *   histogram_quantile: the ratio is an SLO share read from histogram buckets, slow requests
 *              (count − bucket{le="0.25"}) of count: num ~ Binomial(den, P(L > 0.25 s)), latency
 *              as in latency.ts with location ln 0.12 + 0.1·(scale·z_i + shift_i) (P ≈ 7 % healthy)
 * Rows, gaps and counters follow counts.ts (counter_resets: `increase(errors[1m])` of
 * `increase(requests[1m])`, each with its own extrapolation). F(t) is the shape's profile.
 * Injections: shift and scale as above (direction up: more errors); stall stops the traffic.
 */
import type { RatioInput } from '../../types';
import { countRows } from './counts';
import { LATENCY, normalCdf } from './latency';
import { profileFactor, SHAPE_TRAITS, type NoiseShape } from './noise';
import { driverOf, scheduleOf, stream, type SeriesContext } from './series';

export const RATIO = {
  volume: 600,
  lowVolume: 4,
  errorRate: 0.01,
  lowErrorRate: 0.05,
  logitUnit: 0.25,
  slowBound: 0.25,
} as const;

const logit = (p: number) => Math.log(p / (1 - p));

export function buildRatioInput(shape: NoiseShape, ctx: SeriesContext): RatioInput {
  const traits = SHAPE_TRAITS[shape];
  const z = driverOf(shape, ctx, 'ratio');
  const rng = stream(ctx, 'ratio', shape, 'counts');
  const low = traits.observation === 'low_count';
  const volume = low ? RATIO.lowVolume : RATIO.volume;
  const baseLogit = logit(low ? RATIO.lowErrorRate : RATIO.errorRate);
  const slowLog = Math.log(RATIO.slowBound);
  const { shift, scale, stalled } = ctx.condition;
  const rows = countRows(
    traits.observation,
    ctx,
    scheduleOf(shape, ctx, 'ratio'),
    2,
    (step, from, to, out) => {
      if (stalled[step] === 1) {
        return;
      }
      const latent = scale[step] * z[step] + shift[step];
      const mean = (volume * profileFactor(traits.profile, from, ctx.startMs) * (to - from)) / ctx.stepMs;
      const requests = rng.poisson(mean);
      let p: number;
      if (traits.observation === 'bucket_quantile') {
        const mu = Math.log(LATENCY.median) + LATENCY.locationUnit * latent;
        p = 1 - normalCdf((slowLog - mu) / LATENCY.sigmaLog);
      } else {
        p = 1 / (1 + Math.exp(-(baseLogit + RATIO.logitUnit * latent)));
      }
      out[0] += rng.binomial(requests, p);
      out[1] += requests;
    },
    'ratio'
  );
  return { type: 'ratio', t: rows.t, num: rows.counts[0], den: rows.counts[1] };
}
