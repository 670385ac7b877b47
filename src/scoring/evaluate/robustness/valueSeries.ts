/**
 * Healthy (and injected) input of the value kinds (robust_z, seasonal, level_shift, threshold): one
 * number per row, from each noise shape. With u_i = scale_i·z_i + shift_i (the driver under the
 * anomaly condition, in noise units):
 *
 *   gaussian, student_t2, ar1   x = 100 + 5·u                       a gauge; one unit = 5
 *   seasonal_trend              x = 100·F(t) + 3·u                  daily + weekly shape with trend
 *   poisson_low                 x ~ counts with mean max(0, 2 + √2·shift) and variance mean·scale²
 *                               (Poisson(2) healthy, gamma–Poisson when the variance changes): a rare
 *                               event's `increase(x[1m])`; one unit = √2 (one Poisson σ)
 *   histogram_quantile          x = histogram_quantile(0.99, sum of the last 5 steps' buckets) — i.e.
 *                               `histogram_quantile(0.99, rate(x_bucket[5m]))` — of n ~ Poisson(60)
 *                               requests a step over COARSE_LE, latency location
 *                               ln 0.12 + 0.1·u (latency.ts); NaN with no requests in the window
 *   counter_resets              x = PromQL `rate(requests_total[2m])` at the step, the counter
 *                               incremented at 20/s·e^(0.05·u) and scraped every 15 s by a process
 *                               that restarts about twice a day (prometheusModel.ts)
 *   irregular_scrapes           x = 100·F_daily(t) + 5·u at the jittered rows of schedule.ts; NaN in
 *                               missing stretches
 *
 * Stall: rate-like shapes (poisson_low, counter_resets) stop counting (x → 0); gauges freeze at their
 * last value (a stuck exporter keeps reporting it); histogram_quantile gets no requests (NaN).
 */
import type { ValueInput } from '../../types';
import { bucketProbabilities, COARSE_LE, LATENCY, multinomial } from './latency';
import { profileFactor, SHAPE_TRAITS, type NoiseShape } from './noise';
import { COUNTER_DEFAULTS, histogramQuantile, rangeDelta, simulateCounters } from './prometheusModel';
import { driverOf, scheduleOf, stepOf, stepTimes, stream, type SeriesContext } from './series';

export const VALUE = {
  level: 100,
  unit: 5,
  seasonalUnit: 3,
  poissonMean: 2,
  quantile: 0.99,
  quantileRequests: 60,
  quantileWindowSteps: 5,
  counterRatePerSecond: 20,
  counterLogUnit: 0.05,
  counterRateRangeMs: 120_000,
} as const;

export function buildValueInput(shape: NoiseShape, ctx: SeriesContext): ValueInput {
  const traits = SHAPE_TRAITS[shape];
  const z = driverOf(shape, ctx, 'value');
  const { shift, scale, stalled } = ctx.condition;
  const latent = (i: number) => scale[i] * z[i] + shift[i];
  switch (traits.observation) {
    case 'direct':
    case 'irregular': {
      const rows = scheduleOf(shape, ctx, 'value');
      const unit = traits.profile === 'daily_weekly_trend' ? VALUE.seasonalUnit : VALUE.unit;
      const value = new Float64Array(rows.t.length);
      let last = NaN;
      for (let r = 0; r < rows.t.length; r++) {
        const i = rows.step[r];
        if (rows.missing[r] === 1) {
          value[r] = NaN;
        } else if (stalled[i] === 1 && last === last) {
          value[r] = last;
        } else {
          value[r] = last = VALUE.level * profileFactor(traits.profile, rows.t[r], ctx.startMs) + unit * latent(i);
        }
      }
      return { type: 'value', t: rows.t, value };
    }
    case 'low_count': {
      const rng = stream(ctx, 'value', shape, 'counts');
      const value = new Float64Array(ctx.n);
      for (let i = 0; i < ctx.n; i++) {
        const mean = Math.max(0, VALUE.poissonMean + Math.sqrt(VALUE.poissonMean) * shift[i]);
        value[i] = stalled[i] === 1 ? 0 : rng.negativeBinomial(mean, scale[i] * scale[i]);
      }
      return { type: 'value', t: stepTimes(ctx), value };
    }
    case 'bucket_quantile':
      return quantileSeries(ctx, z);
    case 'counter':
      return counterRateSeries(ctx, z);
  }
}

function quantileSeries(ctx: SeriesContext, z: Float64Array): ValueInput {
  const rng = stream(ctx, 'value', 'histogram_quantile', 'counts');
  const { shift, scale, stalled } = ctx.condition;
  const le = COARSE_LE;
  const k = le.length;
  const w = VALUE.quantileWindowSteps;
  const probs = new Float64Array(k);
  const bins = new Float64Array(k);
  // ring[s % w][b]: cumulative count ≤ le[b] of step s; window sums give rate(x_bucket[5m]) · 300 s.
  const ring = Array.from({ length: w }, () => new Float64Array(k));
  const windowSum = new Float64Array(k);
  const value = new Float64Array(ctx.n);
  for (let i = 0; i < ctx.n; i++) {
    const slot = ring[i % w];
    for (let b = 0; b < k; b++) {
      windowSum[b] -= slot[b];
    }
    slot.fill(0);
    const n = stalled[i] === 1 ? 0 : rng.poisson(VALUE.quantileRequests);
    if (n > 0) {
      const mu = Math.log(LATENCY.median) + LATENCY.locationUnit * (scale[i] * z[i] + shift[i]);
      bucketProbabilities(le, mu, LATENCY.sigmaLog, 0, probs);
      multinomial(n, probs, rng, bins);
      let cumulative = 0;
      for (let b = 0; b < k; b++) {
        cumulative += bins[b];
        slot[b] = cumulative;
      }
    }
    for (let b = 0; b < k; b++) {
      windowSum[b] += slot[b];
    }
    value[i] = histogramQuantile(VALUE.quantile, le, windowSum);
  }
  return { type: 'value', t: stepTimes(ctx), value };
}

function counterRateSeries(ctx: SeriesContext, z: Float64Array): ValueInput {
  const rng = stream(ctx, 'value', 'counter_resets', 'counts');
  const { shift, scale, stalled } = ctx.condition;
  const scrapes = simulateCounters({
    startMs: ctx.startMs - 5 * 60_000,
    endMs: ctx.startMs + ctx.n * ctx.stepMs,
    counters: 1,
    ...COUNTER_DEFAULTS,
    rng: stream(ctx, 'value', 'counter_resets', 'process'),
    increments(from, to, out) {
      const i = stepOf(ctx, from);
      if (stalled[i] === 1) {
        return;
      }
      const rate = VALUE.counterRatePerSecond * Math.exp(VALUE.counterLogUnit * (scale[i] * z[i] + shift[i]));
      out[0] += rng.poisson((rate * (to - from)) / 1000);
    },
  });
  const t = stepTimes(ctx);
  return { type: 'value', t, value: rangeDelta(scrapes.t, scrapes.values[0], t, VALUE.counterRateRangeMs, true) };
}
