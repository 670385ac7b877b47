/**
 * Healthy (and injected) input of the `histogram_drift` kind: cumulative `le` bucket counts per row
 * of a request-latency histogram (latency.ts) whose generating distribution follows the noise
 * shape.
 *
 *   requests     n ~ Poisson(V·F(t)·Δt/step), V = 300 a step (poisson_low: 3); 0 while stalled
 *   location     μ_i = ln 0.12 + ln F(t) + 0.1·(z_i + shift_i)   (the driver moves the lognormal's
 *                location: iid, heavy-tailed or autocorrelated per shape; one unit = ×1.105 latency)
 *   spread       σ_i = 0.5·(1 + (scale_i − 1)/4)   (variance_change ×3 → σ ×1.5: wider latencies)
 *   mixture      a share 0.25·mix_i of requests from the ×3 slower component (distribution_shift)
 *   buckets      multinomial counts over the layout, cumulated: cumulative[j] = count ≤ le[j]
 *   layout       DEFAULT_LE (Prometheus DefBuckets); histogram_quantile: COARSE_LE (coarse buckets)
 * Rows, gaps and counters follow counts.ts (counter_resets: `increase(x_bucket[1m])` per `le`, each
 * bucket extrapolated on its own, so bucket masses from differences may come out negative — the
 * detector clamps them, as it does for real rate noise).
 */
import type { BucketInput } from '../../types';
import { countRows } from './counts';
import { bucketProbabilities, COARSE_LE, DEFAULT_LE, LATENCY, multinomial } from './latency';
import { profileFactor, SHAPE_TRAITS, type NoiseShape } from './noise';
import { driverOf, scheduleOf, stream, type SeriesContext } from './series';

export const BUCKETS = { volume: 300, lowVolume: 3 } as const;

export function bucketLayout(shape: NoiseShape): readonly number[] {
  return SHAPE_TRAITS[shape].observation === 'bucket_quantile' ? COARSE_LE : DEFAULT_LE;
}

export function buildBucketInput(shape: NoiseShape, ctx: SeriesContext): BucketInput {
  const traits = SHAPE_TRAITS[shape];
  const le = bucketLayout(shape);
  const k = le.length;
  const z = driverOf(shape, ctx, 'buckets');
  const rng = stream(ctx, 'buckets', shape, 'counts');
  const volume = traits.observation === 'low_count' ? BUCKETS.lowVolume : BUCKETS.volume;
  const probs = new Float64Array(k);
  const bins = new Float64Array(k);
  const { shift, scale, mix, stalled } = ctx.condition;
  const rows = countRows(
    traits.observation,
    ctx,
    scheduleOf(shape, ctx, 'buckets'),
    k,
    (step, from, to, out) => {
      if (stalled[step] === 1) {
        return;
      }
      const factor = profileFactor(traits.profile, from, ctx.startMs);
      const n = rng.poisson((volume * factor * (to - from)) / ctx.stepMs);
      if (n === 0) {
        return;
      }
      const mu = Math.log(LATENCY.median * factor) + LATENCY.locationUnit * (z[step] + shift[step]);
      const sigma = LATENCY.sigmaLog * (1 + (scale[step] - 1) / 4);
      bucketProbabilities(le, mu, sigma, LATENCY.slowShare * mix[step], probs);
      multinomial(n, probs, rng, bins);
      let cumulative = 0;
      for (let b = 0; b < k; b++) {
        cumulative += bins[b];
        out[b] += cumulative;
      }
    },
    'buckets'
  );
  return { type: 'buckets', t: rows.t, le: Float64Array.from(le), cumulative: rows.counts };
}
