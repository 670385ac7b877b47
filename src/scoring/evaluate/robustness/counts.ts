/**
 * Event counts per row for the count-based kinds (ratio, histogram_drift, calibration), under the
 * observation model of the noise shape. A CountModel says how many events each of K counters gains
 * during [from, to) given the condition of one step; this module decides which intervals become
 * rows:
 *
 *   direct, low_count, bucket_quantile   row i = the events of step i, (t_i − step, t_i]
 *   irregular      row r = the events since the previous present row (a dropped scrape merges into
 *                  the next row); rows in a missing stretch are NaN, and the first row after one
 *                  counts only its own step (a query cannot see increments across the gap)
 *   counter        the K counters are simulated with restarts and 15 s scrapes
 *                  (prometheusModel.simulateCounters) and each row is PromQL `increase(c[step])` (1m) at
 *                  the step — per counter independently, as Prometheus computes them, so the
 *                  counters of one row need not be consistent with one another
 */
import type { Rng } from '../../util/prng';
import type { Observation } from './noise';
import { COUNTER_DEFAULTS, rangeDelta, simulateCounters } from './prometheusModel';
import type { Schedule } from './schedule';
import { stepOf, stepTimes, stream, type SeriesContext } from './series';

/** Adds the increments of each counter for events in [fromMs, toMs) at `step`'s condition to `out`. */
export type CountModel = (step: number, fromMs: number, toMs: number, out: Float64Array) => void;

export interface CountRows {
  t: Float64Array;
  /** counts[c][r]: events of counter c in row r (NaN: missing). */
  counts: Float64Array[];
}

export function countRows(
  observation: Observation,
  ctx: SeriesContext,
  schedule: Schedule,
  counters: number,
  model: CountModel,
  purpose: string
): CountRows {
  if (observation === 'counter') {
    return counterRows(ctx, counters, model, stream(ctx, purpose, 'counter-process'));
  }
  const rows = schedule.t.length;
  const counts = Array.from({ length: counters }, () => new Float64Array(rows));
  const out = new Float64Array(counters);
  let previous = NaN;
  for (let r = 0; r < rows; r++) {
    const t = schedule.t[r];
    if (schedule.missing[r] === 1) {
      for (let c = 0; c < counters; c++) {
        counts[c][r] = NaN;
      }
      previous = NaN;
      continue;
    }
    const from = observation === 'irregular' && previous === previous ? previous : t - ctx.stepMs;
    out.fill(0);
    model(schedule.step[r], from, t, out);
    for (let c = 0; c < counters; c++) {
      counts[c][r] = out[c];
    }
    previous = t;
  }
  return { t: schedule.t, counts };
}

function counterRows(ctx: SeriesContext, counters: number, model: CountModel, rng: Rng): CountRows {
  const evalTimes = stepTimes(ctx);
  const scrapes = simulateCounters({
    startMs: ctx.startMs - 5 * 60_000, // a few minutes of history so the first windows have samples
    endMs: ctx.startMs + ctx.n * ctx.stepMs,
    counters,
    ...COUNTER_DEFAULTS,
    rng,
    increments: (from, to, out) => model(stepOf(ctx, from), from, to, out),
  });
  const counts = scrapes.values.map((v) => rangeDelta(scrapes.t, v, evalTimes, ctx.stepMs, false));
  return { t: evalTimes, counts };
}
